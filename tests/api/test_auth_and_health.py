"""Tokens, health probes, the OpenAPI description and its docs page."""

from __future__ import annotations

from sqlalchemy import select

from quoteapi.adapters.db import User
from quoteapi.services import users


def test_only_a_hash_of_the_token_is_stored(database, ctx):
    token = users.create_user(ctx, "hana", "sales").token
    with database.reading() as s:
        stored = s.scalars(select(User).where(User.name == "hana")).one()
    assert token not in (stored.token_hash, stored.name)
    assert stored.token_hash == users.hash_token(token)


def test_revoked_token_is_401(client, database, ctx):
    token = users.create_user(ctx, "root", "admin").token
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/admin/price-list", headers=headers).status_code == 200
    users.create_user(ctx, "deputy", "admin")  # the last active admin cannot be revoked
    users.revoke_user(ctx, "root")
    r = client.get("/api/v1/admin/price-list", headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_malformed_authorization_headers_are_401(client):
    for value in ("Basic abc", "Bearer", "Bearer ", "token"):
        r = client.get("/api/v1/admin/price-list", headers={"Authorization": value})
        assert r.status_code == 401, value


def test_health_probes(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ready"}


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    from quoteapi import create_app

    # A directory is no database file: every connection attempt fails.
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}", "LOG_LEVEL": "CRITICAL"}, environ={})
    r = app.test_client().get("/readyz")
    assert r.status_code == 503
    assert r.content_type == "application/problem+json"
    assert app.test_client().get("/healthz").status_code == 200


def test_openapi_describes_every_endpoint(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/healthz", "/readyz", "/api/v1/clinics", "/api/v1/catalog", "/api/v1/estimates",
        "/api/v1/admin/price-list", "/api/v1/admin/price-list/versions",
    ):
        assert path in spec["paths"], path
    put = spec["paths"]["/api/v1/admin/price-list"]["put"]
    assert put["security"] == [{"bearerAuth": []}]
    assert "requestBody" in put
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_docs_page_uses_only_local_assets(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/docs/assets/swagger-ui-bundle.js" in page
    assert "http://" not in page and "https://" not in page
    with client.get("/api/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200 and len(asset.data) > 100_000
    with client.get("/api/docs/assets/swagger-ui.css") as css:
        assert css.status_code == 200 and css.mimetype == "text/css"
