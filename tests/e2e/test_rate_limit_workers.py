"""One server with several workers keeps one public budget per address, without Redis.

The workers share their counters through a memory-mapped file (the ``mmap:///``
storage of quoteapi/adapters/shared_counters.py, the default under the instance
folder). Every request below is a connection of its own, sent 20 at a time,
so that gunicorn's five workers all answer some of them.
"""

from __future__ import annotations

import http.client
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from .server import Gunicorn, server_env, site_setup

pytestmark = pytest.mark.e2e

WORKERS = 5
LIMIT = 10


def get(server: Gunicorn, source: str) -> tuple[int, dict[str, str], bytes]:
    """GET /api/v1/clinics on a new connection from the address ``source``."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30, source_address=(source, 0))
    try:
        connection.request("GET", "/api/v1/clinics", headers={"Connection": "close"})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def burst(server: Gunicorn, source: str, count: int) -> list[tuple[int, dict[str, str], bytes]]:
    with ThreadPoolExecutor(max_workers=20) as pool:
        return list(pool.map(lambda _: get(server, source), range(count)))


def start(tmp_path, storage_uri: str) -> Gunicorn:
    env = server_env(
        f"sqlite:///{tmp_path / 'quoteapi.sqlite3'}",
        QUOTEAPI_PUBLIC_RATE_LIMIT=f"{LIMIT}/minute",
        QUOTEAPI_RATELIMIT_STORAGE_URI=storage_uri,
    )
    site_setup(env)
    return Gunicorn(env, tmp_path / "gunicorn.log", workers=WORKERS).start()


def test_five_workers_answer_one_address_exactly_its_budget(tmp_path):
    counters = tmp_path / "limits" / "ratelimits.bin"
    server = start(tmp_path, f"mmap:///{counters}")
    try:
        answers = burst(server, "127.0.0.1", 4 * LIMIT)
        statuses = sorted(status for status, _, _ in answers)
        assert statuses == [200] * LIMIT + [429] * (3 * LIMIT)
        for status, headers, body in answers:
            if status == 429:
                assert headers["content-type"] == "application/problem+json"
                assert 1 <= int(headers["retry-after"]) <= 61
                assert json.loads(body)["status"] == 429
        # Another address has a budget of its own, on every worker too.
        other = sorted(status for status, _, _ in burst(server, "127.0.0.2", 2 * LIMIT))
        assert other == [200] * LIMIT + [429] * LIMIT
        # Unlimited endpoints still answer.
        assert get_health(server) == 200
    finally:
        server.stop()
    assert counters.exists(), "the workers counted in the shared file"


def get_health(server: Gunicorn) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_counters_file_cut_short_or_deleted_under_running_workers(tmp_path):
    counters = tmp_path / "limits" / "ratelimits.bin"
    server = start(tmp_path, f"mmap:///{counters}")
    try:
        assert sorted(status for status, _, _ in burst(server, "127.0.0.1", 2 * LIMIT)) == [200] * LIMIT + [429] * LIMIT
        # Cut to nothing: no worker dies (SIGBUS) and the budget starts again, once for all of them.
        counters.write_bytes(b"")
        assert sorted(status for status, _, _ in burst(server, "127.0.0.1", 3 * LIMIT)) == [200] * LIMIT + [429] * (2 * LIMIT)
        # Deleted: the workers make the file again and all count in it.
        counters.unlink()
        assert sorted(status for status, _, _ in burst(server, "127.0.0.1", 3 * LIMIT)) == [200] * LIMIT + [429] * (2 * LIMIT)
        assert counters.exists()
    finally:
        server.stop()
    assert "SIGBUS" not in (tmp_path / "gunicorn.log").read_text(errors="replace")
