"""The outbox table: messages stored in the transaction of the change that caused them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy.orm import Session

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
