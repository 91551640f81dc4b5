"""The pipeline report (api.md revision 3, "Reports"): the quotes created in a range of the
clinics' dates, grouped, counted and summed.

One read-only transaction of two or three statements (adapters/db/report_store.py);
the figures' rules are the domain's (quoteapi/domain/reports.py). Labels are texts
the edge writes in the reader's language: names from the price list in force, users'
full names, months and weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ..adapters.db import report_store as store
from ..domain import reports as rules
from ..domain.errors import Invalid, NotFound
from ..domain.text import N_, T

if TYPE_CHECKING:
    from .context import Context

DEFAULT_CURRENCY = "TRY"


@dataclass(frozen=True, slots=True)
class PipelineQuery:
    start: date | None = None
    end: date | None = None
    clinic: str | None = None
    source: str | None = None
    group_by: str = "clinic"


def default_range(today: date, start: date | None, end: date | None) -> tuple[date, date]:
    """``to`` defaults to today; ``from`` to the first day of the month eleven months before ``to``
    (twelve months of figures)."""
    end = end or (start if start and start > today else today)
    if start is None:
        months = end.year * 12 + end.month - 1 - 11
        start = date(months // 12, months % 12 + 1, 1)
    return start, end


def pipeline(ctx: Context, query: PipelineQuery) -> rules.Report:
    """The report: one group per key (months and weeks of the range even when empty), and the totals."""
    return pipelines(ctx, query, (query.group_by,))[query.group_by]


def pipelines(ctx: Context, query: PipelineQuery, group_bys: tuple[str, ...]) -> dict[str, rules.Report]:
    """The report for each of ``group_bys`` over the same quotes, reading them once (area and campaign, which
    count a quote once per area or campaign, are read on their own): the console's page."""
    for group_by in group_bys:
        if group_by not in rules.GROUP_BYS + (rules.DISCOUNT_BY,):
            raise Invalid(T("Unknown grouping."), {"group_by": [T("Must be one of: {names}.", names=", ".join(rules.GROUP_BYS))]})
    today = ctx.today()
    start, end = default_range(today, query.start, query.end)
    if start > end:
        raise Invalid(T("The range starts after it ends."), {"from": [T("Must not be after `to` ({day}).", day=end.isoformat())]})
    filters = store.Filters(start=start, end=end, today=today, clinic=query.clinic, source=query.source)
    facets = tuple(g for g in group_bys if g in store.FACETS)
    together = tuple(g for g in group_bys if g not in store.FACETS)
    read: dict[str, tuple[list[dict[str, Any]], dict[Any, list[float]]]] = {}
    with ctx.database.reading() as session:
        store.roomy(session)
        if together:
            found = store.breakdown(session, together, filters)
            for group_by in together:
                rows = [{**row, "key": key} for row in found for key in store.keys_of(group_by, row["keys"][group_by])]
                read[group_by] = rows, store.acceptance_seconds(session, group_by, filters, rows)
            totals_rows = found
            all_durations = [s for seconds in read[together[0]][1].values() for s in seconds]
        for group_by in facets:  # read by sets of codes: the totals count each quote (each set) once
            found = store.breakdown(session, group_by, filters)
            rows = [{**row, "key": key} for row in found for key in store.keys_of(group_by, row["key"])]
            read[group_by] = rows, store.acceptance_seconds(session, group_by, filters, found)
            if not together:
                totals_rows = found
                all_durations = store.acceptance_seconds(session, None, filters, found).get(None, [])
        users = {row["key"] for g in group_bys if g in ("assigned_to", rules.DISCOUNT_BY) for row in read[g][0]}
        full_names = store.user_names(session, sorted(k for k in users if k is not None))
    currencies = {row["currency"] for row in totals_rows}
    if len(currencies) > 1:
        raise Invalid(T("The quotes in this range are in several currencies; choose one clinic."),
                      {"clinic": [T("Choose one clinic: the quotes are in {names}.", names=", ".join(sorted(currencies)))]})
    currency = next(iter(currencies), DEFAULT_CURRENCY)
    total_counts = rules.fold(totals_rows, one_group=True).get(None) or rules.empty_counts()
    totals = rules.figures(total_counts, rules.median_days(all_durations))
    reports = {}
    for group_by in group_bys:
        rows, durations = read[group_by]
        counts = rules.fold(rows)
        for key in rules.periods(group_by, start, end):
            counts.setdefault(key, rules.empty_counts())
        labeller = _labeller(ctx, group_by, full_names)
        groups = tuple(
            rules.Group(key, labeller(key), rules.figures(counts[key], rules.median_days(durations.get(key, ()))))
            for key in sorted(counts, key=lambda k: (k is None, k or ""))
        )
        reports[group_by] = rules.Report(start=start, end=end, group_by=group_by, clinic=query.clinic,
                                         source=query.source, currency=currency, groups=groups, totals=totals)
    return reports


SOURCE_LABELS = {"website": N_("Website"), "staff": N_("Desk")}
NONE_LABELS = {
    "clinic": N_("No clinic"), "source": N_("No source"), "assigned_to": N_("Unassigned"),
    rules.DISCOUNT_BY: N_("Nobody"), "campaign": N_("No campaign"), "area": N_("No area"),
    "month": N_("No month"), "week": N_("No week"),
}


def _labeller(ctx: Context, group_by: str, full_names: dict[str, str]) -> Any:
    """The label of a group key: a name people read, in the reader's language when it is a text."""
    try:
        price_list = ctx.price_lists.current()
    except NotFound:  # no list loaded yet: the codes
        price_list = None

    def named(items: dict[str, Any], key: str) -> Any:
        item = items.get(key)
        return price_list.name_of(item) if item is not None and price_list is not None else key

    def label(key: str | None) -> Any:
        if key is None:
            return T(NONE_LABELS[group_by])
        if group_by == "clinic":
            return named(price_list.clinic_by_code if price_list else {}, key)
        if group_by == "area":
            return named(price_list.area_by_code if price_list else {}, key)
        if group_by == "campaign":
            return named({c.code: c for c in price_list.campaigns} if price_list else {}, key)
        if group_by == "source":
            return T(SOURCE_LABELS[key]) if key in SOURCE_LABELS else key
        if group_by in ("assigned_to", rules.DISCOUNT_BY):
            return full_names.get(key, key)
        if group_by == "month":
            return rules.month_label(key)
        if group_by == "week":
            return rules.week_label(key)
        return key

    return label
