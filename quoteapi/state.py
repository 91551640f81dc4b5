"""What the views and commands share for one app."""

from __future__ import annotations

from dataclasses import dataclass

from .db import Database
from .services.price_lists import PriceListCache


@dataclass
class QuoteApi:
    """The database and the price-list cache of one app."""

    database: Database
    price_lists: PriceListCache
