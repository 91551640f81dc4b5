"""Estimates: price a request against the current price list; nothing is stored."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from ..pricing import price
from ..pricing.document import money
from ..pricing.model import (
    AreaRequest,
    ClientAnswers,
    Estimate,
    EstimateRequest,
    PriceList,
)


def request_from(data: Mapping[str, Any], today: date) -> EstimateRequest:
    """An engine request from the schema-loaded body."""
    client = data.get("client")
    return EstimateRequest(
        clinic=data["clinic"],
        areas=tuple(AreaRequest(a["code"], a.get("size_cm2")) for a in data["areas"]),
        specialist_level=data["specialist_level"],
        sessions=data["sessions"],
        start_date=data.get("start_date") or today,
        products=tuple(data.get("products") or ()),
        coupon=data.get("coupon") or None,
        client=ClientAnswers(**client) if client is not None else None,
    )


def estimate(price_list: PriceList, data: Mapping[str, Any], today: date) -> Estimate:
    return price(price_list, request_from(data, today))


def estimate_to_dict(e: Estimate) -> dict[str, Any]:
    """The JSON form of an estimate (what ``EstimateSchema`` documents), built directly.

    This is the hot path of the public API; a test checks it equals the
    schema's own dump.
    """
    return {
        "clinic": e.clinic,
        "currency": e.currency,
        "price_list_version": e.price_list_version,
        "start_date": e.start_date.isoformat(),
        "sessions": e.sessions,
        "lines": [
            {
                "kind": line.kind.value,
                "code": line.code,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "amount": money(line.amount),
            }
            for line in e.lines
        ],
        "subtotal": money(e.subtotal),
        "discount_total": money(e.discount_total),
        "net": money(e.net),
        "tax_rate": str(e.tax_rate),
        "tax_total": money(e.tax_total),
        "total": money(e.total),
        "per_session": money(e.per_session),
        "applied_campaigns": list(e.applied_campaigns),
        "eligibility": {
            "status": e.eligibility.status.value,
            "reasons": list(e.eligibility.reasons),
        },
        "schedule": [d.isoformat() for d in e.schedule],
        "advice": list(e.advice),
    }
