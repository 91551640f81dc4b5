"""Payments: money received for an accepted quote, or given back (role sales).

Each use case runs in one transaction. Recording one locks the quote's row first
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write transactions are taken
one at a time), then reads its payments: two refunds at once are taken one after
the other, so the second sees the first and never gives back more than was paid.
Every payment is an activity line and an audit entry; payments are books, kept on
erasure (only the reference, free text, is scrubbed: services/personal_data.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ..adapters import clock
from ..adapters.db import quote_store as store
from ..domain import payments as rules
from ..domain import quotes as workflow
from ..domain.payments import Payment
from ..domain.text import N_
from . import audit

if TYPE_CHECKING:
    from .context import Context


@dataclass(frozen=True, slots=True)
class RecordPayment:
    """A payment or refund to record, as the API's body and the console's form give it."""

    number: str
    by: str | None
    kind: str
    amount: Decimal
    method: str
    received_on: date
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """A quote's money: its total, the deposit asked, what was paid and what is left."""

    number: str
    status: str
    currency: str
    total: Decimal
    deposit_percent: Decimal | None
    deposit: Decimal | None
    payments: tuple[Payment, ...]

    @property
    def paid_total(self) -> Decimal:
        return rules.paid_total(self.payments)

    @property
    def balance(self) -> Decimal:
        return rules.balance(self.total, self.paid_total)

    @property
    def deposit_due(self) -> bool:
        """Accepted, a deposit is asked and less than it has been paid."""
        return self.status == "accepted" and self.deposit is not None and self.paid_total < self.deposit


@dataclass(frozen=True, slots=True)
class Recorded:
    """A payment just recorded, with the quote's figures after it."""

    payment: Payment
    number: str
    paid_total: Decimal
    balance: Decimal


# The activity line of each kind and method (in the reader's language; amounts as written).
LINES = {
    ("payment", "bank_transfer"): N_("Payment of {amount} {currency} received by bank transfer on {day}."),
    ("payment", "card"): N_("Payment of {amount} {currency} received by card on {day}."),
    ("payment", "cash"): N_("Payment of {amount} {currency} received in cash on {day}."),
    ("refund", "bank_transfer"): N_("Refund of {amount} {currency} paid back by bank transfer on {day}."),
    ("refund", "card"): N_("Refund of {amount} {currency} paid back to the card on {day}."),
    ("refund", "cash"): N_("Refund of {amount} {currency} paid back in cash on {day}."),
}


def _account(row, today: date) -> Account:
    total = Decimal(row.total).quantize(rules.CENT)
    percent = store.deposit_percent(row)
    return Account(
        number=row.number,
        status=workflow.effective_status(row.status, row.valid_until, today),
        currency=row.currency,
        total=total,
        deposit_percent=percent,
        deposit=rules.deposit_amount(total, percent),
        payments=tuple(store.payment_of(p) for p in row.payments),
    )


def account(ctx: Context, number: str) -> Account:
    """A quote's payments with its total, deposit, paid total and balance."""
    with ctx.database.reading() as session:
        return _account(store.load(session, number), ctx.today())


def get_payment(ctx: Context, number: str, payment_id: int) -> Recorded:
    """One payment of a quote, with the quote's figures now."""
    with ctx.database.reading() as session:
        row = store.load(session, number)
        found = _account(row, ctx.today())
        payment = store.payment_of(store.find_payment(row, payment_id))
        return Recorded(payment, row.number, found.paid_total, found.balance)


def record_payment(ctx: Context, cmd: RecordPayment) -> Recorded:
    """Record a payment or a refund on an accepted quote (:class:`Conflict` otherwise).

    The amount is above zero with at most two places, the day not after today at the
    clinics, and a refund not more than what was paid (:class:`Invalid`).
    """
    today = ctx.today()
    with ctx.database.transaction() as session:
        row = store.load(session, cmd.number, for_update=True)
        status = workflow.effective_status(row.status, row.valid_until, today)
        rules.check_payable(row.number, status)
        before = _account(row, today)
        rules.check_amount(cmd.kind, cmd.amount, before.paid_total, today, cmd.received_on)
        now = clock.now()
        amount = cmd.amount.quantize(rules.CENT)
        added = store.add_payment(session, row, {
            "kind": cmd.kind, "amount": amount, "method": cmd.method, "received_on": cmd.received_on,
            "reference": cmd.reference or None, "created_at": now, "created_by": cmd.by,
        })
        payment = store.payment_of(added)
        paid = rules.paid_total(before.payments + (payment,))
        row.paid = paid  # reports: the deposits received, kept with the quote (migration 0014)
        store.add_activity(row, now, cmd.by, "payment", LINES[(cmd.kind, cmd.method)], amount=f"{amount:.2f}",
                           currency=row.currency, day=cmd.received_on.isoformat())
        # The reference is left out of the audit log: it is free text, and the payment row keeps it.
        audit.record(
            session, actor=cmd.by, kind="quote", action=cmd.kind, subject=row.number,
            before={"paid_total": f"{before.paid_total:.2f}"},
            after={"paid_total": f"{paid:.2f}", "payment": payment.id, "kind": cmd.kind, "amount": f"{amount:.2f}",
                   "method": cmd.method, "received_on": cmd.received_on.isoformat()},
        )
        session.flush()
        return Recorded(payment, row.number, paid, rules.balance(before.total, paid))
