"""Turkish and English: the request's language for every text, the same figures in both."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from quoteapi import create_app

from ..bodies import QUOTE, SIMPLE_ESTIMATE
from ..conftest import TEST_SETTINGS, TODAY
from ..days import iso, spelled

ESTIMATE = {
    "clinic": "ist-nisantasi",
    "areas": [{"code": "face"}, {"code": "acne-scars-back", "size_cm2": 1800}],
    "products": ["hyaluronic-acid"],
    "specialist_level": "dermatologist",
    "sessions": 4,
    "start_date": iso(20),  # inside NEW-YEAR-GLOW (TODAY + 19 .. TODAY + 40) and WINTER-RENEWAL
    "coupon": "friend10",
    "client": {"age": 34, "pregnant": True},
}
FIGURES = ("subtotal", "discount_total", "net", "tax_rate", "tax_total", "total", "per_session", "schedule",
           "applied_campaigns", "start_date", "sessions", "price_list_version")


def texts(estimate: dict) -> list[str]:
    return (
        [line["description"] for line in estimate["lines"]] + [line["basis"] for line in estimate["lines"]]
        + estimate["advice"] + estimate["eligibility"]["reasons"] + [h["text"] for h in estimate["hints"]]
        + [estimate["coupon"]["reason"]]
    )


def test_the_same_estimate_in_both_languages_has_the_same_figures_and_other_words(client):
    tr = client.post("/api/v1/estimates", json=ESTIMATE)
    en = client.post("/api/v1/estimates?lang=en", json=ESTIMATE)
    assert tr.headers["Content-Language"] == "tr" and en.headers["Content-Language"] == "en"
    tr, en = tr.get_json(), en.get_json()
    assert {k: tr[k] for k in FIGURES} == {k: en[k] for k in FIGURES}
    strip = ("description", "basis")
    assert [{k: v for k, v in line.items() if k not in strip} for line in tr["lines"]] == [
        {k: v for k, v in line.items() if k not in strip} for line in en["lines"]
    ]
    assert tr["offers"] == en["offers"] and [h["total"] for h in tr["hints"]] == [h["total"] for h in en["hints"]]
    assert tr["coupon"]["status"] == en["coupon"]["status"] and tr["eligibility"]["status"] == en["eligibility"]["status"]
    pairs = list(zip(texts(tr), texts(en)))
    # Words differ; figures inside a basis formula read the same in both.
    assert sum(a != b for a, b in pairs) > len(pairs) // 2
    assert tr["lines"][0]["basis"] == en["lines"][0]["basis"] == "4000.00 × 1.20"
    assert tr["lines"][0]["description"] == "Tüm yüz" and en["lines"][0]["description"] == "Full face"
    assert "Uygulama doğum sonrasına ertelenir." in tr["eligibility"]["reasons"]
    assert "Treatment is postponed until after pregnancy." in en["eligibility"]["reasons"]


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ({}, "", "tr"),
        ({"Accept-Language": "en-US,en;q=0.9"}, "", "en"),
        ({"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}, "", "en"),
        ({"Accept-Language": "de-DE"}, "", "tr"),
        ({"Accept-Language": "en"}, "?lang=tr", "tr"),
        ({}, "?lang=en", "en"),
        ({}, "?lang=xx", "tr"),
    ],
)
def test_the_language_comes_from_lang_then_accept_language_then_the_default(client, headers, query, expected):
    r = client.get(f"/api/v1/clinics{query}", headers=headers)
    assert r.status_code == 200 and r.headers["Content-Language"] == expected
    names = {c["code"]: c["name"] for c in r.get_json()}
    assert names["ank-cankaya"] == {"tr": "Ankara Çankaya", "en": "Ankara Cankaya"}[expected]


def test_the_default_language_is_a_setting(database_url):
    app = create_app({"DATABASE_URL": database_url, **TEST_SETTINGS, "DEFAULT_LANGUAGE": "en"},
                     environ={"QUOTEAPI_ENV": "testing"})
    r = app.test_client().get("/api/v1/catalog?clinic=ist-kadikoy")
    assert r.headers["Content-Language"] == "en"
    assert {a["code"]: a["name"] for a in r.get_json()["areas"]}["face"] == "Full face"
    app.extensions["quoteapi"].database.dispose()


def test_problems_speak_the_request_language(client):
    bad = {**SIMPLE_ESTIMATE, "sessions": 40, "clinic": "paris", "areas": [{"code": "face"}, {"code": "face"}]}
    tr = client.post("/api/v1/estimates", json=bad).get_json()
    en = client.post("/api/v1/estimates", json=bad, headers={"Accept-Language": "en"}).get_json()
    assert set(tr["errors"]) == set(en["errors"]) == {"clinic", "sessions", "areas.1.code"}
    assert tr["title"] == "İşlenemeyen içerik" and en["title"] == "Unprocessable Content"
    assert tr["errors"]["sessions"] == ["1 ile 24 arasında olmalıdır."]
    assert en["errors"]["sessions"] == ["Must be between 1 and 24."]
    # marshmallow's own messages too, with their values kept
    missing = client.post("/api/v1/estimates", json={"clinic": "x" * 70}).get_json()
    assert missing["errors"]["areas"] == ["Bu alan zorunludur."]
    assert missing["errors"]["clinic"] == ["Uzunluk 1 ile 64 arasında olmalıdır."]


def test_a_quote_keeps_its_language_for_its_texts_and_document(client, sales_headers):
    en = client.post("/api/v1/quotes", json={**QUOTE, "language": "en"}, headers=sales_headers).get_json()
    tr = client.post("/api/v1/quotes", json=QUOTE, headers=sales_headers).get_json()
    assert (en["language"], tr["language"]) == ("en", "tr")
    assert en["total"] == tr["total"]
    assert en["eligibility"]["reasons"] == ["Treatment is postponed until after pregnancy."]
    assert tr["eligibility"]["reasons"] == ["Uygulama doğum sonrasına ertelenir."]
    # Stored texts stay as the customer read them, whatever language the desk reads in.
    again = client.get(f"/api/v1/quotes/{tr['number']}", headers={**sales_headers, "Accept-Language": "en"}).get_json()
    assert again["eligibility"] == tr["eligibility"]
    # The activity too: the whole answer is in the quote's language, as Content-Language says (issue 31).
    assert again["activity"][0]["text"] == "Teklifi sam oluşturdu."
    english = client.get(f"/api/v1/quotes/{en['number']}", headers=sales_headers)
    assert english.get_json()["activity"][0]["text"] == "Created by sam." and english.headers["Content-Language"] == "en"
    page = client.get(f"/api/v1/quotes/{tr['number']}/document", headers={**sales_headers, "Accept": "text/html"}).get_data(as_text=True)
    assert '<html lang="tr">' in page and "Seans planı" in page and "51.885,36\u00a0₺" in page and spelled(4, "tr") in page
    english = client.get(f"/api/v1/quotes/{en['number']}/document", headers={**sales_headers, "Accept": "text/html"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Session plan" in english and "₺51,885.36" in english
    assert spelled(4, "en") in english  # QUOTE starts on TODAY + 4: "5 December 2026"


def test_a_website_request_keeps_the_visitors_language(client, sales_headers):
    body = {k: v for k, v in QUOTE.items() if k not in ("notes", "follow_up_on")} | {"consent": True}
    number = client.post("/api/v1/quote-requests", json=body, headers={"Accept-Language": "en"}).get_json()["number"]
    assert client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["language"] == "en"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (Debian poppler-utils) is not installed; make test installs it")
def test_the_turkish_pdf_has_turkish_letters(client, sales_headers, tmp_path):
    body = {**QUOTE, "customer": {"name": "Şükrü Çağlar Işık", "email": "sukru@example.com"}}
    number = client.post("/api/v1/quotes", json=body, headers=sales_headers).get_json()["number"]
    pdf = client.get(f"/api/v1/quotes/{number}/document", headers=sales_headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    path = tmp_path / "quote.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for word in ("Şükrü Çağlar Işık", "İstanbul Nişantaşı", "Seans planı", "Ayrıntılı fiyat", "KDV", "Müşteri"):
        assert word in text, word
    assert "ş" in text and "ğ" in text and "ı" in text
    english = client.post("/api/v1/quotes", json={**body, "language": "en"}, headers=sales_headers).get_json()["number"]
    path.write_bytes(client.get(f"/api/v1/quotes/{english}/document", headers=sales_headers).data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Session plan" in text and "Istanbul Nisantasi" in text and "Şükrü Çağlar Işık" in text


def test_the_estimator_gets_its_texts_from_the_catalogue(client):
    tr = client.get("/estimator/messages/tr.json")
    assert tr.status_code == 200 and tr.get_json()["Your estimate"] == "Fiyat hesaplamanız"
    assert client.get("/estimator/messages/en.json").get_json() == {}
    assert client.get("/estimator/messages/de.json").status_code == 404


def test_the_pinned_day_is_what_the_api_calls_today(client):
    assert client.post("/api/v1/estimates", json=SIMPLE_ESTIMATE).get_json()["start_date"] == TODAY.isoformat()


def test_plural_forms_in_the_document_are_translated(client, sales_headers):
    number = client.post("/api/v1/quotes", json=QUOTE, headers=sales_headers).get_json()["number"]
    page = client.get(f"/api/v1/quotes/{number}/document", headers={**sales_headers, "Accept": "text/html"}).get_data(as_text=True)
    assert f"4 seans, başlangıç {spelled(4, 'tr')}" in page and "sessions, from" not in page
