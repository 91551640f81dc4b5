"""The quote as the customer's document (HTML, PDF), with what the quote itself does not hold.

The clinic's contacts and bank account come from the price list in force, the
deposit from the quote's revision (its clinic's ``deposit_percent`` when it was
priced), and the person who prepared it from the users: the assigned user, else
the quote's creator, by full name (``users.full_name``), else by user name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..adapters import documents
from ..adapters.db import document_store
from ..adapters.db import quote_store as store
from ..domain.quotes import Quote

if TYPE_CHECKING:
    from .context import Context


def preparer(quote: Quote) -> str | None:
    """The user name of who prepared the quote for the customer: the assigned user, else its creator."""
    return quote.assigned_to or quote.created_by


def prepared_by(ctx: Context, quote: Quote) -> str | None:
    """The name the document shows for who prepared the quote: the full name, else the user name."""
    name = preparer(quote)
    if not name:
        return None
    with ctx.database.reading() as session:
        return store.full_name_of(session, name) or name


def quote_html(ctx: Context, quote: Quote) -> str:
    """The quote as the customer's page (also what its PDF is made of), in the quote's language."""
    return documents.render_html(quote, ctx.price_lists.current(), prepared_by=prepared_by(ctx, quote))


def pdf_of(ctx: Context, quote: Quote, html: str) -> bytes:
    """The PDF of ``html``: the one stored when the quote was sent if it was made from exactly this HTML
    (same revision, language and SHA-256), else made now (~120 ms)."""
    with ctx.database.reading() as session:
        stored = document_store.pdf_of_number(session, quote.number, quote.revision, quote.language,
                                              documents.html_sha256(html))
    return stored if stored is not None else documents.render_pdf(html)
