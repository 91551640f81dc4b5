"""What every use case runs with: the database, the price-list cache, the settings it needs.

The web app, the CLI and the tests build one :class:`Context` each and pass
it to the use cases; nothing here knows how it was called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from ..adapters.db import Database
from ..adapters.db.database import CONNECT_TIMEOUT, STATEMENT_TIMEOUT
from .price_lists import PriceListCache


@dataclass
class Context:
    database: Database
    price_lists: PriceListCache
    quote_valid_days: int = 30
    # What "today" is; tests pin it to price on a day of their choosing.
    clock: Callable[[], date] = field(default=date.today)

    @classmethod
    def build(
        cls,
        database_url: str,
        *,
        price_list_check_seconds: float = 1.0,
        quote_valid_days: int = 30,
        connect_timeout: float = CONNECT_TIMEOUT,
        statement_timeout: float = STATEMENT_TIMEOUT,
    ) -> "Context":
        database = Database(database_url, connect_timeout=connect_timeout, statement_timeout=statement_timeout)
        return cls(database, PriceListCache(database, price_list_check_seconds), quote_valid_days)

    def today(self) -> date:
        """Today in the server's local date, as the contract's rules use it."""
        return self.clock()
