"""The quote page's revision form (issue 26): the new quote's pickers, filled with the current revision's
inputs, priced live by the same endpoint, saved as a new revision through the API's use case."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from quoteapi.adapters.i18n import money_text
from quoteapi.services import price_items, quotes
from quoteapi.services.price_items import KINDS

from ..bodies import QUOTE
from ..days import iso
from .desk_helpers import csrf_token, messages

# The console's pages over the same services as the API, whose tests run on both databases: SQLite here,
# so that make test keeps its 15 minutes (docs/decisions.md, "The suite's four runs").
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


class _Form(HTMLParser):
    """The fields of one form as a browser would post them: ticked boxes, selected options, typed values."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.pairs, self.select, self.first = form_id, False, [], None, None
        self.attrs: dict = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside, self.attrs = True, a
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.pairs.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self.select, self.first = a.get("name"), None
        elif tag == "option" and self.select:
            if self.first is None:
                self.first = a.get("value", "")
            if "selected" in a:
                self.pairs.append((self.select, a.get("value", "")))
                self.select = None

    def handle_endtag(self, tag):
        if tag == "select" and self.select:  # nothing selected: the first option
            self.pairs.append((self.select, self.first or ""))
            self.select = None
        if tag == "form" and self.inside:
            self.inside = False


def revision_form(page: str) -> list[tuple[str, str]]:
    parser = _Form("revise")
    parser.feed(page)
    assert parser.pairs, "no revision form on the page"
    return parser.pairs


def changed(pairs: list[tuple[str, str]], drop=(), **values) -> list[tuple[str, str]]:
    """The form with fields replaced (``area=[...]``) and (name, value) pairs dropped."""
    kept = [(k, v) for k, v in pairs if k not in values and (k, v) not in drop]
    for name, value in values.items():
        kept += [(name, v) for v in (value if isinstance(value, list) else [value])]
    return kept


def post(client, number: str, pairs, lang: str = "en"):
    from werkzeug.datastructures import MultiDict
    return client.post(f"/desk/quotes/{number}/revisions?lang={lang}", data=MultiDict(pairs))


def api_quote(client, headers, number: str) -> dict:
    return client.get(f"/api/v1/quotes/{number}", headers=headers).get_json()


def inputs_of(ctx, number: str, revision: int):
    """What a revision was priced from (the API answers the figures, not the inputs)."""
    return quotes.get_revision(ctx, number, revision).inputs


def codes(quote: dict, kind: str) -> list[str]:
    return [line["code"] for line in quote["lines"] if line["kind"] == kind]


def new_quote(client, headers, **changes) -> str:
    answer = client.post("/api/v1/quotes", json={**QUOTE, **changes}, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["number"]


def section(page: str) -> str:
    return page[page.index('id="revise-section"'):page.index('aria-labelledby="act-h"')]


def test_the_revision_form_has_the_new_quotes_pickers_filled_with_the_current_inputs(client, seller, sales_headers):
    number = new_quote(client, sales_headers)
    page = seller.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    form = dict(revision_form(page))
    pairs = revision_form(page)
    assert [v for k, v in pairs if k == "area"] == ["face", "acne-scars-back"]
    assert [v for k, v in pairs if k == "product"] == ["hyaluronic-acid"]
    assert form["clinic"] == "ist-nisantasi" and form["specialist_level"] == "dermatologist"
    assert form["sessions"] == "4" and form["start_date"] == iso(4) and form["coupon"] == ""
    assert form["size-acne-scars-back"] == "1800" and form["size-face"] == ""
    assert form["age"] == "34" and form["pregnant"] == "yes" and form["open_wounds"] == ""
    assert form["revision"] == "1" and form["areas_given"] == "1"
    html = section(page)
    # Every area and product of the price list, by name, with the ids the labels point at.
    assert html.count('name="area"') == 8 and html.count('name="product"') == 6
    assert '<label for="r-area-neck">Neck</label>' in html and '<label for="r-product-numbing-cream">Anaesthetic cream</label>' in html
    # The live price beside it, fed by the same endpoint as the new-quote form.
    assert 'data-form="revise"' in html and 'data-api="/desk/estimate' in html
    assert "new-quote.js" in page
    # The same pickers as the new quote (one template): the same fields by name.
    new = seller.get("/desk/quotes/new?lang=en").get_data(as_text=True)
    names = lambda text: sorted(set(re.findall(r'name="([\w-]+)"', text)))  # noqa: E731
    shared = set(names(new[new.index('id="new-quote"'):new.index('legend>Customer')]))
    assert shared - {"csrf_token"} <= set(names(html))


def test_a_revision_adds_an_area_and_a_product_and_removes_one(client, ctx, seller, sales_headers):
    number = new_quote(client, sales_headers)
    page = seller.get(f"/desk/quotes/{number}?lang=tr").get_data(as_text=True)
    pairs = changed(revision_form(page), area=["face", "neck"], product=["hyaluronic-acid", "numbing-cream"])
    pairs = changed(pairs, **{"size-neck": "1.200"})  # a Turkish number: one thousand two hundred
    # The live price of this form (what new-quote.js sends) is the API's estimate for the same inputs.
    inputs = {"clinic": "ist-nisantasi", "specialist_level": "dermatologist", "sessions": 4, "start_date": iso(4),
              "areas": [{"code": "face", "size_cm2": None}, {"code": "neck", "size_cm2": "1200"}],
              "products": ["hyaluronic-acid", "numbing-cream"], "coupon": None,
              "client": {"age": 34, "pregnant": True}}
    token = csrf_token(seller, f"/desk/quotes/{number}")
    live = seller.post("/desk/estimate?lang=tr", json=inputs, headers={"X-CSRFToken": token}).get_json()
    estimate = client.post("/api/v1/estimates", json=inputs).get_json()
    assert live["total"] == estimate["total"]
    assert live["total_text"] == money_text(Decimal(estimate["total"]), "TRY", "tr")
    saved = post(seller, number, pairs, lang="tr")
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#lines")
    quote = api_quote(client, sales_headers, number)
    assert quote["revision"] == 2 and quote["total"] == estimate["total"]
    assert codes(quote, "area") == ["face", "neck"] and codes(quote, "product") == ["hyaluronic-acid", "numbing-cream"]
    assert quote["sessions"] == 4 and quote["start_date"] == iso(4) and quote["eligibility"]["status"] == "postpone"
    priced = inputs_of(ctx, number, 2)
    assert [(a.code, a.size_cm2) for a in priced.areas] == [("face", None), ("neck", Decimal("1200"))]
    assert priced.client.age == 34 and priced.client.pregnant is True
    assert quote["activity"][-1]["by"] == "sel"
    # The page now shows revision 2's lines, its total printed as the live figure was, and the form filled with them.
    page = seller.get(f"/desk/quotes/{number}?lang=tr").get_data(as_text=True)
    assert live["total_text"] in page
    assert [v for k, v in revision_form(page) if k == "area"] == ["face", "neck"]
    assert dict(revision_form(page))["revision"] == "2"
    # Nothing changed but the products: removing one leaves the rest as they were.
    pairs = changed(revision_form(page), product=["numbing-cream"])
    assert post(seller, number, pairs).status_code == 302
    quote = api_quote(client, sales_headers, number)
    assert quote["revision"] == 3 and codes(quote, "product") == ["numbing-cream"]
    assert codes(quote, "area") == ["face", "neck"] and inputs_of(ctx, number, 3).areas == priced.areas


def test_the_live_figure_prints_money_as_the_saved_page_does(client, seller):
    token = csrf_token(seller, "/desk/quotes/new")
    body = {"clinic": "ist-kadikoy", "areas": [{"code": "face"}], "specialist_level": "aesthetician", "sessions": 2}
    for lang, total in (("tr", "8.000,00\u00a0₺"), ("en", "₺8,000.00")):
        live = seller.post(f"/desk/estimate?lang={lang}", json=body, headers={"X-CSRFToken": token}).get_json()
        assert live["total"] == "8000.00" and live["total_text"] == total
        assert all(line["amount_text"] == money_text(Decimal(line["amount"]), "TRY", lang) for line in live["lines"])
    script = seller.get("/desk/static/new-quote.js")
    js = script.get_data(as_text=True)
    script.close()
    assert "Intl.NumberFormat" not in js and "total_text" in js


def test_bad_input_comes_back_at_its_fields_in_words(client, seller, sales_headers):
    number = new_quote(client, sales_headers)
    page = seller.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    pairs = changed(revision_form(page), sessions="99", area=["face", "neck"], **{"size-neck": "-5"})
    refused = post(seller, number, pairs)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    html = section(text)
    assert '<span class="field-error" id="r-err-sessions">Must be between 1 and 24.</span>' in html
    assert re.search(r'id="r-err-area-neck">Must be greater than 0 and at most \d+\.<', html)
    assert 'id="r-size-neck" name="size-neck" inputmode="decimal" class="size" placeholder="250" value="-5" ' \
           'aria-invalid="true" aria-describedby="r-err-area-neck"' in html
    assert "<li>Sessions: Must be between 1 and 24.</li>" in html and "<li>Neck, size: Must be greater" in html
    assert messages(refused)[0].startswith("The revision was not saved")
    # What was typed is kept, never a field's name from the API.
    assert 'value="99"' in html and "areas.1" not in text and "size_cm2" not in text and "sessions:" not in text
    assert api_quote(client, sales_headers, number)["revision"] == 1
    # In Turkish, the same words as the form's labels.
    no_area = changed(revision_form(page), drop=[("area", "face"), ("area", "acne-scars-back")])
    turkish = post(seller, number, no_area, lang="tr")
    assert turkish.status_code == 422
    html = section(turkish.get_data(as_text=True))
    assert '<span class="field-error" id="r-err-areas">En az bir bölge seçin.</span>' in html
    assert "<li>Bölgeler: En az bir bölge seçin.</li>" in html
    # A product the list does not have (a crafted post) and a discount without its reason.
    crafted = changed(revision_form(page), product=["gold-mask"], discount_value="5")
    answer = post(seller, number, crafted)
    html = section(answer.get_data(as_text=True))
    assert answer.status_code == 422
    assert 'id="r-discount-errors"' in html and "products.0" not in html
    assert api_quote(client, sales_headers, number)["revision"] == 1


def test_a_form_filled_from_an_older_revision_is_not_saved_over_a_newer_one(client, seller, sales_headers):
    number = new_quote(client, sales_headers)
    page = seller.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    pairs = changed(revision_form(page), sessions="6")
    # Meanwhile someone else revises through the API.
    assert client.post(f"/api/v1/quotes/{number}/revisions", json={"products": []}, headers=sales_headers).status_code == 201
    stale = post(seller, number, pairs)
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Revision 2 was priced while you were editing" in html
    again = revision_form(html)
    assert dict(again)["sessions"] == "6" and dict(again)["revision"] == "2"  # typed kept, now based on 2
    assert api_quote(client, sales_headers, number)["revision"] == 2
    assert post(seller, number, again).status_code == 302  # knowingly, over revision 2
    quote = api_quote(client, sales_headers, number)
    assert quote["revision"] == 3 and quote["sessions"] == 6 and codes(quote, "product") == ["hyaluronic-acid"]


def test_sessions_left_empty_follow_the_skin_concerns(client, ctx, seller, sales_headers):
    concerns = [{"code": "pores", "severity": "pronounced"}]
    number = new_quote(client, sales_headers, sessions=8, concerns=concerns)
    recommended = api_quote(client, sales_headers, number)["suggestion"]["recommended"]
    assert recommended != 8
    page = seller.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    html = section(page)
    assert dict(revision_form(page))["sessions"] == "8" and f'placeholder="{recommended}"' in html
    assert "The skin concerns stay as they are: Enlarged pores." in html
    assert "data-concerns='[{\"code\": \"pores\", \"severity\": \"pronounced\"}]'" in html  # for the live price
    emptied = changed(revision_form(page), sessions="", product=["numbing-cream"])
    assert post(seller, number, emptied).status_code == 302
    quote = api_quote(client, sales_headers, number)
    assert quote["revision"] == 2 and quote["sessions"] == recommended and codes(quote, "product") == ["numbing-cream"]
    assert inputs_of(ctx, number, 2).concerns == inputs_of(ctx, number, 1).concerns and quote["suggestion"]["within"]
    # Without concerns, an empty number of sessions is refused at its field.
    plain = new_quote(client, sales_headers)
    page = seller.get(f"/desk/quotes/{plain}?lang=en").get_data(as_text=True)
    assert "data-concerns='[]'" in page
    refused = post(seller, plain, changed(revision_form(page), sessions=""))
    assert refused.status_code == 422 and 'id="r-err-sessions">Give a number of sessions' in refused.get_data(as_text=True)


def test_who_may_revise(client, app, ctx, seller, admin, sales_headers):
    number = new_quote(client, sales_headers)
    page = seller.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    pairs = changed(revision_form(page), sessions="5")
    # Signed out: to the sign-in page, nothing priced; without the page's CSRF token: refused.
    anonymous = app.test_client()
    assert post(anonymous, number, pairs).status_code == 400  # no session, so no CSRF token of its own
    own = changed(pairs, csrf_token=csrf_token(anonymous))  # a token of the sign-in page's session
    gone = post(anonymous, number, own)
    assert gone.status_code == 302 and "/desk/sign-in" in gone.headers["Location"]
    assert post(seller, number, [(k, v) for k, v in pairs if k != "csrf_token"]).status_code == 400
    assert api_quote(client, sales_headers, number)["revision"] == 1
    # An admin may (role admin includes sales); the revision is theirs.
    admin_page = admin.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    assert post(admin, number, changed(revision_form(admin_page), sessions="5")).status_code == 302
    quote = api_quote(client, sales_headers, number)
    assert quote["revision"] == 2 and quote["sessions"] == 5 and quote["activity"][-1]["by"] == "ada"
    # A closed quote has no revision form, and a post is refused in words.
    for status in ("sent", "accepted"):
        client.patch(f"/api/v1/quotes/{number}", json={"status": status}, headers=sales_headers)
    page = seller.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    assert 'id="revise"' not in page
    closed = seller.post(f"/desk/quotes/{number}/revisions?lang=en", data=dict(pairs), follow_redirects=True)
    assert closed.status_code == 200 and messages(closed) and api_quote(client, sales_headers, number)["revision"] == 2


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_the_new_quote_form_names_fields_in_words(seller, lang):
    token = csrf_token(seller, "/desk/quotes/new")
    form = {"csrf_token": token, "clinic": "ist-kadikoy", "specialist_level": "nurse", "sessions": "30",
            "area": ["face"], "customer_name": "Ece Demir", "customer_email": "ece@example.com"}
    page = seller.post(f"/desk/quotes/new?lang={lang}", data=form)
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    label = {"tr": "Seans sayısı", "en": "Sessions"}[lang]
    assert re.search(rf"<li>{label}: ", text), text[:3000]
    assert "<li>sessions:" not in text


def test_the_live_price_names_fields_in_words_whatever_is_sent(seller):
    token = csrf_token(seller, "/desk/quotes/new")
    headers = {"X-CSRFToken": token}
    body = {"clinic": "ist-kadikoy", "specialist_level": "nurse", "sessions": 2,
            "areas": [{"code": "face"}, {"code": "neck", "size_cm2": "abc"}], "products": [{"odd": 1}, "prp"]}
    answer = seller.post("/desk/estimate?lang=en", json=body, headers=headers)
    assert answer.status_code == 422
    said = answer.get_json()["messages"]
    assert "Neck, size: Not a valid number." in said and not any("areas.1" in m or "products.0" in m for m in said)
    assert any(m.startswith("Products: ") for m in said)
    unknown = seller.post("/desk/estimate?lang=tr", json={**body, "areas": [{"code": "face"}], "products": ["gold"]},
                          headers=headers)
    assert unknown.status_code == 422 and unknown.get_json()["messages"] == ["Ürünler: Bilinmeyen ürün: 'gold'."]


def test_what_the_price_list_no_longer_offers_is_named_before_it_goes(client, ctx, seller, sales_headers):
    number = new_quote(client, sales_headers, products=["hyaluronic-acid", "exosome"])
    price_items.delete_item(ctx, KINDS["products"], "exosome", ["*"], "ada")
    page = seller.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    assert "No longer in the price list, so the new revision goes without it: Eksozom serumu." in section(page)
    assert [v for k, v in revision_form(page) if k == "product"] == ["hyaluronic-acid"]
    assert post(seller, number, revision_form(page)).status_code == 302
    assert codes(api_quote(client, sales_headers, number), "product") == ["hyaluronic-acid"]
