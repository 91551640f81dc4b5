"""The outbox table: messages stored in the transaction of the change that caused them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Sequence

from sqlalchemy import delete, func, select, update

from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from . import models as rows


def enqueue(
    session: Session,
    *,
    kind: str,
    language: str,
    recipient: str | None,
    payload: Mapping[str, Any],
    now: datetime,
    quote: rows.Quote | None = None,
) -> rows.OutboxMessage:
    """Add a message to the outbox in ``session``'s transaction; the sender delivers it later."""
    message = rows.OutboxMessage(
        kind=kind, language=language, recipient=recipient, payload=dict(payload),
        state="pending", attempts=0, due_at=now, created_at=now,
        quote_id=quote.id if quote is not None else None,
    )
    session.add(message)
    return message


# A message's states: ``pending`` (due at ``due_at``), ``sending`` (claimed by a sender until
# ``due_at``, its lease: a sender that died mid-way leaves it to be claimed again), ``sent``,
# ``failed`` and ``dropped`` (its person's data was erased before it left).
WAITING = ("pending", "sending")


def claim_due(session: Session, now: datetime, limit: int, lease_until: datetime) -> list[int]:
    """Claim up to ``limit`` messages due at ``now`` (oldest first) for one sender until ``lease_until``.

    On PostgreSQL the rows are read ``FOR UPDATE SKIP LOCKED``, so that senders claiming at the
    same moment take different messages; each is then claimed by an update that re-checks that
    it is still due and waiting, so that a message is never claimed twice, whatever the isolation
    (SQLite's writers queue: its transactions begin IMMEDIATE).
    """
    Message = rows.OutboxMessage
    candidates = session.scalars(
        select(Message.id)
        .where(Message.state.in_(WAITING), Message.due_at <= now)
        .order_by(Message.due_at, Message.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for message_id in candidates:
        result = session.execute(
            update(Message)
            .where(Message.id == message_id, Message.state.in_(WAITING), Message.due_at <= now)
            .values(state="sending", due_at=lease_until)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(message_id)
    return claimed


def release(session: Session, message_ids: Sequence[int], now: datetime) -> None:
    """Claimed messages given back untried (the sender is stopping): due again at once."""
    Message = rows.OutboxMessage
    session.execute(
        update(Message).where(Message.id.in_(message_ids), Message.state == "sending")
        .values(state="pending", due_at=now).execution_options(synchronize_session=False)
    )


def get(session: Session, message_id: int) -> rows.OutboxMessage | None:
    return session.get(rows.OutboxMessage, message_id)


def claimed(session: Session, message_id: int) -> rows.OutboxMessage | None:
    """A message this sender claimed, locked for its outcome; None when it is no longer ``sending``
    (dropped by an erasure meanwhile)."""
    Message = rows.OutboxMessage
    return session.scalars(
        select(Message).where(Message.id == message_id, Message.state == "sending").with_for_update()
    ).first()


def count_by_state(session: Session) -> dict[str, int]:
    Message = rows.OutboxMessage
    return dict(session.execute(select(Message.state, func.count()).group_by(Message.state)).all())


def of_quotes(session: Session, quote_ids: Sequence[int]) -> Sequence[rows.OutboxMessage]:
    """The messages about these quotes, oldest first."""
    if not quote_ids:
        return []
    Message = rows.OutboxMessage
    return session.scalars(select(Message).where(Message.quote_id.in_(quote_ids)).order_by(Message.id)).all()


def forget_recipients(session: Session, quote_ids: Sequence[int]) -> int:
    """An erasure: the messages still waiting are dropped (recipient and payload emptied); those that
    left or failed keep that they did, without the address nor what they said. How many were dropped."""
    if not quote_ids:
        return 0
    Message = rows.OutboxMessage
    dropped = session.execute(
        update(Message)
        .where(Message.quote_id.in_(quote_ids), Message.state.in_(WAITING))
        .values(state="dropped", recipient=None, payload={}, last_error=None)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    session.execute(
        update(Message)
        .where(Message.quote_id.in_(quote_ids), Message.state.not_in(WAITING))
        .values(recipient=None, payload={})
        .execution_options(synchronize_session=False)
    )
    return dropped


def delete_before(session: Session, cutoff: datetime) -> int:
    """Retention: messages created before ``cutoff`` that are done with (sent, failed, dropped) are deleted."""
    Message = rows.OutboxMessage
    return session.execute(
        delete(Message).where(Message.created_at < cutoff, Message.state.not_in(WAITING))
        .execution_options(synchronize_session=False)
    ).rowcount or 0


def quote_to_mail(session: Session, quote_id: int) -> rows.Quote | None:
    """A message's quote with its revisions and without its activity (which grows with every send):
    for reading only, its ``activity`` reads as empty."""
    quote = session.scalars(
        select(rows.Quote).options(selectinload(rows.Quote.revisions)).where(rows.Quote.id == quote_id)
    ).first()
    if quote is not None:
        set_committed_value(quote, "activity", [])
    return quote


def add_activity(session: Session, quote: rows.Quote, at: datetime, kind: str, msgid: str, **values: Any) -> None:
    """An activity line on ``quote`` written by the sender, without loading the quote's other lines."""
    session.add(rows.QuoteActivity(quote_id=quote.id, at=at, by=None, kind=kind, text=msgid, values=values))
