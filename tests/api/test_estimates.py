"""POST /api/v1/estimates against the demo price list, on both databases."""

from __future__ import annotations

import json

import pytest

from ..bodies import CONTRACT_EXAMPLE, SIMPLE_ESTIMATE
from ..conftest import TODAY
from ..days import day, iso


def post(client, body, **kwargs):
    return client.post("/api/v1/estimates", json=body, **kwargs)


def test_contract_example_is_priced_to_the_cent(client):
    r = post(client, CONTRACT_EXAMPLE)
    assert r.status_code == 200, r.get_json()
    e = r.get_json()
    # Nisantasi factor 1.20: face 4000*1.2 = 4800.00; back (5500 + 300*2.50)*1.2 = 7500.00
    # combo (12300 - 7500)*20% = 960.00; specialist (12300 - 960)*0.40 = 4536.00
    # HA 900*1.2 = 1080.00; S = 12300 - 960 + 4536 + 1080 = 16956.00; course 67824.00
    # tier 3+ 10% = 6782.40; WINTER-RENEWAL 15% of 61041.60 = 9156.24 (SPRING is no coupon)
    assert [(l["kind"], l["code"], l["quantity"], l["unit_price"], l["amount"]) for l in e["lines"]] == [
        ("area", "face", 4, "4800.00", "19200.00"),
        ("area", "acne-scars-back", 4, "7500.00", "30000.00"),
        ("combination_discount", None, 4, "-960.00", "-3840.00"),
        ("specialist", "dermatologist", 4, "4536.00", "18144.00"),
        ("product", "hyaluronic-acid", 4, "1080.00", "4320.00"),
        ("session_discount", None, 1, "-6782.40", "-6782.40"),
        ("campaign", "WINTER-RENEWAL", 1, "-9156.24", "-9156.24"),
    ]
    assert e["subtotal"] == "71664.00"
    assert e["discount_total"] == "19778.64"
    assert e["net"] == "51885.36"
    assert e["tax_rate"] == "0.20"
    assert e["tax_total"] == "8647.56"  # 51885.36 * 0.2 / 1.2 = 8647.56
    assert e["total"] == "51885.36"
    assert e["per_session"] == "12971.34"
    assert e["applied_campaigns"] == ["WINTER-RENEWAL"]
    assert e["eligibility"] == {"status": "eligible", "reasons": []}
    # Every 28 days from the contract's start, TODAY + 4 (bodies.py).
    assert e["schedule"] == [iso(4), iso(32), iso(60), iso(88)]
    assert e["clinic"] == "ist-nisantasi" and e["currency"] == "TRY" and e["sessions"] == 4
    assert e["price_list_version"] == 1 and e["start_date"] == iso(4)
    assert any("bakım seansı" in a for a in e["advice"])  # Turkish, the default language
    assert all(l["description"] for l in e["lines"])


def test_coupon_is_case_insensitive_and_stacks_when_it_wins(client):
    # TODAY + 24: inside NEW-YEAR-GLOW (TODAY + 19 .. TODAY + 40) and WINTER-RENEWAL.
    body = {**CONTRACT_EXAMPLE, "start_date": iso(24), "coupon": "friend10", "client": None}
    e = post(client, body).get_json()
    # stacked: NEW-YEAR-GLOW 500.00, then FRIEND 10% of 60541.60 = 6054.16 -> 6554.16 < 9156.24
    assert e["applied_campaigns"] == ["WINTER-RENEWAL"]
    two_sessions = post(client, {**body, "sessions": 2}).get_json()
    # S = 16956.00, course 33912.00, no tier, WINTER needs 3 sessions:
    # NEW-YEAR-GLOW 500.00 then FRIEND 10% of 33412.00 = 3341.20
    assert two_sessions["applied_campaigns"] == ["NEW-YEAR-GLOW", "FRIEND"]
    assert [l["amount"] for l in two_sessions["lines"] if l["kind"] == "campaign"] == ["-500.00", "-3341.20"]
    assert two_sessions["total"] == "30070.80"
    assert two_sessions["eligibility"]["status"] == "unknown"


def test_optional_fields_default(client):
    r = post(client, SIMPLE_ESTIMATE)
    e = r.get_json()
    assert r.status_code == 200
    assert e["start_date"] == TODAY.isoformat()
    assert e["schedule"] == [TODAY.isoformat()]
    assert e["eligibility"]["status"] == "unknown"
    assert [l["kind"] for l in e["lines"]] == ["area"]
    assert e["total"] == "2200.00"


def test_not_eligible_client_is_still_priced(client):
    e = post(client, {**CONTRACT_EXAMPLE, "client": {"age": 16, "pregnant": True}}).get_json()
    assert e["eligibility"]["status"] == "not_eligible"
    assert len(e["eligibility"]["reasons"]) == 2
    assert e["total"] == "51885.36"


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"clinic": "nowhere"}, {"clinic"}),
        ({"areas": [{"code": "face"}, {"code": "elbow"}]}, {"areas.1.code"}),
        ({"areas": [{"code": "face"}, {"code": "face"}]}, {"areas.1.code"}),
        ({"areas": [{"code": "face", "size_cm2": 0}]}, {"areas.0.size_cm2"}),
        ({"areas": [{"code": "face", "size_cm2": -5}]}, {"areas.0.size_cm2"}),
        ({"areas": []}, {"areas"}),
        ({"products": ["hyaluronic-acid", "snake-oil"]}, {"products.1"}),
        ({"products": ["prp", "prp"]}, {"products.1"}),
        ({"specialist_level": "wizard"}, {"specialist_level"}),
        ({"sessions": 0}, {"sessions"}),
        ({"sessions": 25}, {"sessions"}),
        ({"sessions": "4"}, {"sessions"}),
        ({"sessions": 4.5}, {"sessions"}),
        ({"start_date": day(4).strftime("%d/%m/%Y")}, {"start_date"}),
        ({"client": {"age": -1}}, {"client.age"}),
        ({"unexpected": 1}, {"unexpected"}),
        ({"clinic": "nowhere", "sessions": 30, "areas": [{"code": "elbow"}]}, {"clinic", "sessions", "areas.0.code"}),
    ],
)
def test_bad_input_is_422_naming_each_field(client, change, fields):
    r = post(client, {**CONTRACT_EXAMPLE, **change})
    assert r.status_code == 422
    assert r.content_type == "application/problem+json"
    problem = r.get_json()
    assert problem["status"] == 422
    assert set(problem["errors"]) == fields
    assert all(problem["errors"][f] for f in fields)
    assert problem["title"] and problem["detail"]


def test_missing_required_fields_are_all_named(client):
    r = post(client, {})
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {"clinic", "areas", "specialist_level", "sessions"}


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('"text"', "application/json", 400),
        ("clinic=ist-kadikoy", "application/x-www-form-urlencoded", 415),
        (json.dumps(CONTRACT_EXAMPLE), "text/plain", 415),
    ],
)
def test_unreadable_bodies(client, data, content_type, status):
    r = client.post("/api/v1/estimates", data=data, content_type=content_type)
    assert r.status_code == status
    assert r.content_type == "application/problem+json"
    assert r.get_json()["status"] == status


def test_body_too_large_is_413(client):
    big = {**CONTRACT_EXAMPLE, "coupon": "x" * (2 * 1024 * 1024)}
    r = post(client, big)
    assert r.status_code == 413
    assert r.get_json()["status"] == 413


def test_wrong_method_is_405_with_allow(client):
    r = client.get("/api/v1/estimates")
    assert r.status_code == 405
    assert "POST" in r.headers["Allow"]
    assert r.content_type == "application/problem+json"


def test_unknown_path_is_404_problem(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.get_json()["title"] == "Bulunamadı"
    english = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.get_json()["title"] == "Not Found" and english.headers["Content-Language"] == "en"


def test_estimate_is_answered_with_no_token_and_stores_nothing(client, database):
    from sqlalchemy import func, select

    from quoteapi.adapters.db import PriceListVersion, User

    def counts():
        with database.reading() as s:
            return [s.scalar(select(func.count()).select_from(t)) for t in (PriceListVersion, User)]

    before = counts()
    assert post(client, CONTRACT_EXAMPLE).status_code == 200
    assert counts() == before
