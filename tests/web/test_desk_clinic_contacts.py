"""The console's clinics table: contacts, the deposit and the bank account (price list version 3)."""

from __future__ import annotations

import html
import re

from quoteapi.services import price_items
from quoteapi.services.price_items import KINDS

from .test_desk_pages import _row_form, _row_form_from

DEMO_IBAN = "TR330006100519786457841326"


def headers(page: str) -> list[str]:
    head = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    return [html.unescape(h) for h in re.findall(r'<th scope="col">([^<]*)</th>', head)]


def test_the_clinics_table_has_turkish_headers_and_the_new_fields(admin):
    page = admin.get("/desk/prices/clinics?lang=tr").get_data(as_text=True)
    found = headers(page)
    for label in ("Kod", "Klinik adı", "Klinik adı (İngilizce)", "Şehir", "Adres", "Telefon", "E-posta", "Kapora (%)", "Hesap sahibi", "Banka", "IBAN"):
        assert label in found, found
    for field in ("deposit_percent", "bank_account.iban", "email", "address"):
        assert field not in found  # field names are not headers
    assert 'aria-label="Kapora (%) (ist-kadikoy)"' in page
    assert f'name="ist-kadikoy:bank_account.iban" aria-label="IBAN (ist-kadikoy)"\n          value="{DEMO_IBAN}"' in page
    english = headers(admin.get("/desk/prices/clinics?lang=en").get_data(as_text=True))
    assert "Deposit (%)" in english and "Account holder" in english


def test_the_deposit_and_the_bank_account_are_edited_in_the_row(ctx, admin):
    form = _row_form(admin, "clinics", "ank-cankaya")
    saved = admin.post("/desk/prices/clinics/ank-cankaya", data={
        **form, "ank-cankaya:deposit_percent": "15", "ank-cankaya:phone": "0312 000 03 04",
        "ank-cankaya:bank_account.iban": "TR33 0006 1005 1978 6457 8413 26",  # only the IBAN's spacing typed anew
        "ank-cankaya:bank_account.holder": "Çankaya Klinik Ltd.",
    })
    assert saved.status_code == 302, saved.get_data(as_text=True)
    clinic = price_items.get_item(ctx, KINDS["clinics"], "ank-cankaya").data
    assert clinic["deposit_percent"] == "15" and clinic["phone"] == "+903120000304"
    assert clinic["bank_account"] == {"holder": "Çankaya Klinik Ltd.", "bank": "Örnek Bank", "iban": DEMO_IBAN}


def test_a_bad_iban_and_a_deposit_without_an_account_are_refused_in_the_row(ctx, admin):
    form = _row_form(admin, "clinics", "ist-kadikoy")
    refused = admin.post("/desk/prices/clinics/ist-kadikoy?lang=tr",
                         data={**form, "ist-kadikoy:bank_account.iban": "TR340006100519786457841326"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "kontrol basamakları" in page
    assert 'aria-invalid="true"' in _row_block(page, "ist-kadikoy:bank_account.iban")
    cleared = {**form, "ist-kadikoy:bank_account.holder": "", "ist-kadikoy:bank_account.bank": "",
               "ist-kadikoy:bank_account.iban": ""}
    refused = admin.post("/desk/prices/clinics/ist-kadikoy?lang=en", data=cleared)
    assert refused.status_code == 422 and "A deposit needs a bank account" in refused.get_data(as_text=True)
    assert price_items.get_item(ctx, KINDS["clinics"], "ist-kadikoy").data["bank_account"]["iban"] == DEMO_IBAN
    # Without a deposit, the account may go.
    form = _row_form(admin, "clinics", "ist-kadikoy")
    dropped = admin.post("/desk/prices/clinics/ist-kadikoy",
                         data={**form, "ist-kadikoy:deposit_percent": "0", "ist-kadikoy:bank_account.holder": "",
                               "ist-kadikoy:bank_account.bank": "", "ist-kadikoy:bank_account.iban": ""})
    assert dropped.status_code == 302
    clinic = price_items.get_item(ctx, KINDS["clinics"], "ist-kadikoy").data
    assert "bank_account" not in clinic and "deposit_percent" not in clinic


def _row_block(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page, re.S).group(0)


def test_a_clinic_with_a_deposit_is_added_from_the_table(ctx, admin):
    page = admin.get("/desk/prices/clinics").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    added = admin.post("/desk/prices/clinics", data={
        "csrf_token": token, "new:code": "izm-alsancak", "new:name": "İzmir Alsancak", "new:city": "İzmir",
        "new:price_factor": "1.00", "new:tax_rate": "0.20", "new:prices_include_tax": "on",
        "new:deposit_percent": "10", "new:email": "izmir@example.com",
        "new:bank_account.holder": "Örnek Dermaterapi A.Ş.", "new:bank_account.bank": "Örnek Bank",
        "new:bank_account.iban": "tr330006100519786457841326",
    })
    assert added.status_code == 302, added.get_data(as_text=True)
    clinic = price_items.get_item(ctx, KINDS["clinics"], "izm-alsancak").data
    assert clinic["deposit_percent"] == "10" and clinic["bank_account"]["iban"] == DEMO_IBAN
    assert _row_form_from(admin.get("/desk/prices/clinics").get_data(as_text=True), "izm-alsancak")[
        "izm-alsancak:email"] == "izmir@example.com"
