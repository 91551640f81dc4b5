"""The customer card: from a quote, everything of the same person (by e-mail or phone)."""

from __future__ import annotations

from flask import render_template

from ...adapters import clock
from ...services import quotes
from .common import bp, requires, services
from .sales import _clinic_names


@bp.get("/quotes/<string:number>/customer")
@requires("sales")
def customer_card(number: str):
    found = quotes.same_customer(services(), number)
    this = next(q for q in found if q.number == number)
    created = {q.number: clock.local_date(q.created_at) for q in found}  # the clinics' day, not UTC's
    return render_template("desk/customer.html", quote=this, quotes=found, created=created, clinics=_clinic_names())
