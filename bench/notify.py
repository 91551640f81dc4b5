"""The morning digest of one user and the console's "new" count at a million quotes on PostgreSQL (issue 29).

Run with `.venv/bin/python bench/notify.py [--quotes N] [--users U]`; it starts a throw-away
PostgreSQL cluster (tests/pg_cluster.py), migrates it, writes N quotes (default 1,000,000) spread
over U sales users (default 40; a tenth unassigned), every status, follow-up days, validities,
links opened and approvals decided over the last months, and one activity line a quote (a tenth of
them a customer's question or acceptance), in INSERT ... SELECT; then times, best and median of
five, the lists of one user's digest (notify_store, what `quoteapi notify digest` reads for each
user), the console's count of what is new (services/news.py), and one whole `queue_digests` run,
and prints the plans PostgreSQL chose. It asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from quoteapi.adapters import clock  # noqa: E402
from quoteapi.adapters.db import Database, notify_store  # noqa: E402
from quoteapi.adapters.db.migrate import upgrade  # noqa: E402
from quoteapi.services import digests, news  # noqa: E402
from quoteapi.services.context import Context  # noqa: E402
from quoteapi.services.price_list_cache import PriceListCache  # noqa: E402
from tests.pg_cluster import ThrowawayCluster  # noqa: E402

USERS = """
INSERT INTO users (name, role, token_hash, created_at, email, language)
SELECT 'u' || lpad(u::text, 3, '0'), 'sales', md5(u::text) || md5('x' || u), now(), 'u' || u || '@clinic.example',
       CASE WHEN u % 2 = 0 THEN 'tr' ELSE 'en' END
FROM generate_series(0, :users - 1) AS u
"""

QUOTES = """
INSERT INTO quotes (number, source, status, clinic, customer_name, created_at, assigned_to, follow_up_on, revision,
                    valid_until, eligibility_status, currency, total, language, approval, approval_at, last_viewed_at)
SELECT 'Q-2026-' || lpad(i::text, 7, '0'),
       CASE WHEN i % 7 = 0 THEN 'website' ELSE 'staff' END,
       (ARRAY['new', 'draft', 'sent', 'sent', 'accepted', 'declined'])[1 + i % 6],
       'ist-kadikoy', 'Müşteri ' || i,
       now() - ((i % 400) || ' days')::interval,
       CASE WHEN i % 10 = 0 THEN NULL ELSE 'u' || lpad((i % :users)::text, 3, '0') END,
       CASE WHEN i % 3 = 0 THEN current_date + (i % 120 - 100) END,
       1, current_date + (i % 400 - 360), 'ok', 'TRY', 1000, 'tr',
       CASE WHEN (i / 13) % 50 = 0 THEN (ARRAY['approved', 'rejected'])[1 + i % 2] ELSE 'not_needed' END,
       CASE WHEN (i / 13) % 50 = 0 THEN now() - ((i % 9000) || ' minutes')::interval * 60 END,
       CASE WHEN (i / 7) % 5 = 0 THEN now() - ((i % 20000) || ' minutes')::interval * 20 END
FROM generate_series(1, :n) AS i
"""

REVISIONS = """
INSERT INTO quote_revisions (quote_id, revision, price_list_version, inputs, estimate, valid_until, created_at, created_by)
SELECT id, 1, 1, '{}', '{}', valid_until, created_at, assigned_to FROM quotes
"""

ACTIVITY = """
INSERT INTO quote_activity (quote_id, at, by, kind, text)
SELECT id, now() - ((id % 30000) || ' minutes')::interval * 20,
       CASE WHEN (id / 11) % 10 IN (1, 2) THEN 'customer' ELSE assigned_to END,
       CASE WHEN (id / 11) % 10 = 1 THEN 'question' WHEN (id / 11) % 10 = 2 THEN 'accepted' ELSE 'note' END, 'x'
FROM quotes
"""


def timed(database: Database, run, rounds: int = 5) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(rounds):
        with database.reading() as session:
            began = time.perf_counter()
            result = run(session)
            times.append(time.perf_counter() - began)
    return min(times) * 1000, statistics.median(times) * 1000, result


def explain(database: Database, statement) -> list[str]:
    compiled = statement.compile(dialect=database.engine.dialect, compile_kwargs={"literal_binds": True})
    with database.reading() as session:
        return session.execute(text(f"EXPLAIN {compiled}")).scalars().all()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quotes", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=40)
    args = parser.parse_args()
    cluster = ThrowawayCluster()
    cluster.start()
    try:
        database = Database(cluster.create_database("quoteapi_notify"), statement_timeout=1800)
        upgrade(database)
        started = time.perf_counter()
        with database.engine.begin() as connection:
            connection.execute(text(USERS), {"users": args.users})
            connection.execute(text(QUOTES), {"n": args.quotes, "users": args.users})
            connection.execute(text(REVISIONS))
            connection.execute(text(ACTIVITY))
            connection.execute(text("ANALYZE"))
        print(f"{args.quotes:,} quotes (and as many revisions and activity lines) written and analysed "
              f"in {time.perf_counter() - started:.0f} s")
        today, now = clock.today(), clock.now()
        user, since = "u007", now - timedelta(days=1)
        cases = {
            "follow-ups due": lambda s: notify_store.follow_ups(s, user, today),
            "expiring this week": lambda s: notify_store.expiring(s, user, today, today + digests.WEEK),
            "untaken website requests": lambda s: notify_store.untaken_requests(s, today),
            "links opened since": lambda s: notify_store.opened_since(s, user, since),
            "one user's whole digest": lambda s: [
                notify_store.follow_ups(s, user, today), notify_store.expiring(s, user, today, today + digests.WEEK),
                notify_store.untaken_requests(s, today), notify_store.opened_since(s, user, since)],
            "console: customers' steps since": lambda s: notify_store.customer_steps(s, user, now - news.WINDOW, "customer"),
            "console: approvals decided since": lambda s: notify_store.approvals_decided(s, user, now - news.WINDOW),
        }
        for name, run in cases.items():
            best, median, found = timed(database, run)
            size = sum(len(f) for f in found) if name.startswith("one user's") else len(found)
            print(f"  {name:34} {size:3} lines  best {best:7.1f} ms  median {median:7.1f} ms")
        ctx = Context(database, PriceListCache(database, 60.0))
        ctx.clock = lambda: today
        began = time.perf_counter()
        run = digests.queue_digests(ctx)
        print(f"  queue_digests for {args.users} users: {run.queued} queued, {run.skipped} skipped in "
              f"{(time.perf_counter() - began) * 1000:.0f} ms")
        from sqlalchemy import select

        from quoteapi.adapters.db import models as rows

        Q, A = rows.Quote, rows.QuoteActivity
        plans = {
            "follow-ups": select(Q.number).where(Q.assigned_to == user, Q.follow_up_on <= today,
                                                 Q.status.in_(("new", "draft", "sent"))).order_by(Q.follow_up_on, Q.id).limit(51),
            "expiring": select(Q.number).where(Q.assigned_to == user, Q.valid_until >= today,
                                               Q.valid_until <= today + digests.WEEK,
                                               Q.status.in_(("new", "draft", "sent"))).order_by(Q.valid_until, Q.id).limit(51),
            "untaken": select(Q.number).where(Q.assigned_to.is_(None), Q.valid_until >= today, Q.status == "new",
                                              Q.source == "website").order_by(Q.id).limit(51),
            "opened": select(Q.number).where(Q.assigned_to == user, Q.last_viewed_at > since)
            .order_by(Q.last_viewed_at.desc(), Q.id).limit(51),
            "customer steps": select(A.id).join(Q, Q.id == A.quote_id).where(
                A.kind.in_(("accepted", "question")), A.at > now - news.WINDOW, A.by == "customer",
                Q.assigned_to == user).order_by(A.at.desc()).limit(50),
        }
        for name, statement in plans.items():
            print(f"\n{name}:")
            for line in explain(database, statement):
                print(f"  {line}")
        database.dispose()
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
