"""`quoteapi price-list import --dry-run / --effective-from` and `quoteapi price-list versions` (issue 10)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from quoteapi.adapters.db.models import AuditEntry, PriceListVersion
from quoteapi.services import price_lists

from ..bodies import SIMPLE_ESTIMATE
from ..days import iso


def count(database, model) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def changed_file(ctx, tmp_path, price: str = "2420.00"):
    doc = price_lists.get_document(ctx).document
    next(a for a in doc["areas"] if a["code"] == "neck")["price"] = price
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(doc))
    return path


def test_import_dry_run_prints_the_impact_and_stores_nothing(app, client, ctx, database, tmp_path, sales_headers):
    body = {**SIMPLE_ESTIMATE, "start_date": iso(9), "customer": {"name": "Cli", "email": "cli@example.com"}}
    quote = client.post("/api/v1/quotes", json=body, headers=sales_headers).get_json()
    audits = count(database, AuditEntry)
    result = app.test_cli_runner().invoke(args=["price-list", "import", str(changed_file(ctx, tmp_path)), "--dry-run"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "nothing was stored" in out
    assert "It would become version 2, in force at once: areas.neck.price 2200.00 → 2420.00" in out
    assert "Open quotes: 1 (dearer 1, cheaper 0, unchanged 0, cannot be priced 0); difference +220.00" in out
    row = next(line for line in out.splitlines() if line.startswith(quote["number"]))
    assert row.split() == [quote["number"], "ist-kadikoy", "2200.00", "2420.00", "+220.00"]
    assert any(line.split() == ["ist-kadikoy", "neck", "2200.00", "2420.00"] for line in out.splitlines())
    assert count(database, PriceListVersion) == 1 and count(database, AuditEntry) == audits


def test_import_dry_run_of_an_invalid_file_fails(app, ctx, database, tmp_path):
    doc = price_lists.get_document(ctx).document
    doc["session_tiers"] = [{"min_sessions": 3, "discount_percent": "60"}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    result = app.test_cli_runner().invoke(args=["price-list", "import", str(path), "--dry-run"])
    assert result.exit_code == 1
    assert "session_tiers" in result.output
    assert count(database, PriceListVersion) == 1


def test_import_scheduled_then_versions(app, ctx, tmp_path):
    runner = app.test_cli_runner()
    at = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    result = runner.invoke(args=["price-list", "import", str(changed_file(ctx, tmp_path)), "--effective-from", at.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Scheduled ") and "as version 2 from" in result.output
    assert price_lists.current_version(ctx).version == 1
    bad = runner.invoke(args=["price-list", "import", str(changed_file(ctx, tmp_path)), "--effective-from", iso(31)])  # a day, no offset
    assert bad.exit_code == 2 and "offset" in bad.output

    result = runner.invoke(args=["price-list", "versions"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["version", "effective_from", "state", "by", "summary"]
    assert lines[1].split()[:4] == ["2", at.isoformat(), "scheduled", "cli:" + lines[1].split()[3].split(":", 1)[1]]
    assert lines[1].endswith("areas.neck.price 2200.00 → 2420.00")
    assert lines[2].split()[:4] == ["1", lines[2].split()[1], "current", "seed-demo"]
