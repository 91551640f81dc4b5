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
from ..adapters.db.keyset import newest_first
from .paging import Page, keyset_page

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
    stmt = select(AuditRow)
    if filters.get("kind"):
        stmt = stmt.where(AuditRow.kind == filters["kind"])
    if filters.get("since"):
        stmt = stmt.where(AuditRow.at >= filters["since"])
    if filters.get("until"):
        stmt = stmt.where(AuditRow.at < filters["until"])
    with ctx.database.reading() as session:
        return keyset_page(
            "a", filters, lambda before, count: newest_first(session, stmt, AuditRow.id, before, count),
            lambda r: AuditEntry(r.id, aware(r.at), r.actor, r.kind, r.action, r.subject, r.before, r.after),
        )
