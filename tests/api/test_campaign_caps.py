"""Campaign caps: max_uses counted on accepted quotes, uses on the admin endpoints, used-up campaigns (issue 10)."""

from __future__ import annotations

from sqlalchemy import event

from quoteapi import create_app

from ..bodies import SIMPLE_ESTIMATE
from ..conftest import TEST_SETTINGS, TODAY, run_together
from ..days import iso

A = "/api/v1/admin"
# A 1-session neck at Kadıköy with the FRIEND10 coupon: FRIEND (10 %, stackable) applies.
WITH_FRIEND = {**SIMPLE_ESTIMATE, "coupon": "FRIEND10", "start_date": iso(9)}
QUOTE = {**WITH_FRIEND, "customer": {"name": "Cap Test", "email": "cap@example.com"}}


def cap_friend(client, admin_headers, max_uses: int) -> None:
    etag = client.get(f"{A}/campaigns/FRIEND", headers=admin_headers).headers["ETag"]
    r = client.patch(f"{A}/campaigns/FRIEND", json={"max_uses": max_uses}, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200, r.get_json()


def sent_quote(client, headers) -> dict:
    r = client.post("/api/v1/quotes", json=QUOTE, headers=headers)
    assert r.status_code == 201, r.get_json()
    quote = r.get_json()
    assert client.patch(f"/api/v1/quotes/{quote['number']}", json={"status": "sent"}, headers=headers).status_code == 200
    return quote


def accept(client, headers, number: str):
    return client.patch(f"/api/v1/quotes/{number}", json={"status": "accepted"}, headers=headers)


def uses(client, admin_headers) -> int:
    one = client.get(f"{A}/campaigns/FRIEND", headers=admin_headers).get_json()["uses"]
    listed = client.get(f"{A}/campaigns", headers=admin_headers).get_json()["items"]
    assert next(c for c in listed if c["code"] == "FRIEND")["uses"] == one
    return one


def test_acceptances_count_up_to_max_uses_then_409(client, admin_headers, sales_headers):
    cap_friend(client, admin_headers, 2)
    quotes = [sent_quote(client, sales_headers) for _ in range(3)]
    assert all("FRIEND" in q["applied_campaigns"] for q in quotes)
    assert uses(client, admin_headers) == 0
    assert accept(client, sales_headers, quotes[0]["number"]).status_code == 200
    assert uses(client, admin_headers) == 1
    assert accept(client, sales_headers, quotes[1]["number"]).status_code == 200
    assert uses(client, admin_headers) == 2

    r = accept(client, sales_headers, quotes[2]["number"])
    assert r.status_code == 409
    body = r.get_json()
    assert body["type"] == "http://localhost/api/problems/campaign-used-up"
    assert "FRIEND" in body["detail"] and "revise" in client.patch(
        f"/api/v1/quotes/{quotes[2]['number']}?lang=en", json={"status": "accepted"}, headers=sales_headers
    ).get_json()["detail"]
    # Nothing of the refused acceptance was kept.
    third = client.get(f"/api/v1/quotes/{quotes[2]['number']}", headers=sales_headers).get_json()
    assert third["status"] == "sent"
    assert uses(client, admin_headers) == 2

    # Used up: no longer offered, neither to estimates nor in the catalogue...
    estimate = client.post("/api/v1/estimates", json=WITH_FRIEND).get_json()
    assert "FRIEND" not in estimate["applied_campaigns"]
    catalog = client.get("/api/v1/catalog?clinic=ist-kadikoy").get_json()
    assert "FRIEND" not in [c["code"] for c in catalog["campaigns"]]
    # ...so a revision prices the quote without it, and it can be accepted.
    revised = client.post(f"/api/v1/quotes/{quotes[2]['number']}/revisions", json={}, headers=sales_headers)
    assert revised.status_code == 201 and "FRIEND" not in revised.get_json()["applied_campaigns"]
    assert revised.get_json()["total"] == estimate["total"]
    assert client.patch(f"/api/v1/quotes/{quotes[2]['number']}", json={"status": "sent"}, headers=sales_headers).status_code == 200
    assert accept(client, sales_headers, quotes[2]["number"]).status_code == 200
    assert uses(client, admin_headers) == 2
    # Replayed with their price-list versions, both revisions match: the second was priced while
    # FRIEND was used up, and the replay does not apply it again.
    for revision in (1, 2):
        verified = client.get(f"/api/v1/quotes/{quotes[2]['number']}/revisions/{revision}/verify", headers=sales_headers)
        assert verified.get_json() == {"matches": True, "differences": []}, (revision, verified.get_json())

    # Raising the cap offers it again.
    cap_friend(client, admin_headers, 3)
    assert "FRIEND" in client.post("/api/v1/estimates", json=WITH_FRIEND).get_json()["applied_campaigns"]


def test_a_used_up_campaign_changes_the_catalogues_etag(client, admin_headers, sales_headers):
    cap_friend(client, admin_headers, 1)
    quote = sent_quote(client, sales_headers)
    before = client.get("/api/v1/catalog?clinic=ist-kadikoy")
    assert "FRIEND" in [c["code"] for c in before.get_json()["campaigns"]]
    etag = before.headers["ETag"]
    assert client.get("/api/v1/catalog?clinic=ist-kadikoy", headers={"If-None-Match": etag}).status_code == 304
    assert accept(client, sales_headers, quote["number"]).status_code == 200
    # Same version, same day, one offer fewer: not a 304 with the stale offer.
    after = client.get("/api/v1/catalog?clinic=ist-kadikoy", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert "FRIEND" not in [c["code"] for c in after.get_json()["campaigns"]]


def test_uncapped_campaigns_are_not_counted(client, admin_headers, sales_headers):
    etag = client.get(f"{A}/campaigns/FRIEND", headers=admin_headers).headers["ETag"]
    r = client.patch(f"{A}/campaigns/FRIEND", json={"max_uses": None}, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200 and "max_uses" not in r.get_json()
    quote = sent_quote(client, sales_headers)
    assert accept(client, sales_headers, quote["number"]).status_code == 200
    assert uses(client, admin_headers) == 0
    assert client.get(f"{A}/campaigns/WINTER-RENEWAL", headers=admin_headers).get_json()["uses"] == 0
    assert "uses" not in client.get(f"{A}/areas/face", headers=admin_headers).get_json()


def test_concurrent_acceptances_never_pass_the_cap(app, client, admin_headers, sales_headers):
    """One statement per campaign counts an acceptance (created at 1, or incremented below the cap):
    two acceptances at once with one use left give one 200 and one 409."""
    cap_friend(client, admin_headers, 1)
    numbers = [sent_quote(client, sales_headers)["number"] for _ in range(2)]
    answers = run_together(*(lambda n=n: accept(app.test_client(), sales_headers, n).status_code for n in numbers))
    assert sorted(answers) == [200, 409]
    assert uses(client, admin_headers) == 1


def test_a_worker_with_an_older_list_counts_with_the_cap_in_force_on_one_connection(
    database_url, client, admin_headers, sales_headers
):
    """Acceptances and revisions ask the database which version is in force in their own transaction
    (not a second connection while the quote is locked): a worker whose copy still has the old cap
    counts with the new one, and revises with the list in force."""
    cap_friend(client, admin_headers, 5)
    numbers = [sent_quote(client, sales_headers)["number"] for _ in range(3)]
    slow = create_app({"DATABASE_URL": database_url, **TEST_SETTINGS, "PRICE_LIST_CHECK_SECONDS": 3600.0},
                      environ={"QUOTEAPI_ENV": "testing"})
    slow_ctx = slow.extensions["quoteapi"]
    slow_ctx.clock = lambda: TODAY
    worker = slow.test_client()
    checkouts = []

    def checked_out(dbapi_connection, record, proxy):
        checkouts.append(dbapi_connection)

    try:
        assert worker.post("/api/v1/estimates", json=SIMPLE_ESTIMATE).status_code == 200  # its copy: cap 5
        assert accept(worker, sales_headers, numbers[0]).status_code == 200
        cap_friend(client, admin_headers, 1)  # a new version, which the worker's copy does not know
        event.listen(slow_ctx.database.engine, "checkout", checked_out)
        try:
            refused = accept(worker, sales_headers, numbers[1])
            assert len(checkouts) == 2  # the token's look-up, then the change's transaction
            revised = worker.post(f"/api/v1/quotes/{numbers[2]}/revisions", json={}, headers=sales_headers)
            assert len(checkouts) == 4
        finally:
            event.remove(slow_ctx.database.engine, "checkout", checked_out)
        assert refused.status_code == 409 and refused.get_json()["type"] == "http://localhost/api/problems/campaign-used-up"
        assert uses(client, admin_headers) == 1
        assert revised.status_code == 201, revised.get_json()
        in_force = client.get("/api/v1/catalog?clinic=ist-kadikoy").get_json()
        assert revised.get_json()["price_list_version"] == in_force["price_list_version"]
        assert "FRIEND" not in revised.get_json()["applied_campaigns"]  # used up: no longer offered
    finally:
        slow_ctx.database.dispose()
