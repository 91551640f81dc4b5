"""What the public rate limit costs per request, in process, on each storage.

Run with `.venv/bin/python bench/rate_limits.py [--quick]`; it prints figures
and asserts nothing. For memory, the memory-mapped file the workers share
(the default) and Redis (a throw-away redis-server, when installed):

- the app's cost: CPU time of one `GET /api/v1/clinics` answered 304 (the
  cheapest public request) through the whole WSGI app, with a limit too high
  to reach, minus the same request with the limit off;
- the `limits` library alone: one ``FixedWindowRateLimiter.hit`` on the
  same storage, what the limit needs at least.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from limits import parse  # noqa: E402
from limits.storage import storage_from_string  # noqa: E402
from limits.strategies import FixedWindowRateLimiter  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from bench.workload import cpu_us  # noqa: E402
import quoteapi.adapters.shared_counters  # noqa: E402,F401  (registers mmap://)
from quoteapi import create_app  # noqa: E402
from quoteapi.services import price_lists  # noqa: E402
from tests.e2e.server import free_port  # noqa: E402

LIMIT = "10000000/minute"


def call_us(call, seconds: float) -> float:
    """The lowest CPU microseconds per ``call()`` (``workload.cpu_us``, by hundreds)."""
    return cpu_us(lambda _: call(), range(100), seconds)


def app_request(work: Path, limit: str, storage: str):
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}", "PUBLIC_RATE_LIMIT": limit, "RATELIMIT_STORAGE_URI": storage,
         "PRICE_LIST_CHECK_SECONDS": 60.0},
        environ={"QUOTEAPI_ENV": "production"},
    )
    from quoteapi.adapters.db.migrate import upgrade

    ctx = app.extensions["quoteapi"]
    upgrade(ctx.database)
    if ctx.database.engine.dialect.name and not price_lists.current_version(ctx):
        price_lists.seed_demo(ctx)
    etag = app.test_client().get("/api/v1/clinics").headers["ETag"]
    environ = EnvironBuilder(path="/api/v1/clinics", headers={"If-None-Match": etag}, environ_base={"REMOTE_ADDR": "10.1.2.3"}).get_environ()
    wsgi = app.wsgi_app

    def start_response(status, headers, exc_info=None):
        assert status.startswith("304"), status
        return lambda data: None

    def call() -> None:
        answer = wsgi(dict(environ), start_response)
        for _ in answer:
            pass
        close = getattr(answer, "close", None)
        if close:
            close()

    return call


def direct(storage_uri: str):
    limiter = FixedWindowRateLimiter(storage_from_string(storage_uri))
    item = parse(LIMIT)
    return lambda: limiter.hit(item, "10.1.2.3", "public")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args, _ = parser.parse_known_args()
    seconds = 0.2 if args.quick else 1.0
    work = Path(tempfile.mkdtemp(prefix="quoteapi-bench-limits-"))
    storages = {"memory": "memory://", "mmap": f"mmap:///{work / 'ratelimits.bin'}"}
    redis_server = None
    if shutil.which("redis-server"):
        port = free_port()
        redis_server = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)
        storages["redis"] = f"redis://127.0.0.1:{port}"
    try:
        baseline = call_us(app_request(work, "none", "memory://"), seconds)
        print(f"GET /api/v1/clinics answered 304, in process, CPU per request: {baseline:.1f} us with the limit off")
        print(f"{'storage':<8} {'app, limit on':>14} {'limit costs':>12} {'limits.hit alone':>17}")
        for name, uri in storages.items():
            on = call_us(app_request(work, LIMIT, uri), seconds)
            alone = call_us(direct(uri), seconds)
            print(f"{name:<8} {on:>11.1f} us {on - baseline:>9.1f} us {alone:>14.1f} us")
        print("(Redis: CPU time of this process only; the round trip's wait is not counted.)")
    finally:
        if redis_server:
            redis_server.terminate()
            redis_server.wait()


if __name__ == "__main__":
    main()
