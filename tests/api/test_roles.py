"""The whole matrix of endpoints and roles, walked from the OpenAPI description.

Every operation that declares bearer security refuses a missing, a bad and a
revoked token (401); admin operations refuse the sales role (403); every
operation without security answers without a token.
"""

from __future__ import annotations

import re

import pytest

from quoteapi.services import users

from ..bodies import QUOTE

ADMIN_ONLY_PREFIX = "/api/v1/admin/"


def operations(client, with_role: bool = False):
    spec = client.get("/api/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                if with_role:
                    yield path, method, bool(operation.get("security")), operation.get("x-required-role")
                else:
                    yield path, method, bool(operation.get("security"))


# Values that make no lasting change (e.g. no user is revoked midway).
PATH_VALUES = {"revision": "1", "version": "1", "code": "face", "name": "nobody", "payment_id": "1", "kind": "stale-version"}


def call(client, path, method, number, headers):
    url = re.sub(r"\{(\w+)\}", lambda m: number if m.group(1) == "number" else PATH_VALUES[m.group(1)], path)
    kwargs = {"headers": headers}
    if method in ("post", "put", "patch"):
        kwargs["json"] = {}
    return getattr(client, method)(url, **kwargs)


@pytest.fixture
def number(client, sales_headers):
    r = client.post("/api/v1/quotes", json=QUOTE, headers=sales_headers)
    assert r.status_code == 201
    return r.get_json()["number"]


def test_the_matrix_covers_the_staff_and_admin_endpoints(client):
    secured = {(p, m) for p, m, s in operations(client) if s}
    assert ("/api/v1/quotes", "post") in secured
    assert ("/api/v1/quotes/{number}/document", "get") in secured
    assert ("/api/v1/admin/price-list", "put") in secured
    assert ("/api/v1/admin/areas/{code}", "delete") in secured
    assert ("/api/v1/admin/audit-log", "get") in secured
    assert len(secured) >= 30


def test_every_secured_endpoint_refuses_missing_bad_and_revoked_tokens(client, database, number, ctx):
    revoked = users.create_user(ctx, "gone", "admin").token
    users.create_user(ctx, "deputy", "admin")  # the last active admin cannot be revoked
    users.revoke_user(ctx, "gone")
    for path, method, secured in operations(client):
        if not secured:
            continue
        for headers in ({}, {"Authorization": "Bearer qa_wrong"}, {"Authorization": f"Bearer {revoked}"}):
            r = call(client, path, method, number, headers)
            assert r.status_code == 401, (method, path, headers, r.status_code)
            assert r.content_type == "application/problem+json"


def test_roles_reach_what_they_may_and_nothing_else(client, number, sales_headers, admin_headers):
    for path, method, secured, role in operations(client, with_role=True):
        if not secured:
            continue
        assert role in ("sales", "admin"), (method, path, role)
        if path.startswith(ADMIN_ONLY_PREFIX):
            assert role == "admin", (method, path)
        as_sales = call(client, path, method, number, sales_headers)
        as_admin = call(client, path, method, number, admin_headers)
        if role == "admin":
            assert as_sales.status_code == 403, (method, path)
        else:
            assert as_sales.status_code not in (401, 403), (method, path, as_sales.status_code)
        assert as_admin.status_code not in (401, 403), (method, path, as_admin.status_code)


def test_public_endpoints_need_no_token(client, number):
    public = [(p, m) for p, m, s in operations(client) if not s and not p.startswith("/api/docs")]
    assert ("/api/v1/estimates", "post") in public and ("/api/v1/quote-requests", "post") in public
    for path, method in public:
        r = call(client, path, method, number, {})
        assert r.status_code not in (401, 403), (method, path)
        assert not path.startswith("/api/v1/quotes")
