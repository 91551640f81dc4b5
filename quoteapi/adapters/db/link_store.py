"""The customer's links: a random token given out once, only its SHA-256 kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import models as rows

# A link keeps working this many days after its quote's validity ended (api.md revision 3).
DAYS_AFTER_VALIDITY = 30


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_link(session: Session, quote: rows.Quote, channel: str, by: str | None, now: datetime) -> str:
    """A new link to ``quote`` (256 random bits); the token is answered once and never stored."""
    token = secrets.token_urlsafe(32)
    session.add(rows.QuoteLink(quote_id=quote.id, token_hash=token_hash(token), channel=channel, created_at=now, created_by=by))
    return token


def find(session: Session, token: str, today: date, *, for_update: bool = False) -> tuple[rows.Quote | None, bool]:
    """The quote a token opens, and whether the link still works.

    ``(None, False)``: no such token. ``(quote, False)``: a token that was given out but
    no longer works (revoked, erased, or 30 days past the quote's validity).
    The look-up is by hash (an index), then the hashes are compared in constant time.
    """
    digest = token_hash(token)
    link = session.scalars(select(rows.QuoteLink).where(rows.QuoteLink.token_hash == digest)).first()
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        return None, False
    statement = select(rows.Quote).where(rows.Quote.id == link.quote_id)
    if for_update:
        statement = statement.with_for_update()
    quote = session.scalars(statement).one()
    works = (
        link.revoked_at is None
        and quote.erased_at is None
        and today <= quote.valid_until + timedelta(days=DAYS_AFTER_VALIDITY)
    )
    return quote, works


def revoke_all(session: Session, quote: rows.Quote, now: datetime) -> int:
    """Revoke every working link of ``quote``; the number revoked."""
    result = session.execute(
        update(rows.QuoteLink)
        .where(rows.QuoteLink.quote_id == quote.id, rows.QuoteLink.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount or 0


def of_quotes(session: Session, quote_ids: list[int]) -> list[rows.QuoteLink]:
    """The links given out to these quotes, oldest first (an export)."""
    if not quote_ids:
        return []
    return list(session.scalars(
        select(rows.QuoteLink).where(rows.QuoteLink.quote_id.in_(quote_ids)).order_by(rows.QuoteLink.id)
    ))
