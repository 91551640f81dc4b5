"""Liveness and readiness, without auth."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from ..domain.text import T

from .errors import problem
from .openapi import Blueprint
from .responses import services
from .schemas.problems import HealthSchema

blp = Blueprint("health", __name__, description="Liveness and readiness probes.")


@blp.route("/healthz")
@blp.response(200, HealthSchema)
def healthz():
    """The process is up."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200, HealthSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def readyz():
    """The database answers."""
    try:
        services().database.ping()
    except SQLAlchemyError:
        return problem(503, T("The database is not reachable."), headers={"Retry-After": "5"})
    return {"status": "ready"}
