"""Price lists and requests for the engine's tests, built without any I/O library."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

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

DEMO_FILE = Path(__file__).resolve().parents[2] / "quoteapi" / "data" / "demo_price_list.json"
D = Decimal


def demo() -> PriceList:
    raw = json.loads(DEMO_FILE.read_text())
    return PriceList(
        currency=raw["currency"],
        combination_discount_percent=D(raw["combination_discount_percent"]),
        session_interval_days=raw["session_interval_days"],
        clinics=tuple(
            Clinic(c["code"], c["name"], c["city"], D(c["price_factor"]), D(c["tax_rate"]), c["prices_include_tax"])
            for c in raw["clinics"]
        ),
        areas=tuple(
            Area(a["code"], a["name"], a["size_cm2"], D(a["price"]), D(a["extra_cm2_price"])) for a in raw["areas"]
        ),
        products=tuple(Product(p["code"], p["name"], D(p["price"])) for p in raw["products"]),
        specialist_levels=tuple(SpecialistLevel(s["code"], s["name"], D(s["multiplier"])) for s in raw["specialist_levels"]),
        session_tiers=tuple(SessionTier(t["min_sessions"], D(t["discount_percent"])) for t in raw["session_tiers"]),
        campaigns=tuple(
            Campaign(
                code=c["code"],
                name=c["name"],
                starts_on=date.fromisoformat(c["starts_on"]),
                ends_on=date.fromisoformat(c["ends_on"]),
                clinics=tuple(c["clinics"]),
                min_sessions=c["min_sessions"],
                required_areas=tuple(c["required_areas"]),
                coupon=c["coupon"],
                stackable=c["stackable"],
                priority=c["priority"],
                benefit=Benefit(BenefitType(c["benefit"]["type"]), D(c["benefit"]["value"])),
            )
            for c in raw["campaigns"]
        ),
        version=1,
    )


def with_changes(price_list: PriceList, **changes) -> PriceList:
    """A copy of a price list with some fields replaced (look-ups rebuilt)."""
    return replace(price_list, **changes)


def campaign(code: str, benefit: tuple[str, str], **fields) -> Campaign:
    defaults = dict(
        name=code.title(),
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        clinics=(),
        min_sessions=1,
        required_areas=(),
        coupon=None,
        stackable=False,
        priority=0,
    )
    defaults.update(fields)
    return Campaign(code=code, benefit=Benefit(BenefitType(benefit[0]), D(benefit[1])), **defaults)


def ask(
    clinic: str = "ist-kadikoy",
    areas: tuple = ("face",),
    level: str = "aesthetician",
    sessions: int = 1,
    start: date = date(2026, 11, 24),
    products: tuple = (),
    coupon: str | None = None,
    client: ClientAnswers | None = None,
) -> EstimateRequest:
    """An estimate request; an area is a code or a (code, size) pair."""
    area_requests = tuple(
        AreaRequest(a) if isinstance(a, str) else AreaRequest(a[0], D(a[1])) for a in areas
    )
    return EstimateRequest(clinic, area_requests, level, sessions, start, tuple(products), coupon, client)
