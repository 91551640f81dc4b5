"""Users' optional full name and e-mail (api.md revision 3): the users API and the CLI."""

from __future__ import annotations

import pytest

from quoteapi.services import users

A = "/api/v1/admin"


def test_create_read_and_change_full_name_and_email(client, admin_headers):
    r = client.post(f"{A}/users", json={"name": "nur", "role": "sales", "full_name": "  Nur Çelik ",
                                        "email": "nur@example.com"}, headers=admin_headers)
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["full_name"], r.get_json()["email"]) == ("Nur Çelik", "nur@example.com")
    one = client.get(f"{A}/users/nur", headers=admin_headers).get_json()
    assert one["full_name"] == "Nur Çelik" and one["email"] == "nur@example.com" and "token" not in one
    listed = {u["name"]: u for u in client.get(f"{A}/users", headers=admin_headers).get_json()}
    assert listed["nur"]["email"] == "nur@example.com" and listed["ada"]["full_name"] is None

    r = client.patch(f"{A}/users/nur", json={"email": "nur.celik@example.com"}, headers=admin_headers)
    assert r.status_code == 200
    assert (r.get_json()["full_name"], r.get_json()["email"]) == ("Nur Çelik", "nur.celik@example.com")
    r = client.patch(f"{A}/users/nur", json={"full_name": None}, headers=admin_headers)
    assert r.get_json()["full_name"] is None and r.get_json()["email"] == "nur.celik@example.com"
    r = client.patch(f"{A}/users/nur", json={"email": ""}, headers=admin_headers)
    assert r.status_code == 200 and r.get_json()["email"] is None

    entries = client.get(f"{A}/audit-log?kind=user", headers=admin_headers).get_json()["items"]
    details = [e for e in entries if e["action"] == "details"]
    assert [e["after"]["email"] for e in details] == [None, "nur.celik@example.com", "nur.celik@example.com"]
    assert details[-1]["before"] == {"name": "nur", "full_name": "Nur Çelik", "email": "nur@example.com"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"email": "a@b@c"}, "email"),
        ({"email": "x" * 250 + "@example.com"}, "email"),
        ({"email": "nur@example.com\n"}, "email"),
        ({"full_name": "x" * 201}, "full_name"),
        ({"full_name": "Nur\u202eÇelik"}, "full_name"),
        ({}, "_body"),
        ({"role": "admin"}, "role"),
    ],
)
def test_bad_details_are_422_and_change_nothing(client, admin_headers, ctx, body, field):
    users.create_user(ctx, "nur", "sales", full_name="Nur", email="nur@example.com")
    r = client.patch(f"{A}/users/nur", json=body, headers=admin_headers)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]
    kept = users.get_user(ctx, "nur")
    assert (kept.full_name, kept.email) == ("Nur", "nur@example.com")


def test_unknown_or_revoked_users_and_roles(client, admin_headers, sales_headers, ctx):
    assert client.get(f"{A}/users/nobody", headers=admin_headers).status_code == 404
    assert client.patch(f"{A}/users/nobody", json={"full_name": "X"}, headers=admin_headers).status_code == 404
    users.create_user(ctx, "gone", "sales")
    users.revoke_user(ctx, "gone")
    assert client.get(f"{A}/users/gone", headers=admin_headers).get_json()["active"] is False
    assert client.patch(f"{A}/users/gone", json={"full_name": "X"}, headers=admin_headers).status_code == 404
    assert client.patch(f"{A}/users/ada", json={"full_name": "X"}, headers=sales_headers).status_code == 403
    assert client.post(f"{A}/users", json={"name": "e", "role": "sales", "email": "nope"},
                       headers=admin_headers).status_code == 422


def test_a_revoked_name_created_again_does_not_keep_the_old_details(ctx):
    users.create_user(ctx, "deniz", "sales", full_name="Deniz Eski", email="eski@example.com")
    users.revoke_user(ctx, "deniz")
    users.create_user(ctx, "deniz", "sales")
    again = users.get_user(ctx, "deniz")
    assert (again.full_name, again.email) == (None, None)


def test_the_cli_creates_and_sets_full_name_and_email(app, ctx):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["users", "create", "deniz", "--role", "sales", "--full-name", "Deniz Kaya",
                            "--email", "deniz@example.com"])
    assert r.exit_code == 0, r.output
    assert r.output.strip().splitlines()[-1].startswith("qa_")
    assert (users.get_user(ctx, "deniz").full_name, users.get_user(ctx, "deniz").email) == ("Deniz Kaya", "deniz@example.com")
    r = runner.invoke(args=["users", "set", "deniz", "--email", "d.kaya@example.com"])
    assert r.exit_code == 0, r.output
    assert "d.kaya@example.com" in r.output and users.get_user(ctx, "deniz").full_name == "Deniz Kaya"
    r = runner.invoke(args=["users", "set", "deniz", "--full-name", ""])
    assert r.exit_code == 0 and users.get_user(ctx, "deniz").full_name is None
    listed = runner.invoke(args=["users", "list"]).output
    assert "d.kaya@example.com" in listed

    bad = runner.invoke(args=["users", "set", "deniz", "--email", "not-an-address"])
    assert bad.exit_code == 1 and "--email" in bad.output
    assert users.get_user(ctx, "deniz").email == "d.kaya@example.com"
    assert runner.invoke(args=["users", "set", "deniz"]).exit_code == 1
    assert runner.invoke(args=["users", "set", "nobody", "--full-name", "X"]).exit_code == 1
    bad = runner.invoke(args=["users", "create", "eve", "--role", "sales", "--email", "eve"])
    assert bad.exit_code == 1 and "eve" not in [u.name for u in users.list_users(ctx)]
