"""Redocly CLI lints the description the app serves: 0 errors, 0 warnings (issue 31).

Redocly CLI is the npm package pinned in tools/package-lock.json (`make test` installs it with
Lighthouse, into tools/node_modules); its rules are tools/redocly.yaml, the recommended set with
the two decisions written there. Its telemetry and update check are turned off.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from quoteapi import create_app

from ..conftest import TEST_SETTINGS

# Reads no date: left out of make test's second run at a moved moment (tests/moment.py).
pytestmark = pytest.mark.clockless

ROOT = Path(__file__).resolve().parents[2]
REDOCLY = ROOT / "tools" / "node_modules" / "@redocly" / "cli" / "bin" / "cli.js"
CONFIG = ROOT / "tools" / "redocly.yaml"
NODE = shutil.which("node")


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("redocly")
    app = create_app({"DATABASE_URL": f"sqlite:///{out / 'unused.sqlite3'}", **TEST_SETTINGS},
                     environ={"QUOTEAPI_ENV": "testing"})
    response = app.test_client().get("/api/openapi.json")
    app.extensions["quoteapi"].database.dispose()
    assert response.status_code == 200
    path = out / "openapi.json"
    path.write_bytes(response.get_data())
    return path


def test_redocly_lint_finds_no_error_and_no_warning(served):
    if NODE is None or not REDOCLY.exists():
        pytest.skip("Redocly CLI is not installed: `make tools` (npm, Debian package npm) installs it into tools/node_modules")
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}
    result = subprocess.run(
        [NODE, str(REDOCLY), "lint", "--config", str(CONFIG), "--format", "json", str(served)],
        capture_output=True, text=True, timeout=180, env=env, cwd=served.parent,
    )
    report = json.loads(result.stdout[result.stdout.index("{"):])
    problems = [f"{p['severity']} {p['ruleId']}: {p['message']} at {p['location'][0]['pointer']}" for p in report["problems"]]
    assert report["totals"]["errors"] == 0 and report["totals"]["warnings"] == 0, "\n".join(problems)
    assert result.returncode == 0, result.stderr


def test_the_rules_are_the_recommended_ones_with_the_decisions_written_down():
    text = CONFIG.read_text()
    assert "- recommended" in text
    # Each rule switched off says why, in a comment just above it.
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip().endswith(": off"):
            assert lines[i - 1].lstrip().startswith("#"), line
