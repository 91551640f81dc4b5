"""The pipeline report's figures and their rules (api.md revision 3, "Reports"), as pure code.

The database counts and sums (adapters/db/report_store.py, money in whole cents);
here those counts become a group's figures: money as ``Decimal``, the conversion
(accepted ÷ (accepted + declined + expired), None when none is decided), the median
days from creation to acceptance, and the labels people read (months, weeks).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any

from .quotes import DECLINE_REASONS, STATUSES
from .text import N_, T, Text

GROUP_BYS = ("clinic", "source", "assigned_to", "campaign", "area", "month", "week")
# Not in the API's group_by (api.md names seven): the console's "manual discounts by user" groups by
# who priced the discounted revision.
DISCOUNT_BY = "discount_by"
# A decline with no reason given is counted as this (next to DECLINE_REASONS).
UNSPECIFIED = "unspecified"
REASON_KEYS = DECLINE_REASONS + (UNSPECIFIED,)
DECIDED = ("accepted", "declined", "expired")

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
TENTH = Decimal("0.1")
SECONDS_A_DAY = Decimal(86400)

MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"), N_("August"),
    N_("September"), N_("October"), N_("November"), N_("December"),
)


@dataclass(frozen=True, slots=True)
class StatusFigures:
    count: int
    value: Decimal


@dataclass(frozen=True, slots=True)
class Discounts:
    count: int
    total: Decimal


@dataclass(frozen=True, slots=True)
class Figures:
    """One group's figures (or the report's totals)."""

    quotes: int
    value: Decimal
    statuses: Mapping[str, StatusFigures]
    accepted_value: Decimal
    conversion: Decimal | None
    median_days_to_accept: Decimal | None
    manual_discounts: Discounts
    deposits_received: Decimal
    decline_reasons: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Group:
    key: str | None
    label: Text | Any
    figures: Figures


@dataclass(frozen=True, slots=True)
class Report:
    start: date
    end: date
    group_by: str
    clinic: str | None
    source: str | None
    currency: str
    groups: tuple[Group, ...]
    totals: Figures


def money(cents: int | None) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def conversion(accepted: int, declined: int, expired: int) -> Decimal | None:
    """accepted ÷ (accepted + declined + expired) to 4 places (half up); None when none is decided."""
    decided = accepted + declined + expired
    if decided == 0:
        return None
    return (Decimal(accepted) / Decimal(decided)).quantize(RATIO, rounding=ROUND_HALF_UP)


def median_days(seconds: Iterable[float | int]) -> Decimal | None:
    """The median of durations in seconds (floats: tens of thousands at a time), in days to one place
    (half up); None without any."""
    values = list(seconds)
    if not values:
        return None
    return days(median(values))


def days(seconds: float | Decimal | None) -> Decimal | None:
    """A duration in seconds as days to one place (half up)."""
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / SECONDS_A_DAY).quantize(TENTH, rounding=ROUND_HALF_UP)


def figures(counts: Mapping[str, Any], median_days_to_accept: Decimal | None) -> Figures:
    """A group's figures from the store's counts (``quotes``, ``value_cents``, ``<status>_count``,
    ``<status>_cents``, ``discount_count``, ``discount_cents``, ``paid_cents``, ``reason_<reason>``)."""
    statuses = {s: StatusFigures(int(counts[f"{s}_count"] or 0), money(counts[f"{s}_cents"])) for s in STATUSES}
    return Figures(
        quotes=int(counts["quotes"] or 0),
        value=money(counts["value_cents"]),
        statuses=statuses,
        accepted_value=statuses["accepted"].value,
        conversion=conversion(*(statuses[s].count for s in DECIDED)),
        median_days_to_accept=median_days_to_accept,
        manual_discounts=Discounts(int(counts["discount_count"] or 0), money(counts["discount_cents"])),
        deposits_received=money(counts["paid_cents"]),
        decline_reasons={r: int(counts[f"reason_{r}"] or 0) for r in REASON_KEYS},
    )


def month_label(key: str) -> Text:
    """``2026-12`` as people read it: "December 2026" / "Aralık 2026"."""
    year, month = key.split("-")
    return T(N_("{month} {year}"), month=T(MONTHS[int(month) - 1]), year=year)


def week_label(key: str) -> Text:
    """A week by its Monday (``2026-11-30``): "Week of 30 November 2026" / "30 Kasım 2026 haftası"."""
    monday = date.fromisoformat(key)
    return T(N_("Week of {day} {month} {year}"), day=str(monday.day), month=T(MONTHS[monday.month - 1]),
             year=str(monday.year))


def _zero() -> dict[str, int]:
    counts = {"quotes": 0, "value_cents": 0, "discount_count": 0, "discount_cents": 0, "paid_cents": 0}
    for s in STATUSES:
        counts[f"{s}_count"] = counts[f"{s}_cents"] = 0
    for r in REASON_KEYS:
        counts[f"reason_{r}"] = 0
    return counts


def fold(rows: Iterable[Mapping[str, Any]], *, one_group: bool = False) -> dict[str | None, dict[str, int]]:
    """The store's rows (per key, status and decline reason) added up per key (``one_group``: all under None)."""
    out: dict[str | None, dict[str, int]] = {}
    for row in rows:
        key = None if one_group else row["key"]
        counts = out.get(key)
        if counts is None:
            counts = out[key] = _zero()
        n, cents = int(row["quotes"] or 0), int(row["value_cents"] or 0)
        status = row["status"]
        counts["quotes"] += n
        counts["value_cents"] += cents
        if status in STATUSES:
            counts[f"{status}_count"] += n
            counts[f"{status}_cents"] += cents
        counts["discount_count"] += int(row["discount_count"] or 0)
        counts["discount_cents"] += int(row["discount_cents"] or 0)
        counts["paid_cents"] += int(row["paid_cents"] or 0)
        if status == "declined":
            reason = row["reason"] if row["reason"] in DECLINE_REASONS else UNSPECIFIED
            counts[f"reason_{reason}"] += n
    return out


def empty_counts() -> dict[str, int]:
    return _zero()


def periods(group_by: str, start: date, end: date) -> list[str]:
    """Every month (``YYYY-MM``) or week (its Monday) from ``start`` to ``end``: the groups a chart shows even
    when empty."""
    keys: list[str] = []
    if group_by == "month":
        year, month = start.year, start.month
        while (year, month) <= (end.year, end.month):
            keys.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    elif group_by == "week":
        monday = date.fromordinal(start.toordinal() - start.weekday())
        while monday <= end:
            keys.append(monday.isoformat())
            monday = date.fromordinal(monday.toordinal() + 7)
    return keys
