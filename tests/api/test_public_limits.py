"""Rate limits and CORS on the public endpoints."""

from __future__ import annotations

import pytest

from quoteapi import create_app
from quoteapi.services import price_lists, users

from ..conftest import TEST_SETTINGS, empty


@pytest.fixture
def limited_app(database_url):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            **TEST_SETTINGS,
            "PUBLIC_RATE_LIMIT": "3/minute",
            "CORS_ORIGINS": ("https://clinic.example",),
        },
        environ={"QUOTEAPI_ENV": "testing"},
    )
    database = app.extensions["quoteapi"].database
    empty(database)
    price_lists.seed_demo(app.extensions["quoteapi"])
    yield app
    database.dispose()


def test_public_budget_is_shared_and_answers_429_with_retry_after(limited_app):
    client = limited_app.test_client()
    assert client.get("/api/v1/clinics").status_code == 200
    assert client.get("/api/v1/catalog?clinic=ist-kadikoy").status_code == 200
    assert client.post("/api/v1/estimates", json={}).status_code == 422
    r = client.get("/api/v1/clinics")
    assert r.status_code == 429
    assert r.content_type == "application/problem+json"
    assert int(r.headers["Retry-After"]) > 0
    assert r.get_json()["status"] == 429


def test_staff_endpoints_do_not_spend_the_public_budget(limited_app):
    client = limited_app.test_client()
    token = users.create_user(limited_app.extensions["quoteapi"], "ops", "admin").token
    for _ in range(4):
        client.get("/api/v1/clinics")
    assert client.get("/api/v1/clinics").status_code == 429
    for _ in range(10):
        r = client.get("/api/v1/admin/price-list", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
    assert client.get("/healthz").status_code == 200


def test_each_client_address_has_its_own_budget(limited_app):
    client = limited_app.test_client()
    for _ in range(4):
        client.get("/api/v1/clinics", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert client.get("/api/v1/clinics", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 429
    assert client.get("/api/v1/clinics", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


def test_cors_only_for_configured_origins(limited_app):
    client = limited_app.test_client()
    ok = client.options(
        "/api/v1/estimates",
        headers={"Origin": "https://clinic.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )
    assert ok.headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    other = client.get("/api/v1/clinics", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    admin = client.get("/api/v1/admin/price-list", headers={"Origin": "https://clinic.example"})
    assert "Access-Control-Allow-Origin" not in admin.headers


def test_rate_limit_none_turns_it_off(app):
    client = app.test_client()
    assert all(client.get("/api/v1/clinics").status_code == 200 for _ in range(200))


@pytest.mark.parametrize("block", ["a directory at the path", "a file where its folder should be"])
def test_a_counters_file_that_cannot_be_opened_fails_open_logged_once_and_readyz_says_so(database_url, tmp_path, caplog, block):
    folder = tmp_path / "limits"
    path = folder / "ratelimits.bin"
    if block == "a directory at the path":
        path.mkdir(parents=True)
    else:
        folder.write_bytes(b"")
    app = create_app(
        {"DATABASE_URL": database_url, **TEST_SETTINGS, "PUBLIC_RATE_LIMIT": "3/minute",
         "RATELIMIT_STORAGE_URI": f"mmap:///{path}"},
        environ={"QUOTEAPI_ENV": "testing"},
    )
    try:
        empty(app.extensions["quoteapi"].database)
        price_lists.seed_demo(app.extensions["quoteapi"])
        client = app.test_client()
        caplog.set_level("WARNING", logger="quoteapi")
        assert [client.get("/api/v1/clinics").status_code for _ in range(6)] == [200] * 6, "the public limit fails open"
        failures = [r for r in caplog.records if r.name == "quoteapi.api.limits"]
        assert len(failures) == 1 and failures[0].levelname == "ERROR" and failures[0].exc_info, "logged once, not per request"
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.headers["Retry-After"] == "5"
        assert ready.get_json()["detail"] in ("The rate-limit store (the counters' file) cannot be opened.",
                                              "Hız sınırı sayaçlarının deposu (sayaç dosyası) açılamıyor.")
        assert client.get("/healthz").status_code == 200

        if block == "a directory at the path":  # repaired: ready again, limited again, said once
            path.rmdir()
        else:
            folder.unlink()
        assert client.get("/readyz").status_code == 200
        assert [client.get("/api/v1/clinics").status_code for _ in range(4)] == [200] * 3 + [429]
        said = [r.getMessage() for r in caplog.records if r.name == "quoteapi.api.limits"]
        assert len(said) == 2 and "works again" in said[1]
    finally:
        app.extensions["quoteapi"].database.dispose()
