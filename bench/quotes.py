"""Quote benchmarks: creation per second (SQLite, PostgreSQL) and listing at 10k / 1M quotes.

Run with `.venv/bin/python bench/quotes.py [--quick] [--no-listing]`; it
prints figures, it asserts nothing. Creation is measured with wrk (as the
estimates are) and reported beside the estimate rate of the same server in
the same run. PostgreSQL figures need the server binaries (as for the
tests); the cluster is a throw-away one with fsync off, like the test suite's.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import Integer, String, cast, func, insert, literal, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quoteapi.adapters import clock  # noqa: E402
from quoteapi.adapters.db import Database, Quote  # noqa: E402
from quoteapi.adapters.db.migrate import upgrade  # noqa: E402
from quoteapi.services import quotes  # noqa: E402
from quoteapi.services.context import Context  # noqa: E402
from bench.workload import encoded, estimate_bodies, peak_and_half  # noqa: E402
from bench.workload import quote_bodies as workload_quotes  # noqa: E402
from config import gunicorn_workers  # noqa: E402
from tests.e2e.server import Gunicorn, cli, server_env  # noqa: E402
from tests.pg_cluster import ThrowawayCluster  # noqa: E402

UNREACHABLE_LIMIT = "10000000/minute"
TARGET_QUOTES = 300
TARGET_SHARE = 0.20


def creation_rate(database_url: str, seconds: float, database_pid: int | None = None) -> dict[str, float]:
    """Estimates/s, then quotes created/s, from the same gunicorn server (`make run`'s settings), with wrk.

    Both runs send 256 distinct bodies (bench/workload.py), 16 connections;
    every quote request creates a quote (no Idempotency-Key). The public
    rate limit is on, too high to reach, on the shared memory-mapped file as shipped.
    """
    env = server_env(database_url, QUOTEAPI_PUBLIC_RATE_LIMIT=UNREACHABLE_LIMIT)
    cli(env, "db", "upgrade")
    cli(env, "seed-demo", "--if-empty")
    token = cli(env, "users", "create", f"bench-{time.time_ns()}", "--role", "sales").strip().splitlines()[-1]
    log = Path(tempfile.mkdtemp()) / "gunicorn.log"
    server = Gunicorn(env, log, workers=gunicorn_workers()).start()
    auth = {"Authorization": f"Bearer {token}"}
    estimates, quote_bodies = encoded(estimate_bodies()), encoded(workload_quotes())
    try:
        with requests.Session() as session:  # every body is accepted (and the workers are warm)
            for body in quote_bodies:
                r = session.post(server.url + "/api/v1/quotes", data=body, timeout=30,
                                 headers={**auth, "Content-Type": "application/json"})
                if r.status_code != 201:
                    raise RuntimeError(f"{r.status_code}: {r.text[:300]}")
        master = (server.process.pid, database_pid) if database_pid else server.process.pid
        estimate = peak_and_half(server.url + "/api/v1/estimates", estimates, seconds, half=False, master=master)
        quote = peak_and_half(server.url + "/api/v1/quotes", quote_bodies, seconds, headers=auth, half=False, master=master)
    finally:
        server.stop()
    return {"estimates": estimate["rps"], "quotes": quote["rps"], "p50": quote["p50"], "p99": quote["p99"],
            "estimate_cpu_us": estimate["cpu_us"], "quote_cpu_us": quote["cpu_us"]}


def fill(database: Database, count: int) -> None:
    """Insert `count` quotes directly, set-based (one INSERT ... SELECT on PostgreSQL)."""
    series = func.generate_series(1, count).table_valued("n").render_derived()
    n = series.c.n
    rows = select(
        func.concat(literal("B-"), cast(n, String)),
        literal("staff"),
        func.split_part(literal("new,draft,sent,accepted,declined"), literal(","), cast(n % 5 + 1, Integer)),
        func.split_part(literal("ist-nisantasi,ist-kadikoy,ank-cankaya"), literal(","), cast(n % 3 + 1, Integer)),
        func.concat(literal("Customer "), cast(n, String)),
        func.concat(literal("c"), cast(n, String), literal("@example.com")),
        literal("bench"),
        func.now() - func.make_interval(0, 0, 0, 0, 0, 0, cast(count - n, Integer)),
        literal(1),
        literal(clock.today() + timedelta(days=30)),
        literal("unknown"),
        literal("TRY"),
        literal(1000),
    ).select_from(series)
    with database.transaction() as session:
        session.execute(
            insert(Quote).from_select(
                [
                    "number", "source", "status", "clinic", "customer_name", "customer_email", "created_by",
                    "created_at", "revision", "valid_until", "eligibility_status", "currency", "total",
                ],
                rows,
            )
        )
    with database.engine.connect() as conn:
        # Fresh statistics, as autovacuum would give a real database.
        conn.execute(text("ANALYZE quotes"))
        conn.commit()


def listing_time(ctx: Context, filters: dict, runs: int) -> float:
    """Median milliseconds for one filtered page through the service."""
    quotes.list_quotes(ctx, filters)  # warm
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        page = quotes.list_quotes(ctx, filters)
        samples.append((time.perf_counter() - started) * 1000)
    assert page.items, "the filter found nothing: the figure would be meaningless"
    return statistics.median(samples)


def listing(cluster: ThrowawayCluster, sizes: list[int], runs: int) -> list[tuple[int, str, float]]:
    results = []
    filters = {
        "status=sent": {"status": "sent", "limit": 50},
        "clinic=ank-cankaya": {"clinic": "ank-cankaya", "limit": 50},
        "status=sent, page 3": None,
    }
    for size in sizes:
        url = cluster.create_database(f"bench_list_{size}")
        ctx = Context.build(url)
        database = ctx.database
        upgrade(database)
        started = time.monotonic()
        fill(database, size)
        print(f"  filled {size:,} quotes in {time.monotonic() - started:.1f} s", flush=True)
        for label, f in filters.items():
            if f is None:
                first = quotes.list_quotes(ctx, {"status": "sent", "limit": 50})
                second = quotes.list_quotes(ctx, {"status": "sent", "limit": 50, "cursor": first.next_cursor})
                f = {"status": "sent", "limit": 50, "cursor": second.next_cursor}
            results.append((size, label, listing_time(ctx, f, runs)))
        database.dispose()
    return results


def report(database: str, figures: dict[str, float]) -> None:
    share = figures["quotes"] / figures["estimates"]
    print(f"quote creation, {database}, HTTP, wrk -t2 -c16: {figures['quotes']:,.0f} quotes/s"
          f" (p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms);"
          f" estimates in the same run: {figures['estimates']:,.0f}/s; quotes = {share:.0%} of the estimate rate")
    print(f"  server CPU per request (gunicorn workers{' and PostgreSQL backends' if database == 'PostgreSQL' else ''}): estimate"
          f" {figures['estimate_cpu_us']:,.0f} us, quote {figures['quote_cpu_us']:,.0f} us"
          f" = {figures['estimate_cpu_us'] / figures['quote_cpu_us']:.0%} of an estimate's rate")
    if database == "PostgreSQL":
        print(f"  targets: >= {TARGET_QUOTES} quotes/s: {'met' if figures['quotes'] >= TARGET_QUOTES else 'NOT met'};"
              f" >= {TARGET_SHARE:.0%} of the estimate rate: {'met' if share >= TARGET_SHARE else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs, 10k and 100k quotes")
    parser.add_argument("--no-listing", action="store_true", help="quote creation only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args, _ = parser.parse_known_args()
    seconds = 5 if args.quick else 15
    sizes = [10_000, 100_000] if args.quick else [10_000, 1_000_000]

    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"date: {datetime.now(UTC):%Y-%m-%d}")
    tmp = Path(tempfile.mkdtemp(prefix="quoteapi-bench-"))
    if not args.no_sqlite:
        report("SQLite", creation_rate(f"sqlite:///{tmp / 'bench.sqlite3'}", seconds))
    cluster = ThrowawayCluster()
    cluster.start()
    try:
        postmaster = int((cluster.root / "data" / "postmaster.pid").read_text().split()[0])
        report("PostgreSQL", creation_rate(cluster.create_database("bench_create"), seconds, postmaster))
        if args.no_listing:
            return
        print("listing, PostgreSQL, one page of 50 (service call, median):")
        results = listing(cluster, sizes, runs=50 if args.quick else 200)
        for size, label, ms in results:
            print(f"  {size:>9,} quotes  {label:<22} {ms:7.2f} ms")
        small = {label: ms for size, label, ms in results if size == sizes[0]}
        for size, label, ms in results:
            if size == sizes[-1]:
                print(f"  ratio {sizes[-1]:,} / {sizes[0]:,} for {label}: {ms / small[label]:.2f}")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
