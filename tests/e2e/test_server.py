"""The real server: gunicorn with several workers, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests

from quoteapi.adapters import clock
from quoteapi.domain.price_list import from_plain
from quoteapi.domain.pricing import price
from quoteapi.domain.pricing.plain import estimate_to_plain
from quoteapi.services.price_lists import demo_document

from ..bodies import CONTRACT_EXAMPLE
from .server import Gunicorn, cli, server_env

# The servers run on the real date: the course starts in a week (start dates are today to a year ahead).
START = clock.today() + timedelta(days=7)
ESTIMATE = {**{k: v for k, v in CONTRACT_EXAMPLE.items() if k not in ("coupon", "client")}, "start_date": START.isoformat()}


def expected_estimate() -> dict:
    """What the engine answers in process for ESTIMATE on the demo list (version 1), in Turkish."""
    from quoteapi.adapters.i18n import language
    from quoteapi.interface.schemas.estimates import EstimateRequestSchema, estimate_request

    request = estimate_request(EstimateRequestSchema().load(ESTIMATE))
    return estimate_to_plain(price(from_plain(demo_document(clock.today()), 1), request, clock.today()), language("tr"))

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def deployment(request, tmp_path_factory):
    """Two gunicorn servers sharing one database, as behind a load balancer."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'quoteapi.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database("quoteapi_e2e")
    env = server_env(url)
    cli(env, "db", "upgrade")
    cli(env, "seed-demo", "--if-empty")
    token = cli(env, "users", "create", "e2e-admin", "--role", "admin").strip().splitlines()[-1]
    logs = tmp_path_factory.mktemp("logs")
    servers = [Gunicorn(env, logs / f"gunicorn-{i}.log").start() for i in range(2)]
    yield servers, {"Authorization": f"Bearer {token}"}
    for server in servers:
        server.stop()


def test_estimate_over_http(deployment):
    servers, _ = deployment
    r = requests.post(servers[0].url + "/api/v1/estimates", json=ESTIMATE, timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert r.headers["Content-Language"] == "tr"
    assert r.json() == expected_estimate()


def test_bad_input_over_http_is_a_problem(deployment):
    servers, _ = deployment
    r = requests.post(servers[1].url + "/api/v1/estimates", data="{", headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "application/problem+json"


def test_every_worker_of_every_server_sees_an_admin_change_within_two_seconds(deployment):
    servers, admin = deployment
    doc = requests.get(servers[0].url + "/api/v1/admin/price-list", headers=admin, timeout=10)
    body = doc.json()
    body["products"][1]["price"] = "950.00"  # hyaluronic acid
    put = requests.put(
        servers[0].url + "/api/v1/admin/price-list", json=body,
        headers={**admin, "If-Match": doc.headers["ETag"]}, timeout=10,
    )
    assert put.status_code == 200, put.text
    new_version = put.json()["version"]
    # Workers re-check the newest version at most once a second.
    time.sleep(2.0)
    seen = set()
    for i in range(30):
        server = servers[i % 2]
        r = requests.post(server.url + "/api/v1/estimates", json=ESTIMATE, timeout=10).json()
        seen.add(r["price_list_version"])
        hyaluronic = next(line for line in r["lines"] if line["code"] == "hyaluronic-acid")
        assert hyaluronic["unit_price"] == "1140.00"  # 950.00 * 1.20
    assert seen == {new_version}


QUOTE = {**ESTIMATE, "customer": {"name": "Load Test", "email": "load@example.com"}}


def test_quotes_created_from_32_threads_get_distinct_numbers(deployment, request):
    """Every 201 is stored once with its own number, across servers and workers."""
    servers, admin = deployment
    total = 1000 if "postgresql" in request.node.callspec.id else 320
    local = threading.local()

    def create(i: int) -> tuple[int, str | None]:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        body = {**QUOTE, "customer": {"name": f"Load {i}", "email": f"load{i}@example.com"}}
        r = session.post(servers[i % 2].url + "/api/v1/quotes", json=body, headers=admin, timeout=60)
        return r.status_code, r.json().get("number")

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(create, range(total)))
    assert [status for status, _ in results] == [201] * total
    numbers = [number for _, number in results]
    assert len(set(numbers)) == total
    listed, cursor = [], None
    while True:
        query = "?limit=200&q=load" + (f"&cursor={cursor}" if cursor else "")
        page = requests.get(servers[1].url + "/api/v1/quotes" + query, headers=admin, timeout=30).json()
        listed += [item["number"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(listed) == sorted(numbers)


def test_concurrent_retries_across_servers_store_one_quote(deployment):
    servers, admin = deployment
    body = {**QUOTE, "customer": {"name": "Retry Once", "email": "retry@example.com"}}
    headers = {**admin, "Idempotency-Key": "e2e-retry-1"}

    def post(i: int):
        r = requests.post(servers[i % 2].url + "/api/v1/quotes", json=body, headers=headers, timeout=60)
        return r.status_code, r.json()["number"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(post, range(16)))
    assert {status for status, _ in results} == {201}
    assert len({number for _, number in results}) == 1
    page = requests.get(servers[0].url + "/api/v1/quotes?q=retry%40example", headers=admin, timeout=30).json()
    assert len(page["items"]) == 1


def test_every_stored_revision_replays_to_the_same_figures(deployment):
    """`quoteapi quotes verify` over the hundreds of quotes the tests above stored: all match.

    It re-prices each revision's stored inputs with its stored price-list
    version and dates; run after upgrading the pricing code.
    """
    servers, admin = deployment
    number = requests.get(servers[0].url + "/api/v1/quotes?limit=1", headers=admin, timeout=30).json()["items"][0]["number"]
    revised = requests.post(servers[0].url + f"/api/v1/quotes/{number}/revisions", json={"sessions": 6},
                            headers=admin, timeout=30)
    assert revised.status_code == 201
    last = cli(servers[0].env, "quotes", "verify").strip().splitlines()[-1]
    checked, differ = (int(word) for word in last.replace(",", "").split() if word.isdigit())
    assert last == f"{checked} revisions checked, 0 differ"
    assert checked >= 300
    one = requests.get(servers[1].url + f"/api/v1/quotes/{number}/revisions/2/verify", headers=admin, timeout=30)
    assert one.status_code == 200 and one.json() == {"matches": True, "differences": []}
