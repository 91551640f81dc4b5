"""Dry-run benchmark: how long `PUT /api/v1/admin/price-list?dry_run=true` takes with 10,000 open quotes.

Run with `.venv/bin/python bench/dry_run.py [--quotes N] [--postgresql]`; it prints
figures, it asserts nothing. The open quotes are stored in bulk through the
ORM (each priced by the engine, each with distinct inputs, so that no two
share a repricing), then the dry run of a change of every area's price is
timed through the service layer, as the API's view calls it.
"""

from __future__ import annotations

import argparse
import copy
import platform
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quoteapi.adapters.db import models as rows  # noqa: E402
from quoteapi.adapters.db.migrate import upgrade  # noqa: E402
from quoteapi.adapters.i18n import language  # noqa: E402
from quoteapi.domain import price_list as document  # noqa: E402
from quoteapi.domain.pricing import price  # noqa: E402
from quoteapi.domain.pricing.model import AreaRequest, EstimateRequest  # noqa: E402
from quoteapi.domain.pricing.plain import estimate_to_plain, request_to_plain  # noqa: E402
from quoteapi.services import price_changes, price_lists  # noqa: E402
from quoteapi.services.context import Context  # noqa: E402

CLINICS = ("ist-nisantasi", "ist-kadikoy", "ank-cankaya")
LEVELS = ("aesthetician", "dermatologist")
# Areas priced by their measured size: a distinct size makes distinct inputs.
SIZED = ("acne-scars-back", "stretch-marks", "scalp")
PLAIN = ("face", "neck", "hands", "decollete", "under-eye")


def inputs(i: int, today: date) -> EstimateRequest:
    sized = SIZED[i % len(SIZED)]
    areas = [AreaRequest(sized, Decimal(800 + i % 4000))]
    if i % 2:
        areas.append(AreaRequest(PLAIN[i % len(PLAIN)]))
    return EstimateRequest(
        CLINICS[i % len(CLINICS)], tuple(areas), LEVELS[i % 2], 1 + i % 12,
        start_date=today + timedelta(days=i % 60), products=("hyaluronic-acid",) if i % 3 == 0 else (),
    )


def store_open_quotes(ctx: Context, count: int, batch: int = 1000) -> float:
    """Store ``count`` open quotes (status new, draft or sent, valid 30 days) in bulk; the seconds it took."""
    started = time.perf_counter()
    today = ctx.today()
    price_list = ctx.price_lists.current(fresh=True)
    now = datetime.now(UTC)
    turkish = language("tr")
    for first in range(0, count, batch):
        with ctx.database.transaction() as session:
            for i in range(first, min(first + batch, count)):
                request = inputs(i, today)
                estimate = price(price_list, request, today)
                quote = rows.Quote(
                    number=f"Q-{today.year}-{900000 + i:06d}", source="staff", status=("new", "draft", "sent")[i % 3],
                    clinic=estimate.clinic, customer_name=f"Bench {i}", customer_email=f"bench{i}@example.com",
                    customer_phone=None, created_by="bench", created_at=now, assigned_to=None, follow_up_on=None,
                    notes=None, revision=1, valid_until=today + timedelta(days=30),
                    eligibility_status=estimate.eligibility.status.value, currency=estimate.currency,
                    total=estimate.total, language="tr",
                )
                quote.revisions.append(rows.QuoteRevision(
                    revision=1, price_list_version=estimate.price_list_version, inputs=request_to_plain(request),
                    estimate=estimate_to_plain(estimate, turkish), priced_on=today,
                    valid_until=quote.valid_until, created_at=now, created_by="bench",
                ))
                session.add(quote)
    return time.perf_counter() - started


def dry_run(ctx: Context) -> tuple[float, price_changes.DryRun]:
    """Every area 5 % dearer, tried: the seconds the whole dry run took (plan and impact)."""
    stored = price_lists.get_document(ctx)
    doc = copy.deepcopy(stored.document)
    for area in doc["areas"]:
        area["price"] = f"{Decimal(area['price']) * Decimal('1.05'):.2f}"
    started = time.perf_counter()
    plan = price_lists.replace_price_list(
        ctx, document.from_plain(doc), expected_version=stored.info.version, by="bench", dry_run=True
    )
    result = price_changes.preview(ctx, plan)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=10_000)
    parser.add_argument("--postgresql", action="store_true", help="on a throw-away PostgreSQL cluster instead of SQLite")
    args = parser.parse_args()
    cluster = None
    if args.postgresql:
        from tests.pg_cluster import ThrowawayCluster

        cluster = ThrowawayCluster()
        cluster.start()
        url = cluster.create_database("quoteapi_bench_dry_run")
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='quoteapi-bench-')) / 'dry-run.sqlite3'}"
    try:
        ctx = Context.build(url, price_list_check_seconds=0.0)
        upgrade(ctx.database)
        price_lists.seed_demo(ctx)
        took = store_open_quotes(ctx, args.quotes)
        print(f"{platform.python_implementation()} {platform.python_version()}, {url.split(':')[0]}")
        print(f"stored {args.quotes} open quotes in {took:.1f} s")
        figures = [dry_run(ctx) for _ in range(3)]
        seconds = [s for s, _ in figures]
        impact = figures[-1][1].impact
        print(f"dry run with {impact.open_quotes} open quotes: best {min(seconds):.2f} s, "
              f"worst {max(seconds):.2f} s of {len(seconds)}")
        print(f"  dearer {impact.dearer}, cheaper {impact.cheaper}, unchanged {impact.unchanged}, "
              f"difference {impact.difference_total} TRY, unpriced {impact.unpriced_count}")
        ctx.database.dispose()
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
