"""Setting a user's role: the use case (services.users.set_role) and the console's Users page."""

from __future__ import annotations

import pytest

from quoteapi.domain.errors import Conflict, Invalid, NotFound
from quoteapi.services import audit, users

from ..conftest import run_together
from .desk_helpers import csrf_token, messages, sign_in, staff


def role_entries(ctx) -> list:
    return [e for e in audit.entries(ctx, {"kind": "user", "limit": 50}).items if e.action == "role"]


def test_set_role_records_before_and_after_and_keeps_the_last_admin(ctx):
    users.create_user(ctx, "ada", "admin")
    users.create_user(ctx, "sam", "sales")
    changed = users.set_role(ctx, "sam", "admin", by="ada")
    assert (changed.name, changed.role, changed.active) == ("sam", "admin", True)
    (entry,) = role_entries(ctx)
    assert (entry.actor, entry.subject) == ("ada", "user sam")
    assert entry.before == {"name": "sam", "role": "sales"} and entry.after == {"name": "sam", "role": "admin"}
    # The same role again changes and records nothing.
    assert users.set_role(ctx, "sam", "admin", by="ada").role == "admin"
    assert len(role_entries(ctx)) == 1
    users.set_role(ctx, "ada", "sales", by="sam")  # sam is an admin now: ada may step down
    with pytest.raises(Conflict) as refused:
        users.set_role(ctx, "sam", "sales", by="sam")
    assert refused.value.kind == "last-admin"  # the same rule as revoking the last admin
    with pytest.raises(Conflict) as revoking:
        users.revoke_user(ctx, "sam")
    assert revoking.value.kind == "last-admin"
    assert {u.name: u.role for u in users.list_users(ctx)} == {"ada": "sales", "sam": "admin"}
    with pytest.raises(Invalid):
        users.set_role(ctx, "ada", "owner")
    with pytest.raises(NotFound):
        users.set_role(ctx, "nobody", "sales")
    users.revoke_user(ctx, "ada")
    with pytest.raises(NotFound):
        users.set_role(ctx, "ada", "admin")


def test_two_admins_demoting_each_other_at_once_leave_one_admin(ctx):
    users.create_user(ctx, "ada", "admin")
    users.create_user(ctx, "bea", "admin")

    def demote(name: str, by: str):
        try:
            users.set_role(ctx, name, "sales", by=by)
        except Conflict:
            return "refused"
        return "done"

    assert sorted(run_together(lambda: demote("ada", "bea"), lambda: demote("bea", "ada"))) == ["done", "refused"]
    assert [u.role for u in users.list_users(ctx)].count("admin") == 1


def test_the_users_page_sets_roles_and_refuses_to_demote_the_last_admin(app, ctx):
    staff(ctx, "ada", "admin")
    staff(ctx, "cem", "sales")
    admin = app.test_client()
    assert sign_in(admin, "ada").status_code == 302
    page = admin.get("/desk/users?lang=en").get_data(as_text=True)
    assert 'id="role-cem"' in page and 'aria-label="Set the role of cem"' in page
    token = csrf_token(admin, "/desk/users")
    assert admin.post("/desk/users/cem/role", data={"role": "admin"}).status_code == 400  # no CSRF token
    promoted = admin.post("/desk/users/cem/role?lang=en", data={"role": "admin", "csrf_token": token}, follow_redirects=True)
    assert any("cem now has the role admin." in m for m in messages(promoted))
    # cem, signed in, is an admin at the next request (the role is read on every request).
    cem = app.test_client()
    sign_in(cem, "cem")
    assert cem.get("/desk/users").status_code == 200
    assert admin.post("/desk/users/cem/role", data={"role": "sales", "csrf_token": token}).status_code == 302
    assert cem.get("/desk/users").status_code == 403
    # ada is now the last admin: demoting herself is refused, with the rule's message.
    last = admin.post("/desk/users/ada/role?lang=en", data={"role": "sales", "csrf_token": token}, follow_redirects=True)
    assert any("last active admin" in m for m in messages(last))
    odd = admin.post("/desk/users/ada/role?lang=en", data={"role": "owner", "csrf_token": token}, follow_redirects=True)
    assert any("The role must be one of" in m for m in messages(odd))
    assert {u.name: u.role for u in users.list_users(ctx)} == {"ada": "admin", "cem": "sales"}
    # With another admin, ada may step down: she lands on Today, the Users page no longer hers.
    users.set_role(ctx, "cem", "admin")
    down = admin.post("/desk/users/ada/role", data={"role": "sales", "csrf_token": token})
    assert down.headers["Location"] == "/desk/"
    assert admin.get("/desk/users").status_code == 403
