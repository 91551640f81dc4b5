"""The console's Payments panel, the "deposit not yet paid" filter, and users' full names and e-mails."""

from __future__ import annotations

import html
import re
from decimal import Decimal

from sqlalchemy import update

from quoteapi.adapters.db import Quote, QuoteRevision
from quoteapi.services import users

from ..bodies import QUOTE
from ..days import iso, spelled
from .desk_helpers import csrf_token, messages


def accepted(client, sales_headers) -> str:
    number = client.post("/api/v1/quotes", json=QUOTE, headers=sales_headers).get_json()["number"]
    for status in ("sent", "accepted"):
        assert client.patch(f"/api/v1/quotes/{number}", json={"status": status}, headers=sales_headers).status_code == 200
    return number


def with_deposit(database, number, percent="20"):
    with database.transaction() as s:
        quote_id = s.scalar(Quote.__table__.select().with_only_columns(Quote.id).where(Quote.number == number))
        s.execute(update(QuoteRevision).where(QuoteRevision.quote_id == quote_id)
                  .values(deposit_percent=None if percent is None else Decimal(percent)))


def panel(page: str) -> str:
    found = re.search(r'<section aria-labelledby="payments-h".*?</section>', page, re.S)
    return found.group(0) if found else ""


def record(seller, number, lang="tr", **fields):
    path = f"/desk/quotes/{number}?lang={lang}"
    data = {"kind": "payment", "amount": "", "method": "bank_transfer", "received_on": iso(0), "reference": "",
            "csrf_token": csrf_token(seller, path), **fields}
    return seller.post(f"/desk/quotes/{number}/payments?lang={lang}", data=data)


def test_an_accepted_quote_has_a_payments_panel_with_the_deposit_and_a_form(client, seller, sales_headers, database):
    number = accepted(client, sales_headers)
    with_deposit(database, number)
    page = panel(seller.get(f"/desk/quotes/{number}").get_data(as_text=True))
    assert "İstenen kapora" in page and "henüz ödenmedi" in page  # the deposit asked, in Turkish
    assert "10.377,07" in page and "51.885,36" in page  # 20 % of 51.885,36, in Turkish money format
    r = record(seller, number, amount="1.234,56", reference="EFT 42")
    assert r.status_code == 302
    page = panel(seller.get(f"/desk/quotes/{number}").get_data(as_text=True))
    row = re.search(r'<tr class="payment-payment">(.*?)</tr>', page, re.S).group(1)
    assert spelled(0, "tr") in row and "1.234,56" in row and "EFT 42" in row and "havale" in row.lower()
    assert re.search(r'id="paid-total">1\.234,56', page) and re.search(r'id="balance">50\.650,80', page)
    api = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert api["paid_total"] == "1234.56" and api["payments"][0]["reference"] == "EFT 42"


def test_errors_are_shown_by_field_in_words_and_nothing_is_recorded(client, seller, sales_headers):
    number = accepted(client, sales_headers)
    r = record(seller, number, lang="en", amount="12.345")
    assert r.status_code == 422
    page = panel(r.get_data(as_text=True))
    amount_error = re.search(r'id="err-pay-amount">(.*?)<', page).group(1)
    assert amount_error == "At most 2 decimals are allowed." and "amount:" not in page
    assert 'value="12.345"' in page  # what was typed is kept
    r = record(seller, number, lang="en", amount="12", received_on=iso(1))
    assert r.status_code == 422
    page = panel(r.get_data(as_text=True))
    day_error = re.search(r'id="err-pay-received_on">(.*?)<', page).group(1)
    assert day_error.startswith("The day cannot be after today") and f'value="{iso(1)}"' in page
    r = record(seller, number, lang="en", kind="refund", amount="10")
    assert r.status_code == 422
    refund_error = html.unescape(re.search(r'id="err-pay-amount">(.*?)<', panel(r.get_data(as_text=True))).group(1))
    assert refund_error == "A refund cannot be more than what was paid (0.00)."
    assert client.get(f"/api/v1/quotes/{number}/payments", headers=sales_headers).get_json()["items"] == []


def test_a_quote_not_accepted_has_no_panel_and_refuses_a_payment(client, seller, sales_headers):
    number = client.post("/api/v1/quotes", json=QUOTE, headers=sales_headers).get_json()["number"]
    assert panel(seller.get(f"/desk/quotes/{number}").get_data(as_text=True)) == ""
    path = f"/desk/quotes/{number}?lang=en"
    data = {"kind": "payment", "amount": "10", "method": "cash", "received_on": iso(0), "csrf_token": csrf_token(seller, path)}
    r = seller.post(f"/desk/quotes/{number}/payments?lang=en", data=data, follow_redirects=True)
    assert any("accepted quotes only" in html.unescape(m) for m in messages(r))


def test_a_payment_without_the_csrf_token_is_refused(client, seller, sales_headers):
    number = accepted(client, sales_headers)
    data = {"kind": "payment", "amount": "10", "method": "cash", "received_on": iso(0)}
    assert seller.post(f"/desk/quotes/{number}/payments", data=data).status_code in (400, 403)
    assert client.get(f"/api/v1/quotes/{number}/payments", headers=sales_headers).get_json()["items"] == []


def test_the_list_filters_quotes_whose_deposit_is_not_yet_paid(client, seller, sales_headers, database):
    due = accepted(client, sales_headers)
    with_deposit(database, due)
    paid = accepted(client, sales_headers)
    with_deposit(database, paid)
    assert record(seller, paid, amount="10377,07").status_code == 302
    plain = accepted(client, sales_headers)
    with_deposit(database, plain, None)  # a clinic that asks none
    page = seller.get("/desk/quotes?deposit_due=true").get_data(as_text=True)
    assert due in page and paid not in page and plain not in page
    assert 'id="f-deposit-due" name="deposit_due" type="checkbox" value="true" checked' in page
    everything = seller.get("/desk/quotes").get_data(as_text=True)
    assert all(n in everything for n in (due, paid, plain))


# --- users' full names and e-mails -------------------------------------------------------------


def test_an_admin_creates_and_edits_full_name_and_email(ctx, admin):
    token = csrf_token(admin, "/desk/users?lang=en")
    r = admin.post("/desk/users?lang=en", data={"name": "deniz", "role": "sales", "full_name": "Deniz Kaya",
                                                "email": "deniz@example.com", "csrf_token": token})
    assert r.status_code == 200 and 'id="new-token"' in r.get_data(as_text=True)
    assert (users.get_user(ctx, "deniz").full_name, users.get_user(ctx, "deniz").email) == ("Deniz Kaya", "deniz@example.com")
    page = admin.get("/desk/users?lang=en").get_data(as_text=True)
    assert 'value="Deniz Kaya"' in page and 'value="deniz@example.com"' in page

    token = csrf_token(admin, "/desk/users?lang=en")
    r = admin.post("/desk/users/deniz/details?lang=en", data={"full_name": "Deniz K. Yıldız", "email": "",
                                                                "csrf_token": token})
    assert r.status_code == 302
    assert (users.get_user(ctx, "deniz").full_name, users.get_user(ctx, "deniz").email) == ("Deniz K. Yıldız", None)


def test_a_bad_email_is_shown_beside_its_field_and_changes_nothing(ctx, admin):
    users.create_user(ctx, "ece", "sales", email="ece@example.com")
    token = csrf_token(admin, "/desk/users?lang=en")
    r = admin.post("/desk/users/ece/details?lang=en", data={"full_name": "Ece", "email": "not an address",
                                                              "csrf_token": token})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    error = re.search(r'id="err-u-\d+-email">(.*?)<', page).group(1)
    assert "email" in error.lower() and 'value="not an address"' in page
    assert users.get_user(ctx, "ece").email == "ece@example.com"
    token = csrf_token(admin, "/desk/users?lang=en")
    r = admin.post("/desk/users?lang=en", data={"name": "fatma", "role": "sales", "email": "fatma@", "csrf_token": token})
    assert r.status_code == 422 and re.search(r'id="err-new-email">', r.get_data(as_text=True))
    assert "fatma" not in [u.name for u in users.list_users(ctx)]
