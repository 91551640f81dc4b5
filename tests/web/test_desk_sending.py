"""The quote page's Send panel: e-mail, WhatsApp, a link to copy, revoking, declining with a reason."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from quoteapi.adapters.db.models import OutboxMessage

from ..bodies import QUOTE
from .desk_helpers import csrf_token, messages


def new_quote(client, sales_headers, **changes) -> str:
    answer = client.post("/api/v1/quotes", json={**QUOTE, **changes}, headers=sales_headers)
    assert answer.status_code == 201
    return answer.get_json()["number"]


def page_of(seller, number, lang="en") -> str:
    return seller.get(f"/desk/quotes/{number}?lang={lang}").get_data(as_text=True)


def post(seller, number, path, lang="en", **data):
    token = csrf_token(seller, f"/desk/quotes/{number}")
    return seller.post(f"/desk/quotes/{number}/{path}?lang={lang}", data={**data, "csrf_token": token},
                       follow_redirects=True)


def quote(client, sales_headers, number):
    return client.get(f"/api/v1/quotes/{number}", headers={**sales_headers, "Accept-Language": "en"}).get_json()


def test_the_panel_offers_every_way_prefilled(client, seller, sales_headers):
    number = new_quote(client, sales_headers)
    page = page_of(seller, number)
    assert 'id="send-h"' in page and "Send to the customer" in page
    assert 'name="to" type="email" maxlength="254" value="ayse@example.com"' in page
    for channel in ("email", "whatsapp", "link"):
        assert f'name="channel" value="{channel}"' in page
    assert "+90 532 000 00 00" in page and "Revoke the links" in page
    assert '<select id="decline-reason" name="decline_reason" required>' in page
    assert re.findall(r'<option value="(\w+)">', page.split('id="decline-reason"')[1].split("</select>")[0]) == [
        "price", "timing", "other_clinic", "medical", "no_answer", "other"]
    turkish = page_of(seller, number, "tr")
    assert "Müşteriye gönder" in turkish and "E-posta ile gönder" in turkish and "Fiyat" in turkish


def test_sending_by_email_queues_it_and_shows_the_link_once(client, seller, sales_headers, database):
    number = new_quote(client, sales_headers)
    answer = post(seller, number, "send", channel="email", to="ayse.is@example.com", message="Görüşmemiz üzerine")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "The e-mail is on its way to ayse.is@example.com." in messages(answer)
    link = re.search(r'id="sent-link" type="url" readonly value="([^"]+)"', page).group(1)
    assert link.startswith("http://localhost/q/") and 'data-copy="sent-link"' in page
    with database.reading() as s:
        [message] = s.scalars(select(OutboxMessage)).all()
        assert message.recipient == "ayse.is@example.com" and message.payload["link"] == link
        assert message.payload["message"] == "Görüşmemiz üzerine" and message.payload["by"] == "sel"
    q = quote(client, sales_headers, number)
    assert q["status"] == "sent" and q["activity"][-1]["text"] == "E-postayla gönderildi."  # the quote's language (Turkish)
    # Shown once: the token is not stored, a reload does not show it.
    assert link not in page_of(seller, number)
    assert "Send again by e-mail" in page_of(seller, number)


def test_whatsapp_gives_a_button_that_opens_it_in_a_new_tab(client, seller, sales_headers):
    number = new_quote(client, sales_headers)
    page = post(seller, number, "send", channel="whatsapp", message="Merhaba").get_data(as_text=True)
    found = re.search(r'<a class="button whatsapp" href="([^"]+)" target="_blank" rel="noopener noreferrer">', page)
    assert found, page
    assert html.unescape(found.group(1)).startswith("https://wa.me/905320000000?text=Merhaba")
    assert quote(client, sales_headers, number)["activity"][-1]["text"] == "WhatsApp ile gönderildi."  # the quote's language


def test_a_link_to_copy_and_revoking_it(client, seller, sales_headers):
    number = new_quote(client, sales_headers)
    page = post(seller, number, "send", channel="link").get_data(as_text=True)
    assert "A new link is ready to copy." in page and 'id="sent-link"' in page and "wa.me" not in page
    revoked = post(seller, number, "link/revoke")
    assert "The customer's links no longer work; the next send makes a new one." in [html.unescape(m) for m in messages(revoked)]
    assert quote(client, sales_headers, number)["activity"][-1]["kind"] == "link"
    again = post(seller, number, "link/revoke")
    assert "There was no working link to revoke." in messages(again)


def test_errors_are_shown_on_the_page(client, seller, sales_headers):
    number = new_quote(client, sales_headers, customer={"name": "Ali Veli", "phone": "12345"})
    answer = post(seller, number, "send", channel="whatsapp")
    assert any("WhatsApp" in m for m in messages(answer))
    answer = post(seller, number, "send", channel="email")
    assert any("e-mail" in m for m in messages(answer))
    answer = post(seller, number, "send", channel="email", to="not an address")
    assert any(m.startswith("E-mail address:") for m in messages(answer))  # the field's label, not its name
    answer = post(seller, number, "send", channel="fax")
    assert any(m.startswith("How to send:") for m in messages(answer))
    assert quote(client, sales_headers, number)["status"] == "new"


def test_a_quote_waiting_for_approval_cannot_be_sent(client, seller, sales_headers):
    number = new_quote(client, sales_headers, manual_discount={"percent": "40", "reason": "Friends"})
    page = page_of(seller, number)
    assert 'id="send-blocked"' in page and "approval" in page.split('id="send-blocked"')[1][:200]
    assert re.search(r'<button type="submit" disabled aria-describedby="send-blocked">Send by e-mail', page)
    answer = post(seller, number, "send", channel="link")
    assert any("approval" in m for m in messages(answer))


def test_declining_with_a_reason(client, seller, sales_headers):
    number = new_quote(client, sales_headers)
    answer = post(seller, number, "decline", decline_reason="price", decline_note="Bütçesi yetmedi")
    assert "Status is now declined." in messages(answer)
    q = quote(client, sales_headers, number)
    assert (q["status"], q["decline_reason"], q["decline_note"]) == ("declined", "price", "Bütçesi yetmedi")
    page = page_of(seller, number, "tr")
    assert "Neden reddedildi" in page and "Bütçesi yetmedi" in page and 'id="send-h"' not in page
    assert 'id="decline"' not in page
    refused = post(seller, new_quote(client, sales_headers), "decline", decline_reason="bored")
    assert any(m.startswith("Reason:") for m in messages(refused))


def test_the_forms_need_the_csrf_token(client, seller, sales_headers):
    number = new_quote(client, sales_headers)
    for path, data in (("send", {"channel": "link"}), ("link/revoke", {}), ("decline", {"decline_reason": "price"})):
        assert seller.post(f"/desk/quotes/{number}/{path}", data=data).status_code == 400
    assert quote(client, sales_headers, number)["status"] == "new"


def test_without_a_phone_the_whatsapp_button_is_off(client, seller, sales_headers):
    number = new_quote(client, sales_headers, customer={"name": "Ece Ak", "email": "ece@example.com"})
    page = page_of(seller, number)
    assert "<button type=\"submit\" disabled>Prepare the WhatsApp message</button>" in page
    assert "The customer has no phone number." in page
