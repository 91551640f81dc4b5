"""Reports for admins (api.md revision 3, "Reports"): the pipeline, as JSON or CSV."""

from __future__ import annotations

from flask import Response, request

from ..domain.text import T
from ..interface.i18n import render
from ..interface.schemas.reports import (
    PipelineQuerySchema,
    PipelineReportSchema,
    report_csv,
)
from ..services import reports
from .bodies import CSV, JSON
from .errors import problem
from .openapi import Blueprint
from .responses import services

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/reports",
    description="Reports for the role admin: the pipeline of quotes by clinic, source, user, campaign, area, month or week.",
)


def pipeline_query(args: dict) -> reports.PipelineQuery:
    return reports.PipelineQuery(start=args.get("from_"), end=args.get("to"), clinic=args.get("clinic"),
                                 source=args.get("source"), group_by=args["group_by"])


@blp.route("/pipeline")
@blp.requires("admin")
@blp.arguments(PipelineQuerySchema(unknown="exclude"), location="query")
@blp.response(200, PipelineReportSchema)
@blp.alt_response(200, description="The same figures as CSV (`Accept: text/csv`): a header row, one row per group, "
                                    "then the totals (key empty).", content_type=CSV, success=True)
def pipeline(args: dict):
    """The quotes created from `from` to `to` (the clinics' dates), grouped by `group_by`: per group the count and
    value per status, the accepted value, the conversion, the median days to acceptance, the manual discounts, the
    deposits received and the decline reasons, and the same for all of them (`totals`). `Accept: text/csv` for CSV."""
    chosen = JSON
    if request.headers.get("Accept"):
        chosen = request.accept_mimetypes.best_match([JSON, CSV])
    if chosen is None:
        return problem(406, T("The report is available as application/json or text/csv."))
    report = reports.pipeline(services(), pipeline_query(args))
    if chosen == CSV:
        name = f"pipeline-{report.group_by}-{report.start.isoformat()}-{report.end.isoformat()}.csv"
        return Response(report_csv(report, render(T("Total"))), mimetype=CSV, headers={
            "Content-Disposition": f'attachment; filename="{name}"', "Vary": "Accept"})
    return report, {"Vary": "Accept"}
