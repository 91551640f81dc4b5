"""The `quoteapi` command, run in-process through Flask's CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from quoteapi.services import price_lists

from ..days import day, iso


def test_a_bad_setting_is_one_clear_line_not_a_traceback(tmp_path):
    env = {**os.environ, "QUOTEAPI_DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}", "QUOTEAPI_RETENTION_DAYS": "0"}
    done = subprocess.run([sys.executable, "-c", "from quoteapi.app import main; main()", "maintenance"],
                          cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == "Error: QUOTEAPI_RETENTION_DAYS must be at least 1"


def test_users_create_prints_the_token_alone_as_the_last_line(app, client):
    result = app.test_cli_runner().invoke(args=["users", "create", "desk", "--role", "sales"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("qa_") and " " not in token
    # A sales token reads no admin data, but it is a valid token (403, not 401).
    r = client.get("/api/v1/admin/price-list", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403


def test_users_create_twice_and_revoke(app, client):
    runner = app.test_cli_runner()
    token = runner.invoke(args=["users", "create", "boss", "--role", "admin"]).output.strip().splitlines()[-1]
    again = runner.invoke(args=["users", "create", "boss", "--role", "admin"])
    assert again.exit_code == 1 and "already exists" in again.output
    last = runner.invoke(args=["users", "revoke", "boss"])
    assert last.exit_code == 1 and "last active admin" in last.output  # nobody could manage users then
    runner.invoke(args=["users", "create", "deputy", "--role", "admin"])
    assert runner.invoke(args=["users", "revoke", "boss"]).exit_code == 0
    assert client.get("/api/v1/admin/price-list", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert runner.invoke(args=["users", "revoke", "boss"]).exit_code == 1
    bad_role = runner.invoke(args=["users", "create", "eve", "--role", "root"])
    assert bad_role.exit_code == 2


def test_seed_demo_only_into_an_empty_database(app):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code == 1
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0


def test_db_upgrade_is_idempotent(app):
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output


def test_estimate_prints_a_table(app, ctx):
    ctx.clock = lambda: day(-7)  # a day without campaigns at Nişantaşı: WINTER-RENEWAL starts on TODAY
    result = app.test_cli_runner().invoke(
        args=["estimate", "--clinic", "ist-nisantasi", "--area", "face", "--area", "neck:260",
              "--product", "ha", "--level", "nurse", "--sessions", "4", "--start-date", iso(-7)]
    )
    assert result.exit_code == 0, result.output
    # face 4800.00 + neck 2200*1.2 = 2640.00 (260 cm2, extra price 0); combo 528.00;
    # nurse (7440 - 528) * 0.15 = 1036.80; HA 1080.00; S = 9028.80; course 36115.20;
    # tier 10% = 3611.52; net 32503.68
    assert "Hyaluronic acid serum" in result.output
    assert "Neck, 260 cm²" in result.output
    assert "32503.68" in result.output
    lines = result.output.splitlines()
    assert any(line.startswith("Total") and line.endswith("32503.68") for line in lines)


def test_estimate_reports_bad_options(app):
    result = app.test_cli_runner().invoke(
        args=["estimate", "--clinic", "paris", "--area", "elbow", "--level", "nurse", "--sessions", "40"]
    )
    assert result.exit_code == 1
    assert "clinic" in result.output and "areas.0.code" in result.output and "sessions" in result.output


def test_export_then_import_round_trips(app, database, tmp_path, ctx):
    runner = app.test_cli_runner()
    for suffix in (".json", ".yaml"):
        path = tmp_path / f"prices{suffix}"
        assert runner.invoke(args=["price-list", "export", str(path)]).exit_code == 0
        before = price_lists.get_document(ctx).document
        loaded = json.loads(path.read_text()) if suffix == ".json" else yaml.safe_load(path.read_text())
        assert loaded == before
        result = runner.invoke(args=["price-list", "import", str(path)])
        assert result.exit_code == 0, result.output
        stored = price_lists.get_document(ctx)
        info, after = stored.info, stored.document
        assert after == before and info.version == 1
        assert "holds no changes" in result.output


def test_import_with_errors_changes_nothing(app, database, tmp_path, ctx):
    doc = price_lists.get_document(ctx).document
    doc["areas"][0]["price"] = "-5"
    doc["session_tiers"].append({"min_sessions": 3, "discount_percent": "12"})
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc))
    result = app.test_cli_runner().invoke(args=["price-list", "import", str(path)])
    assert result.exit_code == 1
    assert "areas.0.price" in result.output
    assert price_lists.current_version(ctx).version == 1
