"""The use cases on a real, migrated SQLite database holding the demo price list.

Each test gets its own database file; the clock is pinned, so prices,
numbers and expiry do not depend on the day the suite runs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from quoteapi.adapters.db.migrate import upgrade
from quoteapi.domain.pricing.model import AreaRequest, ClientAnswers, EstimateRequest
from quoteapi.domain.quotes import Customer
from quoteapi.services import price_lists
from quoteapi.services.commands import CreateQuote
from quoteapi.services.context import Context

# The demo list is seeded on TODAY: WINTER-RENEWAL (from 3 sessions, 15 %) runs and NEW-YEAR-GLOW does not yet.
from ..conftest import TODAY

CUSTOMER = Customer("Ayşe Yılmaz", "ayse@example.com", "+90 532 000 00 00")


def request(
    clinic: str = "ist-kadikoy",
    areas: tuple[str, ...] = ("face",),
    level: str = "aesthetician",
    sessions: int = 1,
    client: ClientAnswers | None = None,
    **fields,
) -> EstimateRequest:
    return EstimateRequest(clinic, tuple(AreaRequest(a) for a in areas), level, sessions, client=client, **fields)


def create_command(inputs: EstimateRequest | None = None, **fields) -> CreateQuote:
    defaults = {"inputs": inputs or request(), "customer": CUSTOMER, "source": "staff", "by": "sam"}
    return CreateQuote(**{**defaults, **fields})


def count(ctx: Context, model) -> int:
    """How many rows of a model the database holds."""
    with ctx.database.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def ctx(tmp_path) -> Iterator[Context]:
    """A use-case context on a fresh migrated database with the demo price list (version 1)."""
    context = Context.build(f"sqlite:///{tmp_path}/q.sqlite3", price_list_check_seconds=0.0)
    context.clock = lambda: TODAY
    upgrade(context.database)
    price_lists.seed_demo(context)
    yield context
    context.database.dispose()
