"""The customer's page on a phone (375 px) in Chromium against gunicorn: read, add to a calendar, accept.

Measured as the estimator is (tests/e2e/test_estimator_quality.py): Lighthouse 95+
in performance, accessibility, best practices and SEO, in Turkish and English,
and no axe-core violation at any moment. One SEO audit is left out: "is-crawlable"
fails on purpose, since api.md requires `X-Robots-Tag: noindex` on every answer of
the link (a customer's quote must never be indexed); the test checks the header.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from icalendar import Calendar
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select, update

from quoteapi.adapters import clock
from quoteapi.adapters.db import Database, link_store
from quoteapi.adapters.db import models as rows

from ..bodies import FACE_QUOTE
from ..days import iso
from .server import Gunicorn, cli, server_env, site_setup
from .test_estimator import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from .test_estimator_quality import AXE, CATEGORIES, LIGHTHOUSE, NODE, axe_violations

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (Debian package chromium; `make test` installs it as root)")
    base = tmp_path_factory.mktemp("customer-page")
    url = f"sqlite:///{base / 'quoteapi.sqlite3'}"
    # Lighthouse and axe load the page many times from one address: no limit here (test_customer_page.py tests it).
    env = server_env(url, QUOTEAPI_LINK_RATE_LIMIT="none", QUOTEAPI_LINK_MISS_RATE_LIMIT="none")
    token = site_setup(env, ("desk", "sales"))["desk"]
    server = Gunicorn(env, base / "gunicorn.log", workers=2).start()
    database = Database(url)
    yield {"url": server.url, "sales": {"Authorization": f"Bearer {token}"}, "database": database}
    database.dispose()
    server.stop()


def new_link(site, language: str = "tr") -> tuple[str, str]:
    body = {**FACE_QUOTE, "start_date": iso(5), "notes": "Private desk note", "language": language,
            "customer": {"name": "Elif Şahin", "email": "elif@example.com"}}
    r = requests.post(site["url"] + "/api/v1/quotes", json=body, headers=site["sales"], timeout=10)
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    r = requests.patch(f"{site['url']}/api/v1/quotes/{number}", json={"status": "sent"}, headers=site["sales"], timeout=10)
    assert r.status_code == 200, r.text
    with site["database"].transaction() as session:
        row = session.scalars(select(rows.Quote).where(rows.Quote.number == number)).one()
        token = link_store.new_link(session, row, "email", "desk", clock.now())
    return number, f"{site['url']}/q/{token}"


@pytest.fixture(scope="module")
def browser(site):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def phone(browser, lang: str, *, bypass_csp: bool = False):
    # bypass_csp: axe-core is injected as an inline script, which the page's policy refuses (as it should).
    context = browser.new_context(bypass_csp=bypass_csp, viewport=PHONE, locale="tr-TR" if lang == "tr" else "en-GB", accept_downloads=True,
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda m: page.problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    return page


def test_a_customer_reads_adds_the_sessions_to_a_calendar_and_accepts_on_a_phone(site, browser):
    number, link = new_link(site)
    page = phone(browser, "tr")
    response = page.goto(link)
    assert response.status == 200
    assert response.headers["x-robots-tag"] == "noindex" and response.headers["cache-control"] == "no-store"
    expect(page.locator("h1")).to_contain_text(number)
    assert "Private desk note" not in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "customer-page-375-tr.png"), full_page=True)
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # the sessions as a calendar file the phone opens
    with page.expect_download() as download:
        page.click("text=Seansları takvimime ekle")
    calendar = Calendar.from_ical(Path(download.value.path()).read_bytes())
    quote = requests.get(f"{site['url']}/api/v1/quotes/{number}", headers=site["sales"], timeout=10).json()
    assert [e.decoded("dtstart").isoformat() for e in calendar.walk("VEVENT")] == quote["schedule"]
    # accept: a missing tick first, then as it should be
    page.fill("#accept-name", "Elif Şahin")
    page.click("button:has-text('Teklifi kabul et')")
    expect(page.locator("#error-agree")).to_be_visible()
    page.check("#accept-agree")
    page.click("button:has-text('Teklifi kabul et')")
    expect(page.locator("#answer-title")).to_have_text("Teklifi kabul ettiniz")
    quote = requests.get(f"{site['url']}/api/v1/quotes/{number}", headers=site["sales"], timeout=10).json()
    assert quote["status"] == "accepted"
    # the language switch
    page.click("a.language[lang=en]")
    expect(page.locator("#answer-title")).to_have_text("You accepted this quote")
    assert page.problems == []
    page.context.close()


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_no_accessibility_violation_on_a_phone(site, browser, lang):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: `make test` installs it (npm ci --prefix tools)")
    _number, link = new_link(site, lang)
    page = phone(browser, lang, bypass_csp=True)
    page.goto(link)
    assert axe_violations(page) == [], "first view"
    page.click("#ask summary")
    page.click("#decline summary")
    assert axe_violations(page) == [], "every section open"
    page.click("button:has-text('%s')" % ("Teklifi kabul et" if lang == "tr" else "Accept the quote"))
    expect(page.locator("#error-name")).to_be_visible()
    assert axe_violations(page) == [], "errors shown"
    page.fill("#accept-name", "Elif Şahin")
    page.check("#accept-agree")
    page.click("button.wide")
    expect(page.locator(".done")).to_be_visible()
    assert axe_violations(page) == [], "accepted"
    page.goto(f"{site['url']}/q/not-a-real-token?lang={lang}")
    assert axe_violations(page) == [], "404 page"
    number, link = new_link(site, lang)
    with site["database"].transaction() as session:
        session.execute(update(rows.Quote).where(rows.Quote.number == number)
                        .values(valid_until=clock.today() - timedelta(days=3)))
    page.goto(link)
    expect(page.locator("#renew-consent")).to_be_visible()
    assert axe_violations(page) == [], "expired, asking for a new quote"
    page.check("#renew-consent")
    page.click("button.wide")
    expect(page.locator(".done")).to_be_visible()
    assert axe_violations(page) == [], "a new quote asked"
    assert page.problems == []
    page.context.close()


@pytest.mark.lighthouse
@pytest.mark.parametrize("lang", ["tr", "en"])
def test_lighthouse_scores_95_or_more(site, lang, tmp_path):
    if not (NODE and LIGHTHOUSE.exists()):
        pytest.skip("Lighthouse is not installed: `make test` installs it (npm ci --prefix tools)")
    _number, link = new_link(site, lang)
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / f"lighthouse-customer-{lang}"

    def audit() -> dict:
        flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
        done = subprocess.run(
            [NODE, str(LIGHTHOUSE), f"{link}?lang={lang}", "--quiet", f"--chrome-flags={flags}",
             "--form-factor=mobile", f"--only-categories={','.join(CATEGORIES)}", "--skip-audits=is-crawlable",
             "--output=json", "--output=html", f"--output-path={report}"],
            env={**os.environ, "HOME": str(tmp_path), "TMPDIR": str(tmp_path), "CHROME_PATH": CHROMIUM},
            capture_output=True, text=True, timeout=240, check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(report.with_suffix(".report.json").read_text())

    result = audit()
    for _again in range(2):  # performance on a shared 2-core machine: measured again after a busy moment
        if result["categories"]["performance"]["score"] >= 0.95:
            break
        result = audit()
    scores = {name: result["categories"][name]["score"] for name in CATEGORIES}
    failing = [
        f"{category}: {ref['id']} {result['audits'][ref['id']]['score']}"
        for category in CATEGORIES for ref in result["categories"][category]["auditRefs"]
        if ref["weight"] and result["audits"][ref["id"]]["score"] is not None and result["audits"][ref["id"]]["score"] < 1
    ]
    print(f"Lighthouse, customer's page ({lang}):", scores)
    assert all(score is not None and score >= 0.95 for score in scores.values()), (scores, failing)


def test_guessing_links_is_slowed_across_gunicorn_workers(tmp_path):
    """The link limit as shipped: the memory-mapped counters every worker shares, one budget per address."""
    env = server_env(f"sqlite:///{tmp_path / 'quoteapi.sqlite3'}", QUOTEAPI_LINK_MISS_RATE_LIMIT="20/hour")
    cli(env, "db", "upgrade")
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=3).start()
    try:
        with requests.Session() as session:
            statuses = [session.get(f"{server.url}/q/guess-{i:04d}-{'x' * 30}", timeout=10).status_code for i in range(60)]
    finally:
        server.stop()
    assert statuses[:20] == [404] * 20
    assert set(statuses[20:]) == {429}
