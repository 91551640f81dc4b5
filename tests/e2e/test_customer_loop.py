"""The customer's side end to end (issue 27), with real parts only: gunicorn on PostgreSQL, the outbox's
sender as its own process, an SMTP server in process (aiosmtpd), and Chromium as a 375 px phone.

Sales sends a quote by e-mail → the mail arrives with the PDF and the link → the customer opens the
link, takes the sessions to a calendar, accepts → the desk sees ``accepted`` with the acceptance
record and the assigned user gets an e-mail → sales records the deposit → the balance is right.
Then the same with the SMTP server down when the quote is sent, and up later: nothing is lost.
Screenshots land in test-artifacts/customer/ (and docs/screenshots/ with QUOTEAPI_WRITE_SCREENSHOTS=1).
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from icalendar import Calendar
from playwright.sync_api import expect, sync_playwright

from quoteapi.adapters import clock

from .server import BIN, ROOT, Gunicorn, free_port, server_env, site_setup
from .test_estimator import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.postgresql]

SHOTS = ARTIFACTS / "customer"
DOCS = ROOT / "docs" / "screenshots"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 30) -> list[email.message.EmailMessage]:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} messages arrived in {seconds} s"
        return self.messages


@pytest.fixture(scope="module")
def site(tmp_path_factory, pg_cluster):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (Debian package chromium; `make test` installs it as root)")
    base = tmp_path_factory.mktemp("customer")
    smtp_port = free_port()
    env = server_env(pg_cluster.create_database("quoteapi_customer_loop"), QUOTEAPI_PUBLIC_RATE_LIMIT="none",
                     QUOTEAPI_SECRET_KEY_FILE=str(base / "secret_key"),
                     QUOTEAPI_MAIL_URL=f"smtp://127.0.0.1:{smtp_port}", QUOTEAPI_MAIL_FROM="teklif@example.com",
                     QUOTEAPI_OUTBOX_POLL_SECONDS="0.5", QUOTEAPI_OUTBOX_RETRY_SECONDS="2,2,2,30")
    tokens = site_setup(env, ("sam", "sales", "--full-name", "Selin Aksoy", "--email", "selin@example.com"))
    server = Gunicorn(env, base / "gunicorn.log", workers=2)
    server.env["QUOTEAPI_PUBLIC_URL"] = server.url
    server.start()
    with (base / "sender.log").open("ab") as log:
        sender = subprocess.Popen([str(BIN / "quoteapi"), "outbox", "run"], env=server.env, cwd=ROOT,
                                  stdout=log, stderr=subprocess.STDOUT)
    yield {"url": server.url, "tokens": tokens, "smtp_port": smtp_port, "base": base}
    sender.terminate()
    sender.wait(timeout=15)
    server.stop()


def api(site, method: str, path: str, **kwargs):
    headers = {"Authorization": f"Bearer {site['tokens']['sam']}", "Accept-Language": "tr"}
    return requests.request(method, site["url"] + path, headers=headers, timeout=20, **kwargs)


def a_quote(site) -> dict:
    body = {
        "clinic": "ist-nisantasi", "areas": [{"code": "face"}], "products": ["hyaluronic-acid"],
        "specialist_level": "aesthetician", "sessions": 3,
        "customer": {"name": "Ayşe Yılmaz", "email": "ayse@example.com", "phone": "0533 987 65 43"},
        "language": "tr",
    }
    answer = api(site, "POST", "/api/v1/quotes", json=body)
    assert answer.status_code == 201, answer.text
    number = answer.json()["number"]
    assigned = api(site, "PATCH", f"/api/v1/quotes/{number}", json={"assigned_to": "sam"})
    assert assigned.status_code == 200, assigned.text
    return assigned.json()


def smtp(site, inbox: Inbox) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=site["smtp_port"])
    controller.start()
    return controller


def link_in(message: email.message.EmailMessage) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/q/[A-Za-z0-9_-]+", text).group(0)


def check_the_quote_mail(message, quote: dict, site) -> str:
    assert quote["number"] in message["Subject"]
    assert message["To"].addresses[0].addr_spec == "ayse@example.com"
    assert message["Reply-To"].addresses[0].addr_spec == "selin@example.com"
    html = message.get_body(preferencelist=("html",)).get_content()
    assert quote["number"] in html and "Selin Aksoy" in html
    pdfs = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0].get_content().startswith(b"%PDF")
    link = link_in(message)
    assert link.startswith(site["url"] + "/q/") and link in html
    return link


def accept_on_a_phone(site, link: str, quote: dict, shot: str | None = None) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 375, "height": 812}, locale="tr-TR", accept_downloads=True,
                                      is_mobile=True, has_touch=True)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(link)
        expect(page.locator("h1")).to_contain_text(quote["number"])
        # The page fits the phone: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        if shot:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
            if os.environ.get("QUOTEAPI_WRITE_SCREENSHOTS") == "1":
                page.screenshot(path=str(DOCS / f"{shot}.png"), full_page=True)
        # The sessions to a calendar: an .ics with one event per session.
        with page.expect_download() as download:
            page.locator('a[href*="sessions.ics"]').click()
        calendar = Calendar.from_ical(Path(download.value.path()).read_bytes())
        assert len([c for c in calendar.walk("VEVENT")]) == 3
        page.fill("#accept-name", "Ayşe Yılmaz")
        page.check("#accept-agree")
        page.locator('form:has(#accept-agree) button[type="submit"]').click()
        expect(page.locator("#answer-title")).to_contain_text("kabul")
        if shot:
            page.screenshot(path=str(SHOTS / f"{shot}-accepted.png"), full_page=True)
        assert problems == []
        browser.close()


def the_desk_sees_it_accepted_and_records_the_deposit(site, quote: dict) -> None:
    seen = api(site, "GET", f"/api/v1/quotes/{quote['number']}").json()
    assert seen["status"] == "accepted"
    acceptance = seen["acceptance"]
    assert acceptance["name"] == "Ayşe Yılmaz" and acceptance["revision"] == seen["revision"]
    assert re.fullmatch(r"[0-9a-f]{64}", acceptance["sha256"])
    deposit = Decimal(seen["deposit"]["amount"])
    assert seen["deposit"]["percent"] in ("20", "20.00") and deposit > 0
    paid = api(site, "POST", f"/api/v1/quotes/{quote['number']}/payments", json={
        "kind": "payment", "amount": f"{deposit:.2f}", "method": "bank_transfer",
        "received_on": clock.today().isoformat(), "reference": quote["number"],
    })
    assert paid.status_code == 201, paid.text
    after = api(site, "GET", f"/api/v1/quotes/{quote['number']}").json()
    assert after["paid_total"] == f"{deposit:.2f}"
    assert after["balance"] == f"{Decimal(after['total']) - deposit:.2f}"


def test_sent_by_e_mail_accepted_on_a_phone_and_the_deposit_recorded(site):
    inbox = Inbox()
    controller = smtp(site, inbox)
    try:
        quote = a_quote(site)
        sent = api(site, "POST", f"/api/v1/quotes/{quote['number']}/send", json={"channel": "email", "message": "Görüşmemiz üzerine."})
        assert sent.status_code == 200, sent.text
        assert sent.json()["status"] == "sent"
        message = inbox.wait_for(1)[0]
        link = check_the_quote_mail(message, quote, site)
        assert link == sent.json()["link"]
        (SHOTS).mkdir(parents=True, exist_ok=True)
        (SHOTS / "quote-mail.eml").write_bytes(message.as_bytes())
        accept_on_a_phone(site, link, quote, shot="customer-page-375-tr")
        # The assigned user is told by e-mail.
        told = [m for m in inbox.wait_for(2) if m["To"].addresses[0].addr_spec == "selin@example.com"]
        assert told and quote["number"] in told[0]["Subject"]
        the_desk_sees_it_accepted_and_records_the_deposit(site, quote)
    finally:
        controller.stop()


def test_the_smtp_server_down_when_sent_and_up_later_loses_nothing(site):
    quote = a_quote(site)
    sent = api(site, "POST", f"/api/v1/quotes/{quote['number']}/send", json={"channel": "email"})
    assert sent.status_code == 200, sent.text  # the request never waits for the mail server
    time.sleep(2)  # the sender tries, the server is down: kept for a retry
    inbox = Inbox()
    controller = smtp(site, inbox)
    try:
        messages = inbox.wait_for(1, seconds=30)  # retried 2 s after each failed try
        link = check_the_quote_mail(messages[0], quote, site)
        accept_on_a_phone(site, link, quote)
        the_desk_sees_it_accepted_and_records_the_deposit(site, quote)
    finally:
        controller.stop()
