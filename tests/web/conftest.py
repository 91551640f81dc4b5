"""Fixtures of the console's tests."""

from __future__ import annotations

import pytest

from .desk_helpers import sign_in, staff


@pytest.fixture
def admin(app, ctx):
    """A browser signed in to the console as ``ada``, an admin."""
    staff(ctx, "ada", "admin")
    client = app.test_client()
    assert sign_in(client, "ada").status_code == 302
    return client
