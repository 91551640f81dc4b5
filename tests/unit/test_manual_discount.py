"""Pricing step 8b: the manual discount of a stored quote, as properties and examples."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteapi.domain.pricing import price
from quoteapi.domain.pricing.engine import manual_discount_over_limit
from quoteapi.domain.pricing.model import LineKind, ManualDiscount
from quoteapi.domain.pricing.plain import request_from_plain, request_to_plain

from .builders import ask, demo
from .strategies import priced

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

FAST = settings(max_examples=200, deadline=None)

percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
amounts = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
manuals = st.one_of(
    percents.map(lambda p: ManualDiscount("loyal customer", percent=p)),
    amounts.map(lambda a: ManualDiscount("loyal customer", amount=a)),
)


def manual_lines(e):
    return [line for line in e.lines if line.kind is LineKind.MANUAL_DISCOUNT]


@FAST
@given(priced(), manuals)
def test_a_manual_discount_never_raises_the_total_nor_makes_net_negative(case, manual):
    price_list, request = case
    without = price(price_list, request)
    with_ = price(price_list, replace(request, manual_discount=manual))
    assert with_.total <= without.total
    assert with_.net >= 0 and with_.total >= 0
    assert with_.net == sum((line.amount for line in with_.lines), Decimal(0))
    assert with_.discount_total == -sum((line.amount for line in with_.lines if line.amount < 0), Decimal(0))
    # Step 8b's base is what is left after step 8: the net without it.
    assert with_.manual_discount_base == without.net
    found = manual_lines(with_)
    assert len(found) <= 1
    if found:
        line = found[0]
        assert line.quantity == 1 and line.code is None and line.amount < 0 and line.amount == line.unit_price
        assert -line.amount <= without.net
        assert with_.net == without.net + line.amount
        assert with_.lines[-1] is line  # the manual discount comes last
        assert with_.lines[:-1] == without.lines
    else:
        assert with_.net == without.net


@FAST
@given(priced())
def test_zero_percent_changes_nothing(case):
    price_list, request = case
    without = price(price_list, request)
    with_ = price(price_list, replace(request, manual_discount=ManualDiscount("none", percent=Decimal("0"))))
    assert manual_lines(with_) == []
    assert (with_.lines, with_.net, with_.total, with_.tax_total, with_.hints) == (
        without.lines, without.net, without.total, without.tax_total, without.hints,
    )
    assert not with_.manual_discount_over_limit


@FAST
@given(priced(), percents)
def test_a_percentage_is_of_the_base_and_over_the_limit_only_above_it(case, p):
    price_list, request = case
    e = price(price_list, replace(request, manual_discount=ManualDiscount("why", percent=p)))
    base = e.manual_discount_base
    expected = min(base, (base * p / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"))
    given_ = -sum((line.amount for line in manual_lines(e)), Decimal(0))
    assert given_ == expected
    if p <= price_list.max_manual_discount_percent:
        assert not e.manual_discount_over_limit


def test_an_amount_is_capped_at_net_zero():
    price_list, request = demo(), ask(sessions=3)
    without = price(price_list, request)
    e = price(price_list, replace(request, manual_discount=ManualDiscount("staff", amount=Decimal("99999999.00"))))
    assert e.net == Decimal("0.00") and e.total == Decimal("0.00") and e.per_session == Decimal("0.00")
    (line,) = manual_lines(e)
    assert line.amount == -without.net
    assert "capped at" in str(line.basis.msgid)
    assert e.manual_discount_over_limit


def test_a_percentage_line_on_the_demo_list():
    # Kadikoy face 4000.00 × 1 session, aesthetician x1.00: base 4000.00; 12.5 % = 500.00, above 10 %.
    e = price(demo(), replace(ask(), manual_discount=ManualDiscount("loyal customer", percent=Decimal("12.5"))))
    (line,) = manual_lines(e)
    assert (line.quantity, line.unit_price, line.amount, line.code) == (1, Decimal("-500.00"), Decimal("-500.00"), None)
    assert e.net == Decimal("3500.00") and e.manual_discount_base == Decimal("4000.00")
    assert e.manual_discount_over_limit
    assert line.description.values["reason"] == "loyal customer"
    ten = price(demo(), replace(ask(), manual_discount=ManualDiscount("loyal", percent=Decimal("10"))))
    assert not ten.manual_discount_over_limit and ten.net == Decimal("3600.00")


def test_over_limit_is_measured_against_the_base():
    assert not manual_discount_over_limit(Decimal("100.00"), Decimal("1000.00"), Decimal("10"))
    assert manual_discount_over_limit(Decimal("100.01"), Decimal("1000.00"), Decimal("10"))
    assert not manual_discount_over_limit(Decimal("0.00"), Decimal("0.00"), Decimal("0"))
    assert manual_discount_over_limit(Decimal("0.01"), Decimal("1000.00"), Decimal("0"))


@given(manuals)
def test_the_inputs_keep_the_manual_discount_exactly(manual):
    from quoteapi.domain.pricing.model import AreaRequest, EstimateRequest

    request = EstimateRequest("ist", (AreaRequest("face"),), "standard", 6, manual_discount=manual)
    assert request_to_plain(request)["manual_discount"]["reason"] == "loyal customer"
    back = request_from_plain(request_to_plain(request))
    assert back.manual_discount == manual
    assert "manual_discount" not in request_to_plain(replace(request, manual_discount=None))
