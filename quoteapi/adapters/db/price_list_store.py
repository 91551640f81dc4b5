"""The price list's statements that other parts share: the version in force, a version's document,
the campaigns' uses, the writers' lock."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Collection

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from .models import CampaignUses, PriceListVersion


def in_force_query(now: Any) -> Select:
    """The number of the version in force at ``now`` (a value or a bind parameter).

    On the table's columns (a Core statement, no ORM entity): it is also part of every
    quote creation's counter statement (adapters/db/quote_store.py).
    """
    V = PriceListVersion.__table__.c
    return (
        select(V.version)
        .where(V.cancelled_at.is_(None), V.effective_from <= now)
        .order_by(V.effective_from.desc(), V.version.desc())
        .limit(1)
    )


def version_in_force(session: Session, now: datetime) -> int | None:
    return session.scalar(in_force_query(now))


def next_scheduled(session: Session, now: datetime) -> datetime | None:
    """When the next scheduled version takes effect (None: none is waiting)."""
    V = PriceListVersion
    return session.scalar(select(func.min(V.effective_from)).where(V.cancelled_at.is_(None), V.effective_from > now))


def document_of(session: Session, version: int) -> dict[str, Any] | None:
    """A stored version's document (its plain form), read as a column: no ORM row."""
    table = PriceListVersion.__table__
    return session.execute(select(table.c.document).where(table.c.version == version)).scalar_one_or_none()


def campaign_uses(session: Session, codes: Collection[str] | None = None) -> dict[str, int]:
    """How many accepted quotes carry each campaign that ever counted one (of ``codes``, when given)."""
    statement = select(CampaignUses.code, CampaignUses.uses)
    if codes is not None:
        statement = statement.where(CampaignUses.code.in_(list(codes)))
    return dict(session.execute(statement).all())


def lock_writers(session: Session) -> None:
    """Writers of the price list queue here (SQLite's BEGIN IMMEDIATE already queues them)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7310001)"))
