"""The customer's link /q/<token> (api.md revision 3): the page, its forms, the PDF, the calendar file, the limits."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from quoteapi.adapters import clock
from quoteapi.adapters.db import link_store
from quoteapi.adapters.db import models as rows
from quoteapi.domain.acceptance import ACCEPTANCE_VERSION, canonical_json

from ..bodies import FACE_QUOTE
from ..days import iso

NOTE = "Internal: customer haggles, floor is 10 percent"
REASON = "Boss said yes (internal)"


def make_quote(client, headers, *, body=None, status="sent", notes=NOTE, manual=None) -> str:
    payload = {**(body or FACE_QUOTE), "notes": notes, "start_date": iso(3)}
    if manual:
        payload["manual_discount"] = manual
    r = client.post("/api/v1/quotes", json=payload, headers=headers)
    assert r.status_code == 201, r.get_json()
    number = r.get_json()["number"]
    if status != "new":
        r = client.patch(f"/api/v1/quotes/{number}", json={"status": status}, headers=headers)
        assert r.status_code == 200, r.get_json()
    return number


def link_to(ctx, number: str) -> str:
    with ctx.database.transaction() as session:
        quote = session.scalars(select(rows.Quote).where(rows.Quote.number == number)).one()
        return link_store.new_link(session, quote, "email", "sam", clock.now())


def stored(ctx, number: str) -> rows.Quote:
    with ctx.database.reading() as session:
        quote = session.scalars(select(rows.Quote).where(rows.Quote.number == number)).one()
        quote.activity, quote.revisions  # noqa: B018  (loaded before the session closes)
        session.expunge_all()
        return quote


def set_columns(ctx, number: str, **values) -> None:
    with ctx.database.transaction() as session:
        session.execute(update(rows.Quote).where(rows.Quote.number == number).values(**values))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@pytest.fixture
def quote(client, ctx, sales_headers):
    number = make_quote(client, sales_headers)
    return number, link_to(ctx, number)


def opened(client, token: str, lang: str | None = None):
    r = client.get(f"/q/{token}" + (f"?lang={lang}" if lang else ""))
    return r, r.get_data(as_text=True)


# --- the page --------------------------------------------------------------------------------------


def test_the_page_shows_the_quote_in_its_language_and_never_the_notes(client, ctx, quote):
    number, token = quote
    r, html = opened(client, token)
    assert r.status_code == 200
    assert r.headers["Content-Language"] == "tr"
    assert '<html lang="tr">' in html
    assert f"Teklifiniz {number}" in html or number in html
    assert "Deniz Kaya" in html
    # lines, totals, per session, the plan, advice, validity, actions, links
    for needle in (f"/q/{token}/document", f"/q/{token}/sessions.ics", f"/q/{token}/accept",
                   f"/q/{token}/question", f"/q/{token}/decline"):
        assert needle in html
    assert NOTE not in html and "haggles" not in html
    assert "₺" in html


def test_the_page_shows_lines_totals_and_plan_as_stored(client, ctx, quote, sales_headers):
    number, token = quote
    answer = client.get(f"/api/v1/quotes/{number}?lang=tr", headers=sales_headers).get_json()
    _r, html = opened(client, token)
    for line in answer["lines"]:
        assert line["description"] in html
    total = answer["total"]
    whole, cents = total.split(".")
    assert f"{int(whole):,}".replace(",", ".") + "," + cents in html  # Turkish figures
    assert len(re.findall(r"<li>", html.split('class="plan"')[1].split("</ol>")[0])) == len(answer["schedule"])
    _r, english = opened(client, token, "en")
    assert '<html lang="en">' in english and "Accept the quote" in english and "Session plan" in english


def test_the_manual_discounts_reason_is_never_shown(client, ctx, sales_headers):
    number = make_quote(client, sales_headers, manual={"percent": "5", "reason": REASON})
    token = link_to(ctx, number)
    _r, html = opened(client, token)
    assert REASON not in html and "Boss" not in html
    assert "Özel indirim" in html
    # nor in the document the link downloads
    from quoteapi.adapters import documents
    from quoteapi.services import customer_link

    document = documents.render_html(customer_link.document(ctx, token), ctx.price_lists.current())
    assert REASON not in document and NOTE not in document and "Deniz Kaya" in document


def give_kadikoy_contacts(client, admin_headers) -> None:
    etag = client.get("/api/v1/admin/clinics/ist-kadikoy", headers=admin_headers).headers["ETag"]
    r = client.patch("/api/v1/admin/clinics/ist-kadikoy", json={"address": "Moda Cad. 12, Kadıköy",
                                                              "phone": "+902161234567"},
                     headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200, r.get_json()


def test_clinic_contacts_and_the_deposit(client, ctx, quote, admin_headers):
    number, token = quote
    give_kadikoy_contacts(client, admin_headers)
    with ctx.database.transaction() as session:
        session.execute(update(rows.QuoteRevision).values(deposit_percent=20))
    _r, html = opened(client, token)
    assert "Moda Cad. 12, Kadıköy" in html and 'href="tel:+902161234567"' in html
    assert "toplam tutarın %20 oranında" in html and "KDV (%20)" in html and f"açıklamasına {number} yazın" in html  # the deposit, and the transfer's reference
    _r, english = opened(client, token, "en")
    assert f"Write {number} as the reference of the transfer." in english and "a deposit of 20% of the total" in english
    assert "VAT (20%)" in english


def test_a_gone_link_says_how_to_reach_the_clinic(client, ctx, quote, admin_headers):
    number, token = quote
    give_kadikoy_contacts(client, admin_headers)
    set_columns(ctx, number, valid_until=ctx.today() - timedelta(days=31))
    r = client.get(f"/q/{token}")
    html = r.get_data(as_text=True)
    assert r.status_code == 410 and 'href="tel:+902161234567"' in html
    assert "Deniz" not in html and number not in html  # nothing of the quote or its customer


def test_every_answer_carries_the_private_headers(client, ctx, quote):
    _number, token = quote
    for path in (f"/q/{token}", f"/q/{token}/sessions.ics", "/q/nothing-here", f"/q/{token}/nothing"):
        r = client.get(path)
        assert r.headers["Cache-Control"] == "no-store", path
        assert r.headers["Referrer-Policy"] == "no-referrer", path
        assert r.headers["X-Robots-Tag"] == "noindex", path


def test_unknown_token_is_a_404_page_and_gone_links_are_410(client, ctx, quote, sales_headers):
    number, token = quote
    r = client.get("/q/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "Traceback" not in r.get_data(as_text=True)
    # revoked
    with ctx.database.transaction() as session:
        row = session.scalars(select(rows.Quote).where(rows.Quote.number == number)).one()
        link_store.revoke_all(session, row, clock.now())
    r = client.get(f"/q/{token}?lang=en")
    assert r.status_code == 410
    assert "no longer works" in r.get_data(as_text=True) and "contact the clinic" in r.get_data(as_text=True)
    # 30 days after the validity ended
    other = make_quote(client, sales_headers)
    token2 = link_to(ctx, other)
    set_columns(ctx, other, valid_until=ctx.today() - timedelta(days=31))
    assert client.get(f"/q/{token2}").status_code == 410
    assert client.get(f"/q/{token2}/sessions.ics").status_code == 410
    # erased
    third = make_quote(client, sales_headers)
    token3 = link_to(ctx, third)
    set_columns(ctx, third, erased_at=clock.now())
    assert client.get(f"/q/{token3}/document").status_code == 410


def test_a_very_long_or_odd_token_is_a_404_not_an_error(client):
    for token in ("x" * 5000, "%00abc", "..%2F..%2Fetc", "<script>", "ş" * 20):
        r = client.get(f"/q/{token}")
        assert r.status_code == 404, token
        assert "<script>" not in r.get_data(as_text=True)


# --- viewed ----------------------------------------------------------------------------------------


def test_openings_are_one_viewed_line_an_hour(client, ctx, quote):
    number, token = quote
    for _ in range(3):
        assert opened(client, token)[0].status_code == 200
    row = stored(ctx, number)
    assert [a.kind for a in row.activity].count("viewed") == 1
    assert row.last_viewed_at is not None
    set_columns(ctx, number, last_viewed_at=clock.now() - timedelta(minutes=61))
    opened(client, token)
    assert [a.kind for a in stored(ctx, number).activity].count("viewed") == 2
    # the document and the calendar do not count
    client.get(f"/q/{token}/sessions.ics")
    assert [a.kind for a in stored(ctx, number).activity].count("viewed") == 2


# --- accept ----------------------------------------------------------------------------------------


def accept(client, token: str, name="Deniz Kaya", agree=True, lang="tr", **extra):
    _r, html = opened(client, token, lang)
    form = {"csrf_token": csrf_of(html), "name": name, "wording_version": ACCEPTANCE_VERSION, **extra}
    if agree:
        form["agree"] = "yes"
    return client.post(f"/q/{token}/accept?lang={lang}", data=form, headers={"User-Agent": "PhoneBrowser/1.0"},
                       environ_base={"REMOTE_ADDR": "203.0.113.9"})


def test_accepting_keeps_the_record_with_the_hash_of_the_revision(client, ctx, quote, sales_headers):
    number, token = quote
    r = accept(client, token, name="  Deniz  Kaya ")
    assert r.status_code == 303
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Teklifi kabul ettiniz" in page or "You accepted" in page
    row = stored(ctx, number)
    assert row.status == "accepted"
    record = row.acceptance
    assert record["name"] == "Deniz  Kaya"
    assert record["wording_version"] == ACCEPTANCE_VERSION
    assert record["address"] == "203.0.113.9" and record["user_agent"] == "PhoneBrowser/1.0"
    assert record["revision"] == row.revision == 1
    estimate = row.revisions[-1].estimate
    content = {k: estimate[k] for k in ("currency", "lines", "subtotal", "discount_total", "net", "tax_rate",
                                        "tax_total", "total", "per_session", "sessions")}
    expected = hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                              .encode()).hexdigest()
    assert record["sha256"] == expected == hashlib.sha256(canonical_json(content)).hexdigest()
    assert "accepted" in [a.kind for a in row.activity]
    # the desk sees it
    assert client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["status"] == "accepted"
    # the staff notice is queued (nobody with an e-mail yet: none; with one: one)
    with ctx.database.reading() as session:
        kinds = [m.kind for m in session.scalars(select(rows.OutboxMessage))] if hasattr(rows, "OutboxMessage") else []
    assert all(k == "staff-notice" for k in kinds)


def test_a_second_accept_changes_nothing_and_shows_the_same_confirmation(client, ctx, quote):
    number, token = quote
    _r, html = opened(client, token)
    form = {"csrf_token": csrf_of(html), "name": "Deniz Kaya", "agree": "yes", "wording_version": ACCEPTANCE_VERSION}
    assert client.post(f"/q/{token}/accept", data=form).status_code == 303
    first = stored(ctx, number)
    # the same form sent again (a double tap, the back button), even with another name
    again = client.post(f"/q/{token}/accept", data={**form, "name": "Somebody Else"})
    assert again.status_code == 303
    second = stored(ctx, number)
    assert second.acceptance == first.acceptance
    assert len(second.activity) == len(first.activity) + 0  # no viewed line within the hour either
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Deniz Kaya" in page and "Somebody Else" not in page


def test_accept_needs_the_name_and_the_tick(client, ctx, quote):
    number, token = quote
    r = accept(client, token, name="", agree=False, lang="en")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="error-name"' in html and 'id="error-agree"' in html
    assert stored(ctx, number).status == "sent"


def test_accept_is_refused_on_an_expired_quote_with_a_clear_page(client, ctx, quote):
    number, token = quote
    _r, html = opened(client, token, "en")
    set_columns(ctx, number, valid_until=ctx.today() - timedelta(days=1))
    r = client.post(f"/q/{token}/accept?lang=en", data={"csrf_token": csrf_of(html), "name": "Deniz", "agree": "yes",
                                                       "wording_version": ACCEPTANCE_VERSION})
    assert r.status_code == 409
    body = r.get_data(as_text=True)
    assert "expired" in body and "Ask for a new quote" in body
    assert stored(ctx, number).status == "sent"


def test_accept_is_refused_while_an_approval_is_pending(client, ctx, quote):
    number, token = quote
    _r, html = opened(client, token, "en")
    set_columns(ctx, number, approval="pending")
    r = client.post(f"/q/{token}/accept?lang=en", data={"csrf_token": csrf_of(html), "name": "Deniz", "agree": "yes",
                                                       "wording_version": ACCEPTANCE_VERSION})
    assert r.status_code == 409 and "reviewed by the clinic" in r.get_data(as_text=True)
    assert stored(ctx, number).status == "sent"


def test_accept_is_refused_when_a_campaign_is_used_up(client, ctx, admin_headers, sales_headers):
    from ..api.test_campaign_caps import QUOTE as CAPPED
    from ..api.test_campaign_caps import cap_friend

    cap_friend(client, admin_headers, 1)
    first = make_quote(client, sales_headers, body=CAPPED)
    second = make_quote(client, sales_headers, body=CAPPED)
    assert client.patch(f"/api/v1/quotes/{first}", json={"status": "accepted"}, headers=sales_headers).status_code == 200
    token = link_to(ctx, second)
    r = accept(client, token, lang="en")
    assert r.status_code == 409
    assert "campaign on this quote has been used up" in r.get_data(as_text=True)
    assert stored(ctx, second).status == "sent" and stored(ctx, second).acceptance is None


def test_a_draft_shows_no_accept_form(client, ctx, sales_headers):
    number = make_quote(client, sales_headers, status="draft")
    _r, html = opened(client, link_to(ctx, number))
    assert "/accept" not in html


# --- question, decline -----------------------------------------------------------------------------


def test_a_question_is_a_note_with_the_follow_up_today(client, ctx, quote):
    number, token = quote
    set_columns(ctx, number, follow_up_on=None)
    _r, html = opened(client, token)
    text = "Can I come on Saturdays?\n<b>Thanks</b>"
    r = client.post(f"/q/{token}/question", data={"csrf_token": csrf_of(html), "text": text})
    assert r.status_code == 303 and "done=question" in r.headers["Location"]
    row = stored(ctx, number)
    assert row.follow_up_on == ctx.today()
    asked = [a for a in row.activity if a.kind == "question"]
    assert len(asked) == 1 and asked[0].values["text"] == text
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "<b>Thanks</b>" not in page
    # an empty question is a 422 page, not a note
    r = client.post(f"/q/{token}/question", data={"csrf_token": csrf_of(html), "text": "   "})
    assert r.status_code == 422


def test_decline_with_a_reason(client, ctx, quote, sales_headers):
    number, token = quote
    _r, html = opened(client, token, "en")
    for reason in ("price", "timing", "other_clinic", "medical", "no_answer", "other"):
        assert f'value="{reason}"' in html
    assert "The price is too high for me" in html
    r = client.post(f"/q/{token}/decline", data={"csrf_token": csrf_of(html), "reason": "bogus"})
    assert r.status_code == 422
    r = client.post(f"/q/{token}/decline", data={"csrf_token": csrf_of(html), "reason": "timing", "text": "Next spring"})
    assert r.status_code == 303
    row = stored(ctx, number)
    assert (row.status, row.decline_reason, row.decline_note) == ("declined", "timing", "Next spring")
    assert "You declined this quote" in client.get(f"/q/{token}?lang=en").get_data(as_text=True)


# --- an expired quote: ask for a new one ----------------------------------------------------------


def test_an_expired_quote_offers_a_new_quote_request_for_the_same_course(client, ctx, quote, sales_headers):
    number, token = quote
    set_columns(ctx, number, valid_until=ctx.today() - timedelta(days=2))
    r, html = opened(client, token, "en")
    assert r.status_code == 200 and "This quote has expired" in html and "/renew" in html
    assert "/accept" not in html
    form = {"csrf_token": csrf_of(html), "consent": "yes"}
    r = client.post(f"/q/{token}/renew?lang=en", data=form)
    assert r.status_code == 303 and "done=renewed" in r.headers["Location"]
    assert client.post(f"/q/{token}/renew?lang=en", data=form).status_code == 303  # a second click: no second request
    listed = client.get("/api/v1/quotes?q=deniz", headers=sales_headers).get_json()["items"]
    website = [q for q in listed if q["source"] == "website"]
    assert len(website) == 1 and website[0]["status"] == "new"
    new = client.get(f"/api/v1/quotes/{website[0]['number']}", headers=sales_headers).get_json()
    old = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert [line["code"] for line in new["lines"]] == [line["code"] for line in old["lines"]]
    assert new["sessions"] == old["sessions"] and new["consent"] is not None
    assert "has been sent" in client.get(r.headers["Location"]).get_data(as_text=True)


# --- the calendar file, the PDF --------------------------------------------------------------------


def test_the_calendar_file_has_one_event_per_session(client, ctx, quote, sales_headers):
    number, token = quote
    r = client.get(f"/q/{token}/sessions.ics")
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    calendar = Calendar.from_ical(r.data)
    events = [c for c in calendar.walk("VEVENT")]
    schedule = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["schedule"]
    assert [e.decoded("dtstart").isoformat() for e in events] == schedule
    assert len({str(e["uid"]) for e in events}) == len(events)
    assert all("Kadıköy" in str(e["location"]) or str(e["location"]) for e in events)
    assert calendar["x-wr-timezone"] == "Europe/Istanbul"


def test_the_pdf_is_the_quote_without_the_notes(client, ctx, quote):
    _number, token = quote
    r = client.get(f"/q/{token}/document")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert r.headers["Cache-Control"] == "no-store"


# --- security --------------------------------------------------------------------------------------


def test_a_form_without_its_csrf_token_is_refused(client, ctx, quote):
    number, token = quote
    opened(client, token)
    for action, data in (("accept", {"name": "X", "agree": "yes", "wording_version": "1"}),
                         ("question", {"text": "hi"}), ("decline", {"reason": "price"})):
        r = client.post(f"/q/{token}/{action}", data=data)
        assert r.status_code == 400, action
        r = client.post(f"/q/{token}/{action}", data={**data, "csrf_token": "forged"})
        assert r.status_code == 400, action
    assert stored(ctx, number).status == "sent"
    # another browser's token is not this one's
    other = client.application.test_client()
    _r, html = opened(other, token)
    assert client.post(f"/q/{token}/question", data={"text": "hi", "csrf_token": csrf_of(html)}).status_code == 400


def test_a_name_with_a_newline_or_markup_injects_nothing(client, ctx, sales_headers):
    body = {**FACE_QUOTE, "customer": {"name": "Eve <script>alert(1)</script> \"x'", "email": "eve@example.com"}}
    number = make_quote(client, sales_headers, body=body)
    token = link_to(ctx, number)
    _r, html = opened(client, token)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    r = accept(client, token, name="Eve\r\nBcc: all@example.com")
    assert r.status_code == 422  # a control character: refused, nothing stored
    assert stored(ctx, number).status == "sent"
    _r, html = opened(client, token, "en")
    r = client.post(f"/q/{token}/question?lang=en", data={"csrf_token": csrf_of(html), "text": "pay \u202egnp.exe"})
    assert r.status_code == 422 and "invisible text-direction character" in r.get_data(as_text=True)
    assert not [a for a in stored(ctx, number).activity if a.kind == "question"]
    r = accept(client, token, name="<img src=x onerror=alert(1)>")
    assert r.status_code == 303
    page = client.get(f"/q/{token}").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_guessing_tokens_finds_nothing_and_gets_429s(app, client, ctx, quote):
    app.config.update(LINK_RATE_LIMIT="60/minute", LINK_MISS_RATE_LIMIT="20/hour")
    from quoteapi.web.customer import open_link_limit

    open_link_limit(app)
    _number, token = quote
    statuses = {}
    import secrets

    for _ in range(10_000):
        guess = secrets.token_urlsafe(32)
        status = client.get(f"/q/{guess}", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code
        statuses[status] = statuses.get(status, 0) + 1
    assert 200 not in statuses and 410 not in statuses
    assert statuses[404] <= 20
    assert statuses[429] >= 9_900
    r = client.get(f"/q/{secrets.token_urlsafe(32)}", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    # even the right token waits, from that address; another address is not slowed
    assert client.get(f"/q/{token}", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 429
    assert client.get(f"/q/{token}", environ_base={"REMOTE_ADDR": "198.51.100.8"}).status_code == 200


def test_a_link_shows_its_own_quote_and_nothing_of_another_customers(client, ctx, sales_headers):
    mine = make_quote(client, sales_headers, body={**FACE_QUOTE, "customer": {"name": "Mine Aydın", "email": "mine@example.com"}})
    other = make_quote(client, sales_headers, body={**FACE_QUOTE, "customer": {"name": "Oya Demir", "email": "oya@example.com",
                                                                              "phone": "+905321112233"}})
    link_to(ctx, other)
    _r, html = opened(client, link_to(ctx, mine))
    assert mine in html and "Mine Aydın" in html
    assert other not in html and "Oya" not in html and "oya@example.com" not in html and "1112233" not in html
    assert "mine@example.com" not in html  # not even the customer's own address: nothing the page does not need


def test_the_bank_account_and_the_clinics_e_mail_as_the_page_shows_them(app, ctx, quote):
    """What price-list version 3 adds to a clinic (its e-mail, its bank account), as the page writes it."""
    from dataclasses import replace

    from quoteapi.services import customer_link
    from quoteapi.web.customer import _render

    number, token = quote
    view = customer_link.read(ctx, token)
    view = replace(view, deposit={"percent": "20", "amount": "1836.00"}, clinic=replace(
        view.clinic, email="kadikoy@klinik.example", bank_holder="Derma Klinik A.Ş.", bank_name="Örnek Bank",
        iban="TR120006200000000012345678"))
    with app.test_request_context(f"/q/{token}?lang=tr"):
        html = _render(view, "tr", token).get_data(as_text=True)
    assert 'href="mailto:kadikoy@klinik.example"' in html
    assert "Derma Klinik A.Ş." in html and "Örnek Bank" in html and "TR12 0006 2000 0000 0012 3456 78" in html
    assert "1.836,00" in html and f"açıklamasına {number} yazın" in html


def test_the_links_address_without_a_token_is_a_page_not_json(client):
    answer = client.get("/q/?lang=en")
    assert answer.status_code == 404 and answer.content_type.startswith("text/html")
    assert "does not open any quote" in answer.get_data(as_text=True)
    assert answer.headers["X-Robots-Tag"] == "noindex" and answer.headers["Cache-Control"] == "no-store"


def test_the_course_suggested_from_the_customers_concern_is_on_the_page(client, sales_headers, ctx):
    from quoteapi.adapters.db import link_store
    from quoteapi.adapters.db.models import Quote as QuoteRow
    from quoteapi.adapters import clock
    from sqlalchemy import select

    body = {"clinic": "ist-kadikoy", "areas": [{"code": "face"}], "specialist_level": "aesthetician", "language": "tr",
            "concerns": [{"code": "acne-scars", "severity": "pronounced"}],
            "customer": {"name": "Deniz Kaya", "email": "deniz@example.com"}}
    created = client.post("/api/v1/quotes", json=body, headers=sales_headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    text = created.get_json()["suggestion"]["text"]
    with ctx.database.transaction() as session:
        row = session.scalars(select(QuoteRow).where(QuoteRow.number == created.get_json()["number"])).one()
        token = link_store.new_link(session, row, "link", "sam", clock.now())
    page = client.get(f"/q/{token}").get_data(as_text=True)
    assert f'<p id="suggestion">{text}</p>' in page and "uzman" in text
