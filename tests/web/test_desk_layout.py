"""The console's page skeletons (issue 26, desk-layout): a save on the long quote page comes back to its
section, the quote page names its clinic, and Today's "new requests" are only those nobody has taken up.
(The 768 px layout itself, axe-core and the browser's focus: tests/e2e/test_desk_layout.py.)"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..bodies import QUOTE, QUOTE_REQUEST
from .desk_helpers import csrf_token


def new_quote(client, sales_headers, **changes) -> str:
    answer = client.post("/api/v1/quotes", json={**QUOTE, **changes}, headers=sales_headers)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()["number"]


def website_request(client) -> str:
    answer = client.post("/api/v1/quote-requests", json=QUOTE_REQUEST)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()["number"]


def save(seller, number: str, path: str, **data) -> tuple[str, str]:
    """POST a form of the quote page: (the fragment it comes back to, the page then)."""
    token = csrf_token(seller, f"/desk/quotes/{number}")
    answer = seller.post(f"/desk/quotes/{number}/{path}?lang=en", data={**data, "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    place = urlsplit(answer.headers["Location"])
    assert place.path == f"/desk/quotes/{number}"
    return place.fragment, seller.get(f"{place.path}?{place.query}").get_data(as_text=True)


def section_of_messages(page: str) -> str | None:
    """Where the page shows its messages: the section whose anchor they hold, "top" (no anchor), or None."""
    shown = re.findall(r'<div class="messages"(?: id="([\w-]+)" tabindex="-1")?>', page)
    assert len(shown) <= 1, shown
    if not shown:
        return None
    return shown[0] or "top"


def holder_of_messages(page: str) -> str:
    """The opening tag of the section or form the messages are in."""
    at = page.index('<div class="messages"')
    return page[max(page.rfind("<section", 0, at), page.rfind("<form", 0, at)):at].split(">")[0]


def test_each_save_comes_back_to_its_section_with_its_message_there(client, seller, sales_headers):
    number = new_quote(client, sales_headers, manual_discount={"percent": "40", "reason": "Sadık müşteri"})
    for path, data, section, message in [
        ("notes", {"text": "Aradım, cumartesi gelecek."}, "notes", "Note added."),
        ("notes", {"text": ""}, "notes", None),  # refused: the error is there too
        ("plan", {"follow_up_on": "", "assigned_to": "sel"}, "plan", "Follow-up and assignee saved."),
        ("status", {"status": "draft"}, "work", "Status is now draft."),
        ("revisions", {"sessions": "6"}, "lines", "Revision 2 priced."),
        ("link/revoke", {}, "links", "There was no working link to revoke."),
    ]:
        fragment, page = save(seller, number, path, **data)
        assert (fragment, section_of_messages(page)) == (section, section), path
        # The messages hold the section's anchor (focusable: the browser focuses them), inside the section,
        # not at the top of the 1,300 px page; the section gives its id up meanwhile.
        assert page.count(f'id="{section}"') == 1
        holder = holder_of_messages(page)
        heading = section.removesuffix("-section") + "-h"
        assert f'aria-labelledby="{heading}"' in holder or f"/{section}?" in holder, (path, holder)
        if message:
            assert message in page
    # A refused revision is no redirect: the page again, with what was typed and its errors in the revision form.
    token = csrf_token(seller, f"/desk/quotes/{number}")
    refused = seller.post(f"/desk/quotes/{number}/revisions?lang=en", data={"sessions": "99", "csrf_token": token})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert page.index('id="revise-h"') < page.index('value="99"')
    fragment, page = save(seller, number, "send", channel="link")  # waits for the approval: refused, shown at Send
    assert (fragment, section_of_messages(page)) == ("send", "send")
    # A section the page no longer shows (payments of a quote not accepted): the message at the top.
    fragment, page = save(seller, number, "payments", kind="payment", amount="100", method="cash",
                          received_on=QUOTE["follow_up_on"])
    assert fragment == "payments" and section_of_messages(page) == "top"
    assert page.index('<div class="messages">') < page.index("<h1>")
    # A plain visit afterwards shows no message anywhere.
    assert section_of_messages(seller.get(f"/desk/quotes/{number}").get_data(as_text=True)) is None


def test_an_admins_decision_on_the_quote_page_comes_back_to_the_approval(client, admin, sales_headers):
    number = new_quote(client, sales_headers, manual_discount={"percent": "40", "reason": "Sadık müşteri"})
    page = admin.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    back = re.search(r'name="next" value="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert back.endswith("#approval")
    token = csrf_token(admin, f"/desk/quotes/{number}")
    answer = admin.post(f"/desk/approvals/{number}?lang=en", data={"decision": "approve", "revision": "1", "next": back,
                                                           "csrf_token": token})
    assert answer.status_code == 302 and urlsplit(answer.headers["Location"]).fragment == "approval"
    page = admin.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)
    assert section_of_messages(page) == "approval", page
    assert "is approved" in page, re.findall(r"class=\"flash[^>]*>([^<]*)", page)


def test_the_quote_page_names_its_clinic_with_its_address_and_phone(client, seller, sales_headers):
    number = new_quote(client, sales_headers, clinic="ist-kadikoy")
    page = seller.get(f"/desk/quotes/{number}?lang=tr").get_data(as_text=True)
    clinic = re.search(r'<dt>Klinik</dt><dd class="clinic">(.*?)</dd>', page, re.S)
    assert clinic, page
    assert "İstanbul Kadıköy" in clinic.group(1) and "Moda Cad. No: 20, Kadıköy/İstanbul" in clinic.group(1)
    assert '<a href="tel:+902160000202" class="nowrap">(0216) 000 02 02</a>' in clinic.group(1)


def test_today_lists_only_the_requests_nobody_has_taken_up(client, seller, sales_headers):
    untouched, assigned, noted, revised, moved = (website_request(client) for _ in range(5))
    staff = {**sales_headers, "Accept-Language": "en"}
    assert client.patch(f"/api/v1/quotes/{assigned}", json={"assigned_to": "sam"}, headers=staff).status_code == 200
    assert client.post(f"/api/v1/quotes/{noted}/notes", json={"text": "Aradım."}, headers=staff).status_code == 201
    assert client.post(f"/api/v1/quotes/{revised}/revisions", json={"sessions": 6}, headers=staff).status_code == 201
    assert client.patch(f"/api/v1/quotes/{moved}", json={"follow_up_on": QUOTE["follow_up_on"]},
                        headers=staff).status_code == 200  # a follow-up date set by the desk: taken
    page = seller.get("/desk/?lang=en").get_data(as_text=True)
    new = re.search(r'<h2 id="new-h">(.*?)</section>', page, re.S).group(1)
    listed = re.findall(r'href="/desk/quotes/(Q-[^"?]+)', new)
    assert untouched in listed
    assert not {assigned, noted, revised, moved} & set(listed)
    assert f'<span class="count">{len(listed)}</span>' in new
