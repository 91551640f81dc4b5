"""A frozen PostgreSQL server: quick 503s with Retry-After, never a hang or a 500, and recovery.

SIGSTOP on every process of a cluster is the worst outage for a client: the
kernel keeps accepting connections and acknowledging data, and nothing ever
answers. This test freezes a cluster of its own (the session's cluster serves
the other tests), under a real gunicorn server.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import pytest
import requests

from ..bodies import CONTRACT_EXAMPLE
from .server import Gunicorn, server_env, site_setup

pytestmark = [pytest.mark.e2e, pytest.mark.postgresql]

# Server-filled start date: priced on the real today.
ESTIMATE = {k: v for k, v in CONTRACT_EXAMPLE.items() if k not in ("coupon", "client", "start_date")}
RUN = uuid.uuid4().hex[:8]


def quote_body(i: int | str) -> dict:
    return {**ESTIMATE, "customer": {"name": f"Outage {i}", "email": f"outage-{RUN}-{i}@example.com"}}


@pytest.fixture
def cluster():
    """A throw-away cluster of this test's own: it is frozen, which no other test should see."""
    from ..pg_cluster import PostgresUnavailable, ThrowawayCluster

    cluster = ThrowawayCluster()
    try:
        cluster.start()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL tests skipped: no PostgreSQL server binaries on this machine ({exc})")
    try:
        yield cluster
    finally:
        thaw(cluster_pids(cluster))  # whatever happened, pg_ctl cannot stop a stopped server
        cluster.stop()


def cluster_pids(cluster) -> list[int]:
    """The postmaster and its children (backends, checkpointer, walwriter, ...)."""
    postmaster = int((cluster.root / "data" / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        if int(fields[1]) == postmaster:
            children.append(int(stat.parent.name))
    return [postmaster, *children]


def freeze(cluster, frozen: list[int]) -> None:
    """SIGSTOP every process of the cluster into ``frozen``; the postmaster first, so that it forks no more."""
    postmaster = cluster_pids(cluster)[0]
    os.kill(postmaster, signal.SIGSTOP)
    frozen.append(postmaster)
    for pid in cluster_pids(cluster)[1:]:
        os.kill(pid, signal.SIGSTOP)
        frozen.append(pid)


def thaw(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def assert_unavailable(response: requests.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["status"] == 503


def test_a_frozen_database_is_a_quick_503_and_the_server_recovers(cluster, tmp_path):
    url = cluster.create_database("quoteapi_outage")
    env = server_env(url, QUOTEAPI_PRICE_LIST_CHECK_SECONDS="0.5")
    token = site_setup(env, ("outage-admin", "admin"))["outage-admin"]
    admin = {"Authorization": f"Bearer {token}"}
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2).start()
    http = requests.Session()
    created: list[str] = []

    def create(key: str) -> requests.Response:
        return http.post(server.url + "/api/v1/quotes", json=quote_body(key),
                         headers={**admin, "Idempotency-Key": f"{RUN}-{key}"}, timeout=15)

    try:
        # Every worker has pooled connections before the freeze.
        for i in range(6):
            assert http.post(server.url + "/api/v1/estimates", json=ESTIMATE, timeout=10).status_code == 200
            r = create(f"before-{i}")
            assert r.status_code == 201, r.text
            created.append(r.json()["number"])

        pids: list[int] = []
        unanswered = []
        try:
            freeze(cluster, pids)
            assert len(pids) > 3, pids  # the postmaster and its helpers, at least
            r, seconds = timed(lambda: http.get(server.url + "/readyz", timeout=10))
            assert_unavailable(r)
            assert seconds < 2.5, seconds
            for i in range(3):
                key = f"during-{i}"
                r, seconds = timed(lambda: create(key))
                assert_unavailable(r)
                assert seconds < 6.0, (key, seconds)
                unanswered.append(key)
            # An estimate is answered from the cached price list, or is a 503 too: never a 500.
            time.sleep(0.6)
            r, seconds = timed(lambda: http.post(server.url + "/api/v1/estimates", json=ESTIMATE, timeout=15))
            assert r.status_code in (200, 503), r.text
            assert seconds < 6.0, seconds
            r, seconds = timed(lambda: http.get(server.url + "/readyz", timeout=10))
            assert_unavailable(r)
            assert seconds < 2.5, seconds
        finally:
            thaw(pids)

        # Ready again within a few seconds, without a restart.
        deadline = time.monotonic() + 8
        while True:
            r = http.get(server.url + "/readyz", timeout=10)
            if r.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert r.status_code == 200, r.text
        for i in range(4):
            r = create(f"after-{i}")
            assert r.status_code == 201, r.text
            created.append(r.json()["number"])
        # A client retrying a 503 with its Idempotency-Key gets one quote, stored or not before.
        for key in unanswered:
            r = create(key)
            assert r.status_code == 201, r.text
            created.append(r.json()["number"])
        assert len(set(created)) == len(created)

        # Every quote answered 201 is stored exactly once, and nothing else is.
        listed = http.get(server.url + f"/api/v1/quotes?limit=100&q=outage-{RUN}", headers=admin, timeout=10)
        assert listed.status_code == 200
        assert sorted(item["number"] for item in listed.json()["items"]) == sorted(created)
    finally:
        server.stop()
