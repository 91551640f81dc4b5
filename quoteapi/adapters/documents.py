"""The quote as a document for the customer: one template, HTML or PDF."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, PackageLoader, select_autoescape

from ..domain.pricing.advice import AFTERCARE, PREPARATION
from ..domain.pricing.model import Clinic
from ..domain.pricing.plain import estimate_to_plain
from ..domain.quotes import Quote
from ..domain.text import ENGLISH

_TEMPLATES = Environment(
    loader=PackageLoader("quoteapi.adapters", "templates"), autoescape=select_autoescape(("html",))
)

KIND_LABELS = {
    "area": "Treatment area",
    "product": "Product",
    "combination_discount": "Discount",
    "specialist": "Specialist",
    "session_discount": "Discount",
    "campaign": "Campaign",
}


class Formatter:
    """Money and dates for the document's locale (Babel)."""

    def __init__(self, currency: str, locale: str) -> None:
        self.currency = currency
        self.locale = locale

    def money(self, value: str | Decimal) -> str:
        return format_currency(Decimal(value), self.currency, locale=self.locale)

    def day(self, value: str | date) -> str:
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return format_date(day, format="short", locale=self.locale)

    def percent(self, rate: str) -> str:
        return format_decimal(Decimal(rate) * 100, locale=self.locale) + " %"


def render_html(quote: Quote, clinic: Clinic | None, locale: str) -> str:
    fmt = Formatter(quote.estimate.currency, locale)
    advice = [ENGLISH.render(a) for a in quote.estimate.advice]
    preparation = {ENGLISH.render(a) for a in PREPARATION}
    aftercare = {ENGLISH.render(a) for a in AFTERCARE}
    view = {
        **estimate_to_plain(quote.estimate),
        "number": quote.number,
        "revision": quote.revision,
        "status": quote.status,
        "customer": {"name": quote.customer.name, "email": quote.customer.email, "phone": quote.customer.phone},
        "notes": quote.notes,
        "valid_until": quote.valid_until.isoformat(),
    }
    return _TEMPLATES.get_template("quote.html").render(
        quote=view,
        clinic=clinic,
        fmt=fmt,
        kind_labels=KIND_LABELS,
        issued=quote.created_at.date(),
        preparation=[a for a in advice if a in preparation],
        aftercare=[a for a in advice if a in aftercare],
        other_advice=[a for a in advice if a not in preparation and a not in aftercare],
        tax_included=quote.estimate.total == quote.estimate.net,
    )


def render_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango, which only documents need.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def file_name(quote: Quote) -> str:
    return f"{quote.number}-r{quote.revision}"
