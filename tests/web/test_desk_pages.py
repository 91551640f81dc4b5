"""The console's pages do their work through the same use cases as the API."""

from __future__ import annotations

import io
import re

import pytest

from quoteapi.services import price_items, users
from quoteapi.services.price_items import KINDS

from ..bodies import QUOTE
from ..days import iso
from .desk_helpers import csrf_token, messages, signed_in


@pytest.fixture
def second_admin(app, ctx, admin):
    return signed_in(app, ctx, "bea", "admin")


def new_quote(client, sales_headers, **changes) -> str:
    answer = client.post("/api/v1/quotes", json={**QUOTE, **changes}, headers=sales_headers)
    assert answer.status_code == 201
    return answer.get_json()["number"]


# --- the sales desk ---------------------------------------------------------------------------------


def test_today_lists_follow_ups_new_requests_and_quotes_expiring(client, seller, sales_headers):
    due = new_quote(client, sales_headers)  # follow-up today
    later = new_quote(client, sales_headers, follow_up_on=iso(19), valid_days=60)
    expiring = new_quote(client, sales_headers, follow_up_on=None, valid_days=3)
    request = {k: v for k, v in QUOTE.items() if k not in ("notes", "follow_up_on")}
    website = client.post("/api/v1/quote-requests", json={**request, "consent": True}).get_json()["number"]
    page = seller.get("/desk/?lang=en").get_data(as_text=True)
    sections = dict(re.findall(r'<h2 id="(\w+)-h">.*?</h2>(.*?)</section>', page, re.S))
    assert due in sections["due"] and later not in sections["due"]
    assert website in sections["new"] and due not in sections["new"]
    assert expiring in sections["exp"] and later not in sections["exp"]


def test_the_list_filters_searches_and_pages_like_the_api(client, seller, sales_headers):
    numbers = [new_quote(client, sales_headers, customer={"name": f"Müşteri {i}", "email": f"m{i}@example.com"}) for i in range(3)]
    first = seller.get("/desk/quotes?limit=2&lang=en").get_data(as_text=True)
    assert numbers[2] in first and numbers[1] in first and numbers[0] not in first
    cursor = re.search(r'href="([^"]*cursor=[^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    second = seller.get(cursor).get_data(as_text=True)
    assert numbers[0] in second and numbers[2] not in second and 'rel="next"' not in second
    found = seller.get("/desk/quotes?q=m1%40example").get_data(as_text=True)
    assert numbers[1] in found and numbers[0] not in found
    bad = seller.get("/desk/quotes?status=lost&lang=en").get_data(as_text=True)
    assert "Status: Must be one of" in bad  # the field's label, not its name


def test_a_follow_up_worked_to_accepted_with_a_note(client, seller, sales_headers):
    number = new_quote(client, sales_headers)
    page = seller.get(f"/desk/quotes/{number}").get_data(as_text=True)
    offered = re.findall(r'name="status" value="(\w+)"', page)
    assert offered == ["sent", "draft", "declined"]  # only the moves the workflow allows from "new", the next step first
    token = csrf_token(seller, f"/desk/quotes/{number}")
    assert seller.post(f"/desk/quotes/{number}/status", data={"status": "sent", "csrf_token": token}).status_code == 302
    assert seller.post(f"/desk/quotes/{number}/notes", data={"text": "Called: she accepts.", "csrf_token": token}).status_code == 302
    assert seller.post(f"/desk/quotes/{number}/status", data={"status": "accepted", "csrf_token": token}).status_code == 302
    refused = seller.post(f"/desk/quotes/{number}/status", data={"status": "draft", "csrf_token": token}, follow_redirects=True)
    assert any("accepted" in m or "kabul" in m for m in messages(refused))
    quote = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert quote["status"] == "accepted"
    assert [a["kind"] for a in quote["activity"]] == ["created", "status", "note", "status"]
    assert quote["activity"][2]["by"] == "sel"


def test_plan_and_revise_from_the_quote_page(client, seller, sales_headers):
    number = new_quote(client, sales_headers)
    token = csrf_token(seller, f"/desk/quotes/{number}")
    planned = seller.post(f"/desk/quotes/{number}/plan", data={"follow_up_on": iso(8), "assigned_to": "sel", "csrf_token": token})
    assert planned.status_code == 302
    revised = seller.post(f"/desk/quotes/{number}/revisions", data={"sessions": "6", "csrf_token": token})
    assert revised.status_code == 302
    quote = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert quote["follow_up_on"] == iso(8) and quote["assigned_to"] == "sel"
    assert quote["revision"] == 2 and quote["sessions"] == 6
    page = seller.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    assert "Revisions side by side" in page and page.count('<table class="lines">') == 3
    wrong = seller.post(f"/desk/quotes/{number}/revisions", data={"sessions": "99", "csrf_token": token}, follow_redirects=True)
    assert messages(wrong) and client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["revision"] == 2


def test_a_new_quote_from_the_form(client, seller, sales_headers, ctx):
    token = csrf_token(seller, "/desk/quotes/new")
    form = {"csrf_token": token, "clinic": "ist-nisantasi", "specialist_level": "dermatologist", "sessions": "4",
            "area": ["face", "acne-scars-back"], "size-acne-scars-back": "1800", "product": ["hyaluronic-acid"],
            "start_date": iso(4), "customer_name": "Ayşe Yılmaz", "age": "34", "pregnant": "yes"}
    missing = seller.post("/desk/quotes/new?lang=en", data=form)
    assert missing.status_code == 422
    text = missing.get_data(as_text=True)
    assert "Give an email or a phone number." in text and 'value="Ayşe Yılmaz"' in text  # typed values kept
    created = seller.post("/desk/quotes/new", data={**form, "customer_email": "ayse@example.com"})
    assert created.status_code == 302
    number = created.headers["Location"].rsplit("/", 1)[1]
    quote = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    # The same figures as the API's quote for the same inputs (tests/api/test_quotes.py).
    assert quote["total"] == "51885.36" and quote["created_by"] == "sel" and quote["source"] == "staff"
    assert quote["eligibility"]["status"] == "postpone"


# --- price tables ------------------------------------------------------------------------------


def _row_form(client, kind: str, code: str) -> dict:
    """A row's form as a browser would send it (its inputs live in the row's cells, tied by form=)."""
    return _row_form_from(client.get(f"/desk/prices/{kind}").get_data(as_text=True), code)


def test_two_admins_edit_one_price_and_the_second_is_told(client, ctx, admin, second_admin):
    first, second = _row_form(admin, "areas", "face"), _row_form(second_admin, "areas", "face")
    assert admin.post("/desk/prices/areas/face", data={**first, "face:price": "4100.00"}).status_code == 302
    told = second_admin.post("/desk/prices/areas/face?lang=en", data={**second, "face:price": "4200.00"})
    assert told.status_code == 409
    page = told.get_data(as_text=True)
    assert "Someone else changed Full face" in page and "ada saved version 2" in page
    assert "Price: ₺4,000.00 → ₺4,100.00" in page  # the change in words, not field paths
    assert 'name="face:price" aria-label="Price (face)"\n          value="4200.00"' in page  # nothing typed is lost
    assert price_items.get_item(ctx, KINDS["areas"], "face").data["price"] == "4100.00"
    # Saving again, knowingly, from the page as it now stands.
    again = _row_form_from(page, "face")
    assert second_admin.post("/desk/prices/areas/face", data={**again, "face:price": "4200.00"}).status_code == 302
    assert price_items.get_item(ctx, KINDS["areas"], "face").data["price"] == "4200.00"


def _row_form_from(page: str, code: str) -> dict:
    form = re.search(rf'<form id="f-{re.escape(code)}".*?</form>', page, re.S).group(0)
    data = dict(re.findall(r'name="(csrf_token|etag|version)" value="([^"]*)"', form))
    for tag in re.findall(rf'<input[^>]*form="f-{re.escape(code)}"[^>]*>', page, re.S):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        if 'type="checkbox"' in tag:
            if re.search(r"\schecked", tag):
                data[name] = "on"
        else:
            data[name] = re.search(r'value="([^"]*)"', tag).group(1).replace("&amp;", "&")
    return data


def test_a_bad_value_is_refused_in_the_row_and_campaign_caps_are_edited(ctx, admin):
    form = _row_form(admin, "areas", "neck")
    refused = admin.post("/desk/prices/areas/neck?lang=en", data={**form, "neck:price": "cheap"})
    assert refused.status_code == 422 and "Neck was not saved" in refused.get_data(as_text=True)
    campaign = _row_form(admin, "campaigns", "FRIEND")
    saved = admin.post("/desk/prices/campaigns/FRIEND", data={**campaign, "FRIEND:max_uses": "7", "FRIEND:ends_on": iso(211)})
    assert saved.status_code == 302
    item = price_items.get_item(ctx, KINDS["campaigns"], "FRIEND").data
    assert item["max_uses"] == 7 and item["ends_on"] == iso(211) and item["stackable"] is True


def test_add_and_delete_an_item(ctx, admin):
    token = csrf_token(admin, "/desk/prices/products")
    added = admin.post("/desk/prices/products", data={"csrf_token": token, "new:code": "gauze", "new:name": "Gazlı bez",
                                                      "new:price": "40.00", "new:translations.en.name": "Gauze"})
    assert added.status_code == 302
    assert price_items.get_item(ctx, KINDS["products"], "gauze").data["translations"] == {"en": {"name": "Gauze"}}
    form = _row_form(admin, "products", "gauze")
    assert admin.post("/desk/prices/products/gauze", data={**form, "delete": "1", "confirmed": "1"}).status_code == 302
    assert all(p["code"] != "gauze" for p in price_items.list_items(ctx, KINDS["products"]).items)


def test_versions_show_their_diffs_and_the_audit_log_pages(admin):
    form = _row_form(admin, "areas", "face")
    admin.post("/desk/prices/areas/face", data={**form, "face:price": "4100.00"})
    versions = admin.get("/desk/versions?version=2").get_data(as_text=True)
    assert "Bölge “Tüm yüz”, fiyat" in versions and "<del>4.000,00\xa0₺</del>" in versions
    first = admin.get("/desk/audit?limit=1").get_data(as_text=True)
    assert 'rel="next"' in first
    after = re.search(r'href="([^"]*cursor=[^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    assert admin.get(after).status_code == 200


def test_spreadsheets_download_and_upload_with_errors_by_row_and_cell(ctx, admin):
    sheet = admin.get("/desk/price-list.csv")
    assert sheet.status_code == 200 and sheet.mimetype == "text/csv"
    text = sheet.get_data(as_text=True)
    assert admin.get("/desk/price-list.yaml").mimetype == "application/yaml"
    token = csrf_token(admin, "/desk/prices/areas")
    bad = text.replace("4000.00", "lots", 1)
    refused = admin.post("/desk/price-list", data={"csrf_token": token, "version": "1", "file": (io.BytesIO(bad.encode()), "p.csv")},
                         content_type="multipart/form-data")
    assert refused.status_code == 422 and re.search(r"<code>row \d+\.price</code>", refused.get_data(as_text=True))
    good = text.replace("4000.00", "4500.00", 1)
    saved = admin.post("/desk/price-list", data={"csrf_token": token, "version": "1", "file": (io.BytesIO(good.encode()), "p.csv")},
                       content_type="multipart/form-data")
    assert saved.status_code == 302
    assert price_items.get_item(ctx, KINDS["areas"], "face").data["price"] == "4500.00"
    stale = admin.post("/desk/price-list", data={"csrf_token": token, "version": "1", "file": (io.BytesIO(good.encode()), "p.csv")},
                       content_type="multipart/form-data")
    assert stale.status_code == 422


def test_users_created_with_the_token_shown_once_revoked_and_the_last_admin_kept(ctx, admin):
    token = csrf_token(admin, "/desk/users")
    created = admin.post("/desk/users", data={"csrf_token": token, "name": "cem", "role": "sales"})
    shown = re.search(r'id="new-token">(qa_[^<]+)<', created.get_data(as_text=True)).group(1)
    assert users.authenticate(ctx, shown).name == "cem"
    assert shown not in admin.get("/desk/users").get_data(as_text=True)
    assert admin.post("/desk/users/cem/revoke", data={"csrf_token": token, "confirmed": "1"}).status_code == 302
    assert users.authenticate(ctx, shown) is None
    last = admin.post("/desk/users/ada/revoke?lang=en", data={"csrf_token": token, "confirmed": "1"},
                      follow_redirects=True)
    assert any("last active admin" in m for m in messages(last))
    assert admin.get("/desk/").status_code == 200


def test_odd_form_values_are_messages_not_errors(admin):
    form = _row_form(admin, "areas", "neck")
    assert admin.post("/desk/prices/areas/neck", data={**form, "version": "x" * 40, "etag": "old", "neck:price": "1.00"}).status_code == 409
    token = csrf_token(admin, "/desk/prices/areas")
    assert admin.post("/desk/price-list", data={"csrf_token": token, "version": "9" * 30,
                                                "file": (io.BytesIO(b"\xff\xfe"), "p.csv")},
                      content_type="multipart/form-data").status_code == 422
    assert admin.post("/desk/price-list", data={"csrf_token": token}).status_code == 422
    assert admin.get("/desk/prices/nothing").status_code == 404
    assert admin.get("/desk/price-list.xls").status_code == 404
    assert admin.get("/desk/quotes?cursor=bogus").status_code == 200
    assert admin.get("/desk/audit?cursor=bogus&kind=user").status_code == 200


def test_query_names_and_digits_that_are_not_plain_are_data_not_errors(client, admin, seller, sales_headers):
    number = new_quote(client, sales_headers)
    # Query parameters named like url_for's own arguments, or like the page's path parameter.
    for path in ("/desk/sign-in?endpoint=x&_method=POST", "/desk/?endpoint=x", f"/desk/quotes/{number}?number=x&_external=1",
                 "/desk/quotes?endpoint=x&status=new", "/desk/audit?endpoint=x"):
        page = admin.get(path)
        assert page.status_code in (200, 302), (path, page.status_code)
    # The language switch keeps them as query parameters.
    assert "endpoint=x" in client.get("/desk/sign-in?endpoint=x").get_data(as_text=True)
    # Digits that str.isdigit() accepts and int() refuses.
    assert admin.get("/desk/versions?version=²").status_code == 200
    assert seller.get(f"/desk/quotes/{number}?a=²&b=①").status_code == 200
    token = csrf_token(admin, "/desk/prices/areas")
    form = _row_form(admin, "areas", "neck")
    assert admin.post("/desk/prices/areas/neck", data={**form, "version": "²", "neck:size_cm2": "²"}).status_code in (409, 422)
    # An upload that does not say which version it was made from saves nothing.
    sheet = admin.get("/desk/price-list.csv").get_data(as_text=True).replace("4000.00", "4100.00", 1)
    blind = admin.post("/desk/price-list", data={"csrf_token": token, "file": (io.BytesIO(sheet.encode()), "p.csv")},
                       content_type="multipart/form-data")
    assert blind.status_code == 422
    assert admin.get("/desk/price-list.csv").get_data(as_text=True).count("4100.00") == 0


def test_turkish_numbers_are_shown_and_read_the_turkish_way_and_the_page_says_how_it_read_them(ctx, admin):
    form = _row_form(admin, "areas", "face")  # a Turkish page (the default language)
    assert form["face:price"] == "4.000,00"
    saved = admin.post("/desk/prices/areas/face", data={**form, "face:price": "4.400,00"}, follow_redirects=True)
    assert saved.status_code == 200
    assert price_items.get_item(ctx, KINDS["areas"], "face").data["price"] == "4400.00"
    form = _row_form(admin, "areas", "face")
    assert form["face:price"] == "4.400,00"
    # Typed the API's way, or without the decimals: read as meant, and the page says how it read it.
    saved = admin.post("/desk/prices/areas/face", data={**form, "face:price": "4500,5"}, follow_redirects=True)
    assert "“4500,5” 4.500,5 olarak okundu." in saved.get_data(as_text=True)
    assert price_items.get_item(ctx, KINDS["areas"], "face").data["price"] == "4500.50"
    form = _row_form(admin, "areas", "face")
    saved = admin.post("/desk/prices/areas/face", data={**form, "face:price": "4500.00"}, follow_redirects=True)
    assert "olarak okundu" not in saved.get_data(as_text=True)  # the API's way: nothing to tell
    english = _row_form(admin, "areas", "face") | {}
    page = admin.get("/desk/prices/areas?lang=en").get_data(as_text=True)
    assert 'value="4,500.00"' in page and english["face:price"] == "4.500,00"
