"""Estimates: price a request against the price list in force; nothing is stored."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..domain.pricing import price
from ..domain.pricing.model import Estimate, EstimateRequest, PriceList

if TYPE_CHECKING:
    from .context import Context


def price_on(price_list: PriceList, request: EstimateRequest, today: date) -> Estimate:
    """Price ``request`` on ``today``: no start date means today; a given one is today to a year ahead."""
    return price(price_list, request, today)


def estimate(ctx: Context, request: EstimateRequest) -> Estimate:
    return price_on(ctx.price_lists.current(), request, ctx.today())
