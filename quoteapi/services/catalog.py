"""What the website form needs, with prices already adjusted for one clinic."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..pricing import round_money
from ..pricing.document import campaign_to_dict, campaigns_running, money
from ..pricing.model import Clinic, PriceList
from .errors import Unprocessable


def clinic_summary(c: Clinic) -> dict[str, Any]:
    return {
        "code": c.code,
        "name": c.name,
        "city": c.city,
        "tax_rate": str(c.tax_rate),
        "prices_include_tax": c.prices_include_tax,
    }


def clinics(price_list: PriceList) -> list[dict[str, Any]]:
    return [clinic_summary(c) for c in price_list.clinics]


def catalog(price_list: PriceList, clinic_code: str, today: date) -> dict[str, Any]:
    clinic = price_list.clinic_by_code.get(clinic_code)
    if clinic is None:
        raise Unprocessable(f"Unknown clinic {clinic_code!r}.", {"clinic": [f"Unknown clinic {clinic_code!r}."]})
    factor = clinic.price_factor
    return {
        # `clinic` is the code, as in estimates and quotes; its details beside it.
        "clinic": clinic.code,
        "clinic_name": clinic.name,
        "city": clinic.city,
        "tax_rate": str(clinic.tax_rate),
        "prices_include_tax": clinic.prices_include_tax,
        "currency": price_list.currency,
        "price_list_version": price_list.version,
        "session_interval_days": price_list.session_interval_days,
        "combination_discount_percent": str(price_list.combination_discount_percent),
        "areas": [
            {
                "code": a.code,
                "name": a.name,
                "size_cm2": a.size_cm2,
                "price": money(round_money(a.price * factor)),
                "extra_cm2_price": money(round_money(a.extra_cm2_price * factor)),
                "size_priced": a.extra_cm2_price > 0,
            }
            for a in price_list.areas
        ],
        "products": [
            {"code": p.code, "name": p.name, "price": money(round_money(p.price * factor))}
            for p in price_list.products
        ],
        "specialist_levels": [
            {"code": lv.code, "name": lv.name, "multiplier": str(lv.multiplier)}
            for lv in price_list.specialist_levels
        ],
        "session_tiers": [
            {"min_sessions": t.min_sessions, "discount_percent": str(t.discount_percent)}
            for t in sorted(price_list.session_tiers, key=lambda t: t.min_sessions)
        ],
        "campaigns": [
            campaign_to_dict(c, with_coupon=False)
            for c in campaigns_running(price_list, clinic.code, today)
        ],
    }
