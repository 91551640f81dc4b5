"""A discount line's amount is what its basis says, worked out from the basis's own figures.

Step 8 (campaigns) and step 8b (the manual discount) write each benefit as an
amount and a basis such as ``4200.00 × 10 %``, ``150.00 off, capped at 90.00``
or ``2 sessions of 8400.00 / 6``. Here the basis is read back and priced by
pricing-rules.md, without the engine: the two must agree, and a cap is said
exactly when the formula gives more than the line takes off.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteapi.domain.pricing import price
from quoteapi.domain.pricing.model import LineKind, ManualDiscount

from .builders import ask, campaign, demo, with_changes
from .strategies import decimals, priced

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

CENT = Decimal("0.01")


def rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def formula(basis) -> Decimal:
    """What a (not capped) basis comes to, by the rules."""
    v = basis.values
    if basis.msgid == "{base} × {percent} %":
        return rounded(Decimal(v["base"]) * Decimal(v["percent"]) / 100)
    if basis.msgid == "{amount} off":
        return Decimal(v["amount"])
    if basis.msgid == "1 session of {course} / {n}":
        return rounded(Decimal(v["course"]) / v["n"])
    assert basis.msgid == "{count} sessions of {course} / {n}", basis.msgid
    assert 1 < v["count"] < v["n"]
    return rounded(Decimal(v["course"]) * v["count"] / v["n"])


def assert_told_by_basis(line) -> None:
    off = -line.amount
    assert off > 0
    if line.basis.msgid == "{basis}, capped at {cap}":
        assert Decimal(line.basis.values["cap"]) == off
        assert formula(line.basis.values["basis"]) > off
    else:
        assert formula(line.basis) == off


manual_discounts = st.none() | st.builds(
    ManualDiscount, reason=st.just("r"), percent=decimals("0.01", "100", 2)
) | st.builds(ManualDiscount, reason=st.just("r"), amount=decimals("0.01", "100000", 2))


@settings(max_examples=400, deadline=None)
@given(priced(), manual_discounts)
def test_every_discount_line_is_what_its_basis_says(case, manual):
    price_list, request = case
    e = price(price_list, replace(request, manual_discount=manual))
    for line in e.lines:
        if line.kind in (LineKind.CAMPAIGN, LineKind.MANUAL_DISCOUNT):
            assert_told_by_basis(line)
    applied = [line for line in e.lines if line.kind is LineKind.CAMPAIGN]
    assert tuple(line.code for line in applied) == e.applied_campaigns
    chosen = [o for o in e.offers if o.chosen]
    assert sum((-line.amount for line in applied), Decimal(0)) == (chosen[0].discount if chosen else 0)


def test_each_kind_and_its_cap():
    """One of each benefit, capped and not, on the demo list."""
    free = campaign("FREE", ("free_sessions", "2"), stackable=True, priority=1)
    half = campaign("HALF", ("percent", "50"), stackable=True, priority=2)
    fixed = campaign("BIG", ("fixed", "999999.00"), stackable=True, priority=3)
    e = price(with_changes(demo(), campaigns=(free, half, fixed)), ask(sessions=6))
    bases = {line.code: line.basis for line in e.lines if line.kind is LineKind.CAMPAIGN}
    assert bases["FREE"].msgid == "{count} sessions of {course} / {n}"
    assert bases["HALF"].msgid == "{base} × {percent} %"
    assert bases["BIG"].msgid == "{basis}, capped at {cap}"
    assert bases["BIG"].values["basis"].msgid == "{amount} off"
    for line in e.lines:
        if line.kind is LineKind.CAMPAIGN:
            assert_told_by_basis(line)
    assert e.net == 0  # the fixed amount took what was left
    for manual in (ManualDiscount("r", percent=Decimal("12.5")), ManualDiscount("r", amount=Decimal(10000000))):
        e = price(demo(), replace(ask(sessions=3), manual_discount=manual))
        line = next(line for line in e.lines if line.kind is LineKind.MANUAL_DISCOUNT)
        assert_told_by_basis(line)
        assert e.manual_discount_base - (-line.amount) >= 0
