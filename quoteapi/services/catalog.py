"""What the website form needs, from the price list in force."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.pricing.catalog import Catalog, catalog_for
from ..domain.pricing.model import Clinic

if TYPE_CHECKING:
    from .context import Context


def clinics(ctx: Context) -> list[Clinic]:
    return list(ctx.price_lists.current().clinics)


def catalog(ctx: Context, clinic: str) -> Catalog:
    return catalog_for(ctx.price_lists.current(), clinic, ctx.today())
