"""The quote list's search at a million quotes on PostgreSQL (issue 26).

Run with `.venv/bin/python bench/search.py [--quotes N]`; it starts a throw-away
PostgreSQL cluster (tests/pg_cluster.py), migrates it, writes N quotes (default
1,000,000) with generated Turkish names, e-mail addresses and phone numbers in
one INSERT ... SELECT, and times the statement the quote list runs for several
searches (the best of five, through SQLAlchemy, with the page's LIMIT), and
prints the plan PostgreSQL chose. It asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from quoteapi.adapters import clock  # noqa: E402
from quoteapi.adapters.db import Database  # noqa: E402
from quoteapi.adapters.db import quote_store  # noqa: E402
from quoteapi.adapters.db.migrate import upgrade  # noqa: E402
from tests.pg_cluster import ThrowawayCluster  # noqa: E402

FIRST = ["ayse", "fatma", "mehmet", "mustafa", "zeynep", "elif", "emine", "ahmet", "ali", "huseyin", "ilker", "irmak"]
LAST = ["yilmaz", "kaya", "demir", "sahin", "celik", "yildiz", "yildirim", "ozturk", "aydin", "ozdemir", "arslan", "dogan"]

FILL = """
INSERT INTO quotes (number, source, status, clinic, customer_name, customer_email, customer_phone, search_key,
                    created_at, revision, valid_until, eligibility_status, currency, total, language, approval)
SELECT 'Q-2026-' || lpad(i::text, 7, '0'),
       'staff', 'new', 'ist-kadikoy',
       f.name || ' ' || l.name, f.name || '.' || l.name || i || '@example.com', '0533 ' || lpad((i % 10000000)::text, 7, '0'),
       'q-2026-' || lpad(i::text, 7, '0') || ' | ' || f.name || ' ' || l.name || ' | ' || f.name || '.' || l.name || i
         || '@example.com | 90533' || lpad((i % 10000000)::text, 7, '0'),
       now() - (i || ' seconds')::interval, 1, current_date + 30, 'ok', 'TRY', 1000, 'tr', 'not_needed'
FROM generate_series(1, :n) AS i
JOIN (SELECT row_number() OVER () - 1 AS k, name FROM unnest(CAST(:first AS text[])) AS name) f ON f.k = i % :nf
JOIN (SELECT row_number() OVER () - 1 AS k, name FROM unnest(CAST(:last AS text[])) AS name) l ON l.k = (i / :nf) % :nl
"""

SEARCHES = ["05330123456", "+90 533 012 34 56", "Q-2026-0765432", "mehmet.ozturk76543", "AYŞE YILMAZ", "İlker Öztürk"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quotes", type=int, default=1_000_000)
    args = parser.parse_args()
    cluster = ThrowawayCluster()
    cluster.start()
    try:
        database = Database(cluster.create_database("quoteapi_search"), statement_timeout=1800)
        upgrade(database)
        started = time.perf_counter()
        with database.engine.begin() as connection:
            # The index is built once after the rows (as a restore would), not row by row.
            connection.execute(text("DROP INDEX ix_quotes_search_key"))
            connection.execute(text(FILL), {"n": args.quotes, "first": FIRST, "last": LAST, "nf": len(FIRST), "nl": len(LAST)})
            connection.execute(text("CREATE INDEX ix_quotes_search_key ON quotes USING gin (search_key gin_trgm_ops)"))
            connection.execute(text("ANALYZE quotes"))
        print(f"{args.quotes:,} quotes written, indexed and analysed in {time.perf_counter() - started:.0f} s")
        today = clock.today()
        for q in SEARCHES:
            times = []
            for _ in range(5):
                with database.reading() as session:
                    began = time.perf_counter()
                    found = quote_store.page(session, {"q": q}, today, None, 51)
                    times.append(time.perf_counter() - began)
            print(f"  q={q!r:24} {len(found):3} found  best {min(times) * 1000:7.1f} ms  median {statistics.median(times) * 1000:7.1f} ms")
        with database.reading() as session:
            statement = quote_store.search_statement({"q": "AYŞE YILMAZ"}, today)
            statement = statement.order_by(quote_store.rows.Quote.id.desc()).limit(51)
            compiled = statement.compile(dialect=database.engine.dialect, compile_kwargs={"literal_binds": True})
            plan = session.execute(text(f"EXPLAIN {compiled}")).scalars().all()
        print("plan of q='AYŞE YILMAZ':")
        print("\n".join("  " + line for line in plan))
        database.dispose()
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
