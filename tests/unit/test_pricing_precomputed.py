"""What the engine works out once per price list version, and the plain form's shortcuts, stay exact.

The engine keeps a sheet per clinic of each list (step 1 at reference sizes,
the formulas, the campaigns the clinic offers), and the list the tier of every
course length; the plain form writes money already to the cent with ``str`` and
keeps the ISO text of days. Each is checked against the long way. The
results the engine makes most of are written in one step (model.py).
"""

from __future__ import annotations

import gc
import inspect
from dataclasses import MISSING, FrozenInstanceError, fields, replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteapi.domain.pricing import area_unit_price, engine, price, round_money
from quoteapi.domain.pricing.engine import MAX_SESSIONS, _sheets_of
from quoteapi.domain.pricing.model import Estimate, Hint, Line, Offer
from quoteapi.domain.pricing.plain import (
    _ISO_DAYS,
    _ISO_DAYS_SIZE,
    _iso_day,
    _money,
    estimate_to_plain,
)

from .builders import ask, campaign, demo, with_changes
from .strategies import price_lists

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

FAST = settings(max_examples=200, deadline=None)


@FAST
@given(price_lists(), st.integers(-3, 40))
def test_the_tier_table_is_the_tier_in_force(price_list, sessions):
    expected = next((t for t in sorted(price_list.session_tiers, key=lambda t: -t.min_sessions)
                     if t.min_sessions <= sessions), None)
    assert price_list.tier_for(sessions) is expected
    assert len(price_list.tiers_by_sessions) == MAX_SESSIONS + 1


@FAST
@given(price_lists())
def test_a_clinic_sheet_is_step_1_at_the_reference_size(price_list):
    for clinic in price_list.clinics:
        request = ask(clinic.code, areas=tuple(a.code for a in price_list.areas[:1]),
                      level=price_list.specialist_levels[0].code, start=date(2026, 12, 1))
        price(price_list, request)
        sheet = _sheets_of(price_list)[clinic.code]
        for area in price_list.areas:
            assert sheet.areas[area.code].unit == area_unit_price(area, area.size_cm2, clinic.price_factor)
            assert sheet.areas[area.code].name == price_list.name_of(area)
        for product in price_list.products:
            assert sheet.products[product.code].unit == round_money(product.price * clinic.price_factor)
        assert sheet.campaigns == tuple(c for c in price_list.campaigns_in_order if c.offered_at(clinic.code))


def test_a_changed_copy_of_a_list_has_its_own_sheets():
    """The cache of offered lists drops used-up campaigns with replace(): the copy must not see the full list's sheet."""
    full = with_changes(demo(), campaigns=(campaign("HALF", ("percent", "50")),))
    request = ask("ist-kadikoy", sessions=1)
    assert price(full, request).applied_campaigns == ("HALF",)
    assert "ist-kadikoy" in _sheets_of(full)
    offered = replace(full, campaigns=())
    assert _sheets_of(offered) == {}
    assert price(offered, request).applied_campaigns == ()
    assert price(full, request).applied_campaigns == ("HALF",)


def test_sheets_are_the_engines_and_go_with_their_list():
    """The list itself holds no cache; the engine's entry for a list goes when the list does."""
    price_list = with_changes(demo())
    assert not hasattr(price_list, "clinic_sheets")
    price(price_list, ask("ist-kadikoy"))
    key = id(price_list)
    assert "ist-kadikoy" in engine._SHEETS[key][1]
    del price_list
    gc.collect()
    assert key not in engine._SHEETS


def test_a_list_with_a_dead_lists_id_makes_its_own_sheets():
    """An entry left under a list's id() by another list (ids are reused) is never taken for its own."""
    full = with_changes(demo(), campaigns=(campaign("HALF", ("percent", "50")),))
    other = replace(full, campaigns=())
    request = ask("ist-kadikoy", sessions=1)
    price(full, request)
    engine._SHEETS[id(other)] = engine._SHEETS[id(full)]  # as if `other` had `full`'s id
    try:
        assert price(other, request).applied_campaigns == ()
        assert engine._SHEETS[id(other)][0]() is other
    finally:
        engine._SHEETS.pop(id(other), None)
    assert price(full, request).applied_campaigns == ("HALF",)


@settings(max_examples=2000, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False) | st.integers(-10**15, 10**15).map(Decimal).flatmap(
    lambda d: st.integers(-8, 4).map(d.scaleb)))
def test_money_is_written_as_format_writes_it(value):
    assert _money(value) == f"{value:.2f}"


def test_money_edge_forms():
    for text in ("0.00", "-0.00", "0E-2", "0E+2", "1E+3", "0.5", "-7", "12.30", "-12.30", "1.00E-5", "9.99E+20",
                 "123456789012345678901234.56"):
        value = Decimal(text)
        assert _money(value) == f"{value:.2f}"


def test_iso_days_are_isoformat_and_bounded():
    day = date(2031, 5, 17)
    assert _iso_day(day) == "2031-05-17"
    many = [date(2040, 1, 1) + timedelta(days=i) for i in range(_ISO_DAYS_SIZE + 10)]
    assert [_iso_day(d) for d in many] == [d.isoformat() for d in many]
    assert len(_ISO_DAYS) <= _ISO_DAYS_SIZE
    e = price(demo(), ask(start=date(2039, 12, 30), sessions=3))
    plain = estimate_to_plain(e)
    assert plain["start_date"] == "2039-12-30"
    assert plain["schedule"] == [d.isoformat() for d in e.schedule]


@pytest.mark.parametrize("cls", [Line, Offer, Hint, Estimate])
def test_results_written_in_one_step_take_exactly_their_fields_and_stay_frozen(cls):
    """Line, Offer, Hint and Estimate have their own __init__ (model.py says why): it must match the fields."""
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [p.name for p in parameters] == [f.name for f in fields(cls)]
    for p, f in zip(parameters, fields(cls)):
        assert (p.default is inspect.Parameter.empty) == (f.default is MISSING)
        if f.default is not MISSING:
            assert p.default == f.default
    e = price(demo(), ask(sessions=3, coupon="FRIEND10"))
    made = {Line: e.lines[0], Estimate: e, Offer: e.offers[0] if e.offers else Offer(("X",), Decimal(1), True),
            Hint: e.hints[0] if e.hints else Hint(4, Decimal(1), Decimal(1), "x")}[cls]
    assert vars(made) == {f.name: getattr(made, f.name) for f in fields(cls)}
    with pytest.raises(FrozenInstanceError):
        setattr(made, fields(cls)[0].name, None)
    assert replace(made) == made
