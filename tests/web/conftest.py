"""Fixtures of the console's tests."""

from __future__ import annotations

import pytest

from .desk_helpers import signed_in


@pytest.fixture
def admin(app, ctx):
    """A browser signed in to the console as ``ada``, an admin."""
    return signed_in(app, ctx, "ada", "admin")


@pytest.fixture
def seller(app, ctx):
    """A browser signed in as ``sel``, sales staff (``sam`` holds the API token of ``sales_headers``)."""
    return signed_in(app, ctx, "sel", "sales")
