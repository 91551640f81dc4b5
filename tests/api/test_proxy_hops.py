"""QUOTEAPI_PROXY_HOPS: whose X-Forwarded-* headers the app believes (tests/e2e/test_proxy.py runs the real nginx)."""

from __future__ import annotations

import socket
import time

import pytest
from flask import request

import config
from quoteapi import create_app

from ..conftest import TEST_SETTINGS

FORWARDED = {
    "Host": "api.example-clinic.com",
    # A client wrote the first address; the proxy appended the second, the peer it saw.
    "X-Forwarded-For": "203.0.113.66, 198.51.100.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Host": "evil.example",
}


def make_app(tmp_path, **overrides):
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'proxy.sqlite3'}", **TEST_SETTINGS, **overrides},
        environ={"QUOTEAPI_ENV": "testing"},
    )

    @app.get("/_seen")
    def seen():
        return {"address": request.remote_addr, "scheme": request.scheme, "host": request.host}

    return app


def test_without_hops_forwarded_headers_are_ignored(tmp_path):
    client = make_app(tmp_path).test_client()
    seen = client.get("/_seen", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.9"}).get_json()
    assert seen == {"address": "10.0.0.9", "scheme": "http", "host": "api.example-clinic.com"}
    # Werkzeug's redirect for a doubled slash builds its URL from the request: plain http.
    r = client.get("/api//docs", headers=FORWARDED)
    assert r.status_code == 308
    assert r.headers["Location"] == "http://api.example-clinic.com/api/docs"


def test_one_hop_takes_the_address_the_proxy_appended_and_its_scheme(tmp_path):
    client = make_app(tmp_path, PROXY_HOPS=1).test_client()
    seen = client.get("/_seen", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.9"}).get_json()
    # Not the client's own 203.0.113.66, and never X-Forwarded-Host.
    assert seen == {"address": "198.51.100.7", "scheme": "https", "host": "api.example-clinic.com"}
    r = client.get("/api//docs", headers=FORWARDED)
    assert r.headers["Location"] == "https://api.example-clinic.com/api/docs"
    r = client.get("/api//docs", headers={**FORWARDED, "X-Forwarded-Port": "8443"})
    assert r.headers["Location"] == "https://api.example-clinic.com:8443/api/docs"
    # A request that reached gunicorn without the proxy keeps its own address.
    seen = client.get("/_seen", environ_base={"REMOTE_ADDR": "10.0.0.9"}).get_json()
    assert seen["address"] == "10.0.0.9" and seen["scheme"] == "http"


def test_two_hops_take_the_address_the_first_proxy_saw(tmp_path):
    client = make_app(tmp_path, PROXY_HOPS=2).test_client()
    headers = {**FORWARDED, "X-Forwarded-For": "6.6.6.6, 203.0.113.66, 198.51.100.7"}
    assert client.get("/_seen", headers=headers).get_json()["address"] == "203.0.113.66"


def test_proxy_hops_setting_is_checked():
    assert config.load({})["PROXY_HOPS"] == 0
    assert config.load({"QUOTEAPI_PROXY_HOPS": "1"})["PROXY_HOPS"] == 1
    for bad in ("-1", "one"):
        with pytest.raises(config.ConfigError, match="QUOTEAPI_PROXY_HOPS"):
            config.load({"QUOTEAPI_PROXY_HOPS": bad})


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_readyz_is_503_quickly_when_the_rate_limit_redis_is_unreachable(tmp_path):
    app = make_app(
        tmp_path,
        PUBLIC_RATE_LIMIT="10/minute",
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}",
    )
    started = time.monotonic()
    r = app.test_client().get("/readyz")
    assert time.monotonic() - started < 1.5
    assert r.status_code == 503
    assert r.content_type == "application/problem+json"
    assert r.headers["Retry-After"] == "5"
    assert "Redis" in r.get_json()["detail"]


def test_readyz_asks_no_redis_when_the_counters_are_elsewhere_or_off(tmp_path):
    assert make_app(tmp_path, PUBLIC_RATE_LIMIT="10/minute").test_client().get("/readyz").status_code == 200
    # No limit: the Redis named would never be used, so it does not decide readiness.
    app = make_app(tmp_path, PUBLIC_RATE_LIMIT="none", RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}")
    assert app.test_client().get("/readyz").status_code == 200
