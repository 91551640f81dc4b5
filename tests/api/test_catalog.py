"""GET /api/v1/clinics and /api/v1/catalog."""

from __future__ import annotations

import json
from datetime import date


def test_clinics_lists_the_demo_clinics(client):
    r = client.get("/api/v1/clinics")
    assert r.status_code == 200
    body = r.get_json()
    assert [c["code"] for c in body] == ["ist-nisantasi", "ist-kadikoy", "ank-cankaya"]
    assert body[2] == {
        "code": "ank-cankaya", "name": "Ankara Cankaya", "city": "Ankara",
        "tax_rate": "0.20", "prices_include_tax": True,
    }


def test_catalog_prices_are_adjusted_for_the_clinic(client):
    body = client.get("/api/v1/catalog?clinic=ank-cankaya").get_json()
    assert body["clinic"] == "ank-cankaya" and body["clinic_name"] == "Ankara Cankaya" and body["city"] == "Ankara"
    assert body["tax_rate"] == "0.20" and body["prices_include_tax"] is True
    assert body["currency"] == "TRY" and body["price_list_version"] == 1
    areas = {a["code"]: a for a in body["areas"]}
    assert areas["face"]["price"] == "3600.00"  # 4000.00 * 0.90
    assert areas["acne-scars-back"]["extra_cm2_price"] == "2.25"  # 2.50 * 0.90
    assert areas["scalp"]["size_priced"] is True and areas["face"]["size_priced"] is False
    assert {p["code"]: p["price"] for p in body["products"]}["exosome"] == "2700.00"
    assert [lv["code"] for lv in body["specialist_levels"]] == ["aesthetician", "nurse", "dermatologist"]
    assert [t["min_sessions"] for t in body["session_tiers"]] == [3, 6, 10]


def test_catalog_lists_only_campaigns_running_today_without_coupon_codes(client):
    body = client.get("/api/v1/catalog?clinic=ist-kadikoy").get_json()
    today = date.today().isoformat()
    for c in body["campaigns"]:
        assert c["starts_on"] <= today <= c["ends_on"]
        assert "coupon" not in c
        assert not c["clinics"] or "ist-kadikoy" in c["clinics"]
    codes = {c["code"] for c in body["campaigns"]}
    assert "SUMMER-SPF" not in codes and "ANKARA-4FOR3" not in codes
    assert "FRIEND10" not in json.dumps(body)


def test_catalog_needs_a_known_clinic(client):
    missing = client.get("/api/v1/catalog")
    assert missing.status_code == 422
    assert set(missing.get_json()["errors"]) == {"clinic"}
    unknown = client.get("/api/v1/catalog?clinic=paris")
    assert unknown.status_code == 422
    assert set(unknown.get_json()["errors"]) == {"clinic"}
