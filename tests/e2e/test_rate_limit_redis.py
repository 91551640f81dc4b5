"""Several servers share one public budget through Redis (a real redis-server)."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis
import requests

from .server import Gunicorn, free_port, server_env, site_setup

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def redis_url():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; `make test` installs it as root)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}"
    client.close()
    process.terminate()
    process.wait(timeout=10)


def test_two_servers_share_one_budget_per_address(redis_url, tmp_path):
    """Two gunicorn servers with two workers each count one address's requests together."""
    env = server_env(
        f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        QUOTEAPI_PUBLIC_RATE_LIMIT="4/minute",
        QUOTEAPI_RATELIMIT_STORAGE_URI=redis_url,
    )
    site_setup(env)
    servers = [Gunicorn(env, tmp_path / f"gunicorn-{i}.log", workers=2).start() for i in range(2)]
    try:
        # Gunicorn.start() itself asked /readyz, which has no limit.
        statuses = [
            requests.get(servers[i % 2].url + "/api/v1/clinics", timeout=10).status_code for i in range(6)
        ]
        assert statuses == [200, 200, 200, 200, 429, 429]
        limited = requests.get(servers[0].url + "/api/v1/clinics", timeout=10)
        assert int(limited.headers["Retry-After"]) > 0
        assert limited.headers["Content-Type"] == "application/problem+json"
        assert requests.get(servers[1].url + "/healthz", timeout=10).status_code == 200
    finally:
        for server in servers:
            server.stop()
    assert redis.Redis.from_url(redis_url).keys("*"), "the counters live in Redis"
