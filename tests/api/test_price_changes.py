"""Dry runs of price changes, strict query parameters on writes, and warnings (issue 10)."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from quoteapi.adapters.db.models import AuditEntry, PriceListVersion

from ..bodies import QUOTE, SIMPLE_ESTIMATE
from ..days import iso

URL = "/api/v1/admin/price-list"
A = "/api/v1/admin"


def count(database, model) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def read(client, headers):
    r = client.get(URL, headers=headers)
    return r.get_json(), r.headers["ETag"]


def make_quote(client, headers, **fields) -> dict:
    body = {**{k: v for k, v in QUOTE.items() if k not in ("client",)}, **fields}
    r = client.post("/api/v1/quotes", json=body, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


# A 1-session neck at Kadıköy (factor 1.00, prices include tax): its total is the area's price.
NECK = {"clinic": "ist-kadikoy", "areas": [{"code": "neck"}], "specialist_level": "aesthetician", "sessions": 1,
        "products": [], "start_date": iso(9)}


def test_a_dry_run_stores_nothing_and_answers_the_impact(client, admin_headers, sales_headers, database):
    neck = make_quote(client, sales_headers, **NECK)
    assert neck["total"] == "2200.00"
    big = make_quote(client, sales_headers)  # the contract's course at Nişantaşı, with the neck-free areas
    face = make_quote(client, sales_headers, **{**NECK, "areas": [{"code": "face"}]})
    declined = make_quote(client, sales_headers, **NECK)
    assert client.patch(f"/api/v1/quotes/{declined['number']}", json={"status": "declined"},
                        headers=sales_headers).status_code == 200
    versions, audits = count(database, PriceListVersion), count(database, AuditEntry)

    doc, etag = read(client, admin_headers)
    changed = copy.deepcopy(doc)
    next(a for a in changed["areas"] if a["code"] == "neck")["price"] = "2420.00"
    next(a for a in changed["areas"] if a["code"] == "face")["price"] = "3800.00"
    r = client.put(URL + "?dry_run=true", json=changed, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200, r.get_json()
    answer = r.get_json()
    assert answer["dry_run"] is True and answer["valid"] is True and answer["errors"] == {}
    assert answer["version"] == 2 and answer["state"] == "current"
    assert answer["summary"] == "areas.face.price 4000.00 → 3800.00; areas.neck.price 2200.00 → 2420.00"
    impact = answer["impact"]
    assert impact["open_quotes"] == 3  # the declined one is not open
    assert (impact["dearer"], impact["cheaper"], impact["unchanged"]) == (1, 2, 0)
    by_number = {c["number"]: c for c in impact["largest_changes"]}
    assert by_number[neck["number"]] == {
        "number": neck["number"], "clinic": "ist-kadikoy", "total_before": "2200.00", "total_after": "2420.00",
        "difference": "220.00",
    }
    assert by_number[face["number"]]["total_before"] == face["total"]
    assert set(by_number) == {neck["number"], big["number"], face["number"]}
    assert Decimal(impact["difference_total"]) == sum(Decimal(c["difference"]) for c in impact["largest_changes"])
    # The largest change first.
    sizes = [abs(Decimal(c["difference"])) for c in impact["largest_changes"]]
    assert sizes == sorted(sizes, reverse=True)
    catalog = {(a["clinic"], a["area"]): a for a in impact["catalog"]}
    assert catalog[("ist-nisantasi", "face")] == {
        "clinic": "ist-nisantasi", "area": "face", "before": "4800.00", "after": "4560.00", "changed": True,
    }
    assert catalog[("ist-kadikoy", "hands")]["changed"] is False
    assert len(catalog) == len(doc["clinics"]) * len(doc["areas"])

    # Nothing was stored: no version, no audit entry, the same list in force.
    assert count(database, PriceListVersion) == versions
    assert count(database, AuditEntry) == audits
    assert read(client, admin_headers) == (doc, etag)

    # The dry run's figures are what revisions give once the change is made for real.
    r = client.put(URL, json=changed, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200
    for number, change in by_number.items():
        revised = client.post(f"/api/v1/quotes/{number}/revisions", json={}, headers=sales_headers)
        assert revised.status_code == 201, revised.get_json()
        assert revised.get_json()["total"] == change["total_after"]


def test_a_dry_run_of_an_invalid_change_lists_every_problem(client, admin_headers, database):
    doc, etag = read(client, admin_headers)
    doc["session_tiers"] = [{"min_sessions": 3, "discount_percent": "60"}]  # 3 sessions cheaper than 2
    doc["campaigns"][0]["clinics"] = ["nowhere"]
    r = client.put(URL + "?dry_run=true", json=doc, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200
    answer = r.get_json()
    assert answer["valid"] is False and answer["impact"] is None
    assert {"session_tiers", "campaigns.0.clinics.0"} <= set(answer["errors"])
    # A field the schema refuses is a problem of the dry run too, not a 422.
    doc["areas"][0]["price"] = "12.345"
    r = client.put(URL + "?dry_run=true", json=doc, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200 and r.get_json()["valid"] is False
    assert "areas.0.price" in r.get_json()["errors"]
    # The same change for real is a 422.
    assert client.put(URL, json=doc, headers={**admin_headers, "If-Match": etag}).status_code == 422
    assert count(database, PriceListVersion) == 1


def test_item_dry_runs_store_nothing(client, admin_headers, database):
    audits = count(database, AuditEntry)
    etag = client.get(f"{A}/areas/neck", headers=admin_headers).headers["ETag"]
    r = client.patch(f"{A}/areas/neck?dry_run=true", json={"price": "2300.00"}, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200 and r.get_json()["valid"] is True
    assert r.get_json()["changes"] == [{"path": "areas.neck.price", "before": "2200.00", "after": "2300.00"}]
    r = client.post(f"{A}/products?dry_run=true", json={"code": "prp", "name": "PRP", "price": "1.00"}, headers=admin_headers)
    assert r.status_code == 200 and r.get_json()["valid"] is False and "code" in r.get_json()["errors"]
    r = client.delete(f"{A}/areas/face?dry_run=true", headers={**admin_headers, "If-Match": "*"})
    assert r.status_code == 200 and r.get_json()["valid"] is False  # a campaign names it
    r = client.delete(f"{A}/areas/hands?dry_run=true", headers={**admin_headers, "If-Match": "*"})
    assert r.status_code == 200 and r.get_json()["valid"] is True
    assert r.get_json()["changes"][0]["path"] == "areas.hands"
    assert count(database, PriceListVersion) == 1
    assert count(database, AuditEntry) == audits
    assert client.get(f"{A}/areas/hands", headers=admin_headers).status_code == 200


@pytest.mark.parametrize("method, path", [
    ("put", URL), ("patch", f"{A}/areas/neck"), ("post", f"{A}/products"), ("delete", f"{A}/areas/hands"),
    ("post", "/api/v1/quotes"), ("post", "/api/v1/estimates"), ("post", f"{A}/users"),
])
def test_an_unknown_query_parameter_on_a_write_is_a_400(client, admin_headers, database, method, path):
    doc, etag = read(client, admin_headers)
    body = doc if method == "put" else {"price": "1.00"}
    r = getattr(client, method)(path + "?dryrun=true", json=body, headers={**admin_headers, "If-Match": "*"})
    assert r.status_code == 400
    assert r.content_type == "application/problem+json"
    assert r.get_json()["errors"] == {"dryrun": ["Unknown query parameter."]} or "dryrun" in r.get_json()["errors"]
    assert count(database, PriceListVersion) == 1


@pytest.mark.parametrize("method, path, body", [
    ("patch", f"{A}/areas/face", {"price": "4400.00"}), ("post", f"{A}/products", {"code": "led", "name": "LED", "price": "1.00"}),
    ("delete", f"{A}/areas/hands", None), ("put", URL, None),
])
def test_a_repeated_query_parameter_on_a_write_is_a_400_and_changes_nothing(client, admin_headers, database, method, path, body):
    doc, _ = read(client, admin_headers)
    audits = count(database, AuditEntry)
    for query in ("dry_run=false&dry_run=true", "dry_run=true&dry_run=false", "dry_run=true&dry_run=true"):
        r = getattr(client, method)(f"{path}?{query}", json=doc if method == "put" else body,
                                    headers={**admin_headers, "If-Match": "*", "Accept-Language": "en"})
        assert r.status_code == 400, (query, r.get_json())
        problem = r.get_json()
        assert r.content_type == "application/problem+json" and problem["type"].endswith("/repeated-query-parameter")
        assert problem["errors"] == {"dry_run": ["Give this query parameter once."]}
    assert count(database, PriceListVersion) == 1 and count(database, AuditEntry) == audits
    assert client.patch(f"{A}/areas/face?dry_run=true", json={"price": "4400.00"},
                        headers={**admin_headers, "If-Match": "*"}).status_code == 200  # once is fine


def test_lang_stays_accepted_on_writes(client):
    r = client.post("/api/v1/estimates?lang=en", json=SIMPLE_ESTIMATE)
    assert r.status_code == 200 and r.headers["Content-Language"] == "en"


# A fixed 5000 off from 6 sessions: 6 sessions of the cheapest area cost less than 5.
BIG_SIX = {"code": "BIG-SIX", "name": "Big six", "starts_on": iso(0), "ends_on": iso(61),
           "min_sessions": 6, "benefit": {"type": "fixed", "value": "5000.00"}}


def test_a_campaign_that_makes_a_longer_course_cheaper_is_a_warning(client, admin_headers):
    r = client.post(f"{A}/campaigns?dry_run=true&lang=en", json=BIG_SIX, headers=admin_headers)
    assert r.status_code == 200 and r.get_json()["valid"] is True
    [warning] = r.get_json()["warnings"]
    assert warning["code"] == "campaign-makes-longer-course-cheaper"
    assert warning["path"] == "campaigns.5"
    assert warning["message"] == (
        "Campaign BIG-SIX makes a course of 6 sessions cheaper in total than one of 5 at ist-nisantasi."
    )
    r = client.post(f"{A}/campaigns?lang=en", json=BIG_SIX, headers=admin_headers)
    assert r.status_code == 201  # a warning, not a refusal
    assert r.get_json()["warnings"] == [warning]
    doc, etag = read(client, admin_headers)
    r = client.put(URL, json={**doc, "combination_discount_percent": "25"}, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200 and [w["code"] for w in r.get_json()["warnings"]] == [warning["code"]]
    r = client.get(f"{A}/campaigns/BIG-SIX", headers=admin_headers)
    assert "warnings" not in r.get_json()


def test_no_warning_for_the_demo_list(client, admin_headers):
    doc, etag = read(client, admin_headers)
    r = client.put(URL, json={**doc, "combination_discount_percent": "25"}, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200 and r.get_json()["warnings"] == []
