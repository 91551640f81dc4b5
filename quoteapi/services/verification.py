"""Verification: a stored revision priced again with its price-list version and dates, every figure compared."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Iterator

from ..adapters.db import models as rows
from ..adapters.db import quote_store
from ..adapters.i18n import language
from ..domain.personal_data import answers_erased
from ..domain.pricing import price
from ..domain.pricing.model import PriceList
from ..domain.pricing.plain import estimate_to_plain, request_from_plain
from ..domain.quotes import Verification, without_untraced_caps
from . import price_lists

if TYPE_CHECKING:
    from .context import Context


def _replay(ctx: Context, stored: rows.QuoteRevision, language_code: str,
            price_lists_by_version: dict[int, PriceList]) -> Verification:
    version = stored.price_list_version
    if version not in price_lists_by_version:
        price_lists_by_version[version] = price_lists.price_list_of(ctx, version)
    # The stored start date, not today's: a replay prices what was priced then.
    inputs = replace(request_from_plain(stored.inputs), start_date=date.fromisoformat(stored.estimate["start_date"]))
    stored_estimate = stored.estimate
    if answers_erased(stored.inputs):
        # The client's answers were erased: their eligibility cannot be replayed; every figure still is.
        stored_estimate = {key: value for key, value in stored_estimate.items() if key != "eligibility"}

    def replay(price_list: PriceList) -> Verification:
        return Verification.between(stored_estimate, estimate_to_plain(price(price_list, inputs), language(language_code)))

    price_list = price_lists_by_version[version]
    verification = replay(price_list)
    if not verification.matches:
        # Priced while a capped campaign was used up (and so not offered)?
        without = without_untraced_caps(price_list, stored_estimate)
        if without is not None and (again := replay(without)).matches:
            return again
    return verification


def verify_revision(ctx: Context, number: str, revision: int) -> Verification:
    """Price a stored revision's inputs again with its price-list version and dates; compare every figure."""
    with ctx.database.reading() as session:
        quote = quote_store.load(session, number)
        return _replay(ctx, quote_store.stored_revision(quote, revision), quote.language, {})


def verify_all(ctx: Context, batch: int = 500) -> Iterator[tuple[str, int, Verification]]:
    """Every stored revision, replayed: ``(number, revision, verification)``, oldest first."""
    cache: dict[int, PriceList] = {}
    for stored, number, language_code in quote_store.revisions(ctx.database, batch):
        yield number, stored.revision, _replay(ctx, stored, language_code, cache)
