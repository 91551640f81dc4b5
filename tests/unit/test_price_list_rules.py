"""The cross-field rules of price-list.md (quoteapi.domain.price_list)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from quoteapi.domain.price_list import describe, to_plain, validate
from quoteapi.domain.pricing import PriceListInvalid
from quoteapi.domain.pricing.model import SessionTier

from .builders import campaign, demo, with_changes

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

D = Decimal
DEMO = demo()


def problems(price_list) -> dict[str, list[str]]:
    with pytest.raises(PriceListInvalid) as caught:
        validate(price_list)
    return caught.value.errors


def test_the_demo_list_is_valid():
    validate(DEMO)


@pytest.mark.parametrize("name", ["clinics", "areas", "products", "specialist_levels", "campaigns"])
def test_codes_are_unique_in_each_list(name):
    items = getattr(DEMO, name)
    doubled = items + (items[0],)
    assert f"{name}.{len(items)}.code" in problems(with_changes(DEMO, **{name: doubled}))


@pytest.mark.parametrize("name", ["clinics", "areas", "specialist_levels"])
def test_at_least_one_clinic_area_and_level(name):
    broken = with_changes(DEMO, **{name: ()}, campaigns=())
    assert name in problems(broken)


def test_campaigns_name_only_existing_clinics_and_areas():
    c = campaign("X", ("percent", "10"), clinics=("ist-kadikoy", "paris"), required_areas=("elbow",))
    errors = problems(with_changes(DEMO, campaigns=(c,)))
    assert set(errors) == {"campaigns.0.clinics.1", "campaigns.0.required_areas.0"}


def test_campaign_dates_and_benefits():
    bad = (
        campaign("BACKWARDS", ("percent", "10"), starts_on=date(2027, 1, 2), ends_on=date(2027, 1, 1)),
        campaign("TOO-MUCH", ("percent", "100.01")),
        campaign("HALF-FREE", ("free_sessions", "1.5")),
        campaign("NONE-FREE", ("free_sessions", "0")),
        campaign("NO-SESSIONS", ("fixed", "10.00"), min_sessions=25),
    )
    errors = problems(with_changes(DEMO, campaigns=bad))
    assert set(errors) == {
        "campaigns.0.ends_on",
        "campaigns.1.benefit.value",
        "campaigns.2.benefit.value",
        "campaigns.3.benefit.value",
        "campaigns.4.min_sessions",
    }
    ok = campaign("ONE-DAY", ("percent", "100"), starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 1))
    validate(with_changes(DEMO, campaigns=(ok,)))


def test_tier_minimums_are_unique_and_in_range():
    tiers = (SessionTier(3, D("10")), SessionTier(3, D("12")), SessionTier(1, D("0")), SessionTier(25, D("30")))
    errors = problems(with_changes(DEMO, session_tiers=tiers))
    assert {"session_tiers.1.min_sessions", "session_tiers.2.min_sessions", "session_tiers.3.min_sessions"} <= set(errors)


def test_a_longer_course_may_not_cost_less():
    # 3 sessions at 0 %: 3.00; 4 sessions at 30 %: 4 * 0.70 = 2.80 < 3 -> refused
    errors = problems(with_changes(DEMO, session_tiers=(SessionTier(4, D("30")),)))
    assert "4 sessions would cost less than one of 3" in " ".join(map(str, errors["session_tiers"]))
    # 4 sessions at 25 %: 4 * 0.75 = 3.00 = 3 * 1.00 -> allowed (equal is fine)
    validate(with_changes(DEMO, session_tiers=(SessionTier(4, D("25")),)))
    # 10 sessions at 20 %: 10 * 0.80 = 8.00 < 9 * 1.00 -> refused
    assert "session_tiers" in problems(with_changes(DEMO, session_tiers=(SessionTier(10, D("20")),)))
    # A discount that drops again: 3 at 10 % (2.70 >= 2), 4 at 5 % (3.80 >= 2.70) -> allowed
    validate(with_changes(DEMO, session_tiers=(SessionTier(3, D("10")), SessionTier(4, D("5")))))


def test_summary_lists_what_changed():
    before = to_plain(DEMO)
    areas = (replace(DEMO.areas[0], price=D("4200.00")),) + DEMO.areas[1:]
    after = to_plain(with_changes(DEMO, areas=areas, products=DEMO.products[1:], combination_discount_percent=D("25")))
    text = describe(before, after)
    assert "areas.face.price 4000.00 → 4200.00" in text
    assert "products.numbing-cream removed" in text
    assert "combination_discount_percent 20 → 25" in text
    assert describe(before, before) == "No changes."
    assert describe(None, before) == "First price list."
    changed = campaign("FRIEND", ("percent", "12"), coupon="FRIEND10", stackable=True, priority=3)
    with_new = to_plain(with_changes(DEMO, campaigns=DEMO.campaigns[:3] + (changed,) + DEMO.campaigns[4:]))
    assert "campaigns.FRIEND.benefit.value 10 → 12" in describe(before, with_new)


def test_json_form_writes_money_with_two_decimals():
    doc = to_plain(with_changes(DEMO, products=(replace(DEMO.products[0], price=D("250")),)))
    assert doc["products"][0]["price"] == "250.00"
    assert doc["clinics"][0]["price_factor"] == "1.20"
    assert doc["campaigns"][2]["benefit"] == {"type": "free_sessions", "value": "1"}
    assert doc["campaigns"][1]["benefit"] == {"type": "fixed", "value": "500.00"}


def test_benefit_limits_depend_on_the_benefit_type():
    # The 100 cap is for percentages only; a whole number written with decimals is whole.
    fine = (
        campaign("BIG-FIXED", ("fixed", "150.00")),
        campaign("FIXED-OVER-100", ("fixed", "100.01")),
        campaign("THREE-FREE", ("free_sessions", "3")),
        campaign("TWO-FREE", ("free_sessions", "2.0")),
        campaign("ZERO-PCT", ("percent", "0")),
    )
    validate(with_changes(DEMO, campaigns=fine))
    assert set(problems(with_changes(DEMO, campaigns=fine + (campaign("PCT", ("percent", "100.01")),)))) == {
        "campaigns.5.benefit.value"
    }


def test_a_tier_discount_above_100_percent_is_refused():
    errors = problems(with_changes(DEMO, session_tiers=(SessionTier(3, D("100.5")),)))
    assert "session_tiers.0.discount_percent" in errors
    # Exactly 100 % is a percentage; it is refused only because 24 free sessions cost less than 23.
    at_most = problems(with_changes(DEMO, session_tiers=(SessionTier(24, D("100")),)))
    assert "session_tiers" in at_most and "session_tiers.0.discount_percent" not in at_most
