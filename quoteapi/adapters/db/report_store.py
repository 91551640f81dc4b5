"""The pipeline report's statements (api.md revision 3, "Reports"; services/reports.py).

Two reads per report, each one statement over ``quotes`` (with the payments summed
per quote, and for ``area``/``campaign`` the newest revision's rows of
``quote_areas``/``quote_campaigns``):

- :func:`breakdown`: per group key, the quotes counted and summed by their status as
  it reads today (open past validity: ``expired``) and decline reason, with the manual
  discounts and the payments net of refunds. Money in whole cents (SQLite keeps
  NUMERIC as a float; ``ROUND(x * 100)`` of a 2-place amount is exact on both
  databases), folded into figures by the domain (quoteapi/domain/reports.py).
- :func:`acceptance_seconds`: the medians of (accepted_at − created_at), in
  seconds, per group and overall: PostgreSQL's ``percentile_cont(0.5)``; on SQLite
  (no such aggregate; small databases) the durations are read and the median taken
  in Python.

The date range is on ``quotes.created_on`` (the clinics' date of ``created_at``,
index ``ix_quotes_created_on``); a group's key is a column (clinic, source,
assigned_to, discount_by), a month (``YYYY-MM``) or a week (its Monday,
``YYYY-MM-DD``) of ``created_on``, or an area or campaign code (null: none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Any, Mapping

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func, literal, null, select
from sqlalchemy.orm import Session

from ...domain import quotes as workflow
from . import models as rows
from .database import aware

Q, P = rows.Quote, rows.Payment
FACETS = {"area": rows.QuoteArea, "campaign": rows.QuoteCampaign}


@dataclass(frozen=True, slots=True)
class Filters:
    start: date
    end: date
    today: date
    clinic: str | None = None
    source: str | None = None


def _cents(column: Any) -> ColumnElement:
    return cast(func.round(column * 100), BigInteger)


def _status(today: date) -> ColumnElement:
    """The status as it reads today: an open quote past its validity is ``expired``."""
    return case((and_(Q.status.in_(workflow.OPEN), Q.valid_until < today), literal("expired")), else_=Q.status)


def _key(group_by: str | None, dialect: str) -> tuple[ColumnElement, Any]:
    """The group key's expression and the table to join for it (None: none)."""
    if group_by is None:
        return null(), None
    if group_by in FACETS:
        return FACETS[group_by].code, FACETS[group_by]
    if group_by == "month":
        if dialect == "postgresql":
            return func.to_char(Q.created_on, "YYYY-MM"), None
        return func.strftime("%Y-%m", Q.created_on), None
    if group_by == "week":  # its Monday
        if dialect == "postgresql":
            return func.to_char(func.date_trunc("week", Q.created_on), "YYYY-MM-DD"), None
        return func.date(Q.created_on, "-6 days", "weekday 1"), None
    return getattr(Q, group_by), None


def _grouped(group_by: str | None, key: ColumnElement) -> tuple[ColumnElement, ...]:
    """The key to group by (none for the totals: PostgreSQL refuses GROUP BY NULL)."""
    return () if group_by is None else (key,)


def _from(statement: Any, facet: Any, filters: Filters) -> Any:
    if facet is not None:
        statement = statement.outerjoin(facet, facet.quote_id == Q.id)
    statement = statement.where(Q.created_on >= filters.start, Q.created_on <= filters.end)
    if filters.clinic:
        statement = statement.where(Q.clinic == filters.clinic)
    if filters.source:
        statement = statement.where(Q.source == filters.source)
    return statement


def _paid() -> Any:
    """Payments net of refunds per quote, in cents."""
    signed = case((P.kind == "refund", -_cents(P.amount)), else_=_cents(P.amount))
    return select(P.quote_id.label("quote_id"), func.sum(signed).label("cents")).group_by(P.quote_id).subquery("paid")


def breakdown_statement(group_by: str | None, filters: Filters, dialect: str) -> Any:
    """The statement of :func:`breakdown` (bench/reports.py prints its plan)."""
    key, facet = _key(group_by, dialect)
    status = _status(filters.today)
    reason = case((Q.status == "declined", func.coalesce(Q.decline_reason, "")), else_=null())
    paid = _paid()
    return _from(
        select(
            key.label("key"), Q.currency.label("currency"), status.label("status"), reason.label("reason"),
            func.count().label("quotes"), func.sum(_cents(Q.total)).label("value_cents"),
            func.count(Q.manual_discount).label("discount_count"),
            func.sum(_cents(Q.manual_discount)).label("discount_cents"),
            func.sum(paid.c.cents).label("paid_cents"),
        ).select_from(Q).outerjoin(paid, paid.c.quote_id == Q.id),
        facet, filters,
    ).group_by(*_grouped(group_by, key), Q.currency, status, reason)


def breakdown(session: Session, group_by: str | None, filters: Filters) -> list[Mapping[str, Any]]:
    """Rows of (key, currency, status, reason, quotes, value_cents, discount_count, discount_cents, paid_cents):
    the quotes in range per group key, status as it reads today and decline reason (null unless declined)."""
    statement = breakdown_statement(group_by, filters, session.get_bind().dialect.name)
    return [row._mapping for row in session.execute(statement)]


def _seconds() -> ColumnElement:
    return func.extract("epoch", Q.accepted_at - Q.created_at)


def acceptance_seconds(session: Session, group_by: str | None, filters: Filters) -> dict[str | None, float]:
    """The median seconds from creation to acceptance of the accepted quotes in range, per group key."""
    dialect = session.get_bind().dialect.name
    key, facet = _key(group_by, dialect)
    accepted = and_(Q.status == "accepted", Q.accepted_at.is_not(None))
    if dialect == "postgresql":
        middle = func.percentile_cont(0.5).within_group(_seconds())
        statement = _from(select(key.label("key"), middle).select_from(Q), facet, filters).where(accepted)
        statement = statement.group_by(*_grouped(group_by, key))
        return {k: float(v) for k, v in session.execute(statement) if v is not None}
    statement = _from(select(key.label("key"), Q.created_at, Q.accepted_at).select_from(Q), facet, filters).where(accepted)
    found: dict[str | None, list[float]] = {}
    for k, created_at, accepted_at in session.execute(statement):
        found.setdefault(k, []).append((aware(accepted_at) - aware(created_at)).total_seconds())
    return {k: median(v) for k, v in found.items()}


def user_names(session: Session, names: list[str]) -> dict[str, str]:
    """Users' full names by user name (those that have one)."""
    if not names:
        return {}
    U = rows.User
    return {n: f for n, f in session.execute(select(U.name, U.full_name).where(U.name.in_(names))) if f}

