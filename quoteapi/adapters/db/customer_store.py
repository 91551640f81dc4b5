"""Statements of the customer's link pages (``/q/<token>``): the "viewed" mark, at most one an hour."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from . import models as rows

# A quote's opening by its customer is one activity line at most this often.
VIEWED_EVERY = timedelta(hours=1)


def mark_viewed(session: Session, quote_id: int, now: datetime) -> bool:
    """Set ``last_viewed_at`` to ``now`` unless it was set within the last hour; whether it was set.

    One guarded UPDATE: of two openings at the same moment, only one sets it (and so
    only one writes the activity line); the other finds the row already marked.
    """
    result = session.execute(
        update(rows.Quote)
        .where(rows.Quote.id == quote_id,
               or_(rows.Quote.last_viewed_at.is_(None), rows.Quote.last_viewed_at <= now - VIEWED_EVERY))
        .values(last_viewed_at=now)
        .execution_options(synchronize_session=False)
    )
    return (result.rowcount or 0) == 1


def current_revision(session: Session, quote: rows.Quote) -> rows.QuoteRevision:
    """The quote's current revision alone (one statement; not every revision of the quote)."""
    return session.scalars(
        select(rows.QuoteRevision).where(rows.QuoteRevision.quote_id == quote.id,
                                         rows.QuoteRevision.revision == quote.revision)
    ).one()
