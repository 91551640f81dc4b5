"""The estimator as good as the best clinic websites: measured, not assumed.

- Lighthouse (the npm package in tools/, `make test` installs it) on Debian's
  Chromium, mobile, in Turkish and in English: 95 or more in performance,
  accessibility, best practices and SEO. Its reports land in test-artifacts/.
- axe-core injected into the page: no violation at 375 and 1280 px, in both
  languages, at first view, with every section open, with errors shown and
  after a quote is sent.
- No layout shift while prices load; the total bar never covers the estimate
  or the send button; a failed send puts focus on the first error, in the
  page's language; after sending, the visitor reads what happens next.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from .server import ROOT, Gunicorn, server_env, site_setup
from .test_estimator import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, open_step

TOOLS = ROOT / "tools" / "node_modules"
LIGHTHOUSE = TOOLS / "lighthouse" / "cli" / "index.js"
AXE = TOOLS / "axe-core" / "axe.min.js"
NODE = shutil.which("node")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
WIDTHS = {375: 812, 1280: 900}

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The real server, as `make run` starts it; no rate limit (Lighthouse and axe load the page many times)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (Debian package chromium; `make test` installs it as root)")
    base = tmp_path_factory.mktemp("estimator-quality")
    env = server_env(f"sqlite:///{base / 'quoteapi.sqlite3'}", QUOTEAPI_PUBLIC_RATE_LIMIT="none")
    site_setup(env)
    server = Gunicorn(env, base / "gunicorn.log", workers=2).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def browser(site):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, site: str, lang: str, width: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": WIDTHS[width]}, locale="tr-TR" if lang == "tr" else "en-GB")
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    # Chromium logs every 4xx answer as a console error: those the tests ask for are not problems.
    page.on("console", lambda message: page.problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    # Every layout shift the page makes by itself (not in answer to the visitor), from the first paint on.
    page.add_init_script(
        "window.__shifts = [];"
        "new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push(e.value); })"
        ".observe({ type: 'layout-shift', buffered: true });"
    )
    page.goto(f"{site}/estimator?lang={lang}")
    page.wait_for_selector("#total[data-amount]")
    return page


# --- Lighthouse ---------------------------------------------------------------------------------


@pytest.mark.lighthouse
@pytest.mark.parametrize("lang", ["tr", "en"])
def test_lighthouse_scores_95_or_more(site, lang, tmp_path):
    if not (NODE and LIGHTHOUSE.exists()):
        pytest.skip("Lighthouse is not installed: `make test` installs it (npm ci --prefix tools)")
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / f"lighthouse-{lang}"

    def audit() -> dict:
        flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
        done = subprocess.run(
            [NODE, str(LIGHTHOUSE), f"{site}/estimator?lang={lang}", "--quiet", f"--chrome-flags={flags}",
             "--form-factor=mobile", f"--only-categories={','.join(CATEGORIES)}",
             "--output=json", "--output=html", f"--output-path={report}"],
            env={**os.environ, "HOME": str(tmp_path), "TMPDIR": str(tmp_path), "CHROME_PATH": CHROMIUM},
            capture_output=True, text=True, timeout=240, check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(report.with_suffix(".report.json").read_text())

    result = audit()
    # Performance is timed on a shared 2-core machine: a low score from a busy moment is measured
    # again, up to three times in all (the threshold stays); the other three categories do not
    # depend on timing.
    for _again in range(2):
        if result["categories"]["performance"]["score"] >= 0.95:
            break
        result = audit()
    scores = {name: result["categories"][name]["score"] for name in CATEGORIES}
    metrics = {key: result["audits"][key]["displayValue"] for key in (
        "first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index")}
    print(f"Lighthouse ({lang}):", scores, metrics)
    failing = [
        f"{category}: {ref['id']} {result['audits'][ref['id']]['score']} {result['audits'][ref['id']].get('displayValue', '')}"
        for category in CATEGORIES for ref in result["categories"][category]["auditRefs"]
        if ref["weight"] and result["audits"][ref["id"]]["score"] is not None and result["audits"][ref["id"]]["score"] < 1
    ]
    assert all(score is not None and score >= 0.95 for score in scores.values()), (scores, metrics, failing)


# --- axe-core -----------------------------------------------------------------------------------


def axe_violations(page: Page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    found = page.evaluate(
        "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations"
        ".map(v => `${v.id} (${v.impact}): ${v.help} | ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"
    )
    return found


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("lang", ["tr", "en"])
def test_no_accessibility_violation_at_any_moment(browser, site, lang, width):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: `make test` installs it (npm ci --prefix tools)")
    page = open_page(browser, site, lang, width)
    assert axe_violations(page) == [], "first view"

    for step in ("concerns", "areas", "products", "level", "sessions", "coupon", "health"):
        open_step(page, step)
    # Issue 28: a concern ticked shows its severities in plain words; the suggestion is shown beside the price.
    page.check("#concern-blemishes")
    page.check("#severity-blemishes-pronounced")
    expect(page.locator("#suggestion")).to_be_visible()
    expect(page.locator("#sessions-suggestion")).to_be_visible()
    page.check("#area-scalp")
    page.fill("#size-scalp", "700")
    page.fill("#sessions", "2")
    expect(page.locator("#hint-list button").first).to_be_visible()
    page.click("#explain summary")
    page.click("#plan-details summary")
    page.check("input[name=pregnant]")
    expect(page.locator("#eligibility")).to_be_visible()
    assert axe_violations(page) == [], "every section open"

    page.fill("#sessions", "9")  # outside the suggested course: said, not refused
    expect(page.locator("#sessions-suggestion")).to_have_class("suggested outside")
    assert axe_violations(page) == [], "sessions outside the suggestion"
    page.fill("#sessions", "30")
    expect(page.locator("#error-sessions")).not_to_be_empty()
    page.click("#send")
    expect(page.locator("#error-customer\\.name")).not_to_be_empty()
    assert axe_violations(page) == [], "errors shown"

    page.fill("#sessions", "4")
    page.uncheck("input[name=pregnant]")
    expect(page.locator("#error-sessions")).to_be_empty()
    page.fill("#customer-name", "Elif Şahin")
    page.fill("#customer-email", "elif@example.com")
    page.check("#consent")
    page.click("#send")
    expect(page.locator("#sent")).to_be_visible()
    assert axe_violations(page) == [], "quote sent"
    assert page.problems == []
    page.context.close()


# --- No layout shift -----------------------------------------------------------------------------


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("lang", ["tr", "en"])
def test_nothing_moves_when_the_prices_arrive(browser, site, lang, width):
    page = open_page(browser, site, lang, width)
    page.wait_for_timeout(500)
    shifts = page.evaluate("window.__shifts")
    assert sum(shifts) < 0.01, shifts
    page.context.close()


# --- A phone: steps with summary lines, a total bar that never covers what matters ----------------


def test_a_phone_shows_the_course_as_steps_with_one_line_each(browser, site):
    page = open_page(browser, site, "tr", 375)
    assert page.locator("details.step[open]").count() == 0
    assert page.locator("#estimate-form").bounding_box()["height"] < 700  # the whole course on one screen
    expect(page.locator("#choice-areas")).to_have_text("Tüm yüz")
    expect(page.locator("#choice-products")).to_have_text("Yok")
    expect(page.locator("#choice-sessions")).to_have_text("3 seans · bugünden itibaren")
    expect(page.locator("#choice-health")).to_have_text("Yanıtlanmadı")

    open_step(page, "areas")
    page.check("#area-neck")
    expect(page.locator("#choice-areas")).to_have_text("Tüm yüz + Boyun")
    page.click("#step-areas .next")  # Devam: the next step opens, this one closes
    expect(page.locator("#step-products .step-body")).to_be_visible()
    assert not page.locator("#step-areas").evaluate("details => details.open")
    page.check("#product-hyaluronic-acid")
    expect(page.locator("#choice-products")).to_have_text("Hyaluronik asit serumu")

    open_step(page, "sessions")
    page.click("#step-sessions .step-up")
    expect(page.locator("#choice-sessions")).to_have_text("4 seans · bugünden itibaren")
    expect(page.locator("#per-session-label")).to_have_text("Seans başına (4 seans)")
    page.click("#step-sessions .step-down")
    page.click("#step-sessions .step-down")
    expect(page.locator("#choice-sessions")).to_have_text("2 seans · bugünden itibaren")
    expect(page.locator("#per-session-label")).to_have_text("Seans başına (2 seans)")

    # Every touch target is at least 44 px high (a checkbox counts with its whole row).
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, select, summary, a, input, .option')]
            .filter(e => e.offsetParent && !e.matches('.option input'))
            .map(e => [e.id || e.className || e.tagName, e.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    assert small == []
    assert page.problems == []
    page.context.close()


def overlaps(a: dict | None, b: dict | None) -> bool:
    return bool(a and b) and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


@pytest.mark.parametrize("width", [320, 375])
def test_the_total_bar_keeps_the_price_in_sight_and_never_covers_the_send_button(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 700}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{site}/estimator?lang=en")
    page.wait_for_selector("#total[data-amount]")
    bar = page.locator("#total-bar")
    open_step(page, "areas")
    page.evaluate("window.scrollTo(0, 0)")
    expect(bar).to_be_visible()
    expect(page.locator("#bar-total")).to_have_text(page.text_content("#total"))
    assert bar.bounding_box()["height"] <= 72, "the bar's texts stay on one line each"
    for line in page.locator("#total-bar .bar-cell > *").all():
        assert line.bounding_box()["height"] < 30, line.text_content()

    page.locator("#total").scroll_into_view_if_needed()
    expect(bar).to_be_hidden()  # the estimate is in view: no second total over it
    page.locator("#send").scroll_into_view_if_needed()
    expect(bar).to_be_hidden()
    assert not overlaps(bar.bounding_box(), page.locator("#send").bounding_box())
    page.evaluate("window.scrollTo(0, 0)")
    expect(bar).to_be_visible()
    bar.click()  # a link to the estimate
    expect(bar).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


# --- Sending: errors where they belong, in the page's language, and what happens next -------------


def test_a_failed_send_puts_focus_on_the_first_error_in_turkish(browser, site):
    page = open_page(browser, site, "tr", 375)
    page.click("#send")
    expect(page.locator("#customer-name")).to_be_focused()
    expect(page.locator("#error-customer\\.name")).to_have_text("Lütfen adınızı ve soyadınızı yazın.")
    expect(page.locator("#error-customer\\.email")).to_have_text("Lütfen e-posta adresinizi yazın.")
    expect(page.locator("#error-consent")).to_contain_text("Lütfen bu kutuyu işaretleyin")
    expect(page.locator("#customer-name")).to_have_attribute("aria-invalid", "true")

    page.fill("#customer-name", "Ayşe Yılmaz")
    page.fill("#customer-email", "ayse@")
    page.check("#consent")
    page.click("#send")
    expect(page.locator("#customer-email")).to_be_focused()
    expect(page.locator("#error-customer\\.email")).to_contain_text("ad@ornek.com")
    expect(page.locator("#error-customer\\.name")).to_be_empty()

    # An estimate the API refuses: its step opens, its field gets focus, the API's words in Turkish.
    page.fill("#customer-email", "ayse@example.com")
    open_step(page, "sessions")
    page.fill("#sessions", "30")
    expect(page.locator("#error-sessions")).to_have_text("1 ile 24 arasında olmalıdır.")
    page.click("#step-sessions > summary")  # closed again: the summary line says something is wrong
    expect(page.locator("#step-sessions .step-alert")).to_have_text("Lütfen bu adımı kontrol edin.")
    page.click("#send")
    expect(page.locator("#sessions")).to_be_focused()
    expect(page.locator("#send-error")).to_have_text("Lütfen önce kırmızıyla işaretli adımları düzeltin.")

    # The server out of reach, or busy: plain words, focus on them.
    page.fill("#sessions", "3")
    expect(page.locator("#error-sessions")).to_be_empty()
    page.route("**/api/v1/quote-requests", lambda route: route.abort())
    page.click("#send")
    expect(page.locator("#send-error")).to_have_text("Kliniğe ulaşamadık. Lütfen internet bağlantınızı kontrol edip tekrar deneyin.")
    expect(page.locator("#send-error")).to_be_focused()
    page.unroute("**/api/v1/quote-requests")
    page.route("**/api/v1/quote-requests", lambda route: route.fulfill(
        status=503, content_type="application/problem+json", body=json.dumps({"status": 503, "detail": "database busy", "errors": {}})))
    page.click("#send")
    expect(page.locator("#send-error")).to_have_text("Fiyat servisimiz şu anda yoğun. Lütfen bir dakika sonra tekrar deneyin.")
    page.unroute("**/api/v1/quote-requests")
    page.click("#send")
    expect(page.locator("#sent")).to_be_visible()
    expect(page.locator("#send-error")).to_be_empty()
    page.context.close()


def test_after_sending_the_visitor_reads_what_happens_next(browser, site):
    page = open_page(browser, site, "tr", 375)
    page.select_option("#clinic", "ank-cankaya")
    expect(page.locator("#summary-clinic")).to_have_text("Klinik: Ankara Çankaya")
    page.fill("#customer-name", "Can Demir")
    page.fill("#customer-email", "can@example.com")
    page.fill("#customer-phone", "+90 532 000 00 00")
    page.check("#consent")
    page.click("#send")
    expect(page.locator("#sent")).to_be_visible()
    expect(page.locator("#sent-title")).to_be_focused()
    expect(page.locator("#quote-form")).to_be_hidden()
    number = page.get_attribute("#sent", "data-number")
    assert number and number.startswith("Q-")
    expect(page.locator("#sent-number")).to_have_text(number)
    assert page.locator("#sent-number").evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    expect(page.locator("#sent-call")).to_have_text(
        "Ankara Çankaya kliniğimiz, sorularınızı yanıtlamak ve ilk seansınızı planlamak için bir iş günü içinde "
        "sizi arayacak veya size e-posta gönderecek."
    )
    expect(page.locator("#sent .clinic-card")).to_contain_text("Ankara Çankaya")
    # Address and phone: from the price list (document version 3).
    expect(page.locator("#sent-clinic-address")).to_have_text("Tunalı Hilmi Cad. No: 30, Çankaya/Ankara")
    expect(page.locator("#sent-clinic-phone")).to_be_visible()
    expect(page.locator("#total-bar")).to_be_hidden()
    page.click("#send-another")
    expect(page.locator("#quote-form")).to_be_visible()
    assert page.problems == []
    page.context.close()


def test_the_clinics_address_and_phone_show_once_the_api_gives_them(browser, site):
    """The page shows the address and phone /api/v1/clinics gives (here replaced by the test's own)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()

    def with_contact(route):
        clinics = route.fetch().json()
        for clinic in clinics:
            clinic.update(address="Teşvikiye Cd. 1, Şişli", phone="+90 212 000 00 00")
        route.fulfill(json=clinics)

    page.route("**/api/v1/clinics", with_contact)
    page.goto(f"{site}/estimator?lang=en")
    page.wait_for_selector("#total[data-amount]")
    page.fill("#customer-name", "Can Demir")
    page.fill("#customer-email", "can@example.com")
    page.check("#consent")
    page.click("#send")
    expect(page.locator("#sent-clinic-address")).to_have_text("Teşvikiye Cd. 1, Şişli")
    expect(page.locator("#sent-clinic-phone a")).to_have_attribute("href", "tel:+902120000000")
    expect(page.locator("#sent-call")).to_contain_text("will e-mail you within one working day")
    context.close()
