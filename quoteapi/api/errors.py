"""The one place where errors become HTTP answers: RFC 9457 problem+json.

Domain errors, validation errors, HTTP exceptions and database trouble all
leave the app in the same shape:
``{"type", "title", "status", "detail", "errors": {"field.path": [...]}}``.
A domain error's status is the one the console's pages answer too
(``quoteapi/interface/errors.py``).
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, has_request_context, request
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from ..domain import errors as domain
from ..domain.pricing.errors import PricingError
from ..domain.text import N_, T
from ..interface.errors import status_of
from ..interface.paths import public_base_url
from ..interface.i18n import translate
from ..interface.schemas.fields import flatten_messages
from .bodies import in_request_terms

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPES = "/api/problems/"


# --- Problem types (issue 31): absolute URIs that answer what they mean ----------------------
#
# Each problem a client must tell apart from others of its status has a ``type`` of its own:
# ``<base>/api/problems/<kind>``, base = QUOTEAPI_PUBLIC_URL (config PUBLIC_URL) when set, else the
# request's host URL. ``GET`` on it answers what it means and what to do, in both languages
# (api/problems.py). A kind raised anywhere must be listed here (tests/api/test_integrators.py checks).
PROBLEM_KINDS: dict[str, tuple[int, str, str]] = {
    "stale-version": (412, N_("Stale version"), N_("The If-Match ETag is not the current one: read again, reapply your change, retry.")),
    "version-required": (428, N_("Version required"), N_("This change needs If-Match with the ETag you read.")),
    "idempotency-key-reused": (409, N_("Idempotency key reused"), N_("This Idempotency-Key came with another body: use a new key.")),
    "status-move": (409, N_("Status move not allowed"), N_("The workflow does not allow this status move; errors.status says which.")),
    "quote-expired": (409, N_("Quote expired"), N_("The quote is past its valid_until: revise it first.")),
    "quote-closed": (409, N_("Quote closed"), N_("The quote is accepted or declined: it is final.")),
    "last-admin": (409, N_("Last admin"), N_("The last active admin cannot be revoked.")),
    "approval-pending": (409, N_("Approval pending"), N_("The quote's manual discount waits for an admin's approval: it cannot be sent yet.")),
    "approval-rejected": (409, N_("Approval rejected"), N_("An admin rejected the quote's manual discount: revise it before sending.")),
    "approval-not-pending": (409, N_("No approval pending"), N_("The quote's approval is not pending: there is nothing to decide.")),
    "approval-revised": (409, N_("Quote revised since"), N_("The decision names a revision older than the quote's: look at the new discount first.")),
    "unknown-query-parameter": (400, N_("Unknown query parameter"), N_("A write named a query parameter it does not take (errors names it); nothing changed.")),
    "repeated-query-parameter": (400, N_("Repeated query parameter"), N_("A write named a query parameter more than once (errors names it); nothing changed.")),
    "scheduled-change-conflict": (409, N_("Scheduled change conflict"), N_("A scheduled price-list version changes the same fields (errors names them): cancel it first.")),
    "campaign-used-up": (409, N_("Campaign used up"), N_("A campaign on the quote reached its max_uses: revise the quote, then accept it.")),
    "link-unknown": (404, N_("Unknown link"), N_("The customer's link opens no quote.")),
    "link-gone": (410, N_("Link no longer works"), N_("The customer's link was revoked, its customer erased, or its quote's validity ended more than 30 days ago.")),
    "quote-valid": (409, N_("Quote still valid"), N_("A new quote is asked for only when the quote has expired.")),
    "quote-not-accepted": (409, N_("Quote not accepted"), N_("Payments and refunds are recorded on accepted quotes only.")),
}


def problem_type(kind: str) -> str:
    """The absolute URI of a problem kind (``about:blank`` has none)."""
    return f"{public_base_url()}{PROBLEM_TYPES}{kind}"


# --- end of problem types ------------------------------------------------------------------

# One title per status, whatever raised it.
TITLES = {422: "Unprocessable Content"}

# Where webargs files its messages ("json", "query", ...): not part of a field path.
_LOCATIONS = ("json", "query", "headers", "view_args", "path", "form", "files", "cookies")


def problem(
    status: int,
    detail: Any,
    errors: dict[str, list[Any]] | None = None,
    headers: dict[str, str] | None = None,
    kind: str | None = None,
) -> Response:
    """A problem+json response, its words in the answer's language.

    ``type`` is ``about:blank`` unless the problem is one a client must tell
    apart from others of its status (``<base>/api/problems/<kind>``, see
    docs/api-conventions.md); ``instance`` is the path that was asked.
    """
    body = {
        "type": problem_type(kind) if kind else "about:blank",
        "title": translate(TITLES.get(status) or HTTPStatus(status).phrase),
        "status": status,
        "detail": translate(detail),
        "errors": {path: [translate(m) for m in messages] for path, messages in (errors or {}).items()},
    }
    if has_request_context():
        body["instance"] = request.path
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _field_errors(messages: Any) -> dict[str, list[str]]:
    if isinstance(messages, dict) and set(messages) <= set(_LOCATIONS):
        out: dict[str, list[str]] = {}
        for location_messages in messages.values():
            for path, msgs in flatten_messages(location_messages).items():
                out.setdefault(path, []).extend(msgs)
        return in_request_terms(out)
    return in_request_terms(flatten_messages(messages))


_DETAILS = {
    400: N_("The request could not be read."),
    401: N_("A valid bearer token is required."),
    403: N_("Your role does not allow this."),
    404: N_("There is nothing at this address."),
    405: N_("This method is not allowed here."),
    406: N_("None of the requested media types can be produced here."),
    413: N_("The request body is too large."),
    415: N_("Send the body as application/json."),
    422: N_("The request has invalid fields; see errors."),
    428: N_("This change needs an If-Match header with the ETag you read."),
    429: N_("Too many requests; retry later."),
}


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = _field_errors(data["messages"]) if "messages" in data else data.get("errors")
    if status == 400 and errors and any("Invalid JSON" in " ".join(m) for m in errors.values()):
        return problem(400, T("The body is not valid JSON."))
    detail = data.get("message") or _DETAILS.get(status) or error.description or HTTPStatus(status).phrase
    if status == 422 and errors:
        detail = describe(errors)
    if status >= 500:
        log.error("HTTP %s on %s %s", status, request.method, request.path)
        detail = T("The server could not answer this request.")
    headers = dict(data.get("headers") or {})
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="quoteapi"')
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return problem(status, detail, errors, headers)


def describe(errors: dict[str, list[Any]]) -> str:
    """Field errors as one sentence for ``detail``, in the answer's language."""
    parts = [f"{path}: {' '.join(translate(m) for m in msgs).rstrip('.')}" for path, msgs in errors.items()]
    text = "; ".join(parts) + "."
    return text if len(text) <= 500 else text[:497] + "..."


def handle_domain_error(error: domain.DomainError) -> Response:
    status = status_of(error)
    if isinstance(error, PricingError):
        # Rules checked on a whole document or request: name the fields (or a CSV's cells).
        errors = in_request_terms(error.errors)
        return problem(status, describe(errors), errors, kind=error.kind)
    return problem(status, error.detail, error.errors, kind=error.kind)


def handle_validation_error(error: ValidationError) -> Response:
    errors = in_request_terms(flatten_messages(error.messages))
    return problem(422, describe(errors), errors)


def handle_database_unavailable(error: OperationalError | PoolTimeout) -> Response:
    # PoolTimeout: every pooled connection stayed busy for QUOTEAPI_DB_CONNECT_TIMEOUT.
    log.error("database unavailable: %s", getattr(error, "orig", error))
    return problem(503, T("The database is busy or unreachable; retry shortly."), headers={"Retry-After": "2"})


def handle_unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_exception(InternalServerError())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(domain.DomainError, handle_domain_error)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(PoolTimeout, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
