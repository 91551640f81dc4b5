"""Payments on an accepted quote: money received (a deposit, an instalment) or given back.

Pure rules: which quotes take payments, what a refund may give back, what has been
paid, what is left and the deposit asked. Money is ``Decimal`` with two places;
a refund counts against what was paid, so ``paid_total`` never goes below zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from .errors import Conflict, Invalid
from .text import T

PAYMENT = "payment"
REFUND = "refund"
KINDS = (PAYMENT, REFUND)
METHODS = ("bank_transfer", "card", "cash")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Payment:
    """One payment or refund as it was recorded."""

    id: int
    kind: str
    amount: Decimal
    method: str
    received_on: date
    reference: str | None
    created_at: datetime
    created_by: str | None


def paid_total(payments: Iterable[Payment]) -> Decimal:
    """Σ payments − Σ refunds, with two places."""
    total = ZERO
    for p in payments:
        total += -p.amount if p.kind == REFUND else p.amount
    return total.quantize(CENT)


def balance(total: Decimal, paid: Decimal) -> Decimal:
    """What the customer still owes (negative if more was paid than the total)."""
    return (total - paid).quantize(CENT)


def deposit_amount(total: Decimal, percent: Decimal | None) -> Decimal | None:
    """The deposit a quote asks: total × percent / 100, rounded half up to the cent; None without a percent."""
    if percent is None:
        return None
    return (total * percent / 100).quantize(CENT, ROUND_HALF_UP)


def check_payable(number: str, status: str) -> None:
    """Only an accepted quote takes payments and refunds: before that nothing is owed."""
    if status != "accepted":
        raise Conflict(
            T("Quote {number} is {status}; payments are recorded on accepted quotes only.", number=number,
              status=status),
            {"status": [T("The quote is {status}, not accepted.", status=status)]},
            kind="quote-not-accepted",
        )


def check_amount(kind: str, amount: Decimal, paid: Decimal, today: date, received_on: date) -> None:
    """A positive amount of at most two places, a day not after today, and no refund beyond what was paid."""
    errors = {}
    if amount <= 0 or amount != amount.quantize(CENT):
        errors["amount"] = [T("An amount above zero, with at most two decimals.")]
    if received_on > today:
        errors["received_on"] = [T("The day cannot be after today ({day}).", day=today)]
    if not errors and kind == REFUND and amount > paid:
        errors["amount"] = [T("A refund cannot be more than what was paid ({paid}).", paid=paid)]
    if errors:
        first = next(iter(errors.values()))[0]
        raise Invalid(first, errors)
