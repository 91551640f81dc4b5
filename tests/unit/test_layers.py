"""The layers of docs/architecture.md hold: the contracts in .importlinter pass."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# Reads no date: left out of make test's second run at a moved moment (tests/moment.py).
pytestmark = pytest.mark.clockless

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Four contracts, each checked: a renamed or dropped contract must not pass silently.
    assert result.stdout.count(" KEPT") == 4, result.stdout
    assert "The edges never import each other" in result.stdout


def test_a_broken_layer_is_reported(tmp_path):
    """The checker really looks: a contract forbidding what the API does import is broken."""
    config = tmp_path / "contracts.ini"
    config.write_text(
        "[importlinter]\nroot_package = quoteapi\n\n"
        "[importlinter:contract:upside-down]\nname = upside down\ntype = forbidden\n"
        "source_modules =\n    quoteapi.api\nforbidden_modules =\n    quoteapi.services\n"
    )
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(config), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "upside down BROKEN" in result.stdout
