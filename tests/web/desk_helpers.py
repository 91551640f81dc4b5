"""Signing in to the console from Flask's test client, with real CSRF tokens."""

from __future__ import annotations

import re

from quoteapi.services import users

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def staff(ctx, name: str, role: str, password: str = PASSWORD) -> None:
    users.create_user(ctx, name, role)
    users.set_password(ctx, name, password)


def csrf_token(client, path: str = "/desk/sign-in") -> str:
    page = client.get(path)
    found = TOKEN.search(page.get_data(as_text=True))
    assert found, (path, page.status_code)
    return found.group(1)


def sign_in(client, name: str, password: str = PASSWORD, next_url: str | None = None):
    token = csrf_token(client)
    query = {"next": next_url} if next_url is not None else {}
    return client.post("/desk/sign-in", query_string=query, data={"name": name, "password": password, "csrf_token": token})


def messages(response) -> list[str]:
    return re.findall(r'class="flash (?:error|info)"[^>]*>(.*?)<', response.get_data(as_text=True), re.S)


def signed_in(app, ctx, name: str, role: str):
    """A new browser signed in to the console as ``name``, a user of ``role`` made for it."""
    staff(ctx, name, role)
    client = app.test_client()
    assert sign_in(client, name).status_code == 302
    return client
