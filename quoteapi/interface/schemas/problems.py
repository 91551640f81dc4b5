"""Errors (RFC 9457 problems) and health answers."""

from __future__ import annotations

from marshmallow import Schema, fields



class ProblemSchema(Schema):
    """An RFC 9457 problem: every error the API answers has this shape."""

    type = fields.String(
        metadata={"example": "about:blank", "description": "about:blank, or /api/problems/<kind> for a problem to tell apart "
                  "(stale-version, version-required, idempotency-key-reused, status-move, quote-expired, quote-closed, last-admin, "
                  "approval-pending, approval-rejected, approval-not-pending, approval-revised, unknown-query-parameter, "
                  "scheduled-change-conflict, campaign-used-up)."}
    )
    instance = fields.String(metadata={"description": "The path that was asked."})
    title = fields.String(metadata={"example": "Unprocessable Content"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages per field path, e.g. areas.1.code."},
    )


class HealthSchema(Schema):
    status = fields.String()


