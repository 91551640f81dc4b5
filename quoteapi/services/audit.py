"""The audit log: append-only records of changes, written inside the change's transaction."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import AuditEntry, Database
from .errors import ServiceError

KINDS = ("price_list", "user", "quote")


class BadCursor(ServiceError):
    status = 422
    title = "Unprocessable Content"


def record(
    session: Session, *, actor: str | None, kind: str, action: str, subject: str, before: Any = None, after: Any = None
) -> None:
    """Add one entry; it commits (or not) with the change it describes."""
    session.add(
        AuditEntry(
            at=datetime.now(UTC), actor=actor, kind=kind, action=action, subject=subject, before=before, after=after
        )
    )


def _cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"a:{last_id}".encode()).decode().rstrip("=")


def _after(cursor: str) -> int:
    try:
        prefix, _, value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition(":")
        if prefix != "a":
            raise ValueError(prefix)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor("The cursor is not one this API gave out.", {"cursor": ["Invalid cursor."]}) from None


def entries(database: Database, filters: Mapping[str, Any]) -> dict[str, Any]:
    """Newest first, filtered by kind and time, keyset-paginated."""
    limit = filters.get("limit", 50)
    stmt = select(AuditEntry)
    if filters.get("kind"):
        stmt = stmt.where(AuditEntry.kind == filters["kind"])
    if filters.get("since"):
        stmt = stmt.where(AuditEntry.at >= filters["since"])
    if filters.get("until"):
        stmt = stmt.where(AuditEntry.at < filters["until"])
    if filters.get("cursor"):
        stmt = stmt.where(AuditEntry.id < _after(filters["cursor"]))
    with database.reading() as session:
        rows = list(session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [
            {
                "id": r.id,
                "at": (r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC)).isoformat(),
                "actor": r.actor,
                "kind": r.kind,
                "action": r.action,
                "subject": r.subject,
                "before": r.before,
                "after": r.after,
            }
            for r in rows
        ],
        "next_cursor": _cursor(rows[-1].id) if more else None,
    }
