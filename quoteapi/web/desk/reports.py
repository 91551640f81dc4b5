"""The admins' "Raporlar" page: the pipeline report as charts drawn here (inline SVG, no script) and tables.

The figures come from the same use case as ``GET /api/v1/reports/pipeline``
(services/reports.py); each chart is a picture of the table that follows it, and
the tables carry the numbers for everyone (screen readers read the tables; the
pictures have a short name). CSV downloads are the API's CSV (interface/schemas/reports.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import Response, render_template, request
from marshmallow import ValidationError

from ...domain.quotes import DECLINE_REASON_LABELS, DECLINE_REASONS, SOURCES, STATUSES
from ...domain.reports import DISCOUNT_BY, GROUP_BYS, UNSPECIFIED, Report
from ...interface.i18n import current, render
from ...interface.schemas.fields import flatten_messages
from ...interface.schemas.reports import PipelineQuerySchema, report_csv
from ...services import reports
from .common import _, bp, field_errors, requires, say, services
from .sales import _clinic_names, money, status_label

# The chart's geometry, in SVG user units (the picture scales to the page's width).
WIDTH, LABEL_WIDTH, ROW, BAR = 640, 210, 30, 20
BAR_SPACE = WIDTH - LABEL_WIDTH - 110


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    text: str
    y: int
    width: float


@dataclass(frozen=True, slots=True)
class Chart:
    bars: tuple[Bar, ...]
    height: int
    label_x: int = LABEL_WIDTH - 8
    bar_x: int = LABEL_WIDTH
    width: int = WIDTH
    bar_height: int = BAR


def chart(rows: list[tuple[str, Decimal | int | None, str]], top: Decimal | int | None = None) -> Chart:
    """Horizontal bars: (label, value, value as people read it), each bar's length proportional to ``top``
    (default: the largest value)."""
    largest = top if top is not None else max((v or 0 for _, v, _ in rows), default=0)
    bars = tuple(
        Bar(label=label, text=text, y=i * ROW + 4,
            width=round(float(value or 0) / float(largest) * BAR_SPACE, 1) if largest else 0.0)
        for i, (label, value, text) in enumerate(rows)
    )
    return Chart(bars=bars, height=max(len(rows), 1) * ROW + 8)


def percent(ratio: Decimal | None) -> str:
    """A ratio as a percent the page's way: "%40" / "%40,5" in Turkish, "40%" / "40.5%" in English; "—" for none."""
    if ratio is None:
        return "—"
    value = (ratio * 100).quantize(Decimal("0.1"))
    text = f"{value:f}".removesuffix(".0")
    if current().code == "tr":
        return "%" + text.replace(".", ",")
    return text + "%"


def days_text(days: Decimal | None) -> str:
    if days is None:
        return "—"
    text = f"{days:f}".removesuffix(".0")
    return _("{days} days", days=text.replace(".", ",") if current().code == "tr" else text)


def _filters() -> tuple[reports.PipelineQuery, dict[str, Any], dict[str, list[str]]]:
    """The page's filters from the query string; anything wrong is shown next to the form, and left out."""
    raw = {k: v for k, v in request.args.items() if k in ("from", "to", "clinic", "source") and v != ""}
    try:
        loaded = PipelineQuerySchema().load(raw)
        errors: dict[str, list[str]] = {}
    except ValidationError as error:
        errors = field_errors(flatten_messages(error.messages))
        loaded = PipelineQuerySchema().load({k: v for k, v in raw.items() if k not in errors})
    query = reports.PipelineQuery(start=loaded.get("from_"), end=loaded.get("to"), clinic=loaded.get("clinic"),
                                  source=loaded.get("source"))
    return query, raw, errors


def _by(query: reports.PipelineQuery, group_by: str) -> Report:
    return reports.pipeline(services(), reports.PipelineQuery(
        start=query.start, end=query.end, clinic=query.clinic, source=query.source, group_by=group_by))


def _conversion_rows(report: Report) -> list[dict[str, Any]]:
    return [
        {"label": render(g.label), "key": g.key, "quotes": g.figures.quotes,
         "accepted": g.figures.statuses["accepted"].count, "declined": g.figures.statuses["declined"].count,
         "expired": g.figures.statuses["expired"].count, "conversion": g.figures.conversion,
         "conversion_text": percent(g.figures.conversion), "median": days_text(g.figures.median_days_to_accept),
         "accepted_value": money(g.figures.accepted_value, report.currency)}
        for g in report.groups
    ]


def _conversion_chart(rows: list[dict[str, Any]]) -> Chart:
    return chart([(r["label"], r["conversion"], r["conversion_text"]) for r in rows], top=Decimal(1))


@bp.get("/reports")
@requires("admin")
def reports_page():
    query, raw, errors = _filters()
    # One read of the range for the four groupings.
    found = reports.pipelines(services(), query, ("clinic", "source", "month", DISCOUNT_BY))
    by_clinic, by_source, by_month, by_user = (found[g] for g in ("clinic", "source", "month", DISCOUNT_BY))
    totals, currency = by_clinic.totals, by_clinic.currency
    clinics = _conversion_rows(by_clinic)
    sources = _conversion_rows(by_source)
    months = _conversion_rows(by_month)
    statuses = [{"label": status_label(s), "count": totals.statuses[s].count, "value": totals.statuses[s].value,
                 "value_text": money(totals.statuses[s].value, currency)} for s in STATUSES]
    discounts = [
        {"label": render(g.label), "count": g.figures.manual_discounts.count, "total": g.figures.manual_discounts.total,
         "total_text": money(g.figures.manual_discounts.total, currency)}
        for g in by_user.groups if g.key is not None and g.figures.manual_discounts.count
    ]
    reason_labels = {**{r: say(DECLINE_REASON_LABELS[r]) for r in DECLINE_REASONS}, UNSPECIFIED: _("No reason given")}
    reasons = [{"label": reason_labels[r], "count": n} for r, n in totals.decline_reasons.items()]
    csv_args = {k: v for k, v in raw.items() if k not in errors}
    return render_template(
        "desk/reports.html",
        report=by_clinic, totals=totals, currency=currency, errors=errors, raw=raw, clinic_names=_clinic_names(),
        sources=[(s, source_label(s)) for s in SOURCES], percent=percent, days_text=days_text,
        clinics=clinics, clinics_chart=_conversion_chart(clinics),
        sources_rows=sources, sources_chart=_conversion_chart(sources),
        months=months, months_chart=_conversion_chart(months),
        statuses=statuses, statuses_chart=chart([(r["label"], r["value"], r["value_text"]) for r in statuses]),
        discounts=discounts, discounts_chart=chart([(r["label"], r["total"], r["total_text"]) for r in discounts]),
        reasons=reasons, reasons_chart=chart([(r["label"], r["count"], str(r["count"])) for r in reasons]),
        csv_args=csv_args,
    )


def source_label(code: str) -> str:
    return say(reports.SOURCE_LABELS.get(code, code))


@bp.get("/reports.csv")
@requires("admin")
def reports_csv():
    """The pipeline report as CSV for the page's filters and a grouping (the API's CSV)."""
    query, _raw, _errors = _filters()
    group_by = request.args.get("group_by", "clinic")
    if group_by not in GROUP_BYS + (DISCOUNT_BY,):
        group_by = "clinic"
    report = _by(query, group_by)
    name = f"pipeline-{group_by}-{report.start.isoformat()}-{report.end.isoformat()}.csv"
    return Response(report_csv(report, _("Total")), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
