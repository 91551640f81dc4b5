"""Price list version 3 through the API: clinic contacts, deposits, bank accounts; the quote's deposit and document."""

from __future__ import annotations

import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from quoteapi.adapters.db import QuoteRevision, User

from ..bodies import QUOTE

DEMO_IBAN = "TR330006100519786457841326"
ACCOUNT = {"holder": "Örnek Dermaterapi A.Ş.", "bank": "Örnek Bank", "iban": DEMO_IBAN}


@pytest.fixture
def sales_headers(sales_headers):
    return {**sales_headers, "Accept-Language": "en"}


def create(client, headers, **changes) -> dict:
    r = client.post("/api/v1/quotes", json={**QUOTE, **changes}, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def stored_percents(database, number: str) -> list:
    with database.reading() as s:
        from quoteapi.adapters.db import Quote
        quote_id = s.scalar(select(Quote.id).where(Quote.number == number))
        return list(s.scalars(select(QuoteRevision.deposit_percent).where(QuoteRevision.quote_id == quote_id)
                              .order_by(QuoteRevision.revision)))


def expected(total: str, percent: str) -> str:
    return str((Decimal(total) * Decimal(percent) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP))


def patch_clinic(client, admin_headers, code: str, body: dict):
    etag = client.get(f"/api/v1/admin/clinics/{code}", headers=admin_headers).headers["ETag"]
    return client.patch(f"/api/v1/admin/clinics/{code}", json=body, headers={**admin_headers, "If-Match": etag})


# --- The quote's deposit ----------------------------------------------------------------------------


def test_a_quote_at_a_clinic_asking_a_deposit_carries_it(client, sales_headers, database):
    q = create(client, sales_headers)  # İstanbul Nişantaşı: 20 %
    assert q["total"] == "51885.36"
    assert q["deposit"] == {"percent": "20", "amount": "10377.07"} == {"percent": "20", "amount": expected("51885.36", "20")}
    assert client.get(f"/api/v1/quotes/{q['number']}", headers=sales_headers).get_json()["deposit"] == q["deposit"]
    assert stored_percents(database, q["number"]) == [Decimal(20)]


def test_a_quote_at_a_clinic_asking_none_has_no_deposit(client, sales_headers, database):
    q = create(client, sales_headers, clinic="ank-cankaya")
    assert q["deposit"] is None
    assert client.get(f"/api/v1/quotes/{q['number']}", headers=sales_headers).get_json()["deposit"] is None
    assert stored_percents(database, q["number"]) == [None]


def test_a_website_request_carries_the_deposit_too(client, database):
    body = {k: v for k, v in QUOTE.items() if k not in ("notes", "follow_up_on")}
    r = client.post("/api/v1/quote-requests", json={**body, "clinic": "ist-kadikoy", "consent": True})
    assert r.status_code == 201, r.get_json()
    assert stored_percents(database, r.get_json()["number"]) == [Decimal(20)]


def test_a_revision_takes_the_deposit_the_clinic_asks_when_it_is_priced(client, sales_headers, admin_headers, database):
    q = create(client, sales_headers)
    assert patch_clinic(client, admin_headers, "ist-nisantasi", {"deposit_percent": "12.5"}).status_code == 200
    # The quote keeps what was asked when it was priced, until it is priced again.
    assert client.get(f"/api/v1/quotes/{q['number']}", headers=sales_headers).get_json()["deposit"]["percent"] == "20"
    revised = client.post(f"/api/v1/quotes/{q['number']}/revisions", json={"sessions": 6}, headers=sales_headers)
    assert revised.status_code in (200, 201), revised.get_json()
    body = revised.get_json()
    assert body["deposit"] == {"percent": "12.5", "amount": expected(body["total"], "12.5")}
    assert patch_clinic(client, admin_headers, "ist-nisantasi", {"deposit_percent": "0"}).status_code == 200
    again = client.post(f"/api/v1/quotes/{q['number']}/revisions", json={}, headers=sales_headers).get_json()
    assert again["deposit"] is None
    assert stored_percents(database, q["number"]) == [Decimal(20), Decimal("12.5"), None]


# --- The clinic's fields through the per-item endpoints and the whole list -----------------------------


def test_a_clinic_takes_the_version_3_fields(client, admin_headers):
    r = patch_clinic(client, admin_headers, "ank-cankaya", {
        "phone": "0312 000 03 04", "email": "ankara@example.com", "deposit_percent": "15",
        "bank_account": {"holder": "Çankaya Klinik Ltd.", "bank": "Örnek Bank", "iban": "tr33 0006 1005 1978 6457 8413 26"},
    })
    assert r.status_code == 200, r.get_json()
    clinic = client.get("/api/v1/admin/clinics/ank-cankaya", headers=admin_headers).get_json()
    assert clinic["phone"] == "+903120000304" and clinic["email"] == "ankara@example.com"
    assert clinic["deposit_percent"] == "15"
    assert clinic["bank_account"] == {"holder": "Çankaya Klinik Ltd.", "bank": "Örnek Bank", "iban": DEMO_IBAN}
    added = client.post("/api/v1/admin/clinics", json={
        "code": "izm-alsancak", "name": "İzmir Alsancak", "city": "İzmir", "price_factor": "1.00", "tax_rate": "0.20",
        "prices_include_tax": True, "deposit_percent": "10", "bank_account": ACCOUNT,
    }, headers=admin_headers)
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["deposit_percent"] == "10" and added.get_json()["bank_account"] == ACCOUNT


def test_a_deposit_without_a_bank_account_is_refused(client, admin_headers):
    no_account = patch_clinic(client, admin_headers, "ank-cankaya", {"bank_account": None, "deposit_percent": "5"})
    assert no_account.status_code == 422
    assert list(no_account.get_json()["errors"]) == ["clinics.2.bank_account"]  # the whole list's rule
    added = client.post("/api/v1/admin/clinics", json={
        "code": "izm-alsancak", "name": "İzmir Alsancak", "city": "İzmir", "price_factor": "1.00", "tax_rate": "0.20",
        "prices_include_tax": True, "deposit_percent": "10",
    }, headers=admin_headers)
    assert added.status_code == 422 and list(added.get_json()["errors"]) == ["bank_account"]
    # Dropping the account where no deposit is asked is fine.
    assert patch_clinic(client, admin_headers, "ank-cankaya", {"bank_account": None}).status_code == 200


def test_a_bank_account_is_given_whole_and_checked(client, admin_headers):
    part = patch_clinic(client, admin_headers, "ist-kadikoy", {"bank_account": {"iban": DEMO_IBAN}})
    assert part.status_code == 422
    assert set(part.get_json()["errors"]) == {"bank_account.holder", "bank_account.bank"}
    bad = patch_clinic(client, admin_headers, "ist-kadikoy", {"bank_account": {**ACCOUNT, "iban": "TR340006100519786457841326"}})
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["bank_account.iban"]
    turkish = patch_clinic(client, admin_headers, "ist-kadikoy", {"bank_account": {**ACCOUNT, "iban": "TR34"}},)
    assert turkish.status_code == 422


def test_the_turkish_messages_of_a_bad_clinic(client, admin_headers):
    etag = client.get("/api/v1/admin/clinics/ist-kadikoy", headers=admin_headers).headers["ETag"]
    r = client.patch("/api/v1/admin/clinics/ist-kadikoy?lang=tr",
                     json={"phone": "ara beni", "bank_account": {**ACCOUNT, "iban": "TR340006100519786457841326"}},
                     headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert "kontrol basamakları" in errors["bank_account.iban"][0]
    assert "telefon numarası" in errors["phone"][0]


def test_the_whole_list_names_every_bad_field(client, admin_headers):
    got = client.get("/api/v1/admin/price-list", headers=admin_headers)
    doc = got.get_json()
    doc["clinics"][0]["phone"] = "nope"
    doc["clinics"][0]["email"] = "nope"
    doc["clinics"][1]["deposit_percent"] = "100.5"
    doc["clinics"][2]["deposit_percent"] = "5"
    del doc["clinics"][2]["bank_account"]
    doc["clinics"][1]["bank_account"]["iban"] = "TR00"
    r = client.put("/api/v1/admin/price-list", json=doc, headers={**admin_headers, "If-Match": got.headers["ETag"]})
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {
        "clinics.0.phone", "clinics.0.email", "clinics.1.deposit_percent", "clinics.1.bank_account.iban",
        "clinics.2.bank_account",
    }


def test_a_version_2_document_is_still_accepted(client, admin_headers):
    got = client.get("/api/v1/admin/price-list", headers=admin_headers)
    doc = got.get_json()
    for clinic in doc["clinics"]:
        for field in ("address", "phone", "email", "deposit_percent", "bank_account"):
            clinic.pop(field, None)
    r = client.put("/api/v1/admin/price-list", json=doc, headers={**admin_headers, "If-Match": got.headers["ETag"]})
    assert r.status_code == 200, r.get_json()
    assert all("deposit_percent" not in c and "bank_account" not in c for c in r.get_json()["clinics"])


def test_the_csv_of_the_api_round_trips_the_new_columns(client, admin_headers):
    got = client.get("/api/v1/admin/price-list", headers={**admin_headers, "Accept": "text/csv"})
    text = got.get_data(as_text=True)
    assert "bank_account_iban" in text.splitlines()[0] and DEMO_IBAN in text
    before = client.get("/api/v1/admin/price-list", headers=admin_headers).get_json()
    edited = text.replace(DEMO_IBAN, "TR33 0006 1005 1978 6457 8413 26")
    r = client.put("/api/v1/admin/price-list", data=edited.encode(),
                   headers={**admin_headers, "Content-Type": "text/csv", "If-Match": got.headers["ETag"]})
    assert r.status_code == 200, r.get_json()
    after = client.get("/api/v1/admin/price-list", headers=admin_headers).get_json()
    assert {k: v for k, v in after.items() if k != "version"} == {k: v for k, v in before.items() if k != "version"}
    bad = text.replace(DEMO_IBAN, "TR340006100519786457841326", 1)
    r = client.put("/api/v1/admin/price-list", data=bad.encode(),
                   headers={**admin_headers, "Content-Type": "text/csv", "If-Match": "*"})
    assert r.status_code == 422 and any(k.endswith(".bank_account_iban") for k in r.get_json()["errors"]), r.get_json()


# --- The document --------------------------------------------------------------------------------


def set_full_name(database, name: str, full_name: str | None) -> None:
    with database.transaction() as s:
        s.execute(update(User).where(User.name == name).values(full_name=full_name))


def document(client, headers, number: str, kind: str = "text/html"):
    r = client.get(f"/api/v1/quotes/{number}/document", headers={**headers, "Accept": kind})
    assert r.status_code == 200
    return r


def test_the_document_shows_the_deposit_how_to_pay_it_and_who_prepared_it(client, sales_headers, database):
    set_full_name(database, "sam", "Selin Aksoy")
    q = create(client, sales_headers, clinic="ist-kadikoy", language="tr")
    number = q["number"]
    html = document(client, sales_headers, number).get_data(as_text=True)
    amount = f"{Decimal(q['deposit']['amount']):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert "Kapora" in html and amount in html and "%20" in html
    assert "TR33 0006 1005 1978 6457 8413 26" in html and "Örnek Dermaterapi A.Ş." in html and "Örnek Bank" in html
    assert f"Havale/EFT açıklamasına {number} yazın." in html
    assert "Hazırlayan: Selin Aksoy" in html
    assert "Moda Cad. No: 20, Kadıköy/İstanbul" in html and "+90 216 000 02 02" in html and "kadikoy@example.com" in html
    pdf = document(client, sales_headers, number, "application/pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    squeezed = re.sub(r"\s+", " ", text)
    assert "TR33 0006 1005 1978 6457 8413 26" in squeezed and number in squeezed
    assert amount in squeezed and "Hazırlayan: Selin Aksoy" in squeezed


def test_the_english_document_and_a_user_without_a_full_name(client, sales_headers, database):
    q = create(client, sales_headers)  # English (the request's language), İstanbul Nişantaşı
    html = document(client, sales_headers, q["number"]).get_data(as_text=True)
    assert "Deposit" in html and "10,377.07" in html and "20%" in html
    assert f"Write {q['number']} as the transfer reference." in html
    assert "Prepared by: sam" in html  # no full name: the user name
    assert "Teşvikiye Cad. No: 10, Şişli/İstanbul" in html and "+90 212 000 01 01" in html


def test_the_document_of_a_quote_without_a_deposit_says_none(client, sales_headers):
    q = create(client, sales_headers, clinic="ank-cankaya")
    html = document(client, sales_headers, q["number"]).get_data(as_text=True)
    assert "Deposit" not in html and "IBAN" not in html and "transfer reference" not in html
    assert "cankaya@example.com" in html


def test_what_people_typed_is_escaped_in_the_document(client, sales_headers, admin_headers):
    evil = {**ACCOUNT, "holder": "<script>alert(1)</script> Ltd."}
    assert patch_clinic(client, admin_headers, "ist-nisantasi", {"bank_account": evil,
                                                                 "address": "<b>bold</b> Cad."}).status_code == 200
    q = create(client, sales_headers)
    html = document(client, sales_headers, q["number"]).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Ltd." in html
    assert "<b>bold</b>" not in html


def test_the_fast_serialiser_writes_the_deposit_as_marshmallow_does(client, sales_headers, admin_headers):
    from marshmallow import Schema

    from quoteapi.api.responses import services
    from quoteapi.interface.schemas.quotes import _PLAIN_OWN_FIELDS, QuoteSchema
    from quoteapi.services import quotes

    assert _PLAIN_OWN_FIELDS  # else marshmallow dumps the quote's own fields and this proves nothing
    assert patch_clinic(client, admin_headers, "ist-kadikoy", {"deposit_percent": "12.5"}).status_code == 200
    numbers = [create(client, sales_headers, clinic=clinic)["number"] for clinic in ("ank-cankaya", "ist-kadikoy")]
    schema = QuoteSchema()
    deposits = []
    for number in numbers:
        with client.application.test_request_context("/?lang=tr"):
            client.application.preprocess_request()
            quote = quotes.get_quote(services(), number)
            fast = schema.dump(quote)
            assert fast == Schema.dump(schema, quote)
            deposits.append(fast["deposit"])
    assert deposits[0] is None and deposits[1]["percent"] == "12.5"
