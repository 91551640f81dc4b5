"""Worked examples of pricing-rules.md, each figure computed by hand in a comment.

Demo clinics: ist-nisantasi x1.20, ist-kadikoy x1.00, ank-cankaya x0.90, all
with 20 % tax included. Unless said otherwise the start date is 2026-11-24,
when no campaign without a coupon runs at Kadikoy.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from quoteapi.domain.pricing import EstimateInvalid, price
from quoteapi.domain.pricing.model import Clinic, ClientAnswers, EligibilityStatus, LineKind, SessionTier

from .builders import ask, campaign, demo, with_changes

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

D = Decimal
DEMO = demo()
NO_CAMPAIGNS = with_changes(DEMO, campaigns=())


def amounts(estimate):
    return [(line.kind.value, line.code, line.quantity, str(line.unit_price), str(line.amount)) for line in estimate.lines]


def only(*campaigns):
    return with_changes(DEMO, campaigns=tuple(campaigns))


# --- areas, sizes and clinics -----------------------------------------------------


@pytest.mark.parametrize(
    ("clinic", "area", "unit"),
    [
        ("ist-kadikoy", "face", "4000.00"),  # 4000.00 * 1.00
        ("ist-nisantasi", "face", "4800.00"),  # 4000.00 * 1.20
        ("ank-cankaya", "under-eye", "1350.00"),  # 1500.00 * 0.90
        ("ank-cankaya", "hands", "1620.00"),  # 1800.00 * 0.90
    ],
)
def test_area_unit_price_per_clinic(clinic, area, unit):
    e = price(DEMO, ask(clinic=clinic, areas=(area,)))
    assert amounts(e) == [("area", area, 1, unit, unit)]
    assert str(e.total) == unit and str(e.net) == unit


def test_measured_size_above_reference_adds_the_extra_price():
    # scalp 500 cm2 ref, 2.00/cm2: (3200 + 37 * 2.00) * 1.20 = 3274 * 1.2 = 3928.80
    e = price(DEMO, ask(clinic="ist-nisantasi", areas=(("scalp", 537),)))
    assert e.lines[0].unit_price == D("3928.80")
    assert str(e.lines[0].description) == "Scalp, 537 cm²"
    assert str(e.lines[0].basis) == "(3200.00 + 37 cm² × 2.00) × 1.20"


def test_measured_size_rounds_half_up_once_at_the_end():
    # back 1500 cm2 ref, 2.50/cm2, size 1500.3: (5500 + 0.3 * 2.50) * 0.90 = 5500.75 * 0.9 = 4950.675 -> 4950.68
    e = price(DEMO, ask(clinic="ank-cankaya", areas=(("acne-scars-back", "1500.3"),)))
    assert e.lines[0].unit_price == D("4950.68")


def test_a_smaller_size_never_lowers_the_price():
    # max(0, 1000 - 1500) = 0: the reference price 5500.00
    e = price(DEMO, ask(areas=(("acne-scars-back", 1000),)))
    assert e.lines[0].unit_price == D("5500.00")


# --- combinations, specialists, products ---------------------------------------------


def test_combination_discount_with_three_areas():
    # A = 4000 + 2200 + 1800 = 8000, top 4000: combo = (8000 - 4000) * 20 % = 800.00
    # S = 7200.00; tax included = 7200 * 0.2 / 1.2 = 1200.00
    e = price(DEMO, ask(areas=("face", "neck", "hands")))
    assert amounts(e) == [
        ("area", "face", 1, "4000.00", "4000.00"),
        ("area", "neck", 1, "2200.00", "2200.00"),
        ("area", "hands", 1, "1800.00", "1800.00"),
        ("combination_discount", None, 1, "-800.00", "-800.00"),
    ]
    assert (e.subtotal, e.discount_total, e.net, e.tax_total, e.total) == (
        D("8000.00"), D("800.00"), D("7200.00"), D("1200.00"), D("7200.00"))


def test_one_area_has_no_combination_line():
    assert [line.kind for line in price(DEMO, ask(areas=("neck",))).lines] == [LineKind.AREA]


def test_nurse_surcharge_is_on_areas_after_the_combination_discount():
    # A = 6200, combo = 2200 * 20 % = 440.00, spec = (6200 - 440) * 0.15 = 864.00
    # S = 6200 - 440 + 864 = 6624.00; tax 6624 / 6 = 1104.00
    e = price(DEMO, ask(areas=("face", "neck"), level="nurse"))
    assert amounts(e)[2:] == [
        ("combination_discount", None, 1, "-440.00", "-440.00"),
        ("specialist", "nurse", 1, "864.00", "864.00"),
    ]
    assert e.total == D("6624.00") and e.tax_total == D("1104.00")


def test_products_are_applied_once_per_session_and_not_surcharged():
    # combo 440.00; dermatologist spec = 5760 * 0.40 = 2304.00; products 900 + 750 (once, not per area)
    # S = 6200 - 440 + 2304 + 1650 = 9714.00; two sessions: 19428.00 (no tier below 3)
    e = price(DEMO, ask(areas=("face", "neck"), level="dermatologist", products=("hyaluronic-acid", "vitamin-cocktail"), sessions=2))
    assert amounts(e) == [
        ("area", "face", 2, "4000.00", "8000.00"),
        ("area", "neck", 2, "2200.00", "4400.00"),
        ("combination_discount", None, 2, "-440.00", "-880.00"),
        ("specialist", "dermatologist", 2, "2304.00", "4608.00"),
        ("product", "hyaluronic-acid", 2, "900.00", "1800.00"),
        ("product", "vitamin-cocktail", 2, "750.00", "1500.00"),
    ]
    assert e.net == D("19428.00")


def test_product_unit_price_uses_the_clinic_factor():
    # exosome 3000.00 * 0.90 = 2700.00; peptide 1100.00 * 1.20 = 1320.00
    assert price(DEMO, ask(clinic="ank-cankaya", products=("exosome",))).lines[1].unit_price == D("2700.00")
    assert price(DEMO, ask(clinic="ist-nisantasi", products=("peptide-complex",))).lines[1].unit_price == D("1320.00")


# --- session tiers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "discount", "net"),
    [
        (1, None, "4000.00"),
        (2, None, "8000.00"),
        (3, "1200.00", "10800.00"),  # 12000 * 10 %
        (5, "2000.00", "18000.00"),  # 20000 * 10 %
        (6, "3600.00", "20400.00"),  # 24000 * 15 %
        (9, "5400.00", "30600.00"),  # 36000 * 15 %
        (10, "8000.00", "32000.00"),  # 40000 * 20 %
        (24, "19200.00", "76800.00"),  # 96000 * 20 %
    ],
)
def test_session_tiers(n, discount, net):
    e = price(DEMO, ask(sessions=n))
    tier_lines = [line for line in e.lines if line.kind is LineKind.SESSION_DISCOUNT]
    if discount is None:
        assert tier_lines == []
    else:
        assert [(t.quantity, str(t.unit_price), str(t.amount), t.code) for t in tier_lines] == [(1, f"-{discount}", f"-{discount}", None)]
    assert str(e.net) == net


# --- campaigns of the demo list --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "applied", "net"),
    [
        (date(2026, 11, 30), 3, [], "10800.00"),  # WINTER-RENEWAL not started
        (date(2026, 12, 1), 3, ["WINTER-RENEWAL"], "9180.00"),  # 10800 - 15 % = 10800 - 1620
        (date(2027, 2, 28), 3, ["WINTER-RENEWAL"], "9180.00"),  # last day included
        (date(2027, 3, 1), 3, [], "10800.00"),
        (date(2026, 12, 1), 2, [], "8000.00"),  # needs 3 sessions
    ],
)
def test_winter_renewal(start, n, applied, net):
    e = price(DEMO, ask(sessions=n, start=start))
    assert list(e.applied_campaigns) == applied and str(e.net) == net


@pytest.mark.parametrize(
    ("start", "areas", "applied", "net"),
    [
        (date(2026, 12, 20), ("face",), ["NEW-YEAR-GLOW"], "3500.00"),  # 4000 - 500
        (date(2027, 1, 10), ("face",), ["NEW-YEAR-GLOW"], "3500.00"),
        (date(2027, 1, 11), ("face",), [], "4000.00"),
        (date(2026, 12, 20), ("neck",), [], "2200.00"),  # face is required
    ],
)
def test_new_year_glow(start, areas, applied, net):
    e = price(DEMO, ask(areas=areas, start=start))
    assert list(e.applied_campaigns) == applied and str(e.net) == net
    if applied:
        assert amounts(e)[-1] == ("campaign", "NEW-YEAR-GLOW", 1, "-500.00", "-500.00")


def test_non_stackable_beats_a_smaller_stacked_set():
    # face x3 on 2026-12-20: after tier 10800; stacked NEW-YEAR-GLOW = 500; WINTER-RENEWAL 15 % = 1620 wins
    e = price(DEMO, ask(sessions=3, start=date(2026, 12, 20)))
    assert e.applied_campaigns == ("WINTER-RENEWAL",) and e.net == D("9180.00")


def test_ankara_four_for_three():
    # cankaya face S = 3600; x4: 14400 - 10 % (1440) = 12960; one free session of the
    # discounted course (rules v2): 12960 / 4 = 3240 -> 9720.00, exactly what 3 sessions cost
    e = price(DEMO, ask(clinic="ank-cankaya", sessions=4))
    assert e.applied_campaigns == ("ANKARA-4FOR3",) and e.net == D("9720.00")
    assert amounts(e)[-1] == ("campaign", "ANKARA-4FOR3", 1, "-3240.00", "-3240.00")
    assert str(e.lines[-1].basis) == "1 session of 12960.00 / 4"
    # 3 sessions: 10800 - 10 % = 9720.00
    assert price(DEMO, ask(clinic="ank-cankaya", sessions=3)).net == e.net
    # On 2026-12-05 WINTER-RENEWAL also runs: 15 % of 12960 = 1944 < 3240
    assert price(DEMO, ask(clinic="ank-cankaya", sessions=4, start=date(2026, 12, 5))).applied_campaigns == ("ANKARA-4FOR3",)
    # 3 sessions: not eligible; another clinic: not offered
    assert price(DEMO, ask(clinic="ank-cankaya", sessions=3)).applied_campaigns == ()
    assert price(DEMO, ask(sessions=4)).applied_campaigns == ()


@pytest.mark.parametrize(("coupon", "net"), [("FRIEND10", "3600.00"), ("friend10", "3600.00"), ("FRIEND", "4000.00"), (None, "4000.00")])
def test_friend_coupon_is_case_insensitive(coupon, net):
    assert str(price(DEMO, ask(coupon=coupon)).net) == net


def test_stacked_campaigns_apply_in_priority_order_on_the_running_base():
    # 2026-12-20, face x1, FRIEND10: NEW-YEAR-GLOW (priority 1) 500 -> 3500; FRIEND (priority 3) 10 % of 3500 = 350
    e = price(DEMO, ask(start=date(2026, 12, 20), coupon="FRIEND10"))
    assert amounts(e)[1:] == [
        ("campaign", "NEW-YEAR-GLOW", 1, "-500.00", "-500.00"),
        ("campaign", "FRIEND", 1, "-350.00", "-350.00"),
    ]
    assert e.net == D("3150.00") and e.discount_total == D("850.00")


def test_ended_campaign():
    # 2026-08-31: SUMMER-SPF 20 % of 4000 = 800 -> 3200; a day later nothing
    assert price(DEMO, ask(start=date(2026, 8, 31))).net == D("3200.00")
    assert price(DEMO, ask(start=date(2026, 9, 1))).net == D("4000.00")


# --- campaign rules on custom lists -----------------------------------------------------------


def test_tie_between_stacked_set_and_a_single_campaign_goes_to_the_stacked_set():
    # 4000: stacked fixed 400 vs non-stackable 10 % = 400
    pl = only(campaign("ZZ-FIXED", ("fixed", "400.00"), stackable=True, priority=9), campaign("AA-PCT", ("percent", "10")))
    assert price(pl, ask()).applied_campaigns == ("ZZ-FIXED",)


def test_tie_between_non_stackables_goes_to_lower_priority_then_lower_code():
    pl = only(campaign("C-FIXED", ("fixed", "400.00"), priority=1), campaign("D-PCT", ("percent", "10"), priority=0))
    assert price(pl, ask()).applied_campaigns == ("D-PCT",)
    pl = only(campaign("BBB", ("fixed", "400.00")), campaign("AAA", ("percent", "10")))
    assert price(pl, ask()).applied_campaigns == ("AAA",)


def test_order_of_stacked_campaigns_matters_for_percentages():
    # percent first: 4000 - 400 = 3600, then 500 -> 3100; fixed first: 3500, then 10 % = 350 -> 3150
    percent_first = only(campaign("P", ("percent", "10"), stackable=True, priority=0), campaign("F", ("fixed", "500.00"), stackable=True, priority=1))
    fixed_first = only(campaign("P", ("percent", "10"), stackable=True, priority=1), campaign("F", ("fixed", "500.00"), stackable=True, priority=0))
    assert price(percent_first, ask()).net == D("3100.00")
    assert price(fixed_first, ask()).net == D("3150.00")
    assert price(fixed_first, ask()).applied_campaigns == ("F", "P")


def test_discounts_are_capped_at_the_net():
    pl = only(campaign("HUGE", ("fixed", "5000.00")))
    e = price(pl, ask())
    assert amounts(e)[-1] == ("campaign", "HUGE", 1, "-4000.00", "-4000.00")
    assert (e.net, e.tax_total, e.total, e.per_session) == (D("0.00"), D("0.00"), D("0.00"), D("0.00"))


def test_stacked_discounts_are_capped_too():
    pl = only(campaign("A", ("fixed", "3000.00"), stackable=True), campaign("B", ("fixed", "3000.00"), stackable=True))
    e = price(pl, ask())
    assert [str(line.amount) for line in e.lines[1:]] == ["-3000.00", "-1000.00"] and e.net == D("0.00")


def test_zero_campaigns_are_not_applied_or_listed():
    pl = only(campaign("NOTHING", ("percent", "0"), stackable=True))
    assert price(pl, ask()).applied_campaigns == ()
    assert [line.kind for line in price(pl, ask()).lines] == [LineKind.AREA]


def test_free_sessions_are_capped_at_n_minus_one():
    # 5 free sessions asked, 3 booked: 2 given free; after tier 12000 - 1200 = 10800;
    # 2 sessions of the discounted course = 10800 * 2 / 3 = 7200 -> 3600
    pl = only(campaign("FREE5", ("free_sessions", "5")))
    e = price(pl, ask(sessions=3))
    assert e.lines[-1].amount == D("-7200.00") and e.net == D("3600.00")
    assert str(e.lines[-1].basis) == "2 sessions of 10800.00 / 3"
    assert price(pl, ask(sessions=1)).applied_campaigns == ()  # n - 1 = 0 free sessions


def test_campaign_restricted_to_other_clinic_or_missing_areas():
    pl = only(campaign("ONLY-ANK", ("percent", "50"), clinics=("ank-cankaya",)), campaign("NEEDS-NECK", ("percent", "50"), required_areas=("face", "neck")))
    assert price(pl, ask()).applied_campaigns == ()
    assert price(pl, ask(areas=("face", "neck"))).applied_campaigns == ("NEEDS-NECK",)


# --- tax and per session --------------------------------------------------------------------


def test_tax_added_on_top():
    # 3 sessions: 12000 - 1200 = 10800; tax round(10800 * 0.081) = 874.80; total 11674.80; per session 3891.60
    zurich = Clinic("zrh", "Zurich", "Zurich", D("1.00"), D("0.081"), False)
    pl = with_changes(NO_CAMPAIGNS, clinics=(zurich,))
    e = price(pl, ask(clinic="zrh", sessions=3))
    assert (e.net, e.tax_total, e.total, e.per_session, e.tax_rate) == (
        D("10800.00"), D("874.80"), D("11674.80"), D("3891.60"), D("0.081"))


def test_tax_included_rounds_half_up():
    # 4000 * 0.2 / 1.2 = 666.666... -> 666.67
    assert price(DEMO, ask()).tax_total == D("666.67")


def test_per_session_is_rounded_for_display():
    # 12000 - 1200 - 100 = 10700; / 3 = 3566.666... -> 3566.67
    pl = only(campaign("HUNDRED", ("fixed", "100.00")))
    assert price(pl, ask(sessions=3)).per_session == D("3566.67")


# --- shape of the answer ----------------------------------------------------------------------


def test_line_order_and_codes():
    e = price(DEMO, ask(clinic="ist-nisantasi", areas=("neck", "face"), level="nurse", products=("prp", "numbing-cream"),
                        sessions=3, start=date(2026, 12, 20), coupon="FRIEND10"))
    assert [(line.kind.value, line.code) for line in e.lines] == [
        ("area", "neck"), ("area", "face"), ("combination_discount", None), ("specialist", "nurse"),
        ("product", "prp"), ("product", "numbing-cream"), ("session_discount", None), ("campaign", "WINTER-RENEWAL"),
    ]
    assert all(line.description for line in e.lines)
    assert [line.quantity for line in e.lines] == [3, 3, 3, 3, 3, 3, 1, 1]


def test_schedule_follows_the_interval():
    e = price(DEMO, ask(sessions=4, start=date(2026, 12, 5)))
    assert e.schedule == (date(2026, 12, 5), date(2027, 1, 2), date(2027, 1, 30), date(2027, 2, 27))
    e21 = price(with_changes(DEMO, session_interval_days=21), ask(sessions=2, start=date(2026, 12, 5)))
    assert e21.schedule == (date(2026, 12, 5), date(2026, 12, 26))


def test_advice_covers_preparation_aftercare_and_maintenance():
    advice = " ".join(map(str, price(DEMO, ask(sessions=2, start=date(2026, 12, 5))).advice))
    assert "SPF 30" in advice and "make-up" in advice and "2-4 weeks" in advice
    assert "maintenance" in advice and "2028-01-02" in advice  # a year after 2027-01-02


def test_version_and_currency_are_carried():
    e = price(DEMO, ask())
    assert (e.currency, e.price_list_version, e.clinic, e.sessions) == ("TRY", 1, "ist-kadikoy", 1)


# --- invalid requests -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "paths"),
    [
        (ask(clinic="paris"), {"clinic"}),
        (ask(areas=("face", "elbow")), {"areas.1.code"}),
        (ask(areas=("face", "face")), {"areas.1.code"}),
        (ask(areas=(("face", 0),)), {"areas.0.size_cm2"}),
        (ask(areas=(("face", -1),)), {"areas.0.size_cm2"}),
        (ask(areas=(("face", 1_000_001),)), {"areas.0.size_cm2"}),
        (ask(areas=()), {"areas"}),
        (ask(products=("prp", "gold")), {"products.1"}),
        (ask(products=("prp", "prp")), {"products.1"}),
        (ask(level="wizard"), {"specialist_level"}),
        (ask(sessions=0), {"sessions"}),
        (ask(sessions=25), {"sessions"}),
        (ask(clinic="paris", level="wizard", sessions=30, areas=("elbow",)), {"clinic", "specialist_level", "sessions", "areas.0.code"}),
    ],
)
def test_invalid_requests_name_every_field(request_, paths):
    with pytest.raises(EstimateInvalid) as caught:
        price(DEMO, request_)
    assert set(caught.value.errors) == paths
    assert all(caught.value.errors[p] for p in paths)


# --- eligibility -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "status", "reasons"),
    [
        (None, EligibilityStatus.UNKNOWN, 0),
        (ClientAnswers(), EligibilityStatus.UNKNOWN, 0),
        (ClientAnswers(age=18), EligibilityStatus.ELIGIBLE, 0),
        (ClientAnswers(age=40, pregnant=False, open_wounds=False), EligibilityStatus.ELIGIBLE, 0),
        (ClientAnswers(age=17), EligibilityStatus.NOT_ELIGIBLE, 1),
        (ClientAnswers(pregnant=True), EligibilityStatus.POSTPONE, 1),
        (ClientAnswers(active_skin_infection=True), EligibilityStatus.NEEDS_DOCTOR_REVIEW, 1),
        (ClientAnswers(open_wounds=True, serious_skin_condition=True), EligibilityStatus.NEEDS_DOCTOR_REVIEW, 2),
        (ClientAnswers(pregnant=True, open_wounds=True), EligibilityStatus.POSTPONE, 2),
        (ClientAnswers(age=16, pregnant=True, open_wounds=True), EligibilityStatus.NOT_ELIGIBLE, 3),
    ],
)
def test_eligibility_worst_status_wins(answers, status, reasons):
    e = price(DEMO, ask(client=answers))
    assert e.eligibility.status is status
    assert len(e.eligibility.reasons) == reasons
    assert all(str(r).endswith(".") and str(r)[0].isupper() for r in e.eligibility.reasons)
    assert e.total == D("4000.00")  # priced whatever the status


def test_session_tier_lookup_uses_the_largest_minimum_at_or_below_n():
    pl = with_changes(NO_CAMPAIGNS, session_tiers=(SessionTier(10, D("20")), SessionTier(3, D("10"))))
    assert pl.tier_for(2) is None and pl.tier_for(9).min_sessions == 3 and pl.tier_for(24).min_sessions == 10
