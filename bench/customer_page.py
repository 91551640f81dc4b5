"""The customer's page: requests/s and latency of GET /q/<token> against gunicorn (PDF excluded).

Run with `.venv/bin/python bench/customer_page.py [--seconds 10] [--quotes 200] [--postgresql]`;
it prints figures, it asserts nothing (docs/performance.md holds them). The
server is `make run`'s (gunicorn, `QUOTEAPI_WORKERS` or cores + 1 workers,
SQLite unless --postgresql); `quotes` sent quotes are made through the API,
each with a link (adapters/db/link_store.py), and wrk cycles their pages:

- peak: 16 connections as fast as they go;
- paced: 100 requests/s (the target: p99 under 100 ms on 2 cores).

The link pages' rate limit is switched off (one address sends everything);
every other setting is as shipped. The first opening of each quote in an hour
writes its "viewed" line: the warm-up opens every page once, so the measured
requests are the page's reads, as a customer's reloads are (at most one
write an hour per quote is negligible at any rate a clinic's customers make).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.workload import (
    _LUA,
    THREADS,
    encoded,
    estimate_bodies,
    peak_and_half,
    run_wrk,
)
from config import gunicorn_workers
from quoteapi.adapters import clock
from quoteapi.adapters.db import Database, link_store
from quoteapi.adapters.db import models as rows
from tests.e2e.server import Gunicorn, cli, server_env
from tests.pg_cluster import ThrowawayCluster

TARGET_RPS = 100


def lua_paths(paths: list[str], rate: float = 0) -> Path:
    """wrk's script of bench/workload.py, sending GETs of ``paths`` in turn instead of POSTs of bodies."""
    script = _LUA % {"bodies": ",\n".join(f'"{p}"' for p in paths), "headers": "", "rate": float(rate), "threads": THREADS}
    script = script.replace('return wrk.format("POST", nil, headers, bodies[(counter % #bodies) + 1])',
                            'return wrk.format("GET", bodies[(counter % #bodies) + 1])')
    assert 'wrk.format("GET"' in script
    path = Path(tempfile.mkdtemp(prefix="quoteapi-wrk-")) / "pages.lua"
    path.write_text(script)
    return path


def make_links(url: str, database_url: str, auth: dict[str, str], count: int) -> list[str]:
    body = {"clinic": "ist-nisantasi", "areas": [{"code": "face"}, {"code": "neck"}], "products": ["hyaluronic-acid"],
            "specialist_level": "dermatologist", "sessions": 6, "notes": "bench",
            "customer": {"name": "Bench Customer", "email": "bench@example.com"}}
    numbers = []
    with requests.Session() as session:
        for _ in range(count):
            r = session.post(url + "/api/v1/quotes", json=body, headers=auth, timeout=30)
            r.raise_for_status()
            number = r.json()["number"]
            session.patch(f"{url}/api/v1/quotes/{number}", json={"status": "sent"}, headers=auth, timeout=30).raise_for_status()
            numbers.append(number)
    database = Database(database_url)
    try:
        with database.transaction() as session:
            found = session.scalars(select(rows.Quote).where(rows.Quote.number.in_(numbers))).all()
            return [f"/q/{link_store.new_link(session, q, 'email', 'bench', clock.now())}" for q in found]
    finally:
        database.dispose()


def measure(database_url: str, seconds: float, count: int) -> dict[str, dict[str, float]]:
    env = server_env(database_url, QUOTEAPI_LINK_RATE_LIMIT="none", QUOTEAPI_LINK_MISS_RATE_LIMIT="none",
                     QUOTEAPI_PUBLIC_RATE_LIMIT="none")
    cli(env, "db", "upgrade")
    cli(env, "seed-demo", "--if-empty")
    token = cli(env, "users", "create", f"bench-{time.time_ns()}", "--role", "sales").strip().splitlines()[-1]
    server = Gunicorn(env, Path(tempfile.mkdtemp()) / "gunicorn.log", workers=gunicorn_workers()).start()
    try:
        paths = make_links(server.url, database_url, {"Authorization": f"Bearer {token}"}, count)
        with requests.Session() as session:  # every page answers, and the first opening of each is behind us
            for path in paths:
                r = session.get(server.url + path, timeout=30)
                if r.status_code != 200 or "no-store" not in r.headers.get("Cache-Control", ""):
                    raise RuntimeError(f"{path}: {r.status_code}")
        run_wrk(server.url, lua_paths(paths), 2)  # warm-up
        master = server.process.pid
        peak = run_wrk(server.url, lua_paths(paths), seconds, master=master)
        paced = run_wrk(server.url, lua_paths(paths, rate=TARGET_RPS), seconds, master=master)
        # The same server's public estimate, as a yardstick of how busy the machine is (docs/performance.md
        # has its figures on a quiet machine).
        reference = peak_and_half(server.url + "/api/v1/estimates", encoded(estimate_bodies()), seconds, half=False,
                                  master=master)
    finally:
        server.stop()
    return {"peak": peak, "paced": paced, "reference": reference}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--quotes", type=int, default=200)
    parser.add_argument("--postgresql", action="store_true", help="also on a throw-away PostgreSQL cluster")
    args = parser.parse_args()
    print(f"load average before the runs: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"{platform.node()}: {platform.processor() or platform.machine()}, gunicorn workers: {gunicorn_workers()}, "
          f"{args.quotes} quotes, {args.seconds:.0f} s a run")
    databases = [("SQLite", f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}", None)]
    cluster = None
    if args.postgresql:
        cluster = ThrowawayCluster()
        cluster.start()
        databases.append(("PostgreSQL", cluster.create_database("bench_customer_page"), cluster))
    try:
        for name, url, _cluster in databases:
            figures = measure(url, args.seconds, args.quotes)
            peak, paced = figures["peak"], figures["paced"]
            print(f"{name:10} peak: {peak['rps']:7.1f} req/s  p50 {peak['p50']:6.1f} ms  p99 {peak['p99']:6.1f} ms  "
                  f"{peak['cpu_us']:6.0f} µs CPU/request")
            print(f"{name:10} at {TARGET_RPS}/s: {paced['rps']:7.1f} req/s  p50 {paced['p50']:6.1f} ms  "
                  f"p99 {paced['p99']:6.1f} ms  (target: p99 < 100 ms)")
            ref = figures["reference"]
            print(f"{name:10} yardstick, POST /api/v1/estimates peak: {ref['rps']:7.1f} req/s  p99 {ref['p99']:6.1f} ms  "
                  f"{ref['cpu_us']:6.0f} µs CPU/request")
        print(f"load average after the runs: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
