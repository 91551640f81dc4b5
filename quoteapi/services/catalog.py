"""What the website form needs, from the price list in force."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.pricing.catalog import Catalog, ClinicSummary, catalog_for, clinic_summaries

if TYPE_CHECKING:
    from .context import Context


def clinics(ctx: Context) -> list[ClinicSummary]:
    return clinic_summaries(ctx.price_lists.current())


def catalog(ctx: Context, clinic: str) -> Catalog:
    return catalog_for(ctx.price_lists.current(), clinic, ctx.today())
