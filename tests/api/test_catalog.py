"""GET /api/v1/clinics and /api/v1/catalog."""

from __future__ import annotations

import json
from datetime import timedelta


def test_clinics_lists_the_demo_clinics(client):
    r = client.get("/api/v1/clinics")
    assert r.status_code == 200
    body = r.get_json()
    assert [c["code"] for c in body] == ["ist-nisantasi", "ist-kadikoy", "ank-cankaya"]
    assert body[2] == {
        "code": "ank-cankaya", "name": "Ankara Çankaya", "city": "Ankara",
        "tax_rate": "0.20", "prices_include_tax": True,
        # the demo list's contacts (document version 3)
        "address": "Tunalı Hilmi Cad. No: 30, Çankaya/Ankara", "phone": "+903120000303",
    }


def test_catalog_prices_are_adjusted_for_the_clinic(client):
    body = client.get("/api/v1/catalog?clinic=ank-cankaya").get_json()
    assert body["clinic"] == "ank-cankaya" and body["clinic_name"] == "Ankara Çankaya" and body["city"] == "Ankara"
    assert body["tax_rate"] == "0.20" and body["prices_include_tax"] is True
    assert body["currency"] == "TRY" and body["price_list_version"] == 1
    areas = {a["code"]: a for a in body["areas"]}
    assert areas["face"]["price"] == "3600.00"  # 4000.00 * 0.90
    assert areas["acne-scars-back"]["extra_cm2_price"] == "2.25"  # 2.50 * 0.90
    assert areas["scalp"]["size_priced"] is True and areas["face"]["size_priced"] is False
    assert {p["code"]: p["price"] for p in body["products"]}["exosome"] == "2700.00"
    assert [lv["code"] for lv in body["specialist_levels"]] == ["aesthetician", "nurse", "dermatologist"]
    assert [t["min_sessions"] for t in body["session_tiers"]] == [3, 6, 10]


def test_catalog_lists_only_campaigns_running_today_without_coupon_codes(client, admin_headers, ctx):
    today = ctx.today()
    day = lambda n: (today + timedelta(days=n)).isoformat()
    base = {"clinics": [], "min_sessions": 1, "required_areas": [], "stackable": False, "priority": 0}
    added = {
        "RUNNING-NOW": {**base, "name": "Running now", "starts_on": day(-1), "ends_on": day(1), "coupon": "SECRET-RUN",
                        "benefit": {"type": "percent", "value": "5"}},
        "ENDED-YESTERDAY": {**base, "name": "Ended", "starts_on": day(-10), "ends_on": day(-1), "coupon": None,
                            "benefit": {"type": "percent", "value": "5"}},
        "ANKARA-ONLY": {**base, "name": "Ankara only", "starts_on": day(-1), "ends_on": day(1), "clinics": ["ank-cankaya"],
                        "coupon": None, "benefit": {"type": "percent", "value": "5"}},
    }
    for code, campaign in added.items():
        r = client.post("/api/v1/admin/campaigns", json={"code": code, **campaign}, headers=admin_headers)
        assert r.status_code == 201, r.get_json()

    body = client.get("/api/v1/catalog?clinic=ist-kadikoy").get_json()
    assert body["campaigns"], "the campaign running today is listed"
    for c in body["campaigns"]:
        assert c["starts_on"] <= today.isoformat() <= c["ends_on"]
        assert "coupon" not in c
        assert not c["clinics"] or "ist-kadikoy" in c["clinics"]
    listed = {c["code"]: c for c in body["campaigns"]}
    assert listed["RUNNING-NOW"]["requires_coupon"] is True
    assert listed["RUNNING-NOW"]["benefit"] == {"type": "percent", "value": "5"}
    assert "ENDED-YESTERDAY" not in listed and "ANKARA-ONLY" not in listed
    assert "SUMMER-SPF" not in listed and "ANKARA-4FOR3" not in listed
    text = json.dumps(body)
    assert "SECRET-RUN" not in text and "FRIEND10" not in text
    # The Ankara campaign is Ankara's to show.
    ankara = client.get("/api/v1/catalog?clinic=ank-cankaya").get_json()
    assert "ANKARA-ONLY" in {c["code"] for c in ankara["campaigns"]}


def test_catalog_needs_a_known_clinic(client):
    missing = client.get("/api/v1/catalog")
    assert missing.status_code == 422
    assert set(missing.get_json()["errors"]) == {"clinic"}
    unknown = client.get("/api/v1/catalog?clinic=paris")
    assert unknown.status_code == 422
    assert set(unknown.get_json()["errors"]) == {"clinic"}


def test_a_clinic_may_give_its_address_and_phone(client, admin_headers):
    etag = client.get("/api/v1/admin/clinics/ist-kadikoy", headers=admin_headers).headers["ETag"]
    changed = client.patch(
        "/api/v1/admin/clinics/ist-kadikoy",
        json={"address": "Caferağa Mah. Moda Cad. 1, Kadıköy", "phone": "+90 216 000 00 00"},
        headers={**admin_headers, "If-Match": etag},
    )
    assert changed.status_code == 200, changed.get_json()
    clinics = {c["code"]: c for c in client.get("/api/v1/clinics").get_json()}
    assert clinics["ist-kadikoy"]["address"] == "Caferağa Mah. Moda Cad. 1, Kadıköy"
    assert clinics["ist-kadikoy"]["phone"] == "+902160000000"  # stored in E.164 (document version 3)
    assert clinics["ist-nisantasi"]["address"] == "Teşvikiye Cad. No: 10, Şişli/İstanbul"  # the demo's, unchanged
    bad = client.patch("/api/v1/admin/clinics/ist-kadikoy", json={"phone": "call me"},
                       headers={**admin_headers, "If-Match": changed.headers["ETag"]})
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["phone"]
