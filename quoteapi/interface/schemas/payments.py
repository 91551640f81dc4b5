"""Payments on an accepted quote: what the desk records and what it reads back."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_dump, validate

from ...domain.payments import KINDS, METHODS
from ...domain.text import N_
from .fields import MAX_MONEY, DecimalString, Day, Flattened, Integer, Text, Trimmed


def SignedMoney(**kwargs: Any) -> DecimalString:
    """An answer's money that may be below zero (a balance after overpayment): "-10.00"."""
    return DecimalString(places=2, money=True, signed=True, **kwargs)


class PaymentCreateSchema(Schema):
    kind = Text(required=True, validate=validate.OneOf(KINDS),
                metadata={"description": "`payment`: money received; `refund`: money given back."})
    amount = DecimalString(
        places=2, money=True, required=True,
        validate=validate.Range(min=0, max=MAX_MONEY, min_inclusive=False, max_inclusive=False,
                                error=N_("An amount above zero and below 1000000000.")),
        metadata={"description": "Above zero, at most 2 decimals; a refund is at most what was paid (422)."},
    )
    method = Text(required=True, validate=validate.OneOf(METHODS))
    received_on = Day(required=True, metadata={"description": "The day the money came (or went); not after today at the clinics."})
    reference = Trimmed(
        load_default=None, allow_none=True, validate=validate.Length(max=200),
        metadata={"description": "Free text, e.g. the bank transfer's reference; scrubbed when the customer's data is erased."},
    )


class PaymentSchema(Schema):
    id = Integer()
    kind = Text(validate=validate.OneOf(KINDS))
    amount = DecimalString(places=2, money=True)
    method = Text(validate=validate.OneOf(METHODS))
    received_on = fields.Date()
    reference = Text(allow_none=True)
    created_at = fields.DateTime()
    created_by = Text(allow_none=True)


class PaymentRecordedSchema(PaymentSchema):
    """A payment (or refund) with its quote's figures after it."""

    number = Text(metadata={"description": "The quote's number."})
    paid_total = SignedMoney(metadata={"description": "Σ payments − Σ refunds of the quote, now."})
    balance = SignedMoney(metadata={"description": "The quote's total − paid_total, now."})

    @pre_dump
    def with_payment(self, recorded: Any, **kwargs: Any) -> Flattened:
        return Flattened(recorded, "payment")


class PaymentDepositSchema(Schema):
    """The deposit asked, as the payments list shows it beside what was paid."""

    percent = DecimalString(places=2)
    amount = DecimalString(places=2, money=True)


class PaymentListSchema(Schema):
    """A quote's payments, oldest first, with its total, the deposit asked, what was paid and what is left."""

    number = Text()
    status = Text()
    currency = Text()
    total = DecimalString(places=2, money=True)
    deposit = fields.Nested(PaymentDepositSchema, allow_none=True,
                            metadata={"description": "The deposit the quote's revision asks; null when none."})
    deposit_due = fields.Boolean(metadata={"description": "Accepted, a deposit is asked and less than it was paid."})
    paid_total = SignedMoney()
    balance = SignedMoney()
    items = fields.List(fields.Nested(PaymentSchema))

    @pre_dump
    def with_items(self, account: Any, **kwargs: Any) -> dict[str, Any]:
        deposit = None if account.deposit is None else {
            "percent": f"{account.deposit_percent.normalize():f}", "amount": account.deposit,
        }
        return {
            "number": account.number, "status": account.status, "currency": account.currency, "total": account.total,
            "deposit": deposit, "deposit_due": account.deposit_due, "paid_total": account.paid_total,
            "balance": account.balance, "items": account.payments,
        }
