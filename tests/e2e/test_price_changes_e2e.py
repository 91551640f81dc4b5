"""Issue 10 on the real servers: a scheduled change taking effect in every worker of two gunicorn
servers, and concurrent acceptances that never exceed a campaign's max_uses."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests

from quoteapi.adapters import clock

from .server import Gunicorn, server_env, site_setup

pytestmark = pytest.mark.e2e

START = clock.today() + timedelta(days=7)
ESTIMATE = {"clinic": "ist-kadikoy", "areas": [{"code": "neck"}], "specialist_level": "aesthetician", "sessions": 1,
            "start_date": START.isoformat()}
CAP = {"code": "CAP-FIVE", "name": "Five only", "starts_on": clock.today().isoformat(),
       "ends_on": (clock.today() + timedelta(days=60)).isoformat(), "coupon": "CAP5", "stackable": True,
       "benefit": {"type": "percent", "value": "5"}, "max_uses": 5}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def deployment(request, tmp_path_factory):
    """Two gunicorn servers sharing one database, re-checking the price list every 0.5 s."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('e2e-sched') / 'quoteapi.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database("quoteapi_e2e_sched")
    env = server_env(url, QUOTEAPI_PRICE_LIST_CHECK_SECONDS="0.5")
    token = site_setup(env, ("e2e-admin", "admin"))["e2e-admin"]
    logs = tmp_path_factory.mktemp("logs")
    servers = [Gunicorn(env, logs / f"gunicorn-{i}.log", workers=2).start() for i in range(2)]
    yield request.param, servers, {"Authorization": f"Bearer {token}"}
    for server in servers:
        server.stop()


def hyaluronic(server: Gunicorn) -> str:
    catalog = requests.get(server.url + "/api/v1/catalog?clinic=ist-kadikoy", timeout=10).json()
    return next(p["price"] for p in catalog["products"] if p["code"] == "hyaluronic-acid")


def test_a_scheduled_change_takes_effect_in_every_server(deployment):
    _, servers, admin = deployment
    read = requests.get(servers[0].url + "/api/v1/admin/price-list", headers=admin, timeout=10)
    doc = read.json()
    old = next(p["price"] for p in doc["products"] if p["code"] == "hyaluronic-acid")
    next(p for p in doc["products"] if p["code"] == "hyaluronic-acid")["price"] = "991.00"
    at = (datetime.now(UTC) + timedelta(seconds=4)).replace(microsecond=0)
    put = requests.put(
        servers[0].url + "/api/v1/admin/price-list", params={"effective_from": at.isoformat()}, json=doc,
        headers={**admin, "If-Match": read.headers["ETag"]}, timeout=10,
    )
    assert put.status_code == 200, put.text
    assert put.json()["state"] == "scheduled"
    version = put.json()["version"]
    # Until then every server answers the list in force.
    if datetime.now(UTC) < at - timedelta(seconds=1):
        assert {hyaluronic(s) for s in servers} == {old}
    seen: dict[int, str] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for i, server in enumerate(servers):
            seen[i] = hyaluronic(server)
        if set(seen.values()) == {"991.00"}:
            break
        time.sleep(0.2)
    assert seen == {0: "991.00", 1: "991.00"}
    assert datetime.now(UTC) >= at
    # Every worker of both servers prices with it.
    for i in range(12):
        estimate = requests.post(servers[i % 2].url + "/api/v1/estimates", json={**ESTIMATE, "products": ["hyaluronic-acid"]},
                                 timeout=10).json()
        assert estimate["price_list_version"] == version
    versions = requests.get(servers[1].url + "/api/v1/admin/price-list/versions", headers=admin, timeout=10).json()
    assert versions[0]["version"] == version and versions[0]["state"] == "current"
    assert versions[1]["state"] == "superseded"


def test_32_concurrent_acceptances_never_exceed_max_uses(deployment):
    kind, servers, admin = deployment
    r = requests.post(servers[0].url + "/api/v1/admin/campaigns", json=CAP, headers=admin, timeout=10)
    assert r.status_code == 201, r.text
    body = {**ESTIMATE, "coupon": "CAP5", "customer": {"name": "Race", "email": "race@example.com"}}

    def sent(i: int) -> str:
        server = servers[i % 2]
        # Each server may take up to its check interval to see the new campaign: wait for it.
        for _ in range(50):
            quote = requests.post(server.url + "/api/v1/quotes", json=body, headers=admin, timeout=30).json()
            if "CAP-FIVE" in quote["applied_campaigns"]:
                break
            time.sleep(0.1)
        assert "CAP-FIVE" in quote["applied_campaigns"]
        moved = requests.patch(f"{server.url}/api/v1/quotes/{quote['number']}", json={"status": "sent"}, headers=admin, timeout=30)
        assert moved.status_code == 200
        return quote["number"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(sent, range(32)))

    def accept(i: int) -> int:
        return requests.patch(
            f"{servers[i % 2].url}/api/v1/quotes/{numbers[i]}", json={"status": "accepted"}, headers=admin, timeout=60
        ).status_code

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(accept, range(32)))
    assert sorted(statuses) == [200] * 5 + [409] * 27
    campaign = requests.get(servers[1].url + "/api/v1/admin/campaigns/CAP-FIVE", headers=admin, timeout=10).json()
    assert campaign["uses"] == 5
    accepted = [n for n, s in zip(numbers, statuses) if s == 200]
    for number in numbers:
        quote = requests.get(f"{servers[0].url}/api/v1/quotes/{number}", headers=admin, timeout=10).json()
        assert quote["status"] == ("accepted" if number in accepted else "sent")
