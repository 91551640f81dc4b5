"""The audit log: append-only records of changes, written inside the change's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import AuditEntry, Database, aware
from .paging import decode_cursor, encode_cursor

KINDS = ("price_list", "user", "quote")


def record(
    session: Session, *, actor: str | None, kind: str, action: str, subject: str, before: Any = None, after: Any = None
) -> None:
    """Add one entry; it commits (or not) with the change it describes."""
    session.add(
        AuditEntry(
            at=datetime.now(UTC), actor=actor, kind=kind, action=action, subject=subject, before=before, after=after
        )
    )


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
        stmt = stmt.where(AuditEntry.id < decode_cursor("a", filters["cursor"]))
    with database.reading() as session:
        rows = list(session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [
            {
                "id": r.id,
                "at": aware(r.at).isoformat(),
                "actor": r.actor,
                "kind": r.kind,
                "action": r.action,
                "subject": r.subject,
                "before": r.before,
                "after": r.after,
            }
            for r in rows
        ],
        "next_cursor": encode_cursor("a", rows[-1].id) if more else None,
    }
