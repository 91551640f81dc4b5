"""Quotes for follow-up and website quote requests, on both databases."""

from __future__ import annotations

import copy
import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from quoteapi.adapters.db import Quote, QuoteRevision

from ..bodies import FACE_QUOTE, QUOTE, QUOTE_REQUEST
from ..conftest import run_together, TODAY
from ..days import day, iso, spelled


@pytest.fixture
def sales_headers(sales_headers):
    """These tests read the texts in English: the desk asks for English (quotes take the request's language)."""
    return {**sales_headers, "Accept-Language": "en"}




def english(offset: int) -> str:
    """TODAY moved by ``offset`` days as an English document writes it: ``5 December 2026``."""
    return spelled(offset, "en")


def create(client, headers, body=None, **extra):
    r = client.post("/api/v1/quotes", json=body or QUOTE, headers={**headers, **extra})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def stored_count(database) -> int:
    with database.reading() as s:
        return s.scalar(select(func.count()).select_from(Quote))


def test_create_answers_201_with_location_and_the_whole_quote(client, sales_headers):
    r = client.post("/api/v1/quotes", json=QUOTE, headers=sales_headers)
    assert r.status_code == 201
    q = r.get_json()
    assert re.fullmatch(r"Q-\d{4}-\d{6}", q["number"])
    assert q["number"].startswith(f"Q-{TODAY.year}-")
    assert r.headers["Location"] == f"/api/v1/quotes/{q['number']}"
    assert q["revision"] == 1 and q["status"] == "new" and q["source"] == "staff"
    assert q["customer"] == QUOTE["customer"]
    assert q["created_by"] == "sam" and q["assigned_to"] is None
    assert q["follow_up_on"] == iso(0) and q["notes"] == "Prefers mornings."
    assert q["valid_until"] == (TODAY + timedelta(days=30)).isoformat()
    assert q["total"] == "51885.36" and q["price_list_version"] == 1
    assert q["eligibility"] == {"status": "postpone", "reasons": ["Treatment is postponed until after pregnancy."]}
    assert [a["kind"] for a in q["activity"]] == ["created"]
    assert client.get(r.headers["Location"], headers=sales_headers).get_json() == q


def test_valid_days_and_customer_rules(client, sales_headers):
    q = create(client, sales_headers, {**QUOTE, "valid_days": 7})
    assert q["valid_until"] == (TODAY + timedelta(days=7)).isoformat()
    phone_only = {**QUOTE, "customer": {"name": "Can", "phone": "+90 555 111 22 33"}}
    assert create(client, sales_headers, phone_only)["customer"]["email"] is None
    for customer, field in (
        ({"name": "Can"}, "customer.email"),
        ({"email": "a@b.co"}, "customer.name"),
        ({"name": "Can", "email": "not-an-email"}, "customer.email"),
    ):
        r = client.post("/api/v1/quotes", json={**QUOTE, "customer": customer}, headers=sales_headers)
        assert r.status_code == 422
        assert field in r.get_json()["errors"]
    r = client.post("/api/v1/quotes", json={**QUOTE, "valid_days": 0}, headers=sales_headers)
    assert set(r.get_json()["errors"]) == {"valid_days"}


def test_figures_never_change_when_prices_change(client, sales_headers, admin_headers):
    q = create(client, sales_headers)
    doc = client.get("/api/v1/admin/price-list", headers=admin_headers)
    body = doc.get_json()
    body["areas"][0]["price"] = "5000.00"
    r = client.put("/api/v1/admin/price-list", json=body, headers={**admin_headers, "If-Match": doc.headers["ETag"]})
    assert r.status_code == 200
    again = client.get(f"/api/v1/quotes/{q['number']}", headers=sales_headers).get_json()
    assert again["lines"] == q["lines"] and again["total"] == q["total"] and again["price_list_version"] == 1
    revised = client.post(f"/api/v1/quotes/{q['number']}/revisions", headers=sales_headers)
    assert revised.status_code == 201
    assert revised.get_json()["price_list_version"] == 2
    assert revised.get_json()["lines"][0]["unit_price"] == "6000.00"  # 5000.00 * 1.20


def test_not_eligible_client_is_refused_with_the_reason(client, sales_headers, database):
    r = client.post("/api/v1/quotes", json={**QUOTE, "client": {"age": 17}}, headers=sales_headers)
    assert r.status_code == 422
    assert r.get_json()["errors"]["client"] == ["The treatment is offered to adults (18 or older) only."]
    assert "adults" in r.get_json()["detail"]
    assert stored_count(database) == 0


def test_eligibility_is_shown_in_the_list(client, sales_headers):
    create(client, sales_headers, {**QUOTE, "client": {"age": 40, "open_wounds": True}})
    items = client.get("/api/v1/quotes", headers=sales_headers).get_json()["items"]
    assert items[0]["eligibility"] == {"status": "needs_doctor_review"}


# --- Idempotency ---------------------------------------------------------------


def test_idempotency_key_replays_the_first_answer(client, sales_headers, database):
    first = client.post("/api/v1/quotes", json=QUOTE, headers={**sales_headers, "Idempotency-Key": "abc-1"})
    again = client.post("/api/v1/quotes", json=QUOTE, headers={**sales_headers, "Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert stored_count(database) == 1
    other = client.post("/api/v1/quotes", json={**QUOTE, "sessions": 5}, headers={**sales_headers, "Idempotency-Key": "abc-1"})
    assert other.status_code == 409
    assert other.content_type == "application/problem+json"
    assert stored_count(database) == 1


def test_concurrent_retries_with_one_key_store_one_quote(app, sales_headers, database):
    def retry():
        r = app.test_client().post("/api/v1/quotes", json=QUOTE, headers={**sales_headers, "Idempotency-Key": "same"})
        return r.status_code, r.get_json()["number"]

    numbers = run_together(*[retry] * 8)
    assert len(numbers) == 8 and {status for status, _ in numbers} == {201}
    assert len({number for _, number in numbers}) == 1
    assert stored_count(database) == 1


def test_concurrent_creation_gives_distinct_numbers(app, sales_headers, database):
    def make(i):
        body = {**QUOTE, "customer": {"name": f"Customer {i}", "email": f"c{i}@example.com"}}
        made = []
        for _ in range(3):
            r = app.test_client().post("/api/v1/quotes", json=body, headers=sales_headers)
            made.append((r.status_code, r.get_json().get("number")))
        return made

    results = [pair for made in run_together(*[lambda i=i: make(i) for i in range(32)]) for pair in made]
    assert [s for s, _ in results] == [201] * 96
    numbers = [n for _, n in results]
    assert len(set(numbers)) == 96
    with database.reading() as s:
        stored = list(s.scalars(select(Quote.number)))
    assert sorted(stored) == sorted(numbers)


# --- Workflow -------------------------------------------------------------------


def patch(client, headers, number, **changes):
    return client.patch(f"/api/v1/quotes/{number}", json=changes, headers=headers)


@pytest.mark.parametrize(
    "path",
    [
        ["draft", "sent", "accepted"],
        ["sent", "draft", "sent", "declined"],
        ["declined"],
        ["draft", "declined"],
        ["sent", "accepted"],
    ],
)
def test_allowed_moves(client, sales_headers, path):
    number = create(client, sales_headers)["number"]
    for status in path:
        r = patch(client, sales_headers, number, status=status)
        assert r.status_code == 200, (status, r.get_json())
        assert r.get_json()["status"] == status
    activity = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["activity"]
    assert [a["kind"] for a in activity] == ["created"] + ["status"] * len(path)
    assert activity[-1]["by"] == "sam" and activity[-1]["text"].endswith(f"→ {path[-1]}.")


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "accepted"),
        ([], "new"),
        (["draft"], "accepted"),
        (["draft"], "new"),
        (["draft"], "draft"),
        (["sent"], "new"),
        (["sent", "accepted"], "declined"),
        (["sent", "accepted"], "draft"),
        (["declined"], "sent"),
    ],
)
def test_other_moves_are_409_and_change_nothing(client, sales_headers, path, refused):
    number = create(client, sales_headers)["number"]
    for status in path:
        assert patch(client, sales_headers, number, status=status).status_code == 200
    r = patch(client, sales_headers, number, status=refused)
    assert r.status_code == 409
    assert "status" in r.get_json()["errors"]
    current = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert current["status"] == (path[-1] if path else "new")


def _expire(database, number):
    with database.transaction() as s:
        s.execute(update(Quote).where(Quote.number == number).values(valid_until=TODAY - timedelta(days=1)))


def test_expired_reads_as_expired_and_can_only_be_revised(client, sales_headers, database):
    number = create(client, sales_headers)["number"]
    patch(client, sales_headers, number, status="sent")
    # Valid through the whole last day:
    with database.transaction() as s:
        s.execute(update(Quote).where(Quote.number == number).values(valid_until=TODAY))
    assert client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["status"] == "sent"
    _expire(database, number)
    assert client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["status"] == "expired"
    assert patch(client, sales_headers, number, status="accepted").status_code == 409
    statuses = {i["number"]: i["status"] for i in client.get("/api/v1/quotes?status=expired", headers=sales_headers).get_json()["items"]}
    assert statuses == {number: "expired"}
    assert client.get("/api/v1/quotes?status=sent", headers=sales_headers).get_json()["items"] == []
    revised = client.post(f"/api/v1/quotes/{number}/revisions", json={}, headers=sales_headers)
    assert revised.status_code == 201
    assert revised.get_json()["status"] == "draft"
    assert revised.get_json()["valid_until"] == (TODAY + timedelta(days=30)).isoformat()


def test_accepted_quotes_are_not_revised(client, sales_headers):
    number = create(client, sales_headers)["number"]
    patch(client, sales_headers, number, status="sent")
    patch(client, sales_headers, number, status="accepted")
    assert client.post(f"/api/v1/quotes/{number}/revisions", headers=sales_headers).status_code == 409


def test_follow_up_and_assignee(client, sales_headers, admin_headers):
    number = create(client, sales_headers)["number"]
    r = patch(client, sales_headers, number, follow_up_on=iso(23), assigned_to="ada")
    assert r.status_code == 200
    q = r.get_json()
    assert q["follow_up_on"] == iso(23) and q["assigned_to"] == "ada" and q["status"] == "new"
    assert patch(client, sales_headers, number, assigned_to="nobody").status_code == 422
    assert patch(client, sales_headers, number, follow_up_on=day(23).strftime("%d/%m/%Y")).status_code == 422
    assert patch(client, sales_headers, number, status="won").status_code == 422
    cleared = patch(client, sales_headers, number, follow_up_on=None, assigned_to=None).get_json()
    assert cleared["follow_up_on"] is None and cleared["assigned_to"] is None


def test_notes_add_to_activity(client, sales_headers):
    number = create(client, sales_headers)["number"]
    r = client.post(f"/api/v1/quotes/{number}/notes", json={"text": "Called; will decide Friday."}, headers=sales_headers)
    assert r.status_code == 201
    last = r.get_json()["activity"][-1]
    assert last["kind"] == "note" and last["by"] == "sam" and last["text"] == "Called; will decide Friday."
    assert last["at"].endswith("+00:00")
    assert client.post(f"/api/v1/quotes/{number}/notes", json={"text": ""}, headers=sales_headers).status_code == 422
    assert client.post(f"/api/v1/quotes/Q-{TODAY.year}-999999/notes", json={"text": "x"}, headers=sales_headers).status_code == 404


# --- Revisions ---------------------------------------------------------------------


def test_revisions_keep_earlier_ones_readable(client, sales_headers):
    q = create(client, sales_headers)
    number = q["number"]
    r = client.post(f"/api/v1/quotes/{number}/revisions", json={"sessions": 6, "products": []}, headers=sales_headers)
    assert r.status_code == 201
    assert r.headers["Location"] == f"/api/v1/quotes/{number}/revisions/2"
    second = r.get_json()
    assert second["revision"] == 2 and second["sessions"] == 6
    assert [l["kind"] for l in second["lines"]].count("product") == 0
    assert second["customer"] == QUOTE["customer"]  # kept
    first = client.get(f"/api/v1/quotes/{number}/revisions/1", headers=sales_headers).get_json()
    assert first["revision"] == 1 and first["lines"] == q["lines"] and first["total"] == q["total"]
    assert client.get(f"/api/v1/quotes/{number}/revisions/2", headers=sales_headers).get_json()["total"] == second["total"]
    assert client.get(f"/api/v1/quotes/{number}/revisions/3", headers=sales_headers).status_code == 404
    bad = client.post(f"/api/v1/quotes/{number}/revisions", json={"areas": [{"code": "elbow"}]}, headers=sales_headers)
    assert bad.status_code == 422 and "areas.0.code" in bad.get_json()["errors"]
    assert client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["revision"] == 2


def test_a_revision_for_a_client_now_not_eligible_is_refused(client, sales_headers):
    number = create(client, sales_headers)["number"]
    r = client.post(f"/api/v1/quotes/{number}/revisions", json={"client": {"age": 12}}, headers=sales_headers)
    assert r.status_code == 422 and "client" in r.get_json()["errors"]


# --- Listing -----------------------------------------------------------------------


def _many(client, headers, n, **overrides):
    made = []
    for i in range(n):
        body = copy.deepcopy(QUOTE)
        body["customer"] = {"name": f"Customer {i:03d}", "email": f"c{i}@example.com"}
        body.update(overrides)
        made.append(create(client, headers, body)["number"])
    return made


def test_list_pages_newest_first_without_skipping_or_repeating(client, sales_headers):
    made = _many(client, sales_headers, 7)
    page = client.get("/api/v1/quotes?limit=3", headers=sales_headers).get_json()
    seen = [i["number"] for i in page["items"]]
    assert seen == made[::-1][:3]
    # Quotes added while paging appear at the front, never inside later pages.
    added = _many(client, sales_headers, 2)
    while page["next_cursor"]:
        page = client.get(f"/api/v1/quotes?limit=3&cursor={page['next_cursor']}", headers=sales_headers).get_json()
        seen += [i["number"] for i in page["items"]]
    assert seen == made[::-1]
    first = client.get("/api/v1/quotes?limit=50", headers=sales_headers).get_json()
    assert [i["number"] for i in first["items"]] == (made + added)[::-1]
    assert first["next_cursor"] is None


def test_list_filters(client, sales_headers, admin_headers):
    a, b = _many(client, sales_headers, 2)
    c = create(client, sales_headers, {**QUOTE, "clinic": "ank-cankaya", "customer": {"name": "Mehmet Öz", "phone": "+90 312 555 44 33"}, "follow_up_on": iso(19)})["number"]
    patch(client, sales_headers, b, status="sent")
    patch(client, sales_headers, c, status="declined")

    def numbers(query):
        r = client.get(f"/api/v1/quotes?{query}", headers=sales_headers)
        assert r.status_code == 200, r.get_json()
        return [i["number"] for i in r.get_json()["items"]]

    assert numbers("status=sent") == [b]
    assert numbers("status=new") == [a]
    assert numbers("clinic=ank-cankaya") == [c]
    assert numbers("q=mehmet") == [c]
    assert numbers("q=C1%40EXAMPLE") == [b]
    assert numbers("q=312%20555") == [c]
    assert numbers("q=%25") == []
    # follow-ups due: open quotes only (c is declined)
    assert numbers(f"follow_up_due={iso(0)}") == [b, a]
    assert numbers(f"follow_up_due={iso(-1)}") == []
    # created_from / created_to are days at the clinics: the quotes were all made on TODAY there.
    assert numbers(f"created_from={iso(0)}&created_to={iso(0)}") == [c, b, a]
    assert numbers(f"created_to={iso(-1)}") == []
    assert numbers(f"created_from={iso(1)}") == []


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=x", "status=lost", "cursor=%21%21", "cursor=bm9wZQ", "follow_up_due=soon"])
def test_list_rejects_bad_parameters(client, sales_headers, query):
    r = client.get(f"/api/v1/quotes?{query}", headers=sales_headers)
    assert r.status_code == 422
    assert r.get_json()["errors"]


# --- The document ---------------------------------------------------------------------


def test_pdf_document_has_number_customer_and_total(client, sales_headers):
    number = create(client, sales_headers)["number"]
    r = client.get(f"/api/v1/quotes/{number}/document", headers=sales_headers)
    assert r.status_code == 200 and r.content_type == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    assert number in text
    assert "Ayşe Yılmaz" in text
    assert "51,885.36" in text  # the total, in the quote's language (English)
    assert "Istanbul Nisantasi" in text
    assert "postponed until after pregnancy" in text
    assert english(4) in text  # first session: the start date, TODAY + 4


def test_html_document_and_content_negotiation(client, sales_headers):
    number = create(client, sales_headers)["number"]
    html = client.get(f"/api/v1/quotes/{number}/document", headers={**sales_headers, "Accept": "text/html"})
    assert html.status_code == 200 and html.mimetype == "text/html"
    page = html.get_data(as_text=True)
    assert number in page and "₺51,885.36" in page and "Aftercare" in page
    # A page naming a person and their health answers: loads and runs nothing, never sniffed nor kept.
    assert html.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'unsafe-inline';")
    assert "script-src" not in html.headers["Content-Security-Policy"]
    pdf = client.get(f"/api/v1/quotes/{number}/document", headers=sales_headers)
    for answer in (html, pdf):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Cache-Control"] == "no-store"
    browser = client.get(
        f"/api/v1/quotes/{number}/document",
        headers={**sales_headers, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert browser.mimetype == "text/html"
    assert client.get(f"/api/v1/quotes/{number}/document", headers={**sales_headers, "Accept": "*/*"}).mimetype == "application/pdf"
    refused = client.get(f"/api/v1/quotes/{number}/document", headers={**sales_headers, "Accept": "image/png"})
    assert refused.status_code == 406 and refused.content_type == "application/problem+json"
    assert client.get(f"/api/v1/quotes/Q-{TODAY.year}-999999/document", headers=sales_headers).status_code == 404


def test_a_one_area_quote_is_one_page(client, sales_headers):
    r = client.post("/api/v1/quotes", json=FACE_QUOTE, headers=sales_headers)
    assert r.status_code == 201, r.json
    pdf = client.get(f"/api/v1/quotes/{r.json['number']}/document", headers=sales_headers)
    pages = PdfReader(io.BytesIO(pdf.data)).pages
    assert len(pages) == 1, pages[-1].extract_text()


# --- Website quote requests -------------------------------------------------------------


def test_quote_request_answers_only_number_and_status(client, sales_headers):
    r = client.post("/api/v1/quote-requests", json=QUOTE_REQUEST)
    assert r.status_code == 201
    assert set(r.get_json()) == {"number", "status"} and r.get_json()["status"] == "new"
    # Location names the quote for the desk; reading it needs a token.
    assert r.headers["Location"] == f"/api/v1/quotes/{r.get_json()['number']}"
    assert client.get(r.headers["Location"]).status_code == 401
    number = r.get_json()["number"]
    listed = client.get("/api/v1/quotes", headers=sales_headers).get_json()["items"]
    assert [(i["number"], i["source"], i["status"]) for i in listed] == [(number, "website", "new")]
    q = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert q["created_by"] is None and q["total"] == "51885.36"
    assert client.get(f"/api/v1/quotes/{number}").status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent": False}, "consent"),
        ({"consent": None}, "consent"),
        ({"customer": {"name": "X", "phone": "+90 555 000 00 00"}}, "customer.email"),
        ({"notes": "hi"}, "notes"),
    ],
)
def test_quote_request_validation(client, database, change, field):
    body = {**QUOTE_REQUEST, **change}
    r = client.post("/api/v1/quote-requests", json=body)
    assert r.status_code == 422
    assert field in r.get_json()["errors"]
    assert stored_count(database) == 0


def test_quote_request_without_consent_field(client, database):
    body = {k: v for k, v in QUOTE_REQUEST.items() if k != "consent"}
    r = client.post("/api/v1/quote-requests", json=body)
    assert r.status_code == 422 and "consent" in r.get_json()["errors"]


def test_quote_request_idempotency(client, database):
    first = client.post("/api/v1/quote-requests", json=QUOTE_REQUEST, headers={"Idempotency-Key": "web-1"})
    again = client.post("/api/v1/quote-requests", json=QUOTE_REQUEST, headers={"Idempotency-Key": "web-1"})
    assert again.get_json() == first.get_json()
    assert stored_count(database) == 1
    other = client.post("/api/v1/quote-requests", json={**QUOTE_REQUEST, "sessions": 2}, headers={"Idempotency-Key": "web-1"})
    assert other.status_code == 409


def test_revision_rows_are_stored_with_their_price_list_version(client, sales_headers, database):
    number = create(client, sales_headers)["number"]
    with database.reading() as s:
        rows = list(s.scalars(select(QuoteRevision)))
    assert [(r.revision, r.price_list_version) for r in rows] == [(1, 1)]
    assert rows[0].estimate["total"] == "51885.36"
    assert rows[0].inputs["clinic"] == "ist-nisantasi"
    with database.reading() as s:
        owner = s.get(Quote, rows[0].quote_id)
    assert owner.number == number and owner.revision == rows[0].revision


def test_a_quote_dumps_as_marshmallow_would_dump_it(client, sales_headers):
    """QuoteSchema's fast dump (the estimate's plain form beside the quote's own fields) equals marshmallow's."""
    from marshmallow import Schema

    from quoteapi.api.responses import services
    from quoteapi.interface.schemas.quotes import _ESTIMATE_FIELDS, _QUOTE_SHADOWS, QuoteSchema
    from quoteapi.domain.pricing.model import Estimate
    from quoteapi.services import quotes

    body = {**QUOTE, "client": {"age": 34, "pregnant": False}, "language": "en"}
    number = client.post("/api/v1/quotes", json=body, headers=sales_headers).get_json()["number"]
    schema = QuoteSchema()
    for lang in ("tr", "en"):
        with client.application.test_request_context(f"/?lang={lang}"):
            client.application.preprocess_request()
            quote = quotes.get_quote(services(), number)
            # What the fast path needs: an Estimate, and no quote attribute shadowing an estimate field.
            assert isinstance(quote.estimate, Estimate) and not any(hasattr(quote, n) for n in _ESTIMATE_FIELDS)
            assert not _QUOTE_SHADOWS  # so the fast path need not look for such attributes
            fast = schema.dump(quote)
            assert fast == Schema.dump(schema, quote)
            assert fast["lines"] and fast["number"] == number


def test_every_kind_of_quote_dumps_as_marshmallow_would_dump_it(client, sales_headers, admin_headers):
    """The quote's own fields built without marshmallow (schemas/quotes.py ``_own_fields``) equal its dump:
    a website request with its consent, a desk quote with notes, a follow-up, an assignee and a
    manual discount whose approval an admin decided, in both languages."""
    from marshmallow import Schema

    from quoteapi.api.responses import services
    from quoteapi.interface.schemas.quotes import _PLAIN_OWN_FIELDS, QuoteSchema
    from quoteapi.services import quotes

    assert _PLAIN_OWN_FIELDS  # else marshmallow dumps them and this test would prove nothing
    website = client.post("/api/v1/quote-requests", json=QUOTE_REQUEST)
    assert website.status_code == 201, website.get_json()
    discounted = {**QUOTE, "manual_discount": {"percent": "40", "reason": "Friends & family"}}
    desk = client.post("/api/v1/quotes", json=discounted, headers=sales_headers).get_json()
    assert desk["approval"]["status"] == "pending" and desk["manual_discount"]["percent"] == "40"
    r = client.patch(f"/api/v1/quotes/{desk['number']}", json={"assigned_to": "sam"}, headers=sales_headers)
    assert r.status_code == 200
    r = client.post(f"/api/v1/quotes/{desk['number']}/approval", json={"decision": "reject", "note": "Too much"},
                    headers=admin_headers)
    assert r.status_code == 200 and r.get_json()["approval"]["by"] is not None
    schema = QuoteSchema()
    for number in (website.get_json()["number"], desk["number"]):
        for lang in ("tr", "en"):
            with client.application.test_request_context(f"/?lang={lang}"):
                client.application.preprocess_request()
                quote = quotes.get_quote(services(), number)
                fast = schema.dump(quote)
                assert fast == Schema.dump(schema, quote)
                assert list(fast) == list(Schema.dump(schema, quote))
    website_quote = client.get(f"/api/v1/quotes/{website.get_json()['number']}", headers=sales_headers).get_json()
    assert website_quote["consent"]["wording"] and website_quote["manual_discount"] is None
