"""Messages to staff about a quote (api.md revision 3, "Notifications"), through the outbox.

Each is stored in the transaction of the change it tells of, and delivered by the
sender like every other message (``quoteapi outbox run``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..adapters.db import models as rows
from ..adapters.db import outbox_store

# The language of a message to staff: users keep no language of their own yet.
STAFF_LANGUAGE = "tr"

# What a notice about a quote may tell.
EVENTS = ("accepted", "question", "declined", "undeliverable", "approval-requested", "approval-decided")


def staff_to_tell(session: Session, quote: rows.Quote) -> list[rows.User]:
    """The assigned user when they have an e-mail, else every active sales user with one."""
    users = session.scalars(
        select(rows.User).where(rows.User.revoked_at.is_(None), rows.User.email.is_not(None)).order_by(rows.User.id)
    ).all()
    assigned = [u for u in users if u.name == quote.assigned_to]
    return assigned or [u for u in users if u.role == "sales"]


def notify_staff(session: Session, quote: rows.Quote, event: str, now: datetime, *, text: str | None = None,
                 to: list[rows.User] | None = None) -> int:
    """Queue a ``staff-notice`` about ``quote`` to ``to`` (default: :func:`staff_to_tell`); how many were queued.

    A user without an e-mail gets nothing, and nothing fails.
    """
    assert event in EVENTS, event
    recipients = staff_to_tell(session, quote) if to is None else [u for u in to if u.email]
    for user in recipients:
        outbox_store.enqueue(
            session, kind="staff-notice", language=STAFF_LANGUAGE, recipient=user.email,
            payload={"number": quote.number, "event": event, "text": text, "user": user.name}, now=now, quote=quote,
        )
    return len(recipients)
