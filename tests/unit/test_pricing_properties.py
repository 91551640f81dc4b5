"""Hypothesis properties: the invariants of pricing-rules.md for any valid price list."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteapi.domain.pricing import price
from quoteapi.domain.price_list import validate

from .strategies import price_lists, priced

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

CENT = Decimal("0.01")
FAST = settings(max_examples=300, deadline=None)


def money_figures(e):
    yield from (e.subtotal, e.discount_total, e.net, e.tax_total, e.total, e.per_session)
    for line in e.lines:
        yield line.unit_price
        yield line.amount


@FAST
@given(price_lists())
def test_generated_price_lists_are_valid(price_list):
    validate(price_list)  # raises PriceListInvalid otherwise


@FAST
@given(priced())
def test_invariants_of_every_estimate(case):
    price_list, request = case
    e = price(price_list, request)
    for line in e.lines:
        assert line.amount == line.unit_price * line.quantity
    assert e.net == sum((line.amount for line in e.lines), Decimal(0))
    assert e.subtotal == sum((line.amount for line in e.lines if line.amount > 0), Decimal(0))
    assert e.discount_total == -sum((line.amount for line in e.lines if line.amount < 0), Decimal(0))
    assert e.net == e.subtotal - e.discount_total
    rate = e.tax_rate
    if price_list.clinic_by_code[request.clinic].prices_include_tax:
        assert e.tax_total == (e.net * rate / (1 + rate)).quantize(CENT, ROUND_HALF_UP)
        assert e.total == e.net
    else:
        assert e.tax_total == (e.net * rate).quantize(CENT, ROUND_HALF_UP)
        assert e.total == e.net + e.tax_total
    assert e.per_session == (e.total / request.sessions).quantize(CENT, ROUND_HALF_UP)
    assert all(figure.as_tuple().exponent >= -2 for figure in money_figures(e))
    assert e.total >= 0 and e.net >= 0
    assert all(line.amount != 0 for line in e.lines if line.kind.value not in ("area", "product"))


@FAST
@given(priced())
def test_lines_come_in_the_contract_order(case):
    price_list, request = case
    order = ["area", "combination_discount", "specialist", "product", "session_discount", "campaign"]
    kinds = [line.kind.value for line in price(price_list, request).lines]
    assert kinds == sorted(kinds, key=order.index)
    assert [line.code for line in price(price_list, request).lines if line.kind.value == "area"] == [a.code for a in request.areas]


@FAST
@given(priced())
def test_schedule_and_determinism(case):
    price_list, request = case
    e = price(price_list, request)
    assert e == price(price_list, request)
    assert len(e.schedule) == request.sessions and e.schedule[0] == request.start_date
    step = timedelta(days=price_list.session_interval_days)
    assert all(b - a == step for a, b in zip(e.schedule, e.schedule[1:]))


@FAST
@given(priced(with_campaigns=False, sessions=st.integers(1, 23)))
def test_adding_a_session_never_lowers_the_total(case):
    """Holds for every valid price list without campaigns (the tier rule's promise).

    With campaigns the policy promises no such thing: a campaign whose
    min_sessions is n + 1 (or a free session that starts at 2) can make the
    longer course cheaper, and price-list.md does not forbid it.
    """
    price_list, request = case
    shorter = price(price_list, request)
    longer = price(price_list, replace(request, sessions=request.sessions + 1))
    assert longer.total >= shorter.total


@FAST
@given(priced())
def test_a_coupon_never_raises_the_total(case):
    """More eligible campaigns can only add candidates, and each discount step only lowers the base."""
    price_list, request = case
    without = price(price_list, replace(request, coupon=None))
    for coupon in ("SAVE", "friend10", "vip"):
        assert price(price_list, replace(request, coupon=coupon)).total <= without.total


@FAST
@given(priced())
def test_campaign_lines_match_applied_campaigns(case):
    price_list, request = case
    e = price(price_list, request)
    assert [line.code for line in e.lines if line.kind.value == "campaign"] == list(e.applied_campaigns)
    assert all(line.quantity == 1 for line in e.lines if line.kind.value in ("campaign", "session_discount"))


@FAST
@given(priced())
def test_a_hint_is_what_an_estimate_with_that_many_sessions_answers(case):
    price_list, request = case
    e = price(price_list, request)
    for hint in e.hints:
        longer = price(price_list, replace(request, sessions=hint.sessions))
        assert (hint.total, hint.per_session) == (longer.total, longer.per_session)
        assert hint.per_session <= e.per_session * Decimal("0.99")
        assert request.sessions < hint.sessions <= min(request.sessions + 3, 24)


@FAST
@given(priced())
def test_offers_explain_the_campaigns_applied(case):
    price_list, request = case
    e = price(price_list, request)
    chosen = [o for o in e.offers if o.chosen]
    campaign_total = -sum((line.amount for line in e.lines if line.kind.value == "campaign"), Decimal(0))
    if e.applied_campaigns:
        assert len(chosen) == 1 and chosen[0].discount == campaign_total
        assert set(e.applied_campaigns) <= set(chosen[0].campaigns)
        assert all(o.discount <= chosen[0].discount for o in e.offers)
    else:
        assert chosen == [] and all(o.discount == 0 for o in e.offers)


@FAST
@given(priced())
def test_every_line_explains_itself(case):
    price_list, request = case
    for line in price(price_list, request).lines:
        assert str(line.basis)


@FAST
@given(priced())
def test_every_longer_course_cheaper_per_session_is_hinted(case):
    price_list, request = case
    e = price(price_list, request)
    hinted = {h.sessions for h in e.hints}
    for m in range(request.sessions + 1, min(request.sessions + 3, 24) + 1):
        longer = price(price_list, replace(request, sessions=m))
        assert (m in hinted) == (e.per_session > 0 and longer.per_session <= e.per_session * Decimal("0.99"))
