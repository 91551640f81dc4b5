"""The console and skin concerns (issue 28): their price table, and the quote page's suggestion."""

from __future__ import annotations

from .test_desk_pages import _row_form


def test_the_concerns_table_edits_a_severity(client, admin):
    page = admin.get("/desk/prices/concerns?lang=en").get_data(as_text=True)
    assert "Skin concerns" in page and 'id="row-acne-scars"' in page
    # One column per severity and figure, as the document nests them.
    assert 'aria-label="pronounced: sessions suggested (acne-scars)"' in page
    form = _row_form(admin, "concerns", "acne-scars")
    assert form["acne-scars:severities.pronounced.recommended"] == "6"
    saved = admin.post("/desk/prices/concerns/acne-scars", data={**form, "acne-scars:severities.pronounced.recommended": "5"})
    assert saved.status_code == 302
    catalog = client.get("/api/v1/catalog?clinic=ist-kadikoy").get_json()
    acne = next(c for c in catalog["concerns"] if c["code"] == "acne-scars")
    assert acne["severities"]["pronounced"] == {"sessions_min": 4, "sessions_max": 6, "recommended": 5}
    assert acne["severities"]["moderate"]["recommended"] == 4  # the others as they were


def test_a_bad_severity_is_refused_and_named(admin):
    form = _row_form(admin, "concerns", "pores")
    refused = admin.post("/desk/prices/concerns/pores?lang=en", data={**form, "pores:severities.mild.recommended": "9"})
    assert refused.status_code == 422
    assert "severities.mild.recommended" in refused.get_data(as_text=True)


def test_the_quote_page_shows_the_concerns_and_the_suggestion(client, seller, sales_headers):
    body = {"clinic": "ist-kadikoy", "areas": [{"code": "face"}], "specialist_level": "nurse", "sessions": 8,
            "concerns": [{"code": "pores", "severity": "pronounced"}], "customer": {"name": "Selin Ak", "phone": "+905320000000"}}
    number = client.post("/api/v1/quotes", json=body, headers=sales_headers).get_json()["number"]
    page = seller.get(f"/desk/quotes/{number}?lang=tr").get_data(as_text=True)
    assert "Cilt sorunları ve önerilen kür" in page
    assert "Geniş gözenekler: belirgin" in page
    assert "cilt analizinden sonra" in page
    assert "Teklifteki 8 seans, önerilen 4-6 seans aralığının dışında." in page
