"""Estimates: price a request against the price list in force; nothing is stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.pricing import price
from ..domain.pricing.model import Estimate, EstimateRequest

if TYPE_CHECKING:
    from .context import Context


def estimate(ctx: Context, request: EstimateRequest) -> Estimate:
    """Price ``request`` today: no start date means today; a given one is today to a year ahead."""
    return price(ctx.price_lists.current(), request, ctx.today())
