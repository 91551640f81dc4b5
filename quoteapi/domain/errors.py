"""The errors of the business rules.

Each says what went wrong in words for a person (``detail``) and, where a
field is to blame, per field path (``errors``: ``{"areas.1.code": [...]}``);
the words are a ``str`` or a :class:`~quoteapi.domain.text.Text`.
They know nothing of HTTP: the edges (``quoteapi.interface.errors``: one table of statuses; the CLI) map
each class to their own answer.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a use case raises on purpose.

    ``kind`` names a situation a client may need to tell apart from others of
    the same class (``idempotency-key-reused``, ``status-move``, ...).
    """

    kind: str | None = None

    def __init__(self, detail: Any, errors: dict[str, list[Any]] | None = None, kind: str | None = None) -> None:
        super().__init__(str(detail))
        self.detail = detail
        self.errors = errors or {}
        if kind is not None:
            self.kind = kind


class NotFound(DomainError):
    """What the request names does not exist."""


class Conflict(DomainError):
    """The request clashes with the current state (a workflow rule, a duplicate, a reused key)."""


class StaleVersion(DomainError):
    """The change was based on a version that is no longer the newest (optimistic locking)."""

    kind = "stale-version"


class VersionRequired(DomainError):
    """A change that must name the version it is based on did not."""

    kind = "version-required"


class Invalid(DomainError):
    """The request is well formed but breaks a rule (a bad value, an unknown code)."""
