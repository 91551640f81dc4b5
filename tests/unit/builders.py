"""Price lists and requests for the engine's tests, built without any I/O library."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from quoteapi.domain.price_list import from_plain
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
    """The demo list of domain.md (Turkish names, English translations), as the engine gets it."""
    return from_plain(json.loads(DEMO_FILE.read_text()), version=1)


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
