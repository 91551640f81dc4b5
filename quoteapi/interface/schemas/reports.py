"""The pipeline report: its query and its answer (api.md revision 3, "Reports"; docs/api-conventions.md)."""

from __future__ import annotations

import csv
import io
from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    pre_dump,
    validate,
    validates_schema,
)

from ...domain.quotes import DECLINE_REASONS, SOURCES, STATUSES
from ...domain.reports import GROUP_BYS, REASON_KEYS, UNSPECIFIED, Figures, Report
from ...domain.text import N_
from ..i18n import Sentence, render
from .fields import Day, DecimalString, Flattened, Integer, Text


class PipelineQuerySchema(Schema):
    from_ = Day(data_key="from", metadata={"description": "The first day (the clinics' date of `created_at`); "
                                                          "default: the first day of the month eleven months before `to`."})
    to = Day(metadata={"description": "The last day, included; default: today at the clinics."})
    clinic = Text(validate=validate.Length(min=1, max=64), metadata={"description": "Only this clinic's quotes."})
    source = Text(validate=validate.OneOf(SOURCES), metadata={"description": "Only quotes from this source."})
    group_by = Text(
        load_default="clinic", validate=validate.OneOf(GROUP_BYS),
        metadata={"description": "The groups: `month` (key `YYYY-MM`) and `week` (key: its Monday, `YYYY-MM-DD`) list "
                                 "every period of the range, even empty ones; `area` and `campaign` count a quote in each "
                                 "of its newest revision's areas or campaigns (key null: none)."},
    )

    @validates_schema
    def _range(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError({"from": [N_("Must not be after `to`.")]})


def _money(description: str = "") -> DecimalString:
    return DecimalString(places=2, money=True, metadata={"description": description} if description else {})


class StatusFiguresSchema(Schema):
    count = Integer()
    value = _money("Σ of the quotes' totals (their newest revisions).")


StatusesSchema = Schema.from_dict({s: fields.Nested(StatusFiguresSchema) for s in STATUSES}, name="ReportStatuses")
ReasonsSchema = Schema.from_dict({r: Integer() for r in REASON_KEYS}, name="ReportDeclineReasons")


class DiscountsSchema(Schema):
    count = Integer(metadata={"description": "Quotes whose newest revision has a manual discount."})
    total = _money("Σ of those discounts (positive).")


class FiguresSchema(Schema):
    quotes = Integer(metadata={"description": "Quotes created in the range (in this group)."})
    value = _money("Σ of their totals.")
    statuses = fields.Nested(StatusesSchema, metadata={
        "description": "Count and value per status as it reads today (`expired`: open and past `valid_until`)."})
    accepted_value = _money("The value of the accepted quotes.")
    conversion = DecimalString(places=4, allow_none=True, metadata={
        "description": "accepted ÷ (accepted + declined + expired), 4 places (half up); null when none is decided.",
        "example": "0.4000"})
    median_days_to_accept = DecimalString(places=1, allow_none=True, metadata={
        "description": "Median days from creation to acceptance of the accepted quotes, 1 place; null: none accepted.",
        "example": "2.5"})
    manual_discounts = fields.Nested(DiscountsSchema, metadata={"description": "Manual discounts given."})
    deposits_received = _money("Payments net of refunds on these quotes.")
    decline_reasons = fields.Nested(ReasonsSchema, metadata={
        "description": f"Declined quotes per reason; `{UNSPECIFIED}`: declined with no reason."})

class _GroupKeySchema(Schema):
    key = fields.String(allow_none=True, metadata={"description": "The group's code (null: none, e.g. unassigned)."})
    label = Sentence(metadata={"description": "The group's name for people, in the answer's language."})


class GroupSchema(FiguresSchema, _GroupKeySchema):
    """A group: its key and label, then its figures."""

    @pre_dump
    def _flatten(self, group: Any, **kwargs: Any) -> Flattened:  # a Group: its key, label and its figures' fields
        return Flattened(group, "figures")


class PipelineReportSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="start")
    to = fields.Date(attribute="end")
    group_by = fields.String()
    clinic = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    currency = fields.String(metadata={"description": "The currency of every amount."})
    groups = fields.List(fields.Nested(GroupSchema))
    totals = fields.Nested(FiguresSchema, metadata={"description": "Every quote of the range once (also for area and campaign)."})


# --- CSV: one row per group, then the totals (key empty, label "Total"/"Toplam") ---

CSV_COLUMNS = (
    ["key", "label", "quotes", "value"]
    + [f"{s}_{part}" for s in STATUSES for part in ("count", "value")]
    + ["conversion", "median_days_to_accept", "manual_discount_count", "manual_discount_total",
       "deposits_received"]
    + [f"declined_{r}" for r in REASON_KEYS]
)


def _csv_row(key: str | None, label: str, f: Figures) -> list[Any]:
    row: list[Any] = [key or "", label, f.quotes, f"{f.value:.2f}"]
    for s in STATUSES:
        row += [f.statuses[s].count, f"{f.statuses[s].value:.2f}"]
    row += ["" if f.conversion is None else str(f.conversion),
            "" if f.median_days_to_accept is None else str(f.median_days_to_accept), f.manual_discounts.count,
            f"{f.manual_discounts.total:.2f}", f"{f.deposits_received:.2f}"]
    return row + [f.decline_reasons[r] for r in REASON_KEYS]


def report_csv(report: Report, total_label: str) -> str:
    """The report as CSV (RFC 4180, UTF-8, comma, dot decimals: the JSON's figures), a header row first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for group in report.groups:
        writer.writerow(_csv_row(group.key, _safe(render(group.label) or ""), group.figures))
    writer.writerow(_csv_row(None, total_label, report.totals))
    return out.getvalue()


def _safe(text: str) -> str:
    """A label a spreadsheet would run as a formula (=, +, -, @) starts with an apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


assert set(DECLINE_REASONS) < set(REASON_KEYS)
