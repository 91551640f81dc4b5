"""Payments and refunds on an accepted quote (role sales)."""

from __future__ import annotations

from ..interface.schemas.payments import PaymentCreateSchema, PaymentListSchema, PaymentRecordedSchema
from ..services import payments
from .auth import current_user
from .openapi import Blueprint
from .responses import services

blp = Blueprint(
    "payments",
    __name__,
    url_prefix="/api/v1",
    description="Money received for an accepted quote, or given back, for the roles sales and admin.",
)

LOCATION = {"Location": {"description": "The payment just recorded.", "schema": {"type": "string"}}}


def payment_location(number: str, payment_id: int) -> str:
    return f"/api/v1/quotes/{number}/payments/{payment_id}"


@blp.route("/quotes/<string:number>/payments", methods=["POST"])
@blp.requires("sales")
@blp.arguments(PaymentCreateSchema())
@blp.response(201, PaymentRecordedSchema, headers=LOCATION)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def record_payment(body: dict, number: str):
    """Record money received (`payment`) or given back (`refund`) on an accepted quote (409 otherwise).

    The answer is the payment with the quote's `paid_total` and `balance` after it; a refund
    larger than what was paid, or a day after today, is a 422.
    """
    command = payments.RecordPayment(number=number, by=current_user().name, **body)
    recorded = payments.record_payment(services(), command)
    return recorded, {"Location": payment_location(recorded.number, recorded.payment.id)}


@blp.route("/quotes/<string:number>/payments")
@blp.requires("sales")
@blp.response(200, PaymentListSchema)
@blp.alt_response(404, response="NOT_FOUND")
def list_payments(number: str):
    """The quote's payments and refunds, oldest first, with its total, the deposit asked, paid_total and balance."""
    return payments.account(services(), number)


@blp.route("/quotes/<string:number>/payments/<int(max=2147483647):payment_id>")
@blp.requires("sales")
@blp.response(200, PaymentRecordedSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_payment(number: str, payment_id: int):
    """One payment or refund of the quote, with the quote's `paid_total` and `balance` now."""
    return payments.get_payment(services(), number, payment_id)
