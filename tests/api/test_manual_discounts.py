"""Manual discounts (pricing step 8b) on stored quotes, and their admin approval, on both databases."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from ..bodies import QUOTE, QUOTE_REQUEST, SIMPLE_ESTIMATE
from ..days import iso

A = "/api/v1/admin"
CENT = Decimal("0.01")
# One neck session at Kadikoy (no campaign), for a customer the desk knows.
BODY = {**SIMPLE_ESTIMATE, "start_date": iso(4), "customer": {"name": "Zeynep Kaya", "phone": "+90 532 111 11 11"}}


@pytest.fixture
def sales_headers(sales_headers):
    return {**sales_headers, "Accept-Language": "en"}


@pytest.fixture
def admin_headers(admin_headers):
    return {**admin_headers, "Accept-Language": "en"}


def create(client, headers, manual=None, body=BODY):
    payload = dict(body) if manual is None else {**body, "manual_discount": manual}
    r = client.post("/api/v1/quotes", json=payload, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def manual_lines(quote):
    return [line for line in quote["lines"] if line["kind"] == "manual_discount"]


def money(value: Decimal) -> str:
    return f"{value.quantize(CENT, ROUND_HALF_UP):.2f}"


@pytest.fixture
def base(client, sales_headers) -> Decimal:
    """What BODY leaves after step 8: its net without a manual discount."""
    r = client.post("/api/v1/estimates", json={k: v for k, v in BODY.items() if k != "customer"})
    assert r.status_code == 200
    return Decimal(r.get_json()["net"])


def patch(client, headers, number, **changes):
    return client.patch(f"/api/v1/quotes/{number}", json=changes, headers=headers)


def decide(client, headers, number, decision, note=None):
    body = {"decision": decision} if note is None else {"decision": decision, "note": note}
    return client.post(f"/api/v1/quotes/{number}/approval", json=body, headers=headers)


# --- pricing ---------------------------------------------------------------------------


def test_a_percentage_of_the_base_is_one_negative_line_last(client, sales_headers, base):
    q = create(client, sales_headers, {"percent": "5", "reason": "Returning customer"})
    (line,) = manual_lines(q)
    expected = money(base * 5 / 100)
    assert line == {
        "kind": "manual_discount", "code": None, "quantity": 1,
        "unit_price": f"-{expected}", "amount": f"-{expected}",
        "description": "Manual discount: Returning customer",
        "basis": f"{base:.2f} × 5 %",
    }
    assert q["lines"][-1] == line
    assert Decimal(q["net"]) == base - Decimal(expected)
    assert q["approval"] == {"status": "not_needed", "by": None, "at": None, "note": None}
    assert q["manual_discount"] == {"percent": "5", "reason": "Returning customer"}


def test_an_amount_is_taken_off_and_capped_at_net_zero(client, sales_headers, base):
    q = create(client, sales_headers, {"amount": "1.50", "reason": "  Rounding  "})
    (line,) = manual_lines(q)
    assert line["amount"] == "-1.50" and line["description"] == "Manual discount: Rounding"
    assert Decimal(q["net"]) == base - Decimal("1.50")
    assert q["manual_discount"] == {"amount": "1.50", "reason": "Rounding"}

    capped = create(client, sales_headers, {"amount": "999999.00", "reason": "Free course"})
    (line,) = manual_lines(capped)
    assert line["amount"] == f"-{base:.2f}"
    assert line["basis"] == f"999999.00 off, capped at {base:.2f}"
    assert (capped["net"], capped["total"], capped["tax_total"]) == ("0.00", "0.00", "0.00")
    assert capped["approval"]["status"] == "pending"


def test_zero_gives_no_line(client, sales_headers, base):
    q = create(client, sales_headers, {"percent": "0", "reason": "Nothing"})
    assert manual_lines(q) == [] and Decimal(q["net"]) == base
    assert q["approval"]["status"] == "not_needed"


@pytest.mark.parametrize(
    "manual",
    [
        {"percent": "5", "amount": "1.00", "reason": "Both"},
        {"reason": "Neither"},
        {"percent": "101", "reason": "Too much"},
        {"percent": "5.123", "reason": "Too precise"},
        {"amount": "-1.00", "reason": "Negative"},
        {"amount": "1.005", "reason": "Too precise"},
        {"percent": 5.5, "reason": "A float"},
        {"percent": "5"},
        {"percent": "5", "reason": "   "},
        {"percent": "5", "reason": "x" * 501},
        "5",
    ],
)
def test_bad_manual_discounts_are_422_naming_the_field(client, sales_headers, manual):
    r = client.post("/api/v1/quotes", json={**BODY, "manual_discount": manual}, headers=sales_headers)
    assert r.status_code == 422, r.get_json()
    assert all(key.startswith("manual_discount") for key in r.get_json()["errors"]), r.get_json()["errors"]


def test_the_public_endpoints_do_not_take_a_manual_discount(client):
    manual = {"percent": "5", "reason": "Website"}
    estimate = {k: v for k, v in BODY.items() if k != "customer"}
    r = client.post("/api/v1/estimates", json={**estimate, "manual_discount": manual})
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"manual_discount"}
    r = client.post("/api/v1/quote-requests", json={**QUOTE_REQUEST, "manual_discount": manual})
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"manual_discount"}


# --- approval ----------------------------------------------------------------------------


def test_above_the_limit_waits_for_an_admin_then_can_be_sent(client, sales_headers, admin_headers):
    # The demo list's max_manual_discount_percent is 10.
    q = create(client, sales_headers, {"percent": "10.5", "reason": "Friend of the clinic"})
    number = q["number"]
    assert q["approval"] == {"status": "pending", "by": None, "at": None, "note": None}
    assert q["activity"][-1]["kind"] == "approval"
    assert "above the limit of 10 percent" in q["activity"][-1]["text"]

    r = patch(client, sales_headers, number, status="sent")
    assert r.status_code == 409
    problem = r.get_json()
    assert problem["type"] == "http://localhost/api/problems/approval-pending"
    assert "waiting for an admin's approval" in problem["detail"] and "status" in problem["errors"]
    assert patch(client, sales_headers, number, status="draft").status_code == 200  # other moves are free

    assert decide(client, sales_headers, number, "approve").status_code == 403
    r = decide(client, admin_headers, number, "approve")
    assert r.status_code == 200, r.get_json()
    approved = r.get_json()
    assert approved["approval"]["status"] == "approved" and approved["approval"]["by"] == "ada"
    assert approved["approval"]["at"] and approved["approval"]["note"] is None
    assert approved["activity"][-1]["text"] == "Manual discount approved."
    assert client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["approval"] == approved["approval"]

    again = decide(client, admin_headers, number, "approve")
    assert again.status_code == 409 and again.get_json()["type"] == "http://localhost/api/problems/approval-not-pending"
    r = patch(client, sales_headers, number, status="sent")
    assert r.status_code == 200 and r.get_json()["status"] == "sent"


def test_exactly_the_limit_needs_no_approval(client, sales_headers):
    q = create(client, sales_headers, {"percent": "10", "reason": "Loyal"})
    assert q["approval"]["status"] == "not_needed"
    assert patch(client, sales_headers, q["number"], status="sent").status_code == 200


def test_a_rejected_discount_blocks_sending_until_revised(client, sales_headers, admin_headers):
    number = create(client, sales_headers, {"percent": "30", "reason": "Big favour"})["number"]
    r = decide(client, admin_headers, number, "reject")
    assert r.status_code == 422 and "note" in r.get_json()["errors"]
    r = decide(client, admin_headers, number, "reject", "Too generous; 10 % at most.")
    assert r.status_code == 200
    rejected = r.get_json()
    assert rejected["approval"]["status"] == "rejected" and rejected["approval"]["note"] == "Too generous; 10 % at most."
    assert rejected["activity"][-1]["text"] == "Manual discount rejected: Too generous; 10 % at most."

    r = patch(client, sales_headers, number, status="sent")
    assert r.status_code == 409 and r.get_json()["type"] == "http://localhost/api/problems/approval-rejected"
    assert "rejected" in r.get_json()["detail"] and "revise" in r.get_json()["detail"]
    assert decide(client, admin_headers, number, "approve").status_code == 409

    # A revision that brings the discount under the limit needs no approval any more.
    r = client.post(f"/api/v1/quotes/{number}/revisions",
                    json={"manual_discount": {"percent": "8", "reason": "Agreed"}}, headers=sales_headers)
    assert r.status_code == 201
    revised = r.get_json()
    assert revised["approval"] == {"status": "not_needed", "by": None, "at": None, "note": None}
    assert revised["activity"][-1]["text"] == "The manual discount no longer needs an approval."
    assert manual_lines(revised)[0]["description"] == "Manual discount: Agreed"
    assert patch(client, sales_headers, number, status="sent").status_code == 200


def test_revisions_keep_replace_or_remove_the_discount(client, sales_headers, admin_headers):
    number = create(client, sales_headers, {"amount": "2.00", "reason": "Kept"})["number"]
    kept = client.post(f"/api/v1/quotes/{number}/revisions", json={"sessions": 2}, headers=sales_headers).get_json()
    assert [line["amount"] for line in manual_lines(kept)] == ["-2.00"]
    assert kept["manual_discount"] == {"amount": "2.00", "reason": "Kept"}

    # Raised above the limit on a sent quote: back to draft, and pending.
    assert patch(client, sales_headers, number, status="sent").status_code == 200
    raised = client.post(f"/api/v1/quotes/{number}/revisions",
                         json={"manual_discount": {"percent": "50", "reason": "Half"}}, headers=sales_headers).get_json()
    assert raised["status"] == "draft" and raised["approval"]["status"] == "pending"
    assert decide(client, admin_headers, number, "approve", "Fine this once").status_code == 200
    # A new revision above the limit asks again.
    again = client.post(f"/api/v1/quotes/{number}/revisions", json={"sessions": 3}, headers=sales_headers).get_json()
    assert again["approval"]["status"] == "pending"
    # A decision about the revision the admin saw, when the quote was revised since, is refused.
    seen = again["revision"]
    newer = client.post(f"/api/v1/quotes/{number}/revisions", json={"manual_discount": {"percent": "60", "reason": "More"}},
                        headers=sales_headers).get_json()
    late = client.post(f"/api/v1/quotes/{number}/approval", json={"decision": "approve", "revision": seen}, headers=admin_headers)
    assert late.status_code == 409 and late.get_json()["type"].endswith("/approval-revised")
    assert "revision" in late.get_json()["errors"]
    assert client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["approval"]["status"] == "pending"
    assert client.post(f"/api/v1/quotes/{number}/approval", json={"decision": "approve", "revision": newer["revision"]},
                       headers=admin_headers).status_code == 200

    removed = client.post(f"/api/v1/quotes/{number}/revisions", json={"manual_discount": None}, headers=sales_headers)
    assert removed.status_code == 201
    removed = removed.get_json()
    assert manual_lines(removed) == [] and removed["manual_discount"] is None
    assert removed["approval"]["status"] == "not_needed"
    plain = client.post("/api/v1/estimates", json={**{k: v for k, v in BODY.items() if k != "customer"}, "sessions": 3})
    assert removed["net"] == plain.get_json()["net"]


def test_verify_replays_every_revision_with_its_discount(client, sales_headers):
    number = create(client, sales_headers, {"percent": "12.25", "reason": "Replay me"})["number"]
    client.post(f"/api/v1/quotes/{number}/revisions",
                json={"manual_discount": {"amount": "999999.00", "reason": "Capped"}}, headers=sales_headers)
    for revision in (1, 2):
        r = client.get(f"/api/v1/quotes/{number}/revisions/{revision}/verify", headers=sales_headers)
        assert r.get_json() == {"matches": True, "differences": []}
    first = client.get(f"/api/v1/quotes/{number}/revisions/1", headers=sales_headers).get_json()
    assert manual_lines(first)[0]["description"] == "Manual discount: Replay me"


def test_the_audit_log_has_the_request_and_the_decision(client, sales_headers, admin_headers):
    number = create(client, sales_headers, {"percent": "20", "reason": "Audit"})["number"]
    decide(client, admin_headers, number, "reject", "No")
    entries = client.get(f"{A}/audit-log?kind=quote", headers=admin_headers).get_json()["items"]
    mine = [e for e in entries if e["subject"] == number and e["action"].startswith("approval")]
    decision, request = mine[0], mine[1]
    assert request["action"] == "approval-requested" and request["actor"] != "ada"
    assert request["after"]["approval"] == "pending" and request["after"]["limit_percent"] == "10"
    assert decision["action"] == "approval" and decision["actor"] == "ada"
    assert decision["before"] == {"approval": "pending"}
    assert decision["after"]["approval"] == "rejected" and decision["after"]["note"] == "No"


def test_the_list_filters_by_approval_with_paging(client, sales_headers, admin_headers):
    pending = [create(client, sales_headers, {"percent": "40", "reason": f"P{i}"})["number"] for i in range(3)]
    create(client, sales_headers)
    create(client, sales_headers, {"percent": "1", "reason": "Small"})
    decide(client, admin_headers, pending[0], "approve")
    seen, cursor = [], None
    while True:
        url = "/api/v1/quotes?approval=pending&limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=sales_headers).get_json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [i["number"] for i in seen] == [pending[2], pending[1]]
    assert all(i["approval"]["status"] == "pending" for i in seen)
    approved = client.get("/api/v1/quotes?approval=approved", headers=sales_headers).get_json()["items"]
    assert [i["number"] for i in approved] == [pending[0]] and approved[0]["approval"]["by"] == "ada"
    assert len(client.get("/api/v1/quotes?approval=not_needed", headers=sales_headers).get_json()["items"]) == 2
    assert client.get("/api/v1/quotes?approval=maybe", headers=sales_headers).status_code == 422
    # A declined quote keeps its pending status but waits for nobody: it leaves the list.
    assert patch(client, sales_headers, pending[2], status="declined").status_code == 200
    waiting = client.get("/api/v1/quotes?approval=pending", headers=sales_headers).get_json()["items"]
    assert [i["number"] for i in waiting] == [pending[1]]
    assert client.get(f"/api/v1/quotes/{pending[2]}", headers=sales_headers).get_json()["approval"]["status"] == "pending"


def test_an_idempotent_retry_with_another_discount_is_a_conflict(client, sales_headers):
    headers = {**sales_headers, "Idempotency-Key": "md-1"}
    first = client.post("/api/v1/quotes", json={**BODY, "manual_discount": {"percent": "5", "reason": "A"}}, headers=headers)
    assert first.status_code == 201
    other = client.post("/api/v1/quotes", json={**BODY, "manual_discount": {"percent": "6", "reason": "A"}}, headers=headers)
    assert other.status_code == 409


def test_the_document_shows_the_manual_discount_line_without_the_internal_reason(client, sales_headers):
    number = create(client, sales_headers, {"amount": "3.00", "reason": "Rakip klinik daha ucuz"},
                    body={**QUOTE, "language": "en"})["number"]
    r = client.get(f"/api/v1/quotes/{number}/document", headers={**sales_headers, "Accept": "text/html"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Special discount" in html and "−₺3.00" in html and "Rakip" not in html
    turkish = create(client, sales_headers, {"amount": "3.00", "reason": "Rakip klinik daha ucuz"},
                     body={**QUOTE, "language": "tr"})["number"]
    html = client.get(f"/api/v1/quotes/{turkish}/document", headers={**sales_headers, "Accept": "text/html"}).get_data(as_text=True)
    assert "Özel indirim" in html and "Rakip" not in html and "KDV %20 (dahil)" in html


def test_turkish_texts(client, sales_headers):
    headers = {**sales_headers, "Accept-Language": "tr"}
    q = create(client, headers, {"percent": "15", "reason": "Sadık müşteri"}, body={**BODY, "language": "tr"})
    assert manual_lines(q)[0]["description"] != "Manual discount: Sadık müşteri"
    assert "Sadık müşteri" in manual_lines(q)[0]["description"]
    assert "onay" in q["activity"][-1]["text"].lower()
