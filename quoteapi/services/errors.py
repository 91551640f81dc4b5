"""Errors of the use cases; ``quoteapi.errors`` maps each to its HTTP status."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    title = "Bad Request"

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class NotFound(ServiceError):
    status = 404
    title = "Not Found"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"


class PreconditionFailed(ServiceError):
    status = 412
    title = "Precondition Failed"


class PreconditionRequired(ServiceError):
    status = 428
    title = "Precondition Required"


class Unprocessable(ServiceError):
    """The request is well-formed but cannot be carried out as asked (422)."""

    status = 422
    title = "Unprocessable Content"
