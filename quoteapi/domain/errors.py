"""The errors of the business rules.

Each says what went wrong in words for a person (``detail``) and, where a
field is to blame, per field path (``errors``: ``{"areas.1.code": [...]}``);
the words are a ``str`` or a :class:`~quoteapi.domain.text.Text`.
They know nothing of HTTP: the edges (``quoteapi.api.errors``, the CLI) map
each class to their own answer.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a use case raises on purpose."""

    def __init__(self, detail: Any, errors: dict[str, list[Any]] | None = None) -> None:
        super().__init__(str(detail))
        self.detail = detail
        self.errors = errors or {}


class NotFound(DomainError):
    """What the request names does not exist."""


class Conflict(DomainError):
    """The request clashes with the current state (a workflow rule, a duplicate, a reused key)."""


class StaleVersion(DomainError):
    """The change was based on a version that is no longer the newest (optimistic locking)."""


class VersionRequired(DomainError):
    """A change that must name the version it is based on did not."""


class Invalid(DomainError):
    """The request is well formed but breaks a rule (a bad value, an unknown code)."""
