"""No test outside the pure engine's writes a calendar date: every date is laid relative to TODAY (tests/days.py).

A literal date in a test that runs the app is a bomb: the day the real clock
passes it, a start date becomes "in the past", a campaign ends, a quote
expires, and the suite fails whatever the change. This test reads the tests'
sources (string constants, ``date(...)`` and ``datetime(...)`` calls with a
literal year) and fails on any real calendar day. Invalid days written to be
refused (``2026-13-01``) are not days and pass, nor is ``9999-12-31``. The pure engine's unit tests
(tests/unit) may write dates, as they hand the engine a ``today`` of their own
and read no clock.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
EXEMPT = {TESTS / "unit"}
ISO = re.compile(r"(?<!\d)(\d{4})-(\d\d)-(\d\d)(?!\d)")
TURKISH = re.compile(r"(?<![\d.])(\d\d)\.(\d\d)\.(\d{4})(?![\d.])")
NUMBER = re.compile(r"Q-(20\d\d)-\d{6}")


def _is_day(year: str, month: str, day: str) -> bool:
    """A real day the clock may reach (not 9999-12-31, a bound no clock passes)."""
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return False
    return int(year) < 9000


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def calendar_dates(source: str) -> list[tuple[int, str]]:
    """(line, text) of every calendar day written in ``source``, docstrings left out."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            text = node.value
            days = [m[0] for m in ISO.finditer(text) if _is_day(m[1], m[2], m[3])]
            days += [m[0] for m in TURKISH.finditer(text) if _is_day(m[3], m[2], m[1])]
            days += [m[0] for m in NUMBER.finditer(text)]
            found += [(node.lineno, d) for d in days]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("date", "datetime"):
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, int):
                found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_finder_finds_what_it_should():
    source = 'X = "2026-12-05"\nY = date(2027, 1, 1)\nZ = "05.12.2026 Q-2026-000001 2026-13-01 9999-12-31"\nW = f"{TODAY:%Y}-01-01"\n'
    assert [d for _, d in calendar_dates(source)] == ["2026-12-05", "date(2027, 1, 1)", "05.12.2026", "Q-2026-000001"]


def test_no_test_that_runs_the_app_writes_a_calendar_date():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if any(folder in path.parents for folder in EXEMPT):
            continue
        offenders += [f"{path.relative_to(TESTS)}:{line}: {text}" for line, text in calendar_dates(path.read_text("utf-8"))]
    assert offenders == []
