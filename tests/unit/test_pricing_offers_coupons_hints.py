"""Pricing rules version 2: bounded dates, explanations, offers, coupons, hints, maintenance.

Figures by hand, as in test_pricing_examples.py: Kadikoy face is 4000.00 a
session (factor 1.00, aesthetician), tiers 3+ 10 %, 6+ 15 %, 10+ 20 %.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from quoteapi.domain.pricing import EstimateInvalid, price
from quoteapi.domain.pricing.model import CouponStatus, Offer
from quoteapi.domain.text import ENGLISH

from .builders import ask, campaign, demo, with_changes

D = Decimal
DEMO = demo()
TODAY = date(2026, 11, 24)


def problems(request, today=TODAY, price_list=DEMO):
    with pytest.raises(EstimateInvalid) as info:
        price(price_list, request, today)
    return {path: [str(m) for m in messages] for path, messages in info.value.errors.items()}


# --- start dates -----------------------------------------------------------------


def test_no_start_date_means_today():
    e = price(DEMO, replace(ask(), start_date=None), TODAY)
    assert e.start_date == TODAY and e.schedule == (TODAY,)


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (date(2026, 11, 23), "Must be today or later."),
        (date(2027, 11, 25), "Must be at most 365 days ahead."),  # 366 days
        (date(9999, 12, 31), "Must be at most 365 days ahead."),
    ],
)
def test_start_dates_outside_today_to_a_year_ahead_are_refused(start, message):
    assert problems(ask(start=start)) == {"start_date": [message]}


def test_the_last_day_of_the_window_is_priced():
    assert price(DEMO, ask(start=date(2027, 11, 24)), TODAY).start_date == date(2027, 11, 24)
    assert price(DEMO, ask(start=TODAY), TODAY).start_date == TODAY


def test_a_replay_without_today_never_overflows():
    # Without `today` (replaying a stored quote) no window applies, but a date
    # whose session plan would leave the calendar is refused, not a crash.
    assert set(problems(ask(start=date(9999, 12, 31), sessions=24), today=None)) == {"start_date"}


def test_an_ended_campaign_cannot_be_had_with_a_past_date():
    # SUMMER-SPF ran 2026-06-01..08-31 (20 % off).
    assert set(problems(ask(start=date(2026, 7, 1)))) == {"start_date"}


# --- maintenance -----------------------------------------------------------------------


def test_maintenance_is_a_calendar_year_after_the_last_session():
    e = price(DEMO, ask(start=date(2027, 3, 1), sessions=1), None)
    assert "(the first around 2028-03-01)" in str(e.advice[-1])


def test_maintenance_after_29_february_is_28_february():
    e = price(DEMO, ask(start=date(2028, 2, 29), sessions=1), None)
    assert "(the first around 2029-02-28)" in str(e.advice[-1])


# --- basis -----------------------------------------------------------------------------------


def test_every_line_says_how_it_came_about():
    # Nisantasi x1.20: face 4000 -> 4800; back 1800 cm2 (ref 1500, 2.50/cm2): (5500 + 300*2.50)*1.20 = 7500
    e = price(DEMO, ask(clinic="ist-nisantasi", areas=("face", ("acne-scars-back", "1800")), level="dermatologist",
                        products=("hyaluronic-acid",), sessions=3), TODAY)
    basis = {line.kind.value + (":" + line.code if line.code else ""): str(line.basis) for line in e.lines}
    assert basis["area:face"] == "4000.00 × 1.20"
    assert basis["area:acne-scars-back"] == "(5500.00 + 300 cm² × 2.50) × 1.20"
    # combination: 20 % of every area but the largest (the smaller of the two)
    smaller = min(line.unit_price for line in e.lines if line.kind.value == "area")
    assert basis["combination_discount"] == f"{smaller:.2f} × 20 % (every area but the largest)"
    assert basis["specialist:dermatologist"].endswith("× (1.40 − 1)")
    assert basis["session_discount"].endswith(" × 10 %")


# --- offers and coupons ------------------------------------------------------------------------


def test_a_coupon_that_applies_says_so():
    # FRIEND10: stackable 10 %; Kadikoy face x1 = 4000 -> 400.00 off
    e = price(DEMO, ask(coupon="friend10"), TODAY)
    assert e.applied_campaigns == ("FRIEND",)
    assert (e.coupon.code, e.coupon.status) == ("friend10", CouponStatus.APPLIED)
    assert str(e.coupon.reason) == "Bring a friend: 400.00 off."
    assert e.offers == (Offer(("FRIEND",), D("400.00"), True),)


def test_unknown_and_ended_codes_read_the_same():
    unknown = price(DEMO, ask(coupon="NOPE"), TODAY).coupon
    ended = price(DEMO, ask(coupon="FRIEND10", start=date(2027, 11, 24)), TODAY)
    ended = price(with_changes(DEMO, campaigns=tuple(
        replace(c, ends_on=date(2027, 1, 31)) if c.code == "FRIEND" else c for c in DEMO.campaigns
    )), ask(coupon="FRIEND10", start=date(2027, 2, 1)), TODAY).coupon
    assert unknown.status == ended.status == CouponStatus.INVALID
    assert str(unknown.reason) == str(ended.reason)


def test_a_coupon_beaten_by_a_larger_offer_names_both():
    # Kadikoy face x3 on 2026-12-05: 12000 - 10 % = 10800.
    # Stacked FRIEND 10 % = 1080.00; WINTER-RENEWAL alone 15 % = 1620.00 wins.
    e = price(DEMO, ask(sessions=3, coupon="FRIEND10", start=date(2026, 12, 5)), TODAY)
    assert e.applied_campaigns == ("WINTER-RENEWAL",)
    assert e.offers == (
        Offer(("FRIEND",), D("1080.00"), False),
        Offer(("WINTER-RENEWAL",), D("1620.00"), True),
    )
    assert e.coupon.status is CouponStatus.NOT_APPLIED
    assert str(e.coupon.reason) == "Another offer gives more: WINTER-RENEWAL saves 1,620.00, the code 1,080.00."


def test_a_coupon_whose_condition_is_not_met_names_it():
    vip = campaign("VIP", ("percent", "5"), coupon="VIP5", min_sessions=3)
    e = price(with_changes(DEMO, campaigns=(vip,)), ask(coupon="VIP5"), TODAY)
    assert e.coupon.status is CouponStatus.NOT_APPLIED
    assert str(e.coupon.reason) == "This code needs a course of at least 3 sessions."
    elsewhere = replace(vip, min_sessions=1, clinics=("ank-cankaya",))
    e = price(with_changes(DEMO, campaigns=(elsewhere,)), ask(coupon="VIP5"), TODAY)
    assert str(e.coupon.reason) == "This code is not valid at the chosen clinic."
    needs_neck = replace(vip, min_sessions=1, required_areas=("neck",))
    e = price(with_changes(DEMO, campaigns=(needs_neck,)), ask(coupon="VIP5"), TODAY)
    assert str(e.coupon.reason) == "This code needs these areas in the course: Neck."


def test_no_coupon_no_outcome():
    assert price(DEMO, ask(), TODAY).coupon is None


# --- hints -----------------------------------------------------------------------------------------


def test_hints_show_longer_courses_that_cost_less_per_session():
    # x2 = 8000, 4000 a session; x3..x5 = 3600 a session (tier 10 %): 400.00 less each
    e = price(DEMO, ask(sessions=2), TODAY)
    assert [(h.sessions, h.total, h.per_session) for h in e.hints] == [
        (3, D("10800.00"), D("3600.00")),
        (4, D("14400.00"), D("3600.00")),
        (5, D("18000.00"), D("3600.00")),
    ]
    assert str(e.hints[0].text) == "3 sessions: 400.00 less per session."


def test_a_hint_says_when_a_longer_course_costs_less_in_total():
    # Cankaya face x3 = 9720.00 (3240 a session); x4 with four-for-three = 9720.00 too (2430 a session)
    e = price(DEMO, ask(clinic="ank-cankaya", sessions=3), TODAY)
    four = next(h for h in e.hints if h.sessions == 4)
    assert four.total == D("9720.00") and four.per_session == D("2430.00")
    assert str(four.text) == "4 sessions: 810.00 less per session."
    cheaper = with_changes(DEMO, campaigns=(campaign("TWO-FREE", ("free_sessions", "2"), min_sessions=4),))
    e = price(cheaper, ask(sessions=3), TODAY)
    # x3 = 10800 (3600 a session); x4: 16000 - 1600 = 14400, two free sessions = 14400 * 2 / 4 = 7200
    # -> 7200.00 in total, 1800.00 a session: 1800.00 less a session, 3600.00 less in total
    four = next(h for h in e.hints if h.sessions == 4)
    assert str(four.text) == "4 sessions: 1,800.00 less per session, and 3,600.00 less in total."


def test_no_hints_past_24_sessions():
    assert price(DEMO, ask(sessions=24), TODAY).hints == ()


def test_texts_render_as_strings_in_english():
    e = price(DEMO, ask(sessions=2, client=None), TODAY)
    assert ENGLISH.render(e.hints[0].text) == str(e.hints[0].text)
