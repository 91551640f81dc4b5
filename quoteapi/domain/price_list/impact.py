"""What a price change would do to the open quotes and to the catalogue, as pure figures.

A use case loads the open quotes (the inputs of each one's newest revision
and the total it has) and the two lists; this prices each quote as a
revision would today with the new list and sums up the differences.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Iterable

from ..errors import DomainError
from ..pricing.engine import price, round_money
from ..pricing.model import EstimateRequest, PriceList
from ..quotes import start_date_for_revision

ZERO = Decimal("0.00")
LARGEST = 20


@dataclass(frozen=True, slots=True)
class OpenQuote:
    number: str
    clinic: str
    total: Decimal  # what the quote has now
    inputs: EstimateRequest  # of its newest revision


@dataclass(frozen=True, slots=True)
class QuoteChange:
    number: str
    clinic: str
    total_before: Decimal
    total_after: Decimal

    @property
    def difference(self) -> Decimal:
        return self.total_after - self.total_before


@dataclass(frozen=True, slots=True)
class Unpriced:
    """An open quote the new list cannot price (say its area was removed): a revision would be refused."""

    number: str
    reason: object


@dataclass(frozen=True, slots=True)
class AreaPrice:
    """One area's one-session price at one clinic (reference size, before tax rules), before and after."""

    clinic: str
    area: str
    before: Decimal | None
    after: Decimal | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True, slots=True)
class Impact:
    open_quotes: int
    dearer: int
    cheaper: int
    unchanged: int
    difference_total: Decimal
    largest_changes: tuple[QuoteChange, ...]
    unpriced_count: int
    unpriced: tuple[Unpriced, ...]
    catalog: tuple[AreaPrice, ...]


def impact(quotes: Iterable[OpenQuote], old_list: PriceList | None, new_list: PriceList, today: date,
           largest: int = LARGEST) -> Impact:
    count = dearer = cheaper = unchanged = 0
    difference_total = ZERO
    changes: list[tuple[Decimal, str, QuoteChange]] = []
    unpriced: list[Unpriced] = []
    unpriced_count = 0
    # Quotes with the same inputs (a common offer) are priced once.
    priced: dict[EstimateRequest, Decimal | Unpriced] = {}
    for quote in quotes:
        count += 1
        inputs = replace(quote.inputs, start_date=start_date_for_revision(quote.inputs.start_date, today))
        after = priced.get(inputs)
        if after is None:
            try:
                after = price(new_list, inputs, today).total
            except DomainError as exc:
                after = Unpriced("", exc.detail)
            priced[inputs] = after
        if isinstance(after, Unpriced):
            unpriced_count += 1
            if len(unpriced) < largest:
                unpriced.append(Unpriced(quote.number, after.reason))
            continue
        change = QuoteChange(quote.number, quote.clinic, quote.total, after)
        difference = change.difference
        difference_total += difference
        if difference > 0:
            dearer += 1
        elif difference < 0:
            cheaper += 1
        else:
            unchanged += 1
            continue
        entry = (abs(difference), quote.number, change)
        if len(changes) < largest:
            heapq.heappush(changes, entry)
        elif entry > changes[0]:
            heapq.heapreplace(changes, entry)
    largest_changes = tuple(c for _, _, c in sorted(changes, key=lambda e: (-e[0], e[1])))
    return Impact(count, dearer, cheaper, unchanged, difference_total, largest_changes, unpriced_count,
                  tuple(unpriced), area_prices(old_list, new_list))


def area_prices(old_list: PriceList | None, new_list: PriceList) -> tuple[AreaPrice, ...]:
    """Each area's one-session price per clinic (price × the clinic's factor), before and after."""

    def table(price_list: PriceList | None) -> dict[tuple[str, str], Decimal]:
        if price_list is None:
            return {}
        return {
            (c.code, a.code): round_money(a.price * c.price_factor) for c in price_list.clinics for a in price_list.areas
        }

    before, after = table(old_list), table(new_list)
    keys = list(after) + [key for key in before if key not in after]
    return tuple(AreaPrice(clinic, area, before.get((clinic, area)), after.get((clinic, area))) for clinic, area in keys)
