"""Liveness and readiness, without auth."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from ..domain.text import T

from .errors import problem
from .limits import counters_file_works, rate_limit_store_answers
from .openapi import Blueprint
from .responses import services
from ..interface.schemas.problems import HealthSchema

blp = Blueprint("health", __name__, description="Liveness and readiness probes.")

# /readyz answers within this many seconds whatever the database does: a
# database that does not answer a ping by then is not ready.
READY_TIMEOUT_SECONDS = 1.5
# The same for the Redis that holds the rate-limit counters (when they are in
# one): a PING on the same network answers in a millisecond.
REDIS_READY_TIMEOUT_SECONDS = 0.5


@blp.route("/healthz")
@blp.response(200, HealthSchema)
def healthz():
    """The process is up."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200, HealthSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def readyz():
    """The database answers (within 1.5 s), and so does Redis when it holds the rate-limit counters (0.5 s), or their file opens."""
    try:
        services().database.ping(timeout=READY_TIMEOUT_SECONDS)
    except SQLAlchemyError:
        return problem(503, T("The database is not reachable."), headers={"Retry-After": "5"})
    if not rate_limit_store_answers(timeout=REDIS_READY_TIMEOUT_SECONDS):
        return problem(503, T("The rate-limit store (Redis) is not reachable."), headers={"Retry-After": "5"})
    if not counters_file_works():
        return problem(503, T("The rate-limit store (the counters' file) cannot be opened."), headers={"Retry-After": "5"})
    return {"status": "ready"}
