"""Payments and refunds on accepted quotes (api.md revision 3, "Deposits and payments"), on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from quoteapi.adapters.db import Quote, QuoteRevision
from quoteapi.domain.payments import deposit_amount

from ..bodies import QUOTE
from ..conftest import run_together
from ..days import iso

TOTAL = Decimal("51885.36")  # QUOTE's total (tests/api/test_quotes.py)


@pytest.fixture
def sales_headers(sales_headers):
    return {**sales_headers, "Accept-Language": "en"}


def new_quote(client, headers, *moves):
    r = client.post("/api/v1/quotes", json=QUOTE, headers=headers)
    assert r.status_code == 201, r.get_json()
    number = r.get_json()["number"]
    for status in moves:
        r = client.patch(f"/api/v1/quotes/{number}", json={"status": status}, headers=headers)
        assert r.status_code == 200, r.get_json()
    return number


def accepted(client, headers):
    return new_quote(client, headers, "sent", "accepted")


def pay(client, headers, number, amount, kind="payment", **more):
    body = {"kind": kind, "amount": amount, "method": "bank_transfer", "received_on": iso(0), **more}
    return client.post(f"/api/v1/quotes/{number}/payments", json=body, headers=headers)


def test_a_payment_is_recorded_listed_and_shown_on_the_quote(client, sales_headers, admin_headers):
    number = accepted(client, sales_headers)
    r = pay(client, sales_headers, number, "1000.00", reference="Havale 42", received_on=iso(-2))
    assert r.status_code == 201, r.get_json()
    answer = r.get_json()
    assert r.headers["Location"] == f"/api/v1/quotes/{number}/payments/{answer['id']}"
    assert answer["kind"] == "payment" and answer["amount"] == "1000.00" and answer["method"] == "bank_transfer"
    assert answer["received_on"] == iso(-2) and answer["reference"] == "Havale 42" and answer["created_by"] == "sam"
    assert answer["number"] == number and answer["paid_total"] == "1000.00" and answer["balance"] == "50885.36"
    assert client.get(r.headers["Location"], headers=sales_headers).get_json() == answer

    r = pay(client, sales_headers, number, "250.5", kind="refund", method="cash")
    assert r.status_code == 201 and r.get_json()["paid_total"] == "749.50" and r.get_json()["balance"] == "51135.86"

    listed = client.get(f"/api/v1/quotes/{number}/payments", headers=sales_headers).get_json()
    assert [(p["kind"], p["amount"], p["method"]) for p in listed["items"]] == [
        ("payment", "1000.00", "bank_transfer"), ("refund", "250.50", "cash")]
    assert listed["total"] == "51885.36" and listed["paid_total"] == "749.50" and listed["balance"] == "51135.86"
    # The demo list asks 20 % at Nişantaşı: 749.50 paid of 10377.07 asked.
    assert listed["deposit"] == {"percent": "20", "amount": "10377.07"} and listed["deposit_due"] is True

    quote = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert quote["payments"] == listed["items"]
    assert quote["paid_total"] == "749.50" and quote["balance"] == "51135.86"
    lines = [a for a in quote["activity"] if a["kind"] == "payment"]
    assert [a["text"] for a in lines] == [
        f"Payment of 1000.00 TRY received by bank transfer on {iso(-2)}.",
        f"Refund of 250.50 TRY paid back in cash on {iso(0)}.",
    ]
    entries = client.get("/api/v1/admin/audit-log?kind=quote", headers=admin_headers).get_json()["items"]
    money = [e for e in entries if e["action"] in ("payment", "refund")]
    assert [(e["action"], e["before"], e["after"]["paid_total"]) for e in money] == [
        ("refund", {"paid_total": "1000.00"}, "749.50"), ("payment", {"paid_total": "0.00"}, "1000.00")]
    assert all(e["actor"] == "sam" and e["subject"] == number and "reference" not in e["after"] for e in money)


def test_a_quote_without_payments_shows_zero_paid_and_its_total_as_balance(client, sales_headers):
    number = new_quote(client, sales_headers)
    quote = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert quote["payments"] == [] and quote["paid_total"] == "0.00" and quote["balance"] == quote["total"]
    created = client.post("/api/v1/quotes", json=QUOTE, headers=sales_headers).get_json()
    assert created["payments"] == [] and created["paid_total"] == "0.00" and created["balance"] == created["total"]


@pytest.mark.parametrize("moves", [(), ("draft",), ("sent",), ("declined",)])
def test_only_accepted_quotes_take_payments(client, sales_headers, moves):
    number = new_quote(client, sales_headers, *moves)
    r = pay(client, sales_headers, number, "100.00")
    assert r.status_code == 409
    problem = r.get_json()
    assert problem["type"] == "http://localhost/api/problems/quote-not-accepted"
    assert "accepted" in problem["detail"] and problem["errors"]["status"]
    assert client.get(f"/api/v1/quotes/{number}/payments", headers=sales_headers).get_json()["items"] == []


def test_a_refund_beyond_what_was_paid_is_422(client, sales_headers):
    number = accepted(client, sales_headers)
    r = pay(client, sales_headers, number, "0.01", kind="refund")
    assert r.status_code == 422 and "amount" in r.get_json()["errors"]
    assert pay(client, sales_headers, number, "500.00").status_code == 201
    r = pay(client, sales_headers, number, "500.01", kind="refund")
    assert r.status_code == 422
    assert r.get_json()["errors"]["amount"] == ["A refund cannot be more than what was paid (500.00)."]
    assert pay(client, sales_headers, number, "500.00", kind="refund").status_code == 201
    assert client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["paid_total"] == "0.00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"received_on": iso(1)}, "received_on"),
        ({"amount": "0"}, "amount"),
        ({"amount": "0.00"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "1000000000.00"}, "amount"),
        ({"kind": "gift"}, "kind"),
        ({"method": "crypto"}, "method"),
        ({"received_on": "yesterday"}, "received_on"),
        ({"reference": "x" * 201}, "reference"),
        ({"reference": "line\nbreak"}, "reference"),
    ],
)
def test_bad_payments_are_422_by_field(client, sales_headers, change, field):
    number = accepted(client, sales_headers)
    body = {"kind": "payment", "amount": "100.00", "method": "cash", "received_on": iso(0), **change}
    r = client.post(f"/api/v1/quotes/{number}/payments", json=body, headers=sales_headers)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]
    assert client.get(f"/api/v1/quotes/{number}/payments", headers=sales_headers).get_json()["items"] == []


def test_required_fields_and_unknown_quotes(client, sales_headers):
    number = accepted(client, sales_headers)
    r = client.post(f"/api/v1/quotes/{number}/payments", json={}, headers=sales_headers)
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"kind", "amount", "method", "received_on"}
    assert pay(client, sales_headers, "Q-0000-999999", "1.00").status_code == 404
    assert client.get("/api/v1/quotes/Q-0000-999999/payments", headers=sales_headers).status_code == 404
    assert client.get(f"/api/v1/quotes/{number}/payments/999999", headers=sales_headers).status_code == 404
    assert client.get(f"/api/v1/quotes/{number}/payments").status_code == 401


AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("30000"), places=2)
STEPS = st.lists(st.tuples(st.sampled_from(["payment", "refund"]), AMOUNTS), min_size=1, max_size=6)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_paid_total_and_balance_are_exact_over_any_sequence(client, sales_headers, steps):
    """balance = total − Σ payments + Σ refunds, to the cent; a refund beyond what was paid is refused and changes nothing."""
    number = accepted(client, sales_headers)
    paid = Decimal("0.00")
    for kind, amount in steps:
        r = pay(client, sales_headers, number, f"{amount:.2f}", kind=kind)
        if kind == "refund" and amount > paid:
            assert r.status_code == 422, r.get_json()
            continue
        assert r.status_code == 201, r.get_json()
        paid += amount if kind == "payment" else -amount
        assert r.get_json()["paid_total"] == f"{paid:.2f}"
        assert r.get_json()["balance"] == f"{TOTAL - paid:.2f}"
        assert paid >= 0
    quote = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert quote["paid_total"] == f"{paid:.2f}" and quote["balance"] == f"{TOTAL - paid:.2f}"
    received = sum(Decimal(p["amount"]) for p in quote["payments"] if p["kind"] == "payment")
    given_back = sum(Decimal(p["amount"]) for p in quote["payments"] if p["kind"] == "refund")
    assert Decimal(quote["balance"]) == Decimal(quote["total"]) - received + given_back


def test_concurrent_refunds_never_give_back_more_than_was_paid(app, sales_headers):
    client = app.test_client()
    number = accepted(client, sales_headers)
    assert pay(client, sales_headers, number, "1000.00").status_code == 201

    def refund():
        return pay(app.test_client(), sales_headers, number, "600.00", kind="refund").status_code

    assert sorted(run_together(refund, refund, refund)) == [201, 422, 422]
    quote = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert quote["paid_total"] == "400.00" and len(quote["payments"]) == 2


# --- the deposit not yet paid --------------------------------------------------------


def set_deposit(database, number, percent, total=None):
    """What the price list v3 work stores on a revision (deposit_percent); the quote's total, when given."""
    with database.transaction() as s:
        quote_id = s.scalar(Quote.__table__.select().with_only_columns(Quote.id).where(Quote.number == number))
        s.execute(update(QuoteRevision).where(QuoteRevision.quote_id == quote_id).values(deposit_percent=percent))
        if total is not None:
            s.execute(update(Quote).where(Quote.id == quote_id).values(total=total))


def due_numbers(client, headers, value="true"):
    r = client.get(f"/api/v1/quotes?deposit_due={value}&limit=200", headers=headers)
    assert r.status_code == 200, r.get_json()
    return {q["number"] for q in r.get_json()["items"]}


def test_deposit_due_lists_accepted_quotes_paid_below_their_deposit(client, sales_headers, database):
    due = accepted(client, sales_headers)
    set_deposit(database, due, Decimal("20"))  # 20 % of 51885.36 = 10377.072 → 10377.07
    partly = accepted(client, sales_headers)
    set_deposit(database, partly, Decimal("20"))
    paid = accepted(client, sales_headers)
    set_deposit(database, paid, Decimal("20"))
    refunded = accepted(client, sales_headers)
    set_deposit(database, refunded, Decimal("20"))
    no_deposit = accepted(client, sales_headers)
    set_deposit(database, no_deposit, None)  # a clinic that asks none
    sent = new_quote(client, sales_headers, "sent")
    set_deposit(database, sent, Decimal("20"))

    assert pay(client, sales_headers, partly, "10377.06").status_code == 201
    assert pay(client, sales_headers, paid, "10000.00").status_code == 201
    assert pay(client, sales_headers, paid, "377.07", method="card").status_code == 201
    assert pay(client, sales_headers, refunded, "10377.07").status_code == 201
    assert pay(client, sales_headers, refunded, "0.01", kind="refund").status_code == 201

    assert due_numbers(client, sales_headers) == {due, partly, refunded}
    assert due_numbers(client, sales_headers, "false") == {paid, no_deposit, sent}
    listed = client.get(f"/api/v1/quotes/{paid}/payments", headers=sales_headers).get_json()
    assert listed["deposit"] == {"percent": "20", "amount": "10377.07"} and listed["deposit_due"] is False
    listed = client.get(f"/api/v1/quotes/{partly}/payments", headers=sales_headers).get_json()
    assert listed["deposit_due"] is True
    assert client.get("/api/v1/quotes?deposit_due=maybe", headers=sales_headers).status_code == 422


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    total=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2),
    percent=st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2),
    offset=st.sampled_from([Decimal("-0.01"), Decimal("0"), Decimal("0.01")]),
)
def test_the_filter_rounds_the_deposit_as_python_does(client, sales_headers, database, total, percent, offset):
    """SQL's deposit (in cents, on either database) is round-half-up(total × percent / 100, 2), as domain/payments.py's."""
    number = accepted(client, sales_headers)
    deposit = deposit_amount(total, percent)
    set_deposit(database, number, percent, total=total)
    paid = deposit + offset
    if paid > 0:
        assert pay(client, sales_headers, number, f"{paid:.2f}").status_code == 201
    assert (number in due_numbers(client, sales_headers)) == (max(paid, Decimal(0)) < deposit)


def test_a_half_cent_deposit_rounds_up(client, sales_headers, database):
    number = accepted(client, sales_headers)
    set_deposit(database, number, Decimal("5"), total=Decimal("100.10"))  # 5.005 → 5.01
    assert pay(client, sales_headers, number, "5.00").status_code == 201
    assert number in due_numbers(client, sales_headers)
    assert pay(client, sales_headers, number, "0.01").status_code == 201
    assert number not in due_numbers(client, sales_headers)


# --- erasure ----------------------------------------------------------------------------


def test_erasure_keeps_the_amounts_and_scrubs_the_reference(client, sales_headers, admin_headers):
    number = accepted(client, sales_headers)
    assert pay(client, sales_headers, number, "3000.00", reference="Ayşe Yılmaz EFT").status_code == 201
    assert pay(client, sales_headers, number, "100.00", kind="refund", method="cash").status_code == 201
    r = client.post("/api/v1/admin/customers/erase", json={"email": QUOTE["customer"]["email"]}, headers=admin_headers)
    assert r.status_code == 200, r.get_json()
    listed = client.get(f"/api/v1/quotes/{number}/payments", headers=sales_headers).get_json()
    assert [(p["kind"], p["amount"], p["method"], p["received_on"], p["reference"]) for p in listed["items"]] == [
        ("payment", "3000.00", "bank_transfer", iso(0), "[erased]"), ("refund", "100.00", "cash", iso(0), None)]
    assert listed["paid_total"] == "2900.00" and listed["balance"] == "48985.36"
    quote = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert "Ayşe" not in str(quote)
    assert sum(1 for a in quote["activity"] if a["kind"] == "payment") == 2
