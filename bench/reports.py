"""The pipeline report and the console's Today page at a million quotes on PostgreSQL (issue 29).

Run with `.venv/bin/python bench/reports.py [--quotes N]`; it starts a
throw-away PostgreSQL cluster (tests/pg_cluster.py), migrates it, loads the demo
price list, and writes N quotes (default 1,000,000) in one INSERT ... SELECT:
three clinics, both sources, twelve users, every status (old open quotes read as
expired), created over the last three years (ids rising with time), decline reasons, a manual discount on
one in ten, one to two areas each, a campaign on one in four (their codes on the quote, as migration 0016
keeps them), and a deposit paid on two accepted quotes in three (some refunded). Then it times, through the app
(Flask's test client: the view, the use case, the statements and the JSON), each
``group_by`` of ``GET /api/v1/reports/pipeline`` for the default range (twelve
months) and for all three years, the CSV, the console's Raporlar page, and the
console's Today page for one signed-in user (best and median of five), and prints
the plans PostgreSQL chose. It asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text

from quoteapi.adapters.db import (
    Database,
    report_store,
)
from quoteapi.adapters.db.migrate import upgrade
from quoteapi.app import create_app
from quoteapi.services import price_lists, users
from tests.pg_cluster import ThrowawayCluster

CLINICS = ["ist-nisantasi", "ist-kadikoy", "ank-cankaya"]
AREAS = ["face", "under-eye", "neck", "decollete", "hands"]
CAMPAIGNS = ["WINTER-RENEWAL", "ANKARA-4FOR3", "FRIEND"]
REASONS = ["price", "timing", "other_clinic", "medical", "no_answer", "other"]
STATUSES = ["new", "new", "draft", "sent", "sent", "accepted", "accepted", "declined", "declined", "sent"]

QUOTES = """
INSERT INTO quotes (number, source, status, clinic, customer_name, customer_email, search_key, created_by, created_at,
                    created_on, assigned_to, follow_up_on, revision, valid_until, eligibility_status, currency, total,
                    language, approval, decline_reason, accepted_at, manual_discount, discount_by, area_codes,
                    campaign_codes)
SELECT 'Q-B-' || lpad(i::text, 7, '0'),
       CASE WHEN i % 3 = 0 THEN 'website' ELSE 'staff' END,
       s.status, (CAST(:clinics AS text[]))[i % 3 + 1],
       'Müşteri ' || i, 'musteri' || i || '@example.com', 'q-b-' || lpad(i::text, 7, '0'),
       CASE WHEN i % 3 = 0 THEN NULL ELSE 'user' || (i % 12) END,
       t.created_at, (t.created_at AT TIME ZONE 'Europe/Istanbul')::date,
       CASE WHEN i % 5 = 0 THEN NULL ELSE 'user' || (i * 7 % 12) END,
       (t.created_at AT TIME ZONE 'Europe/Istanbul')::date + (i % 40),
       1, (t.created_at AT TIME ZONE 'Europe/Istanbul')::date + 30, 'unknown', 'TRY', v.total, 'tr', 'not_needed',
       CASE WHEN s.status = 'declined' AND i % 7 < 6 THEN (CAST(:reasons AS text[]))[i % 7 + 1] END,
       CASE WHEN s.status = 'accepted' THEN t.created_at + make_interval(days => i % 20, hours => i % 24) END,
       CASE WHEN i % 10 = 0 THEN round(v.total * 0.05, 2) END,
       CASE WHEN i % 10 = 0 THEN 'user' || (i % 12) END,
       CASE WHEN i % 3 = 0 THEN least(a.one, a.two) || ',' || greatest(a.one, a.two) ELSE a.one END,
       CASE WHEN i % 4 = 0 THEN (CAST(:campaigns AS text[]))[i % 3 + 1] END
FROM generate_series(1, :n) AS i
CROSS JOIN LATERAL (SELECT (CAST(:statuses AS text[]))[i * 7 % 10 + 1] AS status) s
CROSS JOIN LATERAL (SELECT now() - make_interval(secs => ((:n - i)::bigint * 94) % 94608000) AS created_at) t
CROSS JOIN LATERAL (SELECT round(((i::bigint * 7919) % 5000000) / 100.0 + 1000, 2) AS total) v
CROSS JOIN LATERAL (SELECT (CAST(:areas AS text[]))[i % 5 + 1] AS one, (CAST(:areas AS text[]))[(i + 2) % 5 + 1] AS two) a
"""

PAID = """
UPDATE quotes SET paid = p.net FROM (
  SELECT quote_id, sum(CASE WHEN kind = 'refund' THEN -amount ELSE amount END) AS net FROM payments GROUP BY quote_id
) p WHERE p.quote_id = quotes.id
"""
PAYMENTS = """
INSERT INTO payments (quote_id, kind, amount, method, received_on, created_at)
SELECT id, 'payment', round(total * 0.2, 2), 'bank_transfer', created_on + 3, created_at FROM quotes
 WHERE status = 'accepted' AND id % 3 <> 0
UNION ALL
SELECT id, 'refund', 100.00, 'cash', created_on + 5, created_at FROM quotes WHERE status = 'accepted' AND id % 30 = 1
"""


def timed(call, times: int = 5) -> tuple[float, float, object]:
    spent, result = [], None
    for _ in range(times):
        began = time.perf_counter()
        result = call()
        spent.append(time.perf_counter() - began)
    return min(spent) * 1000, statistics.median(spent) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quotes", type=int, default=1_000_000)
    args = parser.parse_args()
    cluster = ThrowawayCluster()
    cluster.start()
    try:
        url = cluster.create_database("quoteapi_reports")
        database = Database(url, statement_timeout=1800)
        upgrade(database)
        started = time.perf_counter()
        with database.engine.begin() as connection:
            connection.execute(text("DROP INDEX ix_quotes_search_key"))
            connection.execute(text(QUOTES), {"n": args.quotes, "clinics": CLINICS, "reasons": REASONS, "statuses": STATUSES,
                                              "areas": AREAS, "campaigns": CAMPAIGNS})
            connection.execute(text(PAYMENTS))
            connection.execute(text(PAID))
            connection.execute(text("CREATE INDEX ix_quotes_search_key ON quotes USING gin (search_key gin_trgm_ops)"))
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        database.dispose()
        print(f"{args.quotes:,} quotes (with areas, campaigns, payments) written, indexed and analysed in "
              f"{time.perf_counter() - started:.0f} s")

        app = create_app({"DATABASE_URL": url, "PUBLIC_RATE_LIMIT": "none", "LOG_LEVEL": "WARNING",
                          "SECRET_KEY": "bench", "SIGN_IN_RATE_LIMIT": "none", "SIGN_IN_ADDRESS_RATE_LIMIT": "none"})
        ctx = app.extensions["quoteapi"]
        price_lists.seed_demo(ctx)
        token = users.create_user(ctx, "boss", "admin").token
        api = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        today = ctx.today()
        three_years = date(today.year - 3, today.month, 1).isoformat()  # every quote the bench wrote
        print("GET /api/v1/reports/pipeline (best / median of 5, ms):")
        for group_by in ("clinic", "source", "assigned_to", "campaign", "area", "month", "week"):
            for label, query in (("12 months", {}), ("3 years", {"from": three_years})):
                best, middle, r = timed(lambda g=group_by, q=query: api.get(
                    "/api/v1/reports/pipeline", headers=headers, query_string={"group_by": g, **q}))
                if r.status_code != 200:
                    print(f"  group_by={group_by:12} {label:9} HTTP {r.status_code}: {r.get_json()}")
                    continue
                total = r.get_json()["totals"]["quotes"]
                print(f"  group_by={group_by:12} {label:9} {total:>9,} quotes  best {best:7.1f}  median {middle:7.1f}")
        best, middle, r = timed(lambda: api.get("/api/v1/reports/pipeline", headers={**headers, "Accept": "text/csv"},
                                                query_string={"group_by": "week", "from": three_years}))
        print(f"  CSV group_by=week 3 years  best {best:7.1f}  median {middle:7.1f}  ({len(r.data):,} bytes)")

        from tests.web.desk_helpers import signed_in

        desk = signed_in(app, ctx, "user3", "sales")
        best, middle, r = timed(lambda: desk.get("/desk/"))
        assert r.status_code == 200
        print(f"console Today page (user3, sales): best {best:7.1f}  median {middle:7.1f} ms")
        admin_desk = signed_in(app, ctx, "ayla", "admin")
        best, middle, r = timed(lambda: admin_desk.get("/desk/reports"))
        print(f"console Raporlar page (default filters): HTTP {r.status_code} best {best:7.1f}  median {middle:7.1f} ms")

        database = ctx.database
        filters = report_store.Filters(start=ctx.today().replace(year=ctx.today().year - 1), end=ctx.today(), today=ctx.today())
        with database.reading() as session:
            for group_by in ("clinic", "area"):
                from sqlalchemy import select  # noqa: F401

                statement = report_store.breakdown_statement(group_by, filters, "postgresql")
                compiled = statement.compile(dialect=database.engine.dialect, compile_kwargs={"literal_binds": True})
                plan = session.execute(text(f"EXPLAIN ANALYZE {compiled}")).scalars().all()
                print(f"plan of the breakdown, group_by={group_by}:")
                print("\n".join("  " + line for line in plan))
        database.dispose()
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
