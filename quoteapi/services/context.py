"""What every use case runs with: the database, the price-list cache, the settings it needs.

The web app, the CLI and the tests build one :class:`Context` each and pass
it to the use cases; nothing here knows how it was called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from ..adapters import clock as clocks
from ..adapters.db import Database
from ..adapters.db.database import CONNECT_TIMEOUT, STATEMENT_TIMEOUT
from .price_list_cache import PriceListCache


@dataclass
class Context:
    database: Database
    price_lists: PriceListCache
    quote_valid_days: int = 30
    # What "today" is at the clinics (adapters/clock.py); tests may pin it to a day of their choosing.
    clock: Callable[[], date] = field(default=clocks.today)
    # The language of staff mail to a user who chose none (config DEFAULT_LANGUAGE).
    default_language: str = "tr"

    @classmethod
    def build(
        cls,
        database_url: str,
        *,
        price_list_check_seconds: float = 1.0,
        quote_valid_days: int = 30,
        connect_timeout: float = CONNECT_TIMEOUT,
        statement_timeout: float = STATEMENT_TIMEOUT,
        default_language: str = "tr",
    ) -> "Context":
        database = Database(database_url, connect_timeout=connect_timeout, statement_timeout=statement_timeout)
        return cls(database, PriceListCache(database, price_list_check_seconds), quote_valid_days,
                   default_language=default_language)

    def today(self) -> date:
        """Today at the clinics (Europe/Istanbul), whatever the server's time zone."""
        return self.clock()
