"""What the website form needs: the clinics, and the price list with one clinic's prices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..text import Name, T
from .engine import round_money
from .errors import EstimateInvalid
from .model import SEVERITIES, Benefit, Campaign, Clinic, CourseRange, PriceList, SessionTier


@dataclass(frozen=True, slots=True)
class ClinicSummary:
    code: str
    name: Name
    city: Name
    tax_rate: Decimal
    prices_include_tax: bool
    address: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class PricedArea:
    code: str
    name: Name
    size_cm2: int
    price: Decimal  # one session at the reference size, at this clinic
    extra_cm2_price: Decimal  # per cm² beyond the reference size, at this clinic, rounded for display
    size_priced: bool  # whether a measured size changes the price


@dataclass(frozen=True, slots=True)
class PricedProduct:
    code: str
    name: Name
    price: Decimal


@dataclass(frozen=True, slots=True)
class Level:
    code: str
    name: Name
    multiplier: Decimal


@dataclass(frozen=True, slots=True)
class CatalogCampaign:
    """A campaign as the website may show it: never with its coupon code."""

    code: str
    name: Name
    starts_on: date
    ends_on: date
    clinics: tuple[str, ...]
    min_sessions: int
    required_areas: tuple[str, ...]
    stackable: bool
    priority: int
    requires_coupon: bool
    benefit: Benefit


@dataclass(frozen=True, slots=True)
class CatalogConcern:
    """A skin concern as the estimator asks about it: its name, products and the course at each severity."""

    code: str
    name: Name
    products: tuple[str, ...]
    maintenance_per_year: int
    severities: dict[str, CourseRange]  # mild, moderate, pronounced


@dataclass(frozen=True, slots=True)
class Catalog:
    clinic: ClinicSummary
    currency: str
    price_list_version: int | None
    session_interval_days: int
    combination_discount_percent: Decimal
    areas: tuple[PricedArea, ...]
    products: tuple[PricedProduct, ...]
    specialist_levels: tuple[Level, ...]
    session_tiers: tuple[SessionTier, ...]
    campaigns: tuple[CatalogCampaign, ...]  # running on the day, in the order they are applied
    concerns: tuple[CatalogConcern, ...] = ()


def clinic_summary(price_list: PriceList, clinic: Clinic) -> ClinicSummary:
    return ClinicSummary(
        clinic.code, price_list.name_of(clinic), price_list.name_of(clinic, "city"), clinic.tax_rate,
        clinic.prices_include_tax, clinic.address, clinic.phone,
    )


def clinic_summaries(price_list: PriceList) -> list[ClinicSummary]:
    return [clinic_summary(price_list, c) for c in price_list.clinics]


def _offer(price_list: PriceList, c: Campaign) -> CatalogCampaign:
    return CatalogCampaign(
        c.code, price_list.name_of(c), c.starts_on, c.ends_on, c.clinics, c.min_sessions, c.required_areas,
        c.stackable, c.priority, c.requires_coupon, c.benefit,
    )


def catalog_for(price_list: PriceList, clinic_code: str, day: date) -> Catalog:
    clinic = price_list.clinic_by_code.get(clinic_code)
    if clinic is None:
        unknown = T("Unknown clinic {code}.", code=repr(clinic_code))
        raise EstimateInvalid({"clinic": [unknown]}, unknown)
    factor = clinic.price_factor
    return Catalog(
        clinic=clinic_summary(price_list, clinic),
        currency=price_list.currency,
        price_list_version=price_list.version,
        session_interval_days=price_list.session_interval_days,
        combination_discount_percent=price_list.combination_discount_percent,
        areas=tuple(
            PricedArea(
                a.code, price_list.name_of(a), a.size_cm2, round_money(a.price * factor),
                round_money(a.extra_cm2_price * factor), a.extra_cm2_price > 0,
            )
            for a in price_list.areas
        ),
        products=tuple(
            PricedProduct(p.code, price_list.name_of(p), round_money(p.price * factor)) for p in price_list.products
        ),
        specialist_levels=tuple(Level(lv.code, price_list.name_of(lv), lv.multiplier) for lv in price_list.specialist_levels),
        session_tiers=tuple(sorted(price_list.session_tiers, key=lambda t: t.min_sessions)),
        campaigns=tuple(_offer(price_list, c) for c in price_list.campaigns_running(clinic.code, day)),
        concerns=tuple(
            CatalogConcern(c.code, price_list.name_of(c), c.products, c.maintenance_per_year,
                           {str(s): c.course(s) for s in SEVERITIES})
            for c in price_list.concerns
        ),
    )
