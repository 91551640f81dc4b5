"""The engine and the plain form answer byte for byte what they answered before the performance pass.

tests/unit/golden/estimates.json holds 300 varied requests (the demo list and
eight generated ones: measured sizes, coupons, manual discounts, campaigns of
every kind, dates around their bounds, invalid requests) with digests of
``orjson.dumps(estimate_to_plain(...))`` in Turkish and English, or the
errors, as the engine of commit 6a9ff0b wrote them (see make_estimates.py
in that folder).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from quoteapi.domain.price_list import from_plain
from quoteapi.domain.pricing.plain import request_from_plain

from .builders import demo
from .golden.make_estimates import answer

GOLDEN = json.loads((Path(__file__).resolve().parent / "golden" / "estimates.json").read_text("utf-8"))
LISTS = {"demo": demo(), **{name: from_plain(doc, version=1) for name, doc in GOLDEN["lists"].items()}}
CASES = GOLDEN["cases"]


def test_the_golden_cases_are_varied():
    assert len(CASES) == 300
    assert sum("errors" in case for case in CASES) >= 20
    assert sum(bool(case["request"].get("manual_discount")) for case in CASES) >= 50
    assert len({case["list"] for case in CASES}) == len(LISTS)


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case['list']}-{case['request']['sessions']}")
def test_the_same_answer_as_before(case):
    today = None if case["today"] is None else date.fromisoformat(case["today"])
    expected = {k: v for k, v in case.items() if k not in ("list", "today", "request")}
    assert answer(LISTS[case["list"]], request_from_plain(case["request"]), today) == expected
