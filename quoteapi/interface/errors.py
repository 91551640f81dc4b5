"""The HTTP status of each domain error: one table, for the API's problems and the console's pages."""

from __future__ import annotations

from ..domain import errors as domain

# Each domain error's status; the first class an error is an instance of wins.
STATUS_OF: tuple[tuple[type[domain.DomainError], int], ...] = (
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.StaleVersion, 412),
    (domain.VersionRequired, 428),
    (domain.Invalid, 422),
)


def status_of(error: domain.DomainError) -> int:
    """The HTTP status of a domain error (the first entry of :data:`STATUS_OF` it is an instance of)."""
    return next(code for cls, code in STATUS_OF if isinstance(error, cls))
