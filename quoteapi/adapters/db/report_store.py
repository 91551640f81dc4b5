"""The pipeline report's statements (api.md revision 3, "Reports"; services/reports.py).

Two reads per report, each one statement over ``quotes`` alone; on PostgreSQL every
column they read but the area and campaign codes is in the index of the date range
(``ix_quotes_created_on ... INCLUDE``), so a report of months is an index-only scan
of its range and a hash aggregate (``work_mem`` raised for its transaction):

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
index ``ix_quotes_created_on``). A group is read by a column or a cheap expression of
it, and :func:`keys_of` turns what was read into the report's keys: clinic, source,
assigned_to and discount_by are their column; a month (``YYYY-MM``) or a week (its
Monday, ``YYYY-MM-DD``) is read on PostgreSQL as ``date_trunc`` of ``created_on`` (a
timestamp: ``to_char`` of a million rows took half a second more); an area or a campaign
by the quote's set of codes (``area_codes``, ``campaign_codes``: sorted, joined by
commas), which counts in each of its codes, and the totals count each quote once from
the same rows (null: none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    and_,
    cast,
    func,
    null,
    select,
    text,
)
from sqlalchemy.orm import Session

from ...domain import quotes as workflow
from . import models as rows
from .database import aware

Q = rows.Quote
# How long a report's statements may take on PostgreSQL (the requests' statement timeout is 5 s).
REPORT_SECONDS = 30
FACETS = {"area": Q.area_codes, "campaign": Q.campaign_codes}
PERIODS = ("month", "week")


@dataclass(frozen=True, slots=True)
class Filters:
    start: date
    end: date
    today: date
    clinic: str | None = None
    source: str | None = None


def _cents(column: Any) -> ColumnElement:
    return cast(func.round(column * 100), BigInteger)


def _key(group_by: str | None, dialect: str) -> ColumnElement:
    """What a group is read by (:func:`keys_of` gives its keys)."""
    if group_by is None:
        return null()
    if group_by in FACETS:
        return FACETS[group_by]
    if group_by in PERIODS:
        if dialect == "postgresql":  # the start of its month or week (a Monday), a timestamp: cheap to group by
            return func.date_trunc(group_by, cast(Q.created_on, DateTime))
        if group_by == "month":
            return func.strftime("%Y-%m", Q.created_on)
        return func.date(Q.created_on, "-6 days", "weekday 1")  # its Monday
    return getattr(Q, group_by)


def keys_of(group_by: str | None, read: Any) -> tuple[Any, ...]:
    """The report's keys of a group as it was read: a set of codes counts in each of its codes (none: the
    null key), the start of a month or week is written ``YYYY-MM`` or ``YYYY-MM-DD``; anything else (a key
    itself) is its own key; the totals (no group_by) have the one key None."""
    if group_by is None:
        return (None,)
    if group_by in FACETS:
        return tuple(read.split(",")) if read else (None,)
    if group_by in PERIODS and isinstance(read, date):
        return (read.strftime("%Y-%m") if group_by == "month" else read.strftime("%Y-%m-%d"),)
    return (read,)


def _from(statement: Any, filters: Filters) -> Any:
    statement = statement.where(Q.created_on >= filters.start, Q.created_on <= filters.end)
    if filters.clinic:
        statement = statement.where(Q.clinic == filters.clinic)
    if filters.source:
        statement = statement.where(Q.source == filters.source)
    return statement


def breakdown_statement(group_by: str | tuple[str, ...] | None, filters: Filters, dialect: str) -> Any:
    """The statement of :func:`breakdown` (bench/reports.py prints its plan).

    Grouped by bare columns (the key or keys as read, currency, stored status, whether the
    validity has passed, decline reason): the status as it reads today is worked out
    from those per group, not per row. PostgreSQL sums ``numeric`` exactly and hands the
    accepted quotes' durations over in the same scan (``array_agg ... FILTER``); SQLite
    sums cents. Several keys at once (not area or campaign) read the range once for
    several reports (the console's page); each key's column is ``key_<n>``.
    """
    names = group_by if isinstance(group_by, tuple) else (group_by,)
    keys = [_key(name, dialect) for name in names]
    postgresql = dialect == "postgresql"

    def money(column: Any) -> Any:
        return func.sum(column) if postgresql else func.sum(_cents(column))

    columns = [
        *(key.label(f"key_{n}") for n, key in enumerate(keys)),
        Q.currency.label("currency"), Q.status.label("status"),
        (Q.valid_until < filters.today).label("past"), Q.decline_reason.label("reason"),
        func.count().label("quotes"), money(Q.total).label("value"),
        func.count(Q.manual_discount).label("discount_count"), money(Q.manual_discount).label("discount"),
        money(Q.paid).label("paid"),
    ]
    if postgresql:
        accepted = and_(Q.status == "accepted", Q.accepted_at.is_not(None))
        columns.append(func.array_agg(_seconds()).filter(accepted).label("seconds"))
    grouped = [key for name, key in zip(names, keys) if name is not None]
    return _from(select(*columns).select_from(Q), filters).group_by(
        *grouped, Q.currency, Q.status, "past", Q.decline_reason
    )


def roomy(session: Session) -> None:
    """On PostgreSQL, for this transaction only: memory enough for the report's aggregates, by hash, never by
    sort (the planner expects far more groups than there are, a status and a reason for each key: it sorted
    a year's 340,000 quotes for the console's four keys, 750 ms, where a hash takes 200 ms; a hash that
    outgrows its memory spills to disk), and time: a report of years of quotes may take longer than the
    requests' statement timeout (5 s), up to 30 s."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text("SET LOCAL enable_sort = off"))
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
    seconds): the quotes in range per group as read (:func:`keys_of` gives its keys), status as it reads today
    (open past its validity: ``expired``) and decline reason; ``seconds`` the accepted ones' durations from
    creation to acceptance (PostgreSQL; None on SQLite: :func:`acceptance_seconds`). With several keys (a
    tuple), ``keys`` maps each to its value."""
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
                       rows: list[dict[str, Any]]) -> dict[Any, list[float]]:
    """The accepted quotes' durations from creation to acceptance, in seconds, per report key
    (:func:`keys_of` of each group as read): on PostgreSQL those ``rows`` (:func:`breakdown`) carry; on
    SQLite read here (and worked out in Python)."""
    found: dict[Any, list[float]] = {}
    if session.get_bind().dialect.name == "postgresql":
        for row in rows:
            if row["seconds"]:
                for key in keys_of(group_by, row["key"]):
                    found.setdefault(key, []).extend(row["seconds"])
        return found
    accepted = and_(Q.status == "accepted", Q.accepted_at.is_not(None))
    statement = _from(select(_key(group_by, "sqlite").label("key"), Q.created_at, Q.accepted_at).select_from(Q),
                      filters).where(accepted)
    for read, created_at, accepted_at in session.execute(statement):
        seconds = (aware(accepted_at) - aware(created_at)).total_seconds()
        for key in keys_of(group_by, read):
            found.setdefault(key, []).append(seconds)
    return found


def user_names(session: Session, names: list[str]) -> dict[str, str]:
    """Users' full names by user name (those that have one)."""
    if not names:
        return {}
    U = rows.User
    return {n: f for n, f in session.execute(select(U.name, U.full_name).where(U.name.in_(names))) if f}

