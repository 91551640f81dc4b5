"""The audit log: append-only records of changes, written inside the change's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..adapters import clock
from ..adapters.db import AuditEntry as AuditRow
from ..adapters.db import aware
from .paging import Page, decode_cursor, encode_cursor

if TYPE_CHECKING:
    from .context import Context

KINDS = ("price_list", "user", "quote", "personal_data")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str | None
    kind: str
    action: str
    subject: str
    before: Any
    after: Any


def record(
    session: Session, *, actor: str | None, kind: str, action: str, subject: str, before: Any = None, after: Any = None
) -> None:
    """Add one entry; it commits (or not) with the change it describes."""
    session.add(
        AuditRow(at=clock.now(), actor=actor, kind=kind, action=action, subject=subject, before=before, after=after)
    )


def entries(ctx: Context, filters: Mapping[str, Any]) -> Page[AuditEntry]:
    """Newest first, filtered by ``kind``, ``since`` and ``until``; keyset-paginated (``limit``, ``cursor``)."""
    limit = filters.get("limit", 50)
    stmt = select(AuditRow)
    if filters.get("kind"):
        stmt = stmt.where(AuditRow.kind == filters["kind"])
    if filters.get("since"):
        stmt = stmt.where(AuditRow.at >= filters["since"])
    if filters.get("until"):
        stmt = stmt.where(AuditRow.at < filters["until"])
    if filters.get("cursor"):
        stmt = stmt.where(AuditRow.id < decode_cursor("a", filters["cursor"]))
    with ctx.database.reading() as session:
        found = list(session.scalars(stmt.order_by(AuditRow.id.desc()).limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    return Page(
        items=[AuditEntry(r.id, aware(r.at), r.actor, r.kind, r.action, r.subject, r.before, r.after) for r in found],
        next_cursor=encode_cursor("a", found[-1].id) if more else None,
    )
