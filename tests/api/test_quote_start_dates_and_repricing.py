"""Quotes under pricing rules version 2: bounded start dates, fresh prices, explanations stored."""

from __future__ import annotations

from datetime import timedelta

from quoteapi import create_app

from ..bodies import FACE_ESTIMATE as ESTIMATE
from ..bodies import FACE_QUOTE as BODY
from ..conftest import TEST_SETTINGS, TODAY


def test_a_past_start_date_is_refused_everywhere(client, sales_headers, ctx):
    yesterday = (ctx.today() - timedelta(days=1)).isoformat()
    for path, headers, body in (
        ("/api/v1/estimates", {}, {**ESTIMATE, "start_date": yesterday}),
        ("/api/v1/quote-requests", {}, {**BODY, "start_date": yesterday, "consent": True}),
        ("/api/v1/quotes", sales_headers, {**BODY, "start_date": yesterday}),
    ):
        r = client.post(path, json=body, headers=headers)
        assert r.status_code == 422, path
        assert list(r.get_json()["errors"]) == ["start_date"]


def test_the_far_future_is_a_422_not_a_500(client):
    r = client.post("/api/v1/estimates", json={**ESTIMATE, "start_date": "9999-12-31"})
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["start_date"]


def test_a_revision_after_the_start_date_passed_starts_today(client, sales_headers, ctx):
    start = ctx.today() + timedelta(days=3)
    created = client.post("/api/v1/quotes", json={**BODY, "start_date": start.isoformat()}, headers=sales_headers)
    number = created.get_json()["number"]
    assert created.get_json()["start_date"] == start.isoformat()
    later = start + timedelta(days=7)
    ctx.clock = lambda: later
    revised = client.post(f"/api/v1/quotes/{number}/revisions", json={}, headers=sales_headers).get_json()
    assert revised["start_date"] == later.isoformat() and revised["schedule"][0] == later.isoformat()
    chosen = later + timedelta(days=10)
    told = client.post(f"/api/v1/quotes/{number}/revisions", json={"start_date": chosen.isoformat()}, headers=sales_headers)
    assert told.get_json()["start_date"] == chosen.isoformat()


def test_a_stored_quote_uses_the_version_the_database_holds_now(app, database_url, client, sales_headers, admin_headers):
    """A worker whose cache is not due for a check still prices quotes with the newest version."""
    slow = create_app({"DATABASE_URL": database_url, **TEST_SETTINGS, "PRICE_LIST_CHECK_SECONDS": 3600.0},
                      environ={"QUOTEAPI_ENV": "testing"})
    worker = slow.test_client()
    assert worker.post("/api/v1/estimates", json=ESTIMATE).get_json()["price_list_version"] == 1  # cached now
    etag = client.get("/api/v1/admin/areas/face", headers=admin_headers).headers["ETag"]
    r = client.patch("/api/v1/admin/areas/face", json={"price": "4100.00"}, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200
    # The estimate may still come from the cache; the stored quote may not.
    quote = worker.post("/api/v1/quotes", json=BODY, headers=sales_headers).get_json()
    assert quote["price_list_version"] == 2
    assert quote["lines"][0]["unit_price"] == "4100.00"
    slow.extensions["quoteapi"].database.dispose()


def test_a_quote_keeps_its_explanation(client, sales_headers):
    quote = client.post("/api/v1/quotes", json={**BODY, "coupon": "FRIEND10"}, headers=sales_headers).get_json()
    assert quote["coupon"]["code"] == "FRIEND10" and quote["coupon"]["status"] in ("applied", "not_applied")
    assert all(line["basis"] for line in quote["lines"])
    assert isinstance(quote["offers"], list) and isinstance(quote["hints"], list)
    again = client.get(f"/api/v1/quotes/{quote['number']}", headers=sales_headers).get_json()
    assert again["lines"] == quote["lines"] and again["coupon"] == quote["coupon"] and again["hints"] == quote["hints"]


def test_an_estimate_answers_every_version_2_field(client):
    body = client.post("/api/v1/estimates", json={**ESTIMATE, "sessions": 2, "coupon": "nope"}, headers={"Accept-Language": "en"}).get_json()
    assert body["coupon"] == {"code": "nope", "status": "invalid", "reason": "This code is not valid for the chosen start date."}
    assert body["hints"][0]["sessions"] == 3 and body["hints"][0]["text"].startswith("3 sessions: ")
    assert [line["basis"] for line in body["lines"]] == ["4000.00 × 1.00"]
    assert body["start_date"] == TODAY.isoformat()


def test_the_document_shows_the_coupon_and_keeps_the_version_in_a_footnote(client, sales_headers):
    quote = client.post("/api/v1/quotes", json={**BODY, "coupon": "FRIEND10", "language": "en"}, headers=sales_headers).get_json()
    html = client.get(f"/api/v1/quotes/{quote['number']}/document", headers={**sales_headers, "Accept": "text/html"})
    text = html.get_data(as_text=True)
    assert f"Coupon FRIEND10: {quote['coupon']['reason']}" in text
    assert "Priced with price list version 1." in text
    assert text.index("Priced with price list version") > text.index("Session plan")
