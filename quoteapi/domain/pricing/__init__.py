"""The pricing engine: pure Python over ``Decimal``, no Flask, no SQLAlchemy."""

from .engine import area_unit_price, price, round_money
from .errors import EstimateInvalid, PriceListInvalid, PricingError

__all__ = [
    "EstimateInvalid",
    "PriceListInvalid",
    "PricingError",
    "area_unit_price",
    "price",
    "round_money",
]
