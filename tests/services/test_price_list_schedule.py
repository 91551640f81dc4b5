"""The price-list cache and scheduled versions (issue 10): a worker switches at the scheduled moment even
when its regular check is far away, and a used-up campaign leaves what it hands to pricing."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from quoteapi.adapters.db.migrate import upgrade
from quoteapi.adapters.db.models import CampaignUses
from quoteapi.services import price_lists
from quoteapi.services.context import Context

from .conftest import TODAY


def with_face_price(price_list, price: str):
    areas = tuple(replace(a, price=Decimal(price)) if a.code == "face" else a for a in price_list.areas)
    return replace(price_list, areas=areas)


def test_a_worker_switches_at_the_scheduled_moment_whatever_its_interval(tmp_path):
    url = f"sqlite:///{tmp_path}/q.sqlite3"
    writer = Context.build(url, price_list_check_seconds=0.0)
    upgrade(writer.database)
    price_lists.seed_demo(writer)
    # Another worker, checking the database only once an hour.
    worker = Context.build(url, price_list_check_seconds=3600.0)
    worker.clock = writer.clock = lambda: TODAY
    first = worker.price_lists.current()
    assert first.version == 1
    at = datetime.now(UTC) + timedelta(seconds=1.0)
    info = price_lists.replace_price_list(writer, with_face_price(first, "4400"), expected_version=1, by="ada",
                                          effective_from=at)
    assert (info.version, info.state) == (2, "scheduled")
    # The hourly worker has not looked since; the scheduled moment it learns of at its next check.
    worker.price_lists.invalidate()
    assert worker.price_lists.current().version == 1
    time.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()) + 0.05)
    assert worker.price_lists.current().version == 2
    assert worker.price_lists.current().area_by_code["face"].price == Decimal("4400")
    writer.database.dispose()
    worker.database.dispose()


def test_used_up_campaigns_are_left_out_of_what_pricing_gets(ctx):
    full = ctx.price_lists.in_force(fresh=True)
    friend = next(c for c in full.campaigns if c.code == "FRIEND")
    assert friend.max_uses == 500
    with ctx.database.transaction() as session:
        session.add(CampaignUses(code="FRIEND", uses=499))
    assert "FRIEND" in {c.code for c in ctx.price_lists.current(fresh=True).campaigns}
    with ctx.database.transaction() as session:
        session.get(CampaignUses, "FRIEND").uses = 500
    assert "FRIEND" not in {c.code for c in ctx.price_lists.current(fresh=True).campaigns}
    assert "FRIEND" in {c.code for c in ctx.price_lists.in_force(fresh=True).campaigns}


def test_a_first_list_scheduled_into_an_empty_database_is_scheduled_not_current(tmp_path):
    ctx = Context.build(f"sqlite:///{tmp_path}/q.sqlite3", price_list_check_seconds=0.0)
    upgrade(ctx.database)
    price_lists.seed_demo(ctx)
    demo = ctx.price_lists.current()
    empty = Context.build(f"sqlite:///{tmp_path}/empty.sqlite3", price_list_check_seconds=0.0)
    upgrade(empty.database)
    at = datetime.now(UTC) + timedelta(days=1)
    info = price_lists.replace_price_list(empty, demo, expected_version=None, by="ada", effective_from=at)
    assert (info.version, info.state) == (1, "scheduled")
    assert price_lists.current_version(empty) is None
    assert [v.state for v in price_lists.list_versions(empty)] == ["scheduled"]
    ctx.database.dispose()
    empty.database.dispose()
