"""quoteapi: pricing and quoting API for dermatherapy clinics."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # The app factory on first use, so that a subpackage (the domain's characters for gunicorn's
    # access log, say) is importable without Flask and the whole app.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
