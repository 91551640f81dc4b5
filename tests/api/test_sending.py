"""Sending a quote to its customer (api.md revision 3): e-mail through the outbox, WhatsApp, a link;
revoking the links; decline reasons. On both databases."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from quoteapi.adapters.db import Quote
from quoteapi.adapters.db import link_store
from quoteapi.adapters.db.models import AuditEntry, OutboxMessage, QuoteLink
from quoteapi.adapters.phones import e164

from ..bodies import FACE_QUOTE, QUOTE
from ..conftest import TODAY
from ..days import day, iso

PHONE = "0533 123 45 67"


@pytest.fixture
def sales_headers(sales_headers):
    return {**sales_headers, "Accept-Language": "en"}


def create(client, headers, **customer):
    body = {**FACE_QUOTE, "customer": {"name": "Deniz Kaya", "email": "deniz@example.com", "phone": PHONE, **customer}}
    r = client.post("/api/v1/quotes", json=body, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["number"]


def send(client, headers, number, **body):
    return client.post(f"/api/v1/quotes/{number}/send", json=body, headers=headers)


def outbox(database):
    with database.reading() as s:
        return [(m.kind, m.recipient, m.language, dict(m.payload), m.state) for m in s.scalars(select(OutboxMessage))]


def test_email_moves_to_sent_and_queues_the_message_with_a_new_link(client, sales_headers, database):
    number = create(client, sales_headers)
    r = send(client, sales_headers, number, channel="email", message="See you soon!")
    assert r.status_code == 200, r.get_json()
    q = r.get_json()
    assert q["status"] == "sent" and q["number"] == number and q["whatsapp_url"] is None
    assert q["link"].startswith("http://localhost/q/") and len(q["link"].rsplit("/", 1)[1]) >= 43
    [(kind, recipient, language, payload, state)] = outbox(database)
    assert (kind, recipient, language, state) == ("quote", "deniz@example.com", "en", "pending")
    # The PDF was made with the send and stored; the message names it (tests/api/test_sent_documents.py).
    assert isinstance(payload.pop("document"), int)
    assert payload == {"number": number, "revision": 1, "link": q["link"], "message": "See you soon!", "by": "sam"}
    texts = [a["text"] for a in q["activity"]]
    assert "Status new → sent." in texts and texts[-1] == "Sent by e-mail."
    assert not any("deniz@example.com" in t for t in texts)
    with database.reading() as s:
        quote, works = link_store.find(s, q["link"].rsplit("/", 1)[1], TODAY)
        assert quote.number == number and works
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "status")) == 1



def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def link_works(database, link: str) -> bool:
    with database.reading() as s:
        quote, works = link_store.find(s, token_of(link), TODAY)
        assert quote is not None
        return works


def test_a_link_send_answers_the_link_and_queues_nothing(client, sales_headers, database):
    number = create(client, sales_headers)
    r = send(client, sales_headers, number, channel="link")
    assert r.status_code == 200, r.get_json()
    q = r.get_json()
    assert q["status"] == "sent" and q["activity"][-1]["text"] == "Sent as a link."
    assert q["activity"][-1]["kind"] == "send"
    assert outbox(database) == [] and link_works(database, q["link"])
    with database.reading() as s:
        assert s.scalars(select(QuoteLink.channel)).all() == ["link"]


def test_the_public_url_setting_makes_the_links(app, client, sales_headers):
    number = create(client, sales_headers)
    app.config["PUBLIC_URL"] = "https://quotes.example.com"
    link = send(client, sales_headers, number, channel="link").get_json()["link"]
    assert link.startswith("https://quotes.example.com/q/") and "localhost" not in link


def test_whatsapp_answers_a_wa_me_url_in_the_quotes_language(client, sales_headers, database):
    number = create(client, {**sales_headers, "Accept-Language": "tr"})
    r = send(client, sales_headers, number, channel="whatsapp", message="Merhaba, konuştuğumuz teklif.")
    assert r.status_code == 200, r.get_json()
    q = r.get_json()
    url = urlsplit(q["whatsapp_url"])
    assert (url.scheme, url.netloc, url.path) == ("https", "wa.me", "/905331234567")
    [text] = parse_qs(url.query)["text"]
    assert text.startswith("Merhaba, konuştuğumuz teklif.\n\n")
    assert q["link"] in text and number in text and "Deniz Kaya" in text
    assert "teklifiniz" in text  # the quote's language (Turkish), not the request's (English)
    # A quote's answer speaks the quote's language (issue 31), its activity too.
    assert q["activity"][-1]["text"] == "WhatsApp ile gönderildi." and outbox(database) == []
    assert link_works(database, q["link"])


@pytest.mark.parametrize("written", [
    "0533 123 45 67", "533 123 45 67", "+90 533 123 45 67", "0090 533 123 45 67", "(0533) 123-45-67",
    "+90 (533) 123 45 67", "05331234567", "90 533 123 4567",
])
def test_turkish_phones_as_staff_write_them_reach_whatsapp(client, sales_headers, written):
    number = create(client, sales_headers, phone=written)
    r = send(client, sales_headers, number, channel="whatsapp")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["whatsapp_url"].startswith("https://wa.me/905331234567?text=")


OPERATORS = [f"5{a}{b}" for a in "0345" for b in "0123456789"]


@settings(max_examples=300, deadline=None)
@given(
    operator=st.sampled_from(OPERATORS),
    rest=st.text("0123456789", min_size=7, max_size=7),
    prefix=st.sampled_from(["", "0", "+90", "+90 ", "0090", "0090 ", "90", "+90 0", "+90 (0)"]),
    separator=st.sampled_from(["", " ", "-", ".", "  "]),
    grouping=st.sampled_from([(3, 3, 2, 2), (3, 3, 4), (3, 7), (10,), (3, 2, 2, 3)]),
    parenthesised=st.booleans(),
)
def test_e164_of_every_way_a_turkish_mobile_is_written(operator, rest, prefix, separator, grouping, parenthesised):
    digits = operator + rest
    parts, at = [], 0
    for size in grouping:
        parts.append(digits[at:at + size])
        at += size
    if parenthesised and len(parts) > 1:
        parts[0] = f"({parts[0]})"
    written = prefix + separator.join(parts)
    assert e164(written) == "+90" + digits, written


@pytest.mark.parametrize("written", [None, "", "   ", "12345", "0533 123 45", "+90 533 123 45 6789 0", "abc", "+" + "9" * 70])
def test_no_e164_for_what_is_no_phone_number(written):
    assert e164(written) is None


def test_e164_keeps_a_foreign_number_written_with_its_country_code():
    assert e164("+49 30 1234567") == "+49301234567" and e164("0049 30 1234567") == "+49301234567"


# --- the rules of a move to sent ------------------------------------------------------------


def test_a_sent_quote_is_sent_again_as_a_reminder(client, sales_headers, database):
    number = create(client, sales_headers)
    first = send(client, sales_headers, number, channel="email").get_json()
    r = send(client, sales_headers, number, channel="email", to="deniz.work@example.com")
    assert r.status_code == 200, r.get_json()
    again = r.get_json()
    assert again["status"] == "sent" and again["link"] != first["link"]
    assert [a["text"] for a in again["activity"]].count("Status new → sent.") == 1
    assert again["activity"][-1]["text"] == "Sent again by e-mail (a reminder)."
    assert [m[1] for m in outbox(database)] == ["deniz@example.com", "deniz.work@example.com"]
    # Each send makes a new link; the earlier ones keep working until revoked.
    assert link_works(database, first["link"]) and link_works(database, again["link"])
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "status")) == 1


def test_a_draft_is_sent(client, sales_headers):
    number = create(client, sales_headers)
    assert client.patch(f"/api/v1/quotes/{number}", json={"status": "draft"}, headers=sales_headers).status_code == 200
    r = send(client, sales_headers, number, channel="link")
    assert r.status_code == 200 and r.get_json()["activity"][-2]["text"] == "Status draft → sent."


def test_an_expired_quote_is_not_sent(client, sales_headers, database):
    number = create(client, sales_headers)
    assert send(client, sales_headers, number, channel="link").status_code == 200
    with database.transaction() as s:
        s.execute(update(Quote).where(Quote.number == number).values(valid_until=day(-1)))
    for channel in ("email", "whatsapp", "link"):
        r = send(client, sales_headers, number, channel=channel)
        assert r.status_code == 409, r.get_json()
        assert r.get_json()["type"] == "http://localhost/api/problems/quote-expired" and "revise" in r.get_json()["detail"]
    assert len(outbox(database)) == 0
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(QuoteLink)) == 1


@pytest.mark.parametrize("sent_first", [False, True])
def test_a_discount_waiting_for_approval_or_rejected_is_not_sent(client, sales_headers, admin_headers, database,
                                                                  sent_first):
    body = {**QUOTE, "manual_discount": {"percent": "40", "reason": "Friends & family"}}
    r = client.post("/api/v1/quotes", json=body, headers=sales_headers)
    number = r.get_json()["number"]
    if sent_first:  # sent once approved; a revision asks again and goes back to draft
        client.post(f"/api/v1/quotes/{number}/approval", json={"decision": "approve"}, headers=admin_headers)
        assert send(client, sales_headers, number, channel="email").status_code == 200
        r = client.post(f"/api/v1/quotes/{number}/revisions", json={}, headers=sales_headers)
        assert r.get_json()["approval"]["status"] == "pending"
    r = send(client, sales_headers, number, channel="email")
    assert r.status_code == 409 and r.get_json()["type"] == "http://localhost/api/problems/approval-pending"
    assert "approval" in r.get_json()["detail"]
    client.post(f"/api/v1/quotes/{number}/approval", json={"decision": "reject", "note": "Too much"},
                headers=admin_headers)
    r = send(client, sales_headers, number, channel="link")
    assert r.status_code == 409 and r.get_json()["type"] == "http://localhost/api/problems/approval-rejected"
    assert len(outbox(database)) == (1 if sent_first else 0)


def test_a_sent_quote_whose_approval_is_pending_is_not_sent_again(client, sales_headers, database):
    """(Not reachable through the API, which puts a revised quote back to draft; the rule holds anyway.)"""
    number = create(client, sales_headers)
    assert send(client, sales_headers, number, channel="link").status_code == 200
    with database.transaction() as s:
        s.execute(update(Quote).where(Quote.number == number).values(approval="pending"))
    r = send(client, sales_headers, number, channel="link")
    assert r.status_code == 409 and r.get_json()["type"] == "http://localhost/api/problems/approval-pending"


@pytest.mark.parametrize("status", ["accepted", "declined"])
def test_a_closed_quote_is_not_sent(client, sales_headers, status):
    number = create(client, sales_headers)
    send(client, sales_headers, number, channel="link")
    assert client.patch(f"/api/v1/quotes/{number}", json={"status": status}, headers=sales_headers).status_code == 200
    r = send(client, sales_headers, number, channel="email")
    assert r.status_code == 409 and r.get_json()["type"] == "http://localhost/api/problems/status-move"


# --- bad input ------------------------------------------------------------------------------------


def test_an_email_needs_an_address(client, sales_headers, database):
    r = client.post("/api/v1/quotes", json={**FACE_QUOTE, "customer": {"name": "Ali Veli", "phone": PHONE}},
                    headers=sales_headers)
    number = r.get_json()["number"]
    r = send(client, sales_headers, number, channel="email")
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"to"}
    assert "e-mail" in r.get_json()["detail"]
    assert client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["status"] == "new"
    r = send(client, sales_headers, number, channel="email", to="ali@example.com")
    assert r.status_code == 200 and [m[1] for m in outbox(database)] == ["ali@example.com"]


@pytest.mark.parametrize("phone", [None, "12345", "0212 55"])
def test_whatsapp_needs_a_usable_phone(client, sales_headers, database, phone):
    number = create(client, sales_headers, phone=phone)
    r = send(client, sales_headers, number, channel="whatsapp")
    assert r.status_code == 422, r.get_json()
    assert set(r.get_json()["errors"]) == {"customer.phone"} and "WhatsApp" in r.get_json()["detail"]
    q = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert q["status"] == "new" and q["activity"][-1]["kind"] == "created"
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(QuoteLink)) == 0


@pytest.mark.parametrize("body, field", [
    ({}, "channel"),
    ({"channel": "sms"}, "channel"),
    ({"channel": None}, "channel"),
    ({"channel": "email", "to": "not an address"}, "to"),
    ({"channel": "email", "to": "a@example.com\r\nBcc: x@example.com"}, "to"),
    ({"channel": "whatsapp", "to": "a@example.com"}, "to"),
    ({"channel": "link", "to": "a@example.com"}, "to"),
    ({"channel": "email", "message": "a\x00b"}, "message"),
    ({"channel": "email", "message": "a\u202eb"}, "message"),
    ({"channel": "email", "message": "x" * 1001}, "message"),
    ({"channel": "email", "message": 5}, "message"),
    ({"channel": "email", "extra": 1}, "extra"),
])
def test_bad_bodies_are_422_naming_the_field(client, sales_headers, database, body, field):
    number = create(client, sales_headers)
    r = send(client, sales_headers, number, **body)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]
    assert outbox(database) == []


def test_a_message_may_have_lines_and_an_empty_one_is_none(client, sales_headers, database):
    number = create(client, sales_headers)
    assert send(client, sales_headers, number, channel="email", message="  Line one\nline two  ").status_code == 200
    assert send(client, sales_headers, number, channel="email", message="   ").status_code == 200
    assert [m[3]["message"] for m in outbox(database)] == ["Line one\nline two", None]


def test_sending_needs_a_sales_token_and_a_quote(client, sales_headers):
    number = create(client, sales_headers)
    assert client.post(f"/api/v1/quotes/{number}/send", json={"channel": "link"}).status_code == 401
    r = send(client, sales_headers, "Q-1-999999", channel="link")
    assert r.status_code == 404
    assert client.delete(f"/api/v1/quotes/{number}/link").status_code == 401
    assert client.delete("/api/v1/quotes/Q-1-999999/link", headers=sales_headers).status_code == 404


# --- one transaction ------------------------------------------------------------------------------


def test_a_failing_step_leaves_no_message_no_link_and_no_status_change(app, ctx, client, sales_headers, database,
                                                                       monkeypatch):
    """The outbox message is written in the send's transaction: when a later step (the activity line that
    says how it was sent) fails, the message, the link and the move to sent are all rolled back."""
    from quoteapi.adapters.db import quote_store
    from quoteapi.services import sending
    from quoteapi.services.commands import SendQuote

    number = create(client, sales_headers)
    real = quote_store.add_activity
    reached = []

    def failing(quote, at, by, kind, msgid, **values):
        if kind == "send":
            reached.append(True)
            raise RuntimeError("the database went away")
        return real(quote, at, by, kind, msgid, **values)

    monkeypatch.setattr(quote_store, "add_activity", failing)
    with pytest.raises(RuntimeError):
        sending.send_quote(ctx, SendQuote(number, "sam", "email", "https://host"))
    assert reached
    monkeypatch.setattr(quote_store, "add_activity", real)
    assert outbox(database) == []
    with database.reading() as s:
        assert s.scalar(select(Quote.status).where(Quote.number == number)) == "new"
        assert s.scalar(select(func.count()).select_from(QuoteLink)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "status")) == 0
    q = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert [a["kind"] for a in q["activity"]] == ["created"]
    # And the same send, without the failure, does all of it.
    assert send(client, sales_headers, number, channel="email").status_code == 200
    assert len(outbox(database)) == 1


# --- idempotency ------------------------------------------------------------------------------------


def test_an_idempotency_key_answers_the_first_send_again(client, sales_headers, database):
    number = create(client, sales_headers)
    keyed = {**sales_headers, "Idempotency-Key": "send-1"}
    first = send(client, keyed, number, channel="email", message="Hi")
    assert first.status_code == 200 and "Idempotent-Replayed" not in first.headers
    again = send(client, keyed, number, channel="email", message="Hi")
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["link"] == first.get_json()["link"]
    assert again.get_json()["activity"] == first.get_json()["activity"]
    assert len(outbox(database)) == 1
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(QuoteLink)) == 1
    other = send(client, keyed, number, channel="email", message="Hello")
    assert other.status_code == 409 and other.get_json()["type"] == "http://localhost/api/problems/idempotency-key-reused"
    # Another key is another send (a reminder).
    r = send(client, {**sales_headers, "Idempotency-Key": "send-2"}, number, channel="email", message="Hi")
    assert r.status_code == 200 and r.get_json()["link"] != first.get_json()["link"] and len(outbox(database)) == 2


def test_an_idempotency_key_replays_a_whatsapp_send_with_its_url(client, sales_headers):
    number = create(client, sales_headers)
    keyed = {**sales_headers, "Idempotency-Key": "wa"}
    first = send(client, keyed, number, channel="whatsapp").get_json()
    again = send(client, keyed, number, channel="whatsapp")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["whatsapp_url"] == first["whatsapp_url"] and first["whatsapp_url"]
    # The same key on a creation is another scope: it does not answer a send.
    created = client.post("/api/v1/quotes", json=FACE_QUOTE, headers=keyed)
    assert created.status_code == 201


def test_a_failed_keyed_send_keeps_no_key(client, sales_headers):
    number = create(client, sales_headers, phone=None)
    keyed = {**sales_headers, "Idempotency-Key": "k"}
    assert send(client, keyed, number, channel="whatsapp").status_code == 422
    assert send(client, keyed, number, channel="link").status_code == 200


# --- revoking ---------------------------------------------------------------------------------------


def test_revoking_stops_every_link_and_the_next_send_makes_a_new_one(client, sales_headers, database):
    number = create(client, sales_headers)
    links = [send(client, sales_headers, number, channel=c).get_json()["link"] for c in ("email", "link")]
    r = client.delete(f"/api/v1/quotes/{number}/link", headers=sales_headers)
    assert r.status_code == 204 and r.data == b""
    assert not any(link_works(database, link) for link in links)
    q = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert q["status"] == "sent" and q["activity"][-1]["kind"] == "link"
    assert q["activity"][-1]["text"] == "The customer's link was revoked; the next send makes a new one."
    # Nothing left to revoke: still 204, no new line.
    assert client.delete(f"/api/v1/quotes/{number}/link", headers=sales_headers).status_code == 204
    assert len(client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["activity"]) == len(q["activity"])
    fresh = send(client, sales_headers, number, channel="link").get_json()["link"]
    assert link_works(database, fresh) and fresh not in links


# --- decline reasons --------------------------------------------------------------------------------


def patch(client, headers, number, **body):
    return client.patch(f"/api/v1/quotes/{number}", json=body, headers=headers)


def test_a_decline_keeps_its_reason_and_note(client, sales_headers, database):
    number = create(client, sales_headers)
    r = patch(client, sales_headers, number, status="declined", decline_reason="other_clinic",
              decline_note="  Closer to home.  ")
    assert r.status_code == 200, r.get_json()
    q = r.get_json()
    assert q["status"] == "declined" and q["decline_reason"] == "other_clinic" and q["decline_note"] == "Closer to home."
    assert q["acceptance"] is None
    assert q["activity"][-1] == {**q["activity"][-1], "kind": "decline",
                                 "text": "Declined: chose another clinic: Closer to home."}
    # An English quote answers in English whoever reads it (issue 31); a Turkish one in Turkish.
    again = client.get(f"/api/v1/quotes/{number}", headers={**sales_headers, "Accept-Language": "tr"})
    assert again.headers["Content-Language"] == "en" and again.get_json()["decline_reason"] == "other_clinic"
    turkish = create(client, {**sales_headers, "Accept-Language": "tr"})
    q = patch(client, sales_headers, turkish, status="declined", decline_reason="other_clinic", decline_note="Yakın").get_json()
    assert q["activity"][-1]["text"] == "Reddedildi: başka bir kliniği seçti: Yakın"
    with database.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "status", AuditEntry.subject == number)).one()
        assert entry.after == {"status": "declined", "reason": "other_clinic", "note": "Closer to home."}
        row = s.scalars(select(Quote).where(Quote.number == number)).one()
        assert (row.decline_reason, row.decline_note) == ("other_clinic", "Closer to home.")


@pytest.mark.parametrize("reason", ["price", "timing", "other_clinic", "medical", "no_answer", "other"])
def test_every_reason_has_its_words_in_both_languages(client, sales_headers, reason):
    texts = {}
    for language in ("tr", "en"):
        body = {**FACE_QUOTE, "language": language, "customer": {"name": "Deniz Kaya", "phone": PHONE}}
        number = client.post("/api/v1/quotes", json=body, headers=sales_headers).get_json()["number"]
        q = patch(client, sales_headers, number, status="declined", decline_reason=reason).get_json()
        assert q["decline_reason"] == reason and q["decline_note"] is None
        texts[language] = q["activity"][-1]["text"]  # in the quote's language, whoever reads it
    assert texts["tr"].startswith("Reddedildi") and texts["en"].startswith("Declined")


def test_a_decline_without_a_reason_still_works(client, sales_headers):
    number = create(client, sales_headers)
    q = patch(client, sales_headers, number, status="declined").get_json()
    assert q["status"] == "declined" and q["decline_reason"] is None and q["activity"][-1]["kind"] == "status"
    number = create(client, sales_headers)
    q = patch(client, sales_headers, number, status="declined", decline_note="Will call back next year").get_json()
    assert q["decline_note"] == "Will call back next year" and q["activity"][-1]["text"] == "Declined: Will call back next year"


@pytest.mark.parametrize("body, field", [
    ({"decline_reason": "price"}, "decline_reason"),
    ({"status": "draft", "decline_reason": "price"}, "decline_reason"),
    ({"status": "sent", "decline_note": "no"}, "decline_note"),
    ({"follow_up_on": None, "decline_note": "no"}, "decline_note"),
    ({"status": "declined", "decline_reason": "too_expensive"}, "decline_reason"),
    ({"status": "declined", "decline_reason": 3}, "decline_reason"),
    ({"status": "declined", "decline_note": "a\x07b"}, "decline_note"),
    ({"status": "declined", "decline_note": "x" * 2001}, "decline_note"),
])
def test_bad_decline_fields_are_422(client, sales_headers, body, field):
    number = create(client, sales_headers)
    r = patch(client, sales_headers, number, **body)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]
    assert client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["status"] == "new"


def test_the_acceptance_record_is_in_the_answer(client, sales_headers, database):
    """The customer's page writes ``acceptance``; the quote answers it as stored, and the fast
    serialiser as marshmallow would."""
    from marshmallow import Schema

    from quoteapi.api.responses import services
    from quoteapi.interface.schemas.quotes import _PLAIN_OWN_FIELDS, QuoteSchema
    from quoteapi.services import quotes

    number = create(client, sales_headers)
    record = {"at": f"{iso(-1)}T03:04:05+00:00", "name": "Deniz Kaya", "wording_version": "1",
              "address": "203.0.113.9", "user_agent": "Mozilla/5.0", "revision": 1, "sha256": "ab" * 32}
    with database.transaction() as s:
        s.execute(update(Quote).where(Quote.number == number).values(acceptance=record, status="accepted"))
    q = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert q["acceptance"] == record
    patch(client, sales_headers, create(client, sales_headers), status="declined", decline_reason="medical",
          decline_note="Pregnant")
    assert _PLAIN_OWN_FIELDS
    schema = QuoteSchema()
    with database.reading() as s:
        numbers = s.scalars(select(Quote.number)).all()
    for each in numbers:
        for lang in ("tr", "en"):
            with client.application.test_request_context(f"/?lang={lang}"):
                client.application.preprocess_request()
                quote = quotes.get_quote(services(), each)
                fast = schema.dump(quote)
                assert fast == Schema.dump(schema, quote) and list(fast) == list(Schema.dump(schema, quote))


def test_erasure_erases_a_declines_words_and_keeps_its_reason(client, sales_headers, admin_headers, database):
    number = create(client, sales_headers)
    send(client, {**sales_headers, "Idempotency-Key": "before-erasure"}, number, channel="email")
    patch(client, sales_headers, number, status="declined", decline_reason="medical", decline_note="Pregnant, due in May")
    r = client.post("/api/v1/admin/customers/erase", json={"email": "deniz@example.com"}, headers=admin_headers)
    assert r.status_code == 200, r.get_json()
    q = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert q["decline_reason"] == "medical" and q["decline_note"] != "Pregnant, due in May"
    assert not any("Pregnant" in a["text"] for a in q["activity"])
    with database.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "status",
                                                   AuditEntry.after["reason"].as_string() == "medical")).one()
        assert entry.after["note"] != "Pregnant, due in May" and entry.after["reason"] == "medical"
        # The send's idempotency key (its answer held the link) is forgotten with the rest.
        from quoteapi.adapters.db import IdempotencyKey
        assert s.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
