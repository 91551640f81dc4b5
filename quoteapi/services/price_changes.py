"""Dry runs of price changes: what a change would do, with nothing stored.

A write with ``dry_run`` is worked out by :func:`price_lists.replace_price_list`
as a :class:`~.price_lists.Plan` (inside a transaction that stores nothing);
:func:`preview` adds its impact: every open quote repriced as a revision
would be today with the new list, and each area's one-session price per
clinic before and after (the pure figures are in
:mod:`quoteapi.domain.price_list.impact`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Iterator

from ..adapters.db import quote_store
from ..domain import price_list as document
from ..domain.price_list.impact import Impact, OpenQuote, impact
from ..domain.pricing.plain import request_from_plain
from .price_list_cache import offered
from .price_lists import Plan

if TYPE_CHECKING:
    from .context import Context

BATCH = 2000


@dataclass(frozen=True)
class DryRun:
    plan: Plan
    impact: Impact | None  # None when the change is not valid

    @property
    def valid(self) -> bool:
        return self.plan.valid


def open_quotes(ctx: Context) -> Iterator[OpenQuote]:
    """Every open quote (new, draft or sent, not expired) with its total and its newest revision's inputs."""
    for number, clinic, total, inputs in quote_store.open_quotes(ctx.database, ctx.today(), BATCH):
        yield OpenQuote(number, clinic, Decimal(total).quantize(Decimal("0.01")), request_from_plain(inputs))


def preview(ctx: Context, plan: Plan) -> DryRun:
    """The plan with its impact on the open quotes and the catalogue (nothing stored)."""
    if not plan.valid:
        return DryRun(plan, None)
    new_list = document.from_plain(plan.new_document, plan.version)
    old_list = document.from_plain(plan.old_document, plan.old_version) if plan.old_document else None
    with ctx.database.reading() as session:
        # A revision would not be offered a campaign that reached its max_uses.
        offered_list = offered(new_list, session)
    return DryRun(plan, impact(open_quotes(ctx), old_list, offered_list, ctx.today()))
