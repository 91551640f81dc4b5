"""Scheduled price-list versions: effective_from, states, cancelling, and a fix of today's list while a
change waits (issue 10)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from quoteapi.adapters.db.models import AuditEntry

from ..bodies import SIMPLE_ESTIMATE
from ..conftest import TODAY

URL = "/api/v1/admin/price-list"
A = "/api/v1/admin"
FACE = {**SIMPLE_ESTIMATE, "areas": [{"code": "face"}]}


def later(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def read(client, headers):
    r = client.get(URL, headers=headers)
    return r.get_json(), r.headers["ETag"]


def put(client, headers, doc, etag, **query):
    return client.put(URL, json=doc, headers={**headers, "If-Match": etag}, query_string=query)


def with_price(doc: dict, code: str, price: str) -> dict:
    return {**doc, "areas": [{**a, "price": price} if a["code"] == code else a for a in doc["areas"]]}


def states(client, headers) -> dict[int, str]:
    return {v["version"]: v["state"] for v in client.get(URL + "/versions", headers=headers).get_json()}


def test_a_scheduled_change_waits_then_takes_effect(client, admin_headers):
    doc, etag = read(client, admin_headers)
    at = later(1.5)
    r = put(client, admin_headers, with_price(doc, "face", "4400.00"), etag, effective_from=at)
    assert r.status_code == 200, r.get_json()
    answer = r.get_json()
    assert (answer["version"], answer["state"]) == (2, "scheduled")
    assert datetime.fromisoformat(answer["effective_from"]) == datetime.fromisoformat(at)
    assert r.headers["ETag"] == '"pl-1"'  # what a change of today's list is based on
    # The list in force is unchanged, for admins, the catalogue and estimates.
    assert read(client, admin_headers) == (doc, etag)
    assert client.post("/api/v1/estimates", json=FACE).get_json()["total"] == "4000.00"
    assert states(client, admin_headers) == {2: "scheduled", 1: "current"}
    # An admin sees what the scheduled version will contain.
    waiting = client.get(URL + "/versions/2", headers=admin_headers).get_json()
    assert waiting["state"] == "scheduled" and waiting["base_version"] == 1
    assert next(a for a in waiting["areas"] if a["code"] == "face")["price"] == "4400.00"

    time.sleep(max(0.0, (datetime.fromisoformat(at) - datetime.now(UTC)).total_seconds()) + 0.1)
    estimate = client.post("/api/v1/estimates", json=FACE).get_json()
    assert (estimate["price_list_version"], estimate["total"]) == (2, "4400.00")
    assert states(client, admin_headers) == {2: "current", 1: "superseded"}
    doc2, etag2 = read(client, admin_headers)
    assert etag2 == '"pl-2"' and doc2["version"] == 2
    catalog = client.get("/api/v1/catalog?clinic=ist-kadikoy").get_json()
    assert catalog["price_list_version"] == 2


def test_effective_from_must_be_a_future_timestamp_with_offset(client, admin_headers):
    doc, etag = read(client, admin_headers)
    changed = with_price(doc, "face", "4400.00")
    assert put(client, admin_headers, changed, etag, effective_from=later(-60)).status_code == 422
    assert put(client, admin_headers, changed, etag, effective_from=f"{TODAY.year + 5}-01-01T00:00:00").status_code == 422  # no offset
    assert put(client, admin_headers, changed, etag, effective_from="soon").status_code == 422
    r = client.patch(f"{A}/areas/face", json={"price": "1.00"}, headers={**admin_headers, "If-Match": "*"},
                     query_string={"effective_from": later(-1)})
    assert r.status_code == 422
    assert list(states(client, admin_headers)) == [1]


def test_cancelling_a_scheduled_version(client, admin_headers, database):
    doc, etag = read(client, admin_headers)
    at = later(1.0)
    assert put(client, admin_headers, with_price(doc, "face", "4400.00"), etag, effective_from=at).status_code == 200
    r = client.delete(URL + "/versions/2", headers=admin_headers)
    assert r.status_code == 204
    cancelled = client.get(URL + "/versions/2", headers=admin_headers).get_json()
    assert cancelled["state"] == "cancelled" and cancelled["cancelled_by"] == "ada" and cancelled["cancelled_at"]
    assert client.delete(URL + "/versions/2", headers=admin_headers).status_code == 409
    assert client.delete(URL + "/versions/1", headers=admin_headers).status_code == 409  # in force
    assert client.delete(URL + "/versions/9", headers=admin_headers).status_code == 404
    with database.reading() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "cancel")).one()
        assert entry.actor == "ada" and "version 2" in entry.subject
    time.sleep(max(0.0, (datetime.fromisoformat(at) - datetime.now(UTC)).total_seconds()) + 0.1)
    # Its time came: it never took effect.
    assert client.post("/api/v1/estimates", json=FACE).get_json()["price_list_version"] == 1
    assert states(client, admin_headers) == {2: "cancelled", 1: "current"}


def test_a_fix_of_todays_list_while_a_change_waits_keeps_both(client, admin_headers):
    doc, etag = read(client, admin_headers)
    r = put(client, admin_headers, with_price(doc, "face", "4400.00"), etag, effective_from=later(3600))
    assert r.status_code == 200
    # An urgent fix of another field today: in force at once, and laid under the waiting change.
    neck = client.get(f"{A}/areas/neck", headers=admin_headers).headers["ETag"]
    r = client.patch(f"{A}/areas/neck", json={"price": "2250.00"}, headers={**admin_headers, "If-Match": neck})
    assert r.status_code == 200, r.get_json()
    assert states(client, admin_headers) == {3: "current", 2: "scheduled", 1: "superseded"}
    now_doc, now_etag = read(client, admin_headers)
    prices = {a["code"]: a["price"] for a in now_doc["areas"]}
    assert (prices["face"], prices["neck"]) == ("4000.00", "2250.00")
    waiting = client.get(URL + "/versions/2", headers=admin_headers).get_json()
    prices = {a["code"]: a["price"] for a in waiting["areas"]}
    assert (prices["face"], prices["neck"]) == ("4400.00", "2250.00")
    assert waiting["base_version"] == 3

    # A fix of the same field to another value would be lost when the change takes effect: 409 naming it.
    face = client.get(f"{A}/areas/face", headers=admin_headers).headers["ETag"]
    r = client.patch(f"{A}/areas/face", json={"price": "4100.00"}, headers={**admin_headers, "If-Match": face})
    assert r.status_code == 409
    assert r.get_json()["type"] == "http://localhost/api/problems/scheduled-change-conflict"
    assert list(r.get_json()["errors"]) == ["areas.face.price"]
    assert "2" in r.get_json()["detail"] and "areas.face.price" in r.get_json()["detail"]
    r = put(client, admin_headers, with_price(now_doc, "face", "4100.00"), now_etag)
    assert r.status_code == 409 and list(r.get_json()["errors"]) == ["areas.face.price"]
    # A dry run says so too, as a problem.
    r = put(client, admin_headers, with_price(now_doc, "face", "4100.00"), now_etag, dry_run="true")
    assert r.status_code == 200 and r.get_json()["valid"] is False and "areas.face.price" in r.get_json()["errors"]
    assert list(states(client, admin_headers)) == [3, 2, 1]
    # The same change made today is no clash.
    r = put(client, admin_headers, with_price(now_doc, "face", "4400.00"), now_etag)
    assert r.status_code == 200
    assert client.get(URL + "/versions/2", headers=admin_headers).get_json()["base_version"] == 4

    # Once the waiting change is cancelled, the fix goes through.
    assert client.delete(URL + "/versions/2", headers=admin_headers).status_code == 204
    face = client.get(f"{A}/areas/face", headers=admin_headers).headers["ETag"]
    r = client.patch(f"{A}/areas/face", json={"price": "4100.00"}, headers={**admin_headers, "If-Match": face})
    assert r.status_code == 200


def test_scheduled_item_writes_and_dry_runs(client, admin_headers, database):
    area = {"code": "chin", "name": "Çene", "size_cm2": 80, "price": "1200.00", "extra_cm2_price": "0.00"}
    r = client.post(f"{A}/areas", json=area, headers=admin_headers, query_string={"effective_from": later(3600)})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["state"] == "scheduled" and "ETag" not in r.headers
    assert client.get(f"{A}/areas/chin", headers=admin_headers).status_code == 404  # not yet in force
    assert states(client, admin_headers) == {2: "scheduled", 1: "current"}
    # A dry run of a scheduled change stores nothing either.
    r = client.patch(f"{A}/areas/neck", json={"price": "1.00"}, headers={**admin_headers, "If-Match": "*"},
                     query_string={"effective_from": later(7200), "dry_run": "true"})
    assert r.status_code == 200 and r.get_json()["state"] == "scheduled" and r.get_json()["version"] == 3
    assert list(states(client, admin_headers)) == [2, 1]
    # A second scheduled change later than the first is laid on it.
    r = client.patch(f"{A}/areas/neck", json={"price": "2300.00"}, headers={**admin_headers, "If-Match": "*"},
                     query_string={"effective_from": later(7200)})
    assert r.status_code == 200
    third = client.get(URL + "/versions/3", headers=admin_headers).get_json()
    assert third["base_version"] == 2
    assert {a["code"] for a in third["areas"]} >= {"chin"}
    # Cancelling the first lays the second on the list in force again.
    assert client.delete(URL + "/versions/2", headers=admin_headers).status_code == 204
    third = client.get(URL + "/versions/3", headers=admin_headers).get_json()
    assert third["base_version"] == 1 and "chin" not in {a["code"] for a in third["areas"]}
    assert next(a for a in third["areas"] if a["code"] == "neck")["price"] == "2300.00"


def test_two_waiting_changes_stack_and_cancelling_the_first_keeps_the_second(client, admin_headers):
    area = {"code": "chin", "name": "Çene", "size_cm2": 80, "price": "1200.00", "extra_cm2_price": "0.00"}
    assert client.post(f"{A}/areas", json=area, headers=admin_headers,
                       query_string={"effective_from": later(3600)}).status_code == 201
    # A later change prepared on what version 2 will contain (chin included) plus a price of its own.
    doc = client.get(URL + "/versions/2", headers=admin_headers).get_json()
    _, etag = read(client, admin_headers)
    body = {k: v for k, v in doc.items() if k not in (
        "version", "created_at", "created_by", "summary", "effective_from", "state", "cancelled_at", "cancelled_by",
        "base_version")}
    r = put(client, admin_headers, with_price(body, "neck", "2300.00"), etag, effective_from=later(7200))
    assert r.status_code == 200, r.get_json()
    third = client.get(URL + "/versions/3", headers=admin_headers).get_json()
    assert third["base_version"] == 2
    # Changing the chin's price differently in the later change would clash with the first one.
    r = put(client, admin_headers, with_price(body, "chin", "1300.00"), etag, effective_from=later(9000))
    assert r.status_code == 409 and list(r.get_json()["errors"]) == ["areas.chin"]
    # Cancelling the first lays the second on the list in force: it still adds chin and changes neck.
    assert client.delete(URL + "/versions/2", headers=admin_headers).status_code == 204
    third = client.get(URL + "/versions/3", headers=admin_headers).get_json()
    assert third["base_version"] == 1
    prices = {a["code"]: a["price"] for a in third["areas"]}
    assert (prices["chin"], prices["neck"]) == ("1200.00", "2300.00")
    assert states(client, admin_headers) == {3: "scheduled", 2: "cancelled", 1: "current"}


def test_a_fix_that_deletes_what_a_waiting_change_edits_is_a_409(client, admin_headers):
    doc, etag = read(client, admin_headers)
    assert put(client, admin_headers, with_price(doc, "hands", "1900.00"), etag, effective_from=later(3600)).status_code == 200
    r = client.delete(f"{A}/areas/hands", headers={**admin_headers, "If-Match": "*"})
    assert r.status_code == 409
    assert list(r.get_json()["errors"]) == ["areas.hands.price"]
    assert client.get(f"{A}/areas/hands", headers=admin_headers).status_code == 200
