"""Hypothesis strategies: valid price lists (by construction) and requests against them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from quoteapi.domain.pricing.model import (
    Area,
    AreaRequest,
    Benefit,
    BenefitType,
    Campaign,
    ClientAnswers,
    Clinic,
    EstimateRequest,
    PriceList,
    Product,
    SessionTier,
    SpecialistLevel,
)

BASE_DAY = date(2026, 12, 1)
CENT = Decimal("0.01")


def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(Decimal(low), Decimal(high), places=places)


def codes(prefix: str, n: int) -> list[str]:
    return [f"{prefix}-{i}" for i in range(n)]


@st.composite
def session_tiers(draw) -> tuple[SessionTier, ...]:
    """Tiers that never make a longer course cheaper, built step by step.

    Entering a tier at m sessions with fraction d after d_prev needs
    m (1 - d) >= (m - 1)(1 - d_prev), i.e. d <= 1 - (m - 1)(1 - d_prev) / m.
    """
    starts = sorted(draw(st.sets(st.integers(2, 24), max_size=4)))
    tiers, previous = [], Decimal(0)
    for m in starts:
        bound = 1 - (m - 1) * (1 - previous) / m
        highest = (bound * 100).quantize(CENT, rounding="ROUND_DOWN")
        percent = draw(st.decimals(Decimal(0), max(highest, Decimal(0)), places=2))
        tiers.append(SessionTier(m, percent))
        previous = percent / 100
    return tuple(draw(st.permutations(tiers)))


@st.composite
def campaigns(draw, clinics: list[str], areas: list[str]) -> tuple[Campaign, ...]:
    out = []
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(list(BenefitType)))
        if kind is BenefitType.PERCENT:
            value = draw(decimals("0", "100", 2))
        elif kind is BenefitType.FIXED:
            value = draw(decimals("0", "20000", 2))
        else:
            value = Decimal(draw(st.integers(1, 5)))
        start = BASE_DAY + timedelta(days=draw(st.integers(-60, 60)))
        out.append(
            Campaign(
                code=f"CAMP-{i}",
                name=f"Campaign {i}",
                starts_on=start,
                ends_on=start + timedelta(days=draw(st.integers(0, 120))),
                clinics=tuple(draw(st.lists(st.sampled_from(clinics), unique=True, max_size=2))),
                min_sessions=draw(st.integers(1, 24)),
                required_areas=tuple(draw(st.lists(st.sampled_from(areas), unique=True, max_size=2))),
                coupon=draw(st.none() | st.sampled_from(["SAVE", "Friend10", "vip"])),
                stackable=draw(st.booleans()),
                priority=draw(st.integers(0, 3)),
                benefit=Benefit(kind, value),
            )
        )
    return tuple(out)


@st.composite
def price_lists(draw, with_campaigns: bool = True) -> PriceList:
    clinic_codes = codes("clinic", draw(st.integers(1, 3)))
    area_codes = codes("area", draw(st.integers(1, 5)))
    clinics = tuple(
        Clinic(code, code, "City", draw(decimals("0.5", "2", 4)), draw(decimals("0", "0.3", 4)), draw(st.booleans()))
        for code in clinic_codes
    )
    areas = tuple(
        Area(code, code, draw(st.integers(1, 2000)), draw(decimals("0", "10000", 2)), draw(decimals("0", "10", 2)))
        for code in area_codes
    )
    products = tuple(
        Product(code, code, draw(decimals("0", "5000", 2))) for code in codes("product", draw(st.integers(0, 4)))
    )
    levels = tuple(
        SpecialistLevel(code, code, draw(decimals("1", "2", 4))) for code in codes("level", draw(st.integers(1, 3)))
    )
    return PriceList(
        currency="TRY",
        combination_discount_percent=draw(decimals("0", "100", 2)),
        session_interval_days=draw(st.integers(21, 28)),
        clinics=clinics,
        areas=areas,
        products=products,
        specialist_levels=levels,
        session_tiers=draw(session_tiers()),
        campaigns=draw(campaigns(clinic_codes, area_codes)) if with_campaigns else (),
        version=1,
    )


@st.composite
def requests_for(draw, price_list: PriceList, sessions: st.SearchStrategy[int] | None = None) -> EstimateRequest:
    chosen = draw(st.lists(st.sampled_from(price_list.areas), min_size=1, max_size=3, unique_by=lambda a: a.code))
    areas = tuple(
        AreaRequest(a.code, draw(st.none() | st.integers(1, 4000).map(Decimal) | decimals("0.01", "4000", 2)))
        for a in chosen
    )
    products = draw(st.lists(st.sampled_from(price_list.products), max_size=3, unique_by=lambda p: p.code)) if price_list.products else []
    client = draw(
        st.none()
        | st.builds(
            ClientAnswers,
            age=st.none() | st.integers(0, 100),
            pregnant=st.none() | st.booleans(),
            active_skin_infection=st.none() | st.booleans(),
            open_wounds=st.none() | st.booleans(),
            serious_skin_condition=st.none() | st.booleans(),
        )
    )
    return EstimateRequest(
        clinic=draw(st.sampled_from(price_list.clinics)).code,
        areas=areas,
        specialist_level=draw(st.sampled_from(price_list.specialist_levels)).code,
        sessions=draw(st.integers(1, 24) if sessions is None else sessions),
        start_date=BASE_DAY + timedelta(days=draw(st.integers(-30, 90))),
        products=tuple(p.code for p in products),
        coupon=draw(st.none() | st.sampled_from(["SAVE", "friend10", "VIP", "nothing"])),
        client=client,
    )


@st.composite
def priced(draw, with_campaigns: bool = True, sessions=None):
    price_list = draw(price_lists(with_campaigns))
    return price_list, draw(requests_for(price_list, sessions))
