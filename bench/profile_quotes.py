"""Where one `POST /api/v1/quotes` spends its time on PostgreSQL, in process, one thread.

Run with `.venv/bin/python bench/profile_quotes.py [--profile [--cpu] [--match REGEX]] [--sqlite]`
(``--sqlite``: a SQLite file instead; ``--match quoteapi/``: the profile's lines of
the app's own functions only). It prints the
wall and CPU time per quote, the statements each creation sends (and how many
of them run while the year's counter row is locked), and with ``--profile``
the functions cProfile finds most expensive.
"""

from __future__ import annotations

import argparse
import os
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.workload import encoded, quote_bodies  # noqa: E402
from quoteapi import create_app  # noqa: E402
from quoteapi.adapters.db.migrate import upgrade  # noqa: E402
from quoteapi.services import price_lists, users  # noqa: E402
from tests.pg_cluster import ThrowawayCluster  # noqa: E402


def print_wire(engine, run) -> None:
    """The messages each connection checked out during ``run()`` sends (libpq's trace), and the round
    trips: each simple Query and each Sync waits for the server's answer."""
    from psycopg import pq

    traced = []

    def trace(pgconn) -> None:
        if pgconn not in traced:
            pgconn.trace(log.fileno())
            pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            traced.append(pgconn)

    def checked_out(dbapi_connection, _record, _proxy):  # a new connection (not pinged)
        trace(dbapi_connection.pgconn)

    with tempfile.TemporaryFile("w+") as log:
        for record in list(engine.pool._pool.queue):  # the pooled connections, pre-pings included
            if record.dbapi_connection is not None:
                trace(record.dbapi_connection.pgconn)
        event.listen(engine, "checkout", checked_out)
        try:
            run()
        finally:
            event.remove(engine, "checkout", checked_out)
            for pgconn in traced:
                pgconn.untrace()
        log.seek(0)
        sent = [line.split("\t") for line in log.read().splitlines() if line.startswith("F\t")]
    print("on the wire, client to server (a pool pre-ping is the Query \";\"):")
    for fields in sent:
        message = fields[2].strip() if len(fields) > 2 else ""
        if message in ("Query", "Parse", "Bind", "Sync"):
            text = " ".join((fields[3] if len(fields) > 3 else "").split()[:4])[:60]
            print(f"  {message:6} {text}")
    trips = sum(1 for fields in sent if len(fields) > 2 and fields[2].strip() in ("Query", "Sync"))
    print(f"round trips of one creation: {trips}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--cpu", action="store_true",
                        help="with --profile: the profile's clock is this process's CPU time, not the wall clock")
    parser.add_argument("--wire", action="store_true",
                        help="PostgreSQL: also print what one creation sends on the wire (libpq's trace), "
                             "pings and BEGIN included, and how many round trips that is")
    parser.add_argument("--match", default=None,
                        help="with --profile: list only functions whose file or name matches this regular "
                             "expression (e.g. quoteapi/), 60 of them")
    parser.add_argument("--sqlite", action="store_true",
                        help="a SQLite file in a temporary directory instead of PostgreSQL")
    args = parser.parse_args()
    cluster = None if args.sqlite else ThrowawayCluster()
    if cluster is not None:
        cluster.start()
    scratch = tempfile.TemporaryDirectory(prefix="quoteapi-bench-")
    try:
        url = f"sqlite:///{scratch.name}/bench.sqlite" if cluster is None else cluster.create_database("bench_profile")
        app = create_app({"DATABASE_URL": url, "PUBLIC_RATE_LIMIT": "none"},
                         environ={"QUOTEAPI_ENV": "production", "QUOTEAPI_LOG_LEVEL": "WARNING"})
        ctx = app.extensions["quoteapi"]
        upgrade(ctx.database)
        price_lists.seed_demo(ctx)
        token = users.create_user(ctx, "bench", "sales").token
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        bodies = encoded(quote_bodies())
        client = app.test_client()
        statements: list[str] = []

        @event.listens_for(ctx.database.engine, "before_cursor_execute")
        def count(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement.split()[0] + " " + " ".join(statement.split()[1:4]))

        @event.listens_for(ctx.database.engine, "commit")
        def committed(conn):
            statements.append("COMMIT")

        @event.listens_for(ctx.database.engine, "rollback")
        def rolled_back(conn):
            options = conn.get_execution_options()
            # A connection outside a transaction (Database.read_row) sends nothing.
            if options.get("isolation_level") != "AUTOCOMMIT" and not options.get("quoteapi_no_begin"):
                statements.append("ROLLBACK")

        def create(body: bytes) -> None:
            r = client.post("/api/v1/quotes", data=body, headers=headers)
            assert r.status_code == 201, r.get_data(as_text=True)

        for body in bodies[:20]:
            create(body)
        statements.clear()
        create(bodies[20])
        print("statements of one creation (pool pings not listed):")
        for s in statements:
            print(f"  {s}")
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(args.count):
            create(bodies[i % len(bodies)])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"one thread, in process: {wall / args.count * 1000:.2f} ms per quote ({cpu / args.count * 1000:.2f} ms CPU)")
        if args.wire and cluster is not None:  # after the timed run: statements prepared as they are under load
            print_wire(ctx.database.engine, lambda: create(bodies[0]))
        if args.profile:
            profile = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
            profile.enable()
            for i in range(args.count):
                create(bodies[i % len(bodies)])
            profile.disable()
            stats = pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative"))
            stats.print_stats(*((args.match, 60) if args.match else (45,)))
        ctx.database.dispose()
    finally:
        if cluster is not None:
            cluster.stop()
        scratch.cleanup()


if __name__ == "__main__":
    main()
