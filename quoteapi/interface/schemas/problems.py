"""Errors (RFC 9457 problems) and health answers."""

from __future__ import annotations

from marshmallow import Schema, fields

from .fields import Integer, Text


class ProblemSchema(Schema):
    """An RFC 9457 problem: every error the API answers has this shape."""

    type = Text(
        metadata={"example": "about:blank", "description": "about:blank, or /api/problems/<kind> for a problem to tell apart "
                  "(stale-version, version-required, idempotency-key-reused, status-move, quote-expired, quote-closed, last-admin, "
                  "approval-pending, approval-rejected, approval-not-pending, approval-revised, unknown-query-parameter, repeated-query-parameter, "
                  "scheduled-change-conflict, campaign-used-up)."}
    )
    instance = Text(metadata={"description": "The path that was asked."})
    title = Text(metadata={"example": "Unprocessable Content"})
    status = Integer(metadata={"example": 422})
    detail = Text()
    errors = fields.Dict(
        keys=Text(),
        values=fields.List(Text()),
        metadata={"description": "Messages per field path, e.g. areas.1.code."},
    )


class HealthSchema(Schema):
    status = Text()


