"""What the website form needs for one clinic: the price list with the clinic's prices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .engine import round_money
from .errors import EstimateInvalid
from .model import Campaign, Clinic, PriceList, SessionTier, SpecialistLevel


@dataclass(frozen=True, slots=True)
class PricedArea:
    code: str
    name: str
    size_cm2: int
    price: Decimal  # one session at the reference size, at this clinic
    extra_cm2_price: Decimal  # per cm² beyond the reference size, at this clinic, rounded for display
    size_priced: bool  # whether a measured size changes the price


@dataclass(frozen=True, slots=True)
class PricedProduct:
    code: str
    name: str
    price: Decimal


@dataclass(frozen=True, slots=True)
class Catalog:
    clinic: Clinic
    currency: str
    price_list_version: int | None
    session_interval_days: int
    combination_discount_percent: Decimal
    areas: tuple[PricedArea, ...]
    products: tuple[PricedProduct, ...]
    specialist_levels: tuple[SpecialistLevel, ...]
    session_tiers: tuple[SessionTier, ...]
    campaigns: tuple[Campaign, ...]  # running on the day, in the order they are applied


def catalog_for(price_list: PriceList, clinic_code: str, day: date) -> Catalog:
    clinic = price_list.clinic_by_code.get(clinic_code)
    if clinic is None:
        raise EstimateInvalid({"clinic": [f"Unknown clinic {clinic_code!r}."]}, f"Unknown clinic {clinic_code!r}.")
    factor = clinic.price_factor
    return Catalog(
        clinic=clinic,
        currency=price_list.currency,
        price_list_version=price_list.version,
        session_interval_days=price_list.session_interval_days,
        combination_discount_percent=price_list.combination_discount_percent,
        areas=tuple(
            PricedArea(
                a.code, a.name, a.size_cm2, round_money(a.price * factor), round_money(a.extra_cm2_price * factor),
                a.extra_cm2_price > 0,
            )
            for a in price_list.areas
        ),
        products=tuple(PricedProduct(p.code, p.name, round_money(p.price * factor)) for p in price_list.products),
        specialist_levels=price_list.specialist_levels,
        session_tiers=tuple(sorted(price_list.session_tiers, key=lambda t: t.min_sessions)),
        campaigns=tuple(price_list.campaigns_running(clinic.code, day)),
    )
