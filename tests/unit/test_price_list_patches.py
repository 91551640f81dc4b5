"""Patches of the price-list document (a scheduled change laid again on a fix), the schedule's states,
the campaign warning, and the impact figures: pure functions (issue 10)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteapi.domain.price_list import apply_patch, from_plain, make_patch, to_plain, warnings
from quoteapi.domain.price_list import schedule
from quoteapi.domain.price_list.impact import OpenQuote, impact
from quoteapi.domain.pricing.model import AreaRequest, EstimateRequest
from quoteapi.services.price_lists import demo_document

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

DEMO = to_plain(from_plain(demo_document()))


def edited(**prices: str) -> dict:
    doc = copy.deepcopy(DEMO)
    for area in doc["areas"]:
        if area["code"] in prices:
            area["price"] = prices[area["code"]]
    return doc


def test_a_patch_turns_the_old_document_into_the_new():
    new = edited(face="4400.00")
    new["campaigns"][0]["benefit"]["value"] = "12"
    new["campaigns"].pop(1)
    new["products"].append({"code": "spf", "name": "SPF", "price": "100.00"})
    new["session_tiers"][0]["discount_percent"] = "9"
    new["areas"][0]["translations"] = {"en": {"name": "Face"}}
    new["combination_discount_percent"] = "25"
    patch = make_patch(DEMO, new)
    assert apply_patch(DEMO, patch) == (new, [])


def test_a_patch_is_laid_on_a_fix_of_other_fields():
    waiting = make_patch(DEMO, edited(face="4400.00"))
    fixed = edited(neck="2250.00")
    doc, conflicts = apply_patch(fixed, waiting)
    assert conflicts == []
    assert doc == edited(face="4400.00", neck="2250.00")


def test_the_same_field_changed_on_both_sides_is_a_conflict_unless_equal():
    waiting = make_patch(DEMO, edited(face="4400.00", neck="2300.00"))
    assert apply_patch(edited(face="4100.00"), waiting)[1] == ["areas.face.price"]
    assert apply_patch(edited(face="4400.00"), waiting) == (edited(face="4400.00", neck="2300.00"), [])
    # An item the waiting change edits, deleted by the fix.
    gone = copy.deepcopy(DEMO)
    gone["areas"] = [a for a in gone["areas"] if a["code"] != "neck"]
    assert apply_patch(gone, waiting)[1] == ["areas.neck.price"]


def test_removing_an_optional_field_is_part_of_the_patch():
    capped = copy.deepcopy(DEMO)
    friend = next(c for c in capped["campaigns"] if c["code"] == "FRIEND")
    del friend["max_uses"]
    patch = make_patch(DEMO, capped)
    assert [e["path"] for e in patch] == ["campaigns.FRIEND.max_uses"]
    doc, _ = apply_patch(DEMO, patch)
    assert from_plain(doc) == from_plain(capped)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from([a["code"] for a in DEMO["areas"]]),
                       st.decimals(min_value=1, max_value=99999, places=2), min_size=1),
       st.dictionaries(st.sampled_from([a["code"] for a in DEMO["areas"]]),
                       st.decimals(min_value=1, max_value=99999, places=2)))
def test_laying_a_patch_on_a_fix_keeps_both_or_names_the_clash(waiting_prices, fix_prices):
    waiting = {k: f"{v:.2f}" for k, v in waiting_prices.items()}
    fix = {k: f"{v:.2f}" for k, v in fix_prices.items()}
    patch = make_patch(DEMO, edited(**waiting))
    doc, conflicts = apply_patch(edited(**fix), patch)
    original = {a["code"]: a["price"] for a in DEMO["areas"]}
    clashes = sorted(
        f"areas.{code}.price" for code in waiting
        if code in fix and fix[code] != waiting[code] and fix[code] != original[code] and waiting[code] != original[code]
    )
    assert conflicts == clashes
    prices = {a["code"]: a["price"] for a in doc["areas"]}
    for code, price in waiting.items():
        if f"areas.{code}.price" not in clashes:
            assert prices[code] == price
    for code, price in fix.items():
        if code not in waiting or waiting[code] == original[code]:
            assert prices[code] == price


def test_the_version_in_force_and_the_states():
    t0 = datetime(2026, 12, 1, tzinfo=UTC)
    versions = [
        schedule.Timing(1, t0),
        schedule.Timing(2, t0 + timedelta(days=30)),  # scheduled
        schedule.Timing(3, t0 + timedelta(days=1)),  # a fix made while 2 waits
        schedule.Timing(4, t0 + timedelta(days=40), cancelled=True),
    ]
    assert schedule.in_force(versions, t0 + timedelta(days=2)).version == 3
    assert schedule.in_force(versions, t0 + timedelta(days=31)).version == 2
    assert schedule.in_force(versions, t0 + timedelta(days=41)).version == 2
    assert schedule.in_force(versions, t0 - timedelta(days=1)) is None
    assert schedule.before(versions, versions[1].effective_from, 2).version == 3
    at = t0 + timedelta(days=2)
    assert [schedule.state_of(v, 3, at) for v in versions] == ["superseded", "scheduled", "current", "cancelled"]
    assert [v.version for v in schedule.waiting(versions, at)] == [2]


def test_a_campaign_that_makes_a_longer_course_cheaper_is_named():
    assert warnings(from_plain(DEMO)) == []
    doc = copy.deepcopy(DEMO)
    doc["campaigns"].append({
        "code": "THREE-FREE", "name": "x", "starts_on": "2026-12-01", "ends_on": "2027-01-31", "clinics": ["ank-cankaya"],
        "min_sessions": 4, "required_areas": [], "coupon": None, "stackable": False, "priority": 0,
        "benefit": {"type": "free_sessions", "value": "3"},
    })
    [warning] = warnings(from_plain(doc))
    assert warning.path == f"campaigns.{len(doc['campaigns']) - 1}"
    assert str(warning.message) == (
        "Campaign THREE-FREE makes a course of 4 sessions cheaper in total than one of 3 at ank-cankaya."
    )


def test_impact_counts_sums_and_orders_the_changes():
    old = from_plain(DEMO, 1)
    new = from_plain(edited(neck="2420.00", face="3800.00"), 2)
    today = date(2026, 12, 1)

    def quote(number: str, area: str, total: str, sessions: int = 1) -> OpenQuote:
        request = EstimateRequest("ist-kadikoy", (AreaRequest(area),), "aesthetician", sessions, start_date=date(2026, 11, 1))
        return OpenQuote(number, "ist-kadikoy", Decimal(total), request)

    quotes = [quote("Q-1", "neck", "2200.00"), quote("Q-2", "face", "4000.00"), quote("Q-3", "hands", "1800.00"),
              quote("Q-4", "neck", "2200.00"), quote("Q-5", "elbow", "10.00")]
    found = impact(quotes, old, new, today)
    assert (found.open_quotes, found.dearer, found.cheaper, found.unchanged, found.unpriced_count) == (5, 2, 1, 1, 1)
    assert found.difference_total == Decimal("240.00")  # 220 + 220 - 200
    assert [(c.number, c.difference) for c in found.largest_changes] == [
        ("Q-1", Decimal("220.00")), ("Q-4", Decimal("220.00")), ("Q-2", Decimal("-200.00")),
    ]
    assert found.unpriced[0].number == "Q-5"
    assert len(impact(quotes, old, new, today, largest=1).largest_changes) == 1
    face = next(a for a in found.catalog if (a.clinic, a.area) == ("ist-nisantasi", "face"))
    assert (face.before, face.after, face.changed) == (Decimal("4800.00"), Decimal("4560.00"), True)
