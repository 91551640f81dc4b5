"""Users and their tokens (quoteapi.services.users) on a real SQLite database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quoteapi.adapters.db import User
from quoteapi.domain.errors import Conflict, Invalid, NotFound
from quoteapi.services import users
from quoteapi.services.users import Principal


def test_a_created_user_authenticates_with_its_token(ctx):
    new = users.create_user(ctx, "sara", "sales", by="ada")
    assert new.token.startswith("qa_") and len(new.token) > 40
    assert (new.user.name, new.user.role, new.user.active) == ("sara", "sales", True)
    assert users.authenticate(ctx, new.token) == Principal("sara", "sales")
    assert users.authenticate(ctx, new.token + "x") is None
    assert users.authenticate(ctx, "") is None
    # Only a hash of the token is stored.
    with ctx.database.reading() as session:
        stored = session.scalars(select(User).where(User.name == "sara")).one()
    assert stored.token_hash == users.hash_token(new.token) != new.token


def test_tokens_are_distinct_and_roles_are_kept(ctx):
    sara = users.create_user(ctx, "sara", "sales")
    ada = users.create_user(ctx, "ada", "admin")
    assert sara.token != ada.token
    assert users.authenticate(ctx, ada.token) == Principal("ada", "admin")
    assert Principal("ada", "admin").can("sales") and not Principal("sara", "sales").can("admin")
    assert [(u.name, u.role) for u in users.list_users(ctx)] == [("ada", "admin"), ("sara", "sales")]


def test_a_revoked_user_no_longer_authenticates(ctx):
    new = users.create_user(ctx, "sara", "sales")
    users.revoke_user(ctx, "sara", by="ada")
    assert users.authenticate(ctx, new.token) is None
    (listed,) = users.list_users(ctx)
    assert not listed.active and listed.revoked_at is not None
    with pytest.raises(NotFound):
        users.revoke_user(ctx, "sara")
    with pytest.raises(NotFound):
        users.revoke_user(ctx, "nobody")


def test_an_active_name_cannot_be_taken_twice_but_a_revoked_one_is_reissued(ctx):
    first = users.create_user(ctx, "sara", "sales")
    with pytest.raises(Conflict):
        users.create_user(ctx, "sara", "admin")
    assert users.authenticate(ctx, first.token) == Principal("sara", "sales")
    users.revoke_user(ctx, "sara")
    again = users.create_user(ctx, "sara", "admin")
    assert again.user.active and again.user.role == "admin"
    assert users.authenticate(ctx, again.token) == Principal("sara", "admin")
    assert users.authenticate(ctx, first.token) is None
    assert len(users.list_users(ctx)) == 1


@pytest.mark.parametrize(("name", "role", "field"), [("", "sales", "name"), ("sara smith", "sales", "name"), ("x" * 65, "sales", "name"), ("sara", "owner", "role")])
def test_bad_names_and_roles_are_invalid(ctx, name, role, field):
    with pytest.raises(Invalid) as caught:
        users.create_user(ctx, name, role)
    assert list(caught.value.errors) == [field]
    assert users.list_users(ctx) == []
