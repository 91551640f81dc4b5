"""Estimates: price a request against the current price list; nothing is stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import replace
from datetime import date

from ..domain.pricing import price
from ..domain.pricing.model import Estimate, EstimateRequest, PriceList

if TYPE_CHECKING:
    from .context import Context


def price_on(price_list: PriceList, request: EstimateRequest, today: date) -> Estimate:
    """Price ``request``; a course with no start date starts ``today``."""
    if request.start_date is None:
        request = replace(request, start_date=today)
    return price(price_list, request)


def estimate(ctx: Context, request: EstimateRequest) -> Estimate:
    return price_on(ctx.price_lists.current(), request, ctx.today())
