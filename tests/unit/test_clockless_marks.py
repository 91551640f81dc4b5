"""A unit module marked clockless (left out of make test's run at a moved moment) reads no clock."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.clockless

UNIT = Path(__file__).resolve().parent
# What reads the real or the moved clock: the tests' TODAY, tests/days.py, the app's clock, the
# request bodies (their days are relative to TODAY), date.today() and datetime.now().
READS_A_CLOCK = re.compile(r"\bTODAY\b|\bdays import\b|from \.\.days|tests\.days|import clock|\bclock\.|bodies import|"
                           r"date\.today\(|datetime\.now\(|\.today\(\)")


def marked() -> list[Path]:
    return sorted(p for p in UNIT.glob("test_*.py")
                  if "pytestmark = pytest.mark.clockless" in p.read_text(encoding="utf-8") and p.name != Path(__file__).name)


def test_many_unit_modules_are_marked():
    assert len(marked()) >= 20


@pytest.mark.parametrize("path", marked(), ids=lambda p: p.name)
def test_a_clockless_module_reads_no_clock(path):
    found = READS_A_CLOCK.findall(path.read_text(encoding="utf-8"))
    assert found == [], f"{path.name} is marked clockless but reads a clock: {found}"
