"""The pipeline report's statements (api.md revision 3, "Reports"; services/reports.py).

Two reads per report, each one statement over ``quotes`` alone (for ``area`` and
``campaign`` joined with the newest revision's rows of ``quote_areas`` /
``quote_campaigns``); every column they read is in the index of the date range
on PostgreSQL (``ix_quotes_created_on ... INCLUDE``), so a report is an index-only
scan of its range and a hash aggregate (``work_mem`` raised for its transaction):

- :func:`breakdown`: per group key, the quotes counted and summed by their status as
  it reads today (open past validity: ``expired``) and decline reason, with the manual
  discounts and the payments net of refunds (``quotes.paid``). Money in whole cents (SQLite keeps
  NUMERIC as a float; ``ROUND(x * 100)`` of a 2-place amount is exact on both
  databases), folded into figures by the domain (quoteapi/domain/reports.py).
- :func:`acceptance_seconds`: the accepted quotes' (accepted_at − created_at) in
  seconds per group, for their medians (taken in Python, quoteapi/domain/reports.py):
  on PostgreSQL handed over by the breakdown's own scan (``array_agg ... FILTER``),
  on SQLite (small databases) read by a second statement.

The date range is on ``quotes.created_on`` (the clinics' date of ``created_at``,
index ``ix_quotes_created_on``); a group's key is a column (clinic, source,
assigned_to, discount_by), a month (``YYYY-MM``) or a week (its Monday,
``YYYY-MM-DD``) of ``created_on``, or an area or campaign code (null: none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, cast, func, null, select, text
from sqlalchemy.orm import Session

from ...domain import quotes as workflow
from . import models as rows
from .database import aware

Q = rows.Quote
# How long a report's statements may take on PostgreSQL (the requests' statement timeout is 5 s).
REPORT_SECONDS = 30
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
    if facet is not None:  # its rows of the range only (created_on copied from the quote)
        statement = statement.outerjoin(facet, and_(facet.quote_id == Q.id, facet.created_on >= filters.start,
                                                    facet.created_on <= filters.end))
    statement = statement.where(Q.created_on >= filters.start, Q.created_on <= filters.end)
    if filters.clinic:
        statement = statement.where(Q.clinic == filters.clinic)
    if filters.source:
        statement = statement.where(Q.source == filters.source)
    return statement


def breakdown_statement(group_by: str | tuple[str, ...] | None, filters: Filters, dialect: str) -> Any:
    """The statement of :func:`breakdown` (bench/reports.py prints its plan).

    Grouped by bare columns (the key or keys, currency, stored status, whether the
    validity has passed, decline reason): the status as it reads today is worked out
    from those per group, not per row. PostgreSQL sums ``numeric`` exactly and hands the
    accepted quotes' durations over in the same scan (``array_agg ... FILTER``); SQLite
    sums cents. Several keys at once (not area or campaign) read the range once for
    several reports (the console's page); each key's column is ``key_<n>``.
    """
    names = group_by if isinstance(group_by, tuple) else (group_by,)
    keyed = [_key(name, dialect) for name in names]
    facet = next((f for _, f in keyed if f is not None), None)
    postgresql = dialect == "postgresql"

    def money(column: Any) -> Any:
        return func.sum(column) if postgresql else func.sum(_cents(column))

    columns = [
        *(key.label(f"key_{n}") for n, (key, _) in enumerate(keyed)),
        Q.currency.label("currency"), Q.status.label("status"),
        (Q.valid_until < filters.today).label("past"), Q.decline_reason.label("reason"),
        func.count().label("quotes"), money(Q.total).label("value"),
        func.count(Q.manual_discount).label("discount_count"), money(Q.manual_discount).label("discount"),
        money(Q.paid).label("paid"),
    ]
    if postgresql:
        accepted = and_(Q.status == "accepted", Q.accepted_at.is_not(None))
        columns.append(func.array_agg(_seconds()).filter(accepted).label("seconds"))
    grouped = [key for name, (key, _) in zip(names, keyed) if name is not None]
    return _from(select(*columns).select_from(Q), facet, filters).group_by(
        *grouped, Q.currency, Q.status, "past", Q.decline_reason
    )


def roomy(session: Session) -> None:
    """On PostgreSQL, for this transaction only: memory enough for the report's aggregates (a hash, not a sort
    on disk), and time: a report of years of quotes may take longer than the requests' statement timeout
    (5 s), up to 30 s."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text(f"SET LOCAL statement_timeout = '{REPORT_SECONDS}s'"))
        # The client's own deadline for an answer (adapters/db/database.py), reset when the connection goes back
        # to the pool.
        raw = session.connection().connection.dbapi_connection
        if getattr(raw, "answer_timeout", None) is not None:
            raw.answer_timeout = REPORT_SECONDS + 1


def _in_cents(value: Any) -> int:
    return int((Decimal(value or 0) * 100).to_integral_value())


def breakdown(session: Session, group_by: str | tuple[str, ...] | None, filters: Filters) -> list[dict[str, Any]]:
    """Rows of (key, currency, status, reason, quotes, value_cents, discount_count, discount_cents, paid_cents,
    seconds): the quotes in range per group key, status as it reads today (open past its validity: ``expired``)
    and decline reason; ``seconds`` the accepted ones' durations from creation to acceptance (PostgreSQL; None
    on SQLite: :func:`acceptance_seconds`). With several keys (a tuple), ``keys`` maps each to its value."""
    dialect = session.get_bind().dialect.name
    cents = _in_cents if dialect == "postgresql" else (lambda v: int(v or 0))
    names = group_by if isinstance(group_by, tuple) else (group_by,)
    found = []
    for row in session.execute(breakdown_statement(group_by, filters, dialect)):
        keys = {name: row._mapping[f"key_{n}"] for n, name in enumerate(names)}
        found.append({
            "key": keys[names[0]], "keys": keys, "currency": row.currency, "reason": row.reason, "quotes": row.quotes,
            "status": "expired" if row.status in workflow.OPEN and row.past else row.status,
            "value_cents": cents(row.value), "discount_count": row.discount_count, "discount_cents": cents(row.discount),
            "paid_cents": cents(row.paid), "seconds": getattr(row, "seconds", None) if dialect == "postgresql" else None,
        })
    return found


def _seconds() -> ColumnElement:
    """Seconds from creation to acceptance (``date_part``: a double, faster than ``extract``'s numeric)."""
    return func.date_part("epoch", Q.accepted_at) - func.date_part("epoch", Q.created_at)


def acceptance_seconds(session: Session, group_by: str | None, filters: Filters,
                       rows: list[dict[str, Any]]) -> dict[str | None, list[float]]:
    """The accepted quotes' durations from creation to acceptance, in seconds, per group key: on PostgreSQL
    those ``rows`` (:func:`breakdown`) carry; on SQLite read here (and worked out in Python)."""
    found: dict[str | None, list[float]] = {}
    if session.get_bind().dialect.name == "postgresql":
        for row in rows:
            if row["seconds"]:
                found.setdefault(row["key"], []).extend(float(s) for s in row["seconds"])
        return found
    key, facet = _key(group_by, "sqlite")
    accepted = and_(Q.status == "accepted", Q.accepted_at.is_not(None))
    statement = _from(select(key.label("key"), Q.created_at, Q.accepted_at).select_from(Q), facet, filters).where(accepted)
    for k, created_at, accepted_at in session.execute(statement):
        found.setdefault(k, []).append((aware(accepted_at) - aware(created_at)).total_seconds())
    return found


def user_names(session: Session, names: list[str]) -> dict[str, str]:
    """Users' full names by user name (those that have one)."""
    if not names:
        return {}
    U = rows.User
    return {n: f for n, f in session.execute(select(U.name, U.full_name).where(U.name.in_(names))) if f}

