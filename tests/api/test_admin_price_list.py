"""GET/PUT /api/v1/admin/price-list: validation, ETag/If-Match, versions."""

from __future__ import annotations

import copy

import pytest

from ..bodies import SIMPLE_ESTIMATE
from ..conftest import run_together
from ..days import iso

URL = "/api/v1/admin/price-list"


def read(client, headers):
    r = client.get(URL, headers=headers)
    assert r.status_code == 200
    return r.get_json(), r.headers["ETag"]


def test_get_returns_the_document_with_version_and_etag(client, admin_headers):
    doc, etag = read(client, admin_headers)
    assert doc["version"] == 1
    assert etag == '"pl-1"'
    assert doc["currency"] == "TRY"
    assert doc["clinics"][0]["price_factor"] == "1.20"
    assert doc["language"] == "tr" and doc["max_manual_discount_percent"] == "10"
    assert doc["areas"][0] == {
        "code": "face", "name": "Tüm yüz", "size_cm2": 600, "price": "4000.00", "extra_cm2_price": "0.00",
        "translations": {"en": {"name": "Full face"}},
    }
    assert doc["campaigns"][3]["coupon"] == "FRIEND10"


def test_roles(client, sales_headers):
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    r = client.get(URL, headers=sales_headers)
    assert r.status_code == 403
    assert r.content_type == "application/problem+json"


def test_put_makes_a_new_version_seen_by_estimates(client, admin_headers):
    doc, etag = read(client, admin_headers)
    doc["areas"][0]["price"] = "4200.00"
    r = client.put(URL, json=doc, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["version"] == 2
    assert r.headers["ETag"] == '"pl-2"'
    estimate = client.post(
        "/api/v1/estimates",
        json={**SIMPLE_ESTIMATE, "areas": [{"code": "face"}]},
    ).get_json()
    assert estimate["price_list_version"] == 2
    assert estimate["total"] == "4200.00"
    versions = client.get(URL + "/versions", headers=admin_headers).get_json()
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["created_by"] == "ada"
    assert versions[0]["summary"] == "areas.face.price 4000.00 → 4200.00"


def test_put_needs_if_match(client, admin_headers):
    doc, _ = read(client, admin_headers)
    r = client.put(URL, json=doc, headers=admin_headers)
    assert r.status_code == 428
    assert r.content_type == "application/problem+json"
    assert read(client, admin_headers)[0]["version"] == 1


def test_put_with_a_stale_etag_is_412_and_changes_nothing(client, admin_headers):
    doc, etag = read(client, admin_headers)
    first = copy.deepcopy(doc)
    first["products"][0]["price"] = "300.00"
    assert client.put(URL, json=first, headers={**admin_headers, "If-Match": etag}).status_code == 200
    second = copy.deepcopy(doc)
    second["products"][0]["price"] = "999.00"
    r = client.put(URL, json=second, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 412
    now, _ = read(client, admin_headers)
    assert now["version"] == 2 and now["products"][0]["price"] == "300.00"
    garbage = client.put(URL, json=second, headers={**admin_headers, "If-Match": '"nonsense"'})
    assert garbage.status_code == 412


def test_two_admins_racing_from_one_etag(app, admin_headers):
    """One wins, the other gets 412; what is stored is exactly the winner's."""
    client = app.test_client()
    doc, etag = read(client, admin_headers)
    def edit(price: str):
        body = copy.deepcopy(doc)
        body["areas"][1]["price"] = price
        return price, app.test_client().put(URL, json=body, headers={**admin_headers, "If-Match": etag}).status_code

    results = dict(run_together(lambda: edit("1600.00"), lambda: edit("1700.00")))
    assert sorted(results.values()) == [200, 412]
    winner = next(p for p, status in results.items() if status == 200)
    now, _ = read(client, admin_headers)
    assert now["version"] == 2
    assert now["areas"][1]["price"] == winner


def _broken(doc, path, value):
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("areas", 0, "price"), 4000.0, "areas.0.price"),
        (("areas", 0, "price"), "4000.001", "areas.0.price"),
        (("areas", 0, "price"), "-1.00", "areas.0.price"),
        (("areas", 0, "size_cm2"), 0, "areas.0.size_cm2"),
        (("areas", 1, "code"), "face", "areas.1.code"),
        (("areas", 1, "code"), "Under Eye", "areas.1.code"),
        (("clinics", 0, "price_factor"), "0", "clinics.0.price_factor"),
        (("clinics", 0, "price_factor"), "1.12345", "clinics.0.price_factor"),
        (("clinics", 0, "tax_rate"), "1", "clinics.0.tax_rate"),
        (("specialist_levels", 0, "multiplier"), "0.99", "specialist_levels.0.multiplier"),
        (("session_interval_days",), 20, "session_interval_days"),
        (("combination_discount_percent",), "100.5", "combination_discount_percent"),
        (("session_tiers", 0, "min_sessions"), 1, "session_tiers.0.min_sessions"),
        (("session_tiers", 2, "discount_percent"), "60", "session_tiers"),
        (("campaigns", 0, "ends_on"), iso(-1), "campaigns.0.ends_on"),  # the day before it starts
        (("campaigns", 1, "required_areas"), ["elbow"], "campaigns.1.required_areas.0"),
        (("campaigns", 2, "clinics"), ["paris"], "campaigns.2.clinics.0"),
        (("campaigns", 0, "benefit"), {"type": "gift", "value": "1"}, "campaigns.0.benefit.type"),
        (("campaigns", 2, "benefit"), {"type": "free_sessions", "value": "1.5"}, "campaigns.2.benefit.value"),
        (("campaigns", 0, "benefit"), {"type": "percent", "value": "101"}, "campaigns.0.benefit.value"),
        (("clinics",), [], "clinics"),
        (("currency",), "lira", "currency"),
    ],
)
def test_invalid_documents_are_422_and_change_nothing(client, admin_headers, path, value, field):
    doc, etag = read(client, admin_headers)
    r = client.put(URL, json=_broken(doc, path, value), headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"], r.get_json()["errors"]
    assert read(client, admin_headers)[0]["version"] == 1


def test_every_problem_is_listed_at_once(client, admin_headers):
    doc, etag = read(client, admin_headers)
    doc["areas"][0]["price"] = "abc"
    doc["products"][0]["price"] = "1.234"
    doc["clinics"][1]["tax_rate"] = "2"
    r = client.put(URL, json=doc, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 422
    assert {"areas.0.price", "products.0.price", "clinics.1.tax_rate"} <= set(r.get_json()["errors"])


def test_a_version_field_in_the_body_is_ignored(client, admin_headers):
    doc, etag = read(client, admin_headers)
    doc["version"] = 99
    doc["products"][0]["price"] = "260.00"
    r = client.put(URL, json=doc, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200
    assert r.get_json()["version"] == 2


def test_a_put_that_changes_nothing_makes_no_version(client, admin_headers):
    doc, etag = read(client, admin_headers)
    r = client.put(URL, json=doc, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200 and r.get_json()["version"] == 1 and r.headers["ETag"] == etag
    assert len(client.get(URL + "/versions", headers=admin_headers).get_json()) == 1
