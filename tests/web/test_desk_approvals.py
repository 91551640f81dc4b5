"""Manual discounts in the console, and the admins' approvals (pricing step 8b), with CSRF on."""

from __future__ import annotations

import re

from quoteapi.services import audit

from ..bodies import QUOTE
from ..days import iso
from .desk_helpers import csrf_token, messages


def form(token: str, **changes) -> dict:
    """The new-quote form for QUOTE's course (tests/bodies.py), as a browser sends it."""
    return {"csrf_token": token, "clinic": "ist-nisantasi", "specialist_level": "dermatologist", "sessions": "4",
            "area": ["face", "acne-scars-back"], "size-acne-scars-back": "1800", "product": ["hyaluronic-acid"],
            "start_date": iso(4), "customer_name": "Ayşe Yılmaz", "customer_email": "ayse@example.com",
            "age": "34", "pregnant": "yes", **changes}


def create(seller, **changes) -> str:
    created = seller.post("/desk/quotes/new", data=form(csrf_token(seller, "/desk/quotes/new"), **changes))
    assert created.status_code == 302, messages(created) or created.get_data(as_text=True)[:2000]
    return created.headers["Location"].rsplit("/", 1)[1]


def send_button(page: str) -> str:
    return re.search(r'<button[^>]*name="status" value="sent"[^>]*>', page).group(0)


def api_quote(client, headers, number: str) -> dict:
    return client.get(f"/api/v1/quotes/{number}", headers=headers).get_json()


def test_above_the_limit_the_quote_waits_is_approved_from_the_page_and_then_sent(client, ctx, seller, admin, sales_headers):
    number = create(seller, discount_kind="percent", discount_value="30", discount_reason="Friend of the clinic")
    quote = api_quote(client, sales_headers, number)
    assert quote["manual_discount"] == {"percent": "30", "reason": "Friend of the clinic"}
    assert quote["approval"]["status"] == "pending"
    assert [line["kind"] for line in quote["lines"]][-1] == "manual_discount"

    # The quote page says so, and offers "sent" disabled, with the domain's reason.
    page = seller.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    assert "waiting for an admin" in page and "Friend of the clinic" in page and "30 %" in page
    button = send_button(page)
    assert "disabled" in button and 'aria-describedby="blocked-sent"' in button
    assert re.search(r'id="blocked-sent">Waiting for an admin\'s approval', page.replace("&#39;", "'"))
    # Tried anyway: the 409 of the domain is a message; nothing moved.
    token = csrf_token(seller, f"/desk/quotes/{number}")
    tried = seller.post(f"/desk/quotes/{number}/status?lang=en", data={"status": "sent", "csrf_token": token},
                        follow_redirects=True)
    assert any("waiting for an admin's approval" in m.replace("&#39;", "'") for m in messages(tried))
    assert api_quote(client, sales_headers, number)["status"] == "new"

    # Sales staff have no Approvals page and cannot decide.
    assert "/desk/approvals" not in page
    assert seller.get("/desk/approvals").status_code == 403
    assert seller.post(f"/desk/approvals/{number}", data={"decision": "approve", "csrf_token": token}).status_code == 403

    # The admin sees the count in the menu and the quote on the Approvals page.
    listing = admin.get("/desk/approvals?lang=en").get_data(as_text=True)
    assert re.search(r'Approvals\s*<span class="count count-waiting">1</span>', listing)
    assert f'id="approval-{number}"' in listing and "Friend of the clinic" in listing and "sel" in listing
    admin_token = csrf_token(admin, "/desk/approvals")
    approved = admin.post(f"/desk/approvals/{number}?lang=en",
                          data={"decision": "approve", "note": "Once only.", "revision": "1", "csrf_token": admin_token})
    assert approved.status_code == 302 and approved.headers["Location"].startswith("/desk/approvals")
    after = admin.get("/desk/approvals?lang=en").get_data(as_text=True)
    assert "Nothing waits for approval." in after and '<span class="count">0</span>' in after

    quote = api_quote(client, sales_headers, number)
    assert quote["approval"]["status"] == "approved" and quote["approval"]["by"] == "ada"
    assert quote["approval"]["note"] == "Once only."
    assert [a["kind"] for a in quote["activity"]] == ["created", "approval", "approval"]
    page = seller.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    assert "disabled" not in send_button(page) and "Once only." in page and "ada" in page
    sent = seller.post(f"/desk/quotes/{number}/status", data={"status": "sent", "csrf_token": token})
    assert sent.status_code == 302
    assert api_quote(client, sales_headers, number)["status"] == "sent"
    # Both ends are in the audit log.
    actions = [e.action for e in audit.entries(ctx, {"kind": "quote", "limit": 50}).items if e.subject == number]
    assert "approval-requested" in actions and "approval" in actions


def test_a_rejection_needs_a_note_and_blocks_sending_until_revised(client, seller, admin, sales_headers):
    number = create(seller, discount_kind="amount", discount_value="20000", discount_reason="Big course")
    token = csrf_token(admin, "/desk/approvals")
    no_note = admin.post(f"/desk/approvals/{number}?lang=en", data={"decision": "reject", "revision": "1", "csrf_token": token},
                         follow_redirects=True)
    assert any("Say why the discount is rejected." in m for m in messages(no_note))
    assert api_quote(client, sales_headers, number)["approval"]["status"] == "pending"
    # From the quote page this time: back to the quote.
    rejected = admin.post(f"/desk/approvals/{number}", data={
        "decision": "reject", "note": "Too much; 10 % at most.", "revision": "1", "csrf_token": token,
        "next": f"/desk/quotes/{number}"})
    assert rejected.headers["Location"] == f"/desk/quotes/{number}"
    again = admin.post(f"/desk/approvals/{number}?lang=en", data={"decision": "approve", "revision": "1", "csrf_token": token},
                       follow_redirects=True)
    assert any("no manual discount waiting" in m for m in messages(again))  # the domain's 409, as a message

    page = seller.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    assert "rejected" in page and "Too much; 10 % at most." in page
    assert "disabled" in send_button(page) and "revise the quote" in page
    # A revision with a discount within the limit needs no approval: sending works.
    seller_token = csrf_token(seller, f"/desk/quotes/{number}")
    revised = seller.post(f"/desk/quotes/{number}/revisions", data={
        "discount_kind": "percent", "discount_value": "7,5", "discount_reason": "Within the limit", "csrf_token": seller_token})
    assert revised.status_code == 302
    quote = api_quote(client, sales_headers, number)
    assert quote["manual_discount"] == {"percent": "7.5", "reason": "Within the limit"}
    assert quote["approval"]["status"] == "not_needed" and quote["revision"] == 2
    # A revision that leaves the discount fields empty keeps it; the box removes it.
    seller.post(f"/desk/quotes/{number}/revisions", data={"sessions": "6", "csrf_token": seller_token})
    assert api_quote(client, sales_headers, number)["manual_discount"]["reason"] == "Within the limit"
    seller.post(f"/desk/quotes/{number}/revisions", data={"discount_remove": "1", "csrf_token": seller_token})
    quote = api_quote(client, sales_headers, number)
    assert quote["manual_discount"] is None and quote["revision"] == 4
    assert seller.post(f"/desk/quotes/{number}/status", data={"status": "sent", "csrf_token": seller_token}).status_code == 302
    assert api_quote(client, sales_headers, number)["status"] == "sent"


def test_a_bad_discount_is_shown_at_its_fields_with_the_typed_values_kept(seller):
    token = csrf_token(seller, "/desk/quotes/new")
    missing_reason = seller.post("/desk/quotes/new?lang=en", data=form(token, discount_value="5"))
    assert missing_reason.status_code == 422
    page = missing_reason.get_data(as_text=True)
    assert 'id="discount-errors"' in page and 'name="discount_value" inputmode="decimal" maxlength="20" value="5"' in page
    too_much = seller.post("/desk/quotes/new?lang=en", data=form(token, discount_value="120", discount_reason="x"))
    assert too_much.status_code == 422 and 'id="discount-errors"' in too_much.get_data(as_text=True)


def test_a_console_decision_names_the_revision_the_admin_saw(client, seller, admin, sales_headers):
    number = create(seller, discount_kind="percent", discount_value="30", discount_reason="Friend of the clinic")
    page = admin.get(f"/desk/quotes/{number}").get_data(as_text=True)
    assert re.search(r'<input type="hidden" name="revision" value="1">', page)
    token = csrf_token(admin, "/desk/approvals")
    # A form without the revision (or with a garbled one) decides nothing.
    for revision in (None, "", "x", "0"):
        data = {"decision": "approve", "csrf_token": token, **({} if revision is None else {"revision": revision})}
        refused = admin.post(f"/desk/approvals/{number}?lang=en", data=data, follow_redirects=True)
        assert refused.status_code == 200 and any(number in m for m in messages(refused)), revision
        assert api_quote(client, sales_headers, number)["approval"]["status"] == "pending"
    # The sales staff revise to 90 % while the admin looks at 30 %: the admin's approval of 1 is refused.
    seller_token = csrf_token(seller, f"/desk/quotes/{number}")
    seller.post(f"/desk/quotes/{number}/revisions", data={
        "discount_kind": "percent", "discount_value": "90", "discount_reason": "More", "csrf_token": seller_token})
    late = admin.post(f"/desk/approvals/{number}?lang=en", data={"decision": "approve", "revision": "1", "csrf_token": token},
                      follow_redirects=True)
    assert any("was revised" in m for m in messages(late))
    quote = api_quote(client, sales_headers, number)
    assert quote["approval"]["status"] == "pending" and quote["revision"] == 2
    approved = admin.post(f"/desk/approvals/{number}", data={"decision": "approve", "revision": "2", "csrf_token": token})
    assert approved.status_code == 302
    assert api_quote(client, sales_headers, number)["approval"]["status"] == "approved"


def test_the_live_price_includes_the_discount_and_says_when_it_needs_an_approval(client, seller, sales_headers):
    token = csrf_token(seller, "/desk/quotes/new")
    body = {k: v for k, v in QUOTE.items() if k not in ("customer", "notes", "follow_up_on")}
    headers = {"X-CSRFToken": token}
    plain = seller.post("/desk/estimate?lang=en", json=body, headers=headers)
    assert plain.status_code == 200 and plain.get_json()["approval_needed"] is False
    assert plain.get_json()["total"] == "51885.36"  # the public estimator's figure for these inputs
    over = seller.post("/desk/estimate", json={**body, "manual_discount": {"percent": "30", "reason": "Friend"}},
                       headers=headers).get_json()
    assert over["approval_needed"] is True and over["lines"][-1]["kind"] == "manual_discount"
    # The same figures as the quote the desk then stores.
    number = create(seller, discount_value="30", discount_reason="Friend")
    assert api_quote(client, sales_headers, number)["total"] == over["total"]
    within = seller.post("/desk/estimate", json={**body, "manual_discount": {"percent": "10", "reason": "Friend"}},
                         headers=headers).get_json()
    assert within["approval_needed"] is False  # exactly the limit needs no approval
    bad = seller.post("/desk/estimate", json={**body, "manual_discount": {"percent": "5"}}, headers=headers)
    assert bad.status_code == 422 and "manual_discount.reason" in bad.get_json()["errors"]
    unknown = seller.post("/desk/estimate", json={**body, "clinic": "nowhere"}, headers=headers)
    assert unknown.status_code == 422 and unknown.get_json()["errors"]
    assert seller.post("/desk/estimate", data="[]", headers={**headers, "Content-Type": "application/json"}).status_code == 400
    # A session and the page's CSRF token are required: the public estimator stays without a discount.
    assert seller.post("/desk/estimate", json=body).status_code == 400
    assert client.post("/desk/estimate", json=body, headers=headers).status_code in (302, 400)
    public = client.post("/api/v1/estimates", json={**body, "manual_discount": {"percent": "5", "reason": "x"}})
    assert public.status_code == 422


def test_the_approvals_page_pages_and_refuses_odd_cursors(client, seller, admin, sales_headers):
    numbers = [create(seller, discount_value="50", discount_reason=f"Reason {i}") for i in range(3)]
    from quoteapi.web.desk import approvals

    approvals.PAGE_SIZE, before = 2, approvals.PAGE_SIZE
    try:
        first = admin.get("/desk/approvals?lang=en").get_data(as_text=True)
        assert numbers[2] in first and numbers[1] in first and numbers[0] not in first
        after = re.search(r'href="([^"]*cursor=[^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
        second = admin.get(after).get_data(as_text=True)
        assert f'id="approval-{numbers[0]}"' in second and f'id="approval-{numbers[2]}"' not in second
    finally:
        approvals.PAGE_SIZE = before
    odd = admin.get("/desk/approvals?cursor=bogus")
    assert odd.status_code == 200 and "cursor" in odd.get_data(as_text=True)


def test_the_quote_list_filters_by_approval_and_marks_the_waiting_ones(seller):
    waiting = create(seller, discount_value="40", discount_reason="Friend")
    plain = create(seller)
    page = seller.get("/desk/quotes?approval=pending&lang=en").get_data(as_text=True)
    listed = re.search(r"<tbody>.*</tbody>", page, re.S).group(0)
    assert waiting in listed and plain not in listed and "discount: waiting for an admin" in listed
    assert 'value="pending" selected' in page
    everything = re.search(r"<tbody>.*</tbody>", seller.get("/desk/quotes?lang=en").get_data(as_text=True), re.S).group(0)
    assert waiting in everything and plain in everything
