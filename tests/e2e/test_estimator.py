"""The website's estimator in a real browser: Debian's Chromium driven by Playwright.

The real server (gunicorn, `make run`'s settings) serves the page; screenshots
at 375 px and 1280 px land in test-artifacts/.
"""

from __future__ import annotations

import shutil
import threading
from datetime import date, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect, sync_playwright

from quoteapi.adapters import clock

from .server import ROOT, Gunicorn, free_port, server_env, site_setup

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
# As root (CI) Chromium needs --no-sandbox; the rest keeps it off this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The API server, plus a second origin that embeds the page (the clinic's own site)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (Debian package chromium; `make test` installs it as root)")
    base = tmp_path_factory.mktemp("estimator")
    embed_port = free_port()
    embed_origin = f"http://127.0.0.1:{embed_port}"
    env = server_env(f"sqlite:///{base / 'quoteapi.sqlite3'}", QUOTEAPI_CORS_ORIGINS=embed_origin)
    token = site_setup(env, ("desk", "sales"))["desk"]
    server = Gunicorn(env, base / "gunicorn.log", workers=2).start()

    # The clinic's site: the same page, its script and stylesheet loaded from the API server.
    page = (ROOT / "quoteapi" / "web" / "static" / "estimator" / "index.html").read_text()
    page = page.replace('href="/estimator/', f'href="{server.url}/estimator/').replace('src="/estimator/', f'src="{server.url}/estimator/')
    docroot = base / "clinic-site"
    docroot.mkdir()
    (docroot / "index.html").write_text(page)
    httpd = ThreadingHTTPServer(("127.0.0.1", embed_port), partial(QuietHandler, directory=str(docroot)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield {"api": server.url, "embed": embed_origin, "sales": {"Authorization": f"Bearer {token}"}}
    httpd.shutdown()
    httpd.server_close()
    server.stop()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def browser(site):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda message: page.problems.append(message.text) if message.type == "error" else None)
    page.goto(site["api"] + "/estimator?lang=en")  # these tests read the English page; Turkish has its own
    page.wait_for_selector("#total[data-amount]")
    yield page
    context.close()


# What the page shows before the visitor touches anything: the first clinic,
# the first area, the first level, 3 sessions from today.
DEFAULT_CHOICE = {"clinic": "ist-nisantasi", "areas": [{"code": "face"}], "specialist_level": "aesthetician", "sessions": 3}


# A start date a few days ahead: the API takes today up to a year ahead.
START = (clock.today() + timedelta(days=4)).isoformat()


def wait_for_total(page: Page, amount: str) -> None:
    expect(page.locator("#total")).to_have_attribute("data-amount", amount)


def open_step(page: Page, step: str) -> None:
    """Open one of the choice steps (areas, products, level, sessions, coupon, health) as a visitor does.

    Wide screens show them open; a phone shows their summary lines until tapped.
    """
    if not page.locator(f"#step-{step}").evaluate("details => details.open"):
        page.click(f"#step-{step} > summary")
    expect(page.locator(f"#step-{step} .step-body")).to_be_visible()


def choose_course(page: Page) -> dict:
    """Pick options as a visitor would; the same choice as an API body."""
    page.select_option("#clinic", "ank-cankaya")
    expect(page.locator("#area-acne-scars-back")).to_be_visible()
    page.check("#area-face")
    page.fill("#size-acne-scars-back", "1800")  # checks the area too
    page.check("#product-hyaluronic-acid")
    page.check("#level-nurse")
    page.fill("#sessions", "4")
    page.fill("#start_date", START)
    page.fill("#coupon", "friend10")
    page.fill("#age", "34")
    return {
        "clinic": "ank-cankaya",
        "areas": [{"code": "face"}, {"code": "acne-scars-back", "size_cm2": 1800}],
        "products": ["hyaluronic-acid"],
        "specialist_level": "nurse",
        "sessions": 4,
        "start_date": START,
        "coupon": "friend10",
        "client": {"age": 34, "pregnant": False, "active_skin_infection": False, "open_wounds": False, "serious_skin_condition": False},
    }


def test_the_first_view_is_priced(page, site):
    expected = requests.post(site["api"] + "/api/v1/estimates", json=DEFAULT_CHOICE, timeout=10).json()
    wait_for_total(page, expected["total"])


def test_the_page_shows_the_total_the_api_gives(page, site):
    body = choose_course(page)
    expected = requests.post(site["api"] + "/api/v1/estimates", json=body, timeout=10).json()
    wait_for_total(page, expected["total"])
    assert page.locator("#lines tbody tr").count() == len(expected["lines"])
    assert page.get_attribute("#tax_total", "data-amount") == expected["tax_total"]
    assert page.get_attribute("#per_session", "data-amount") == expected["per_session"]
    # One money format per language: English writes ₺51,885.36.
    assert page.text_content("#total") == f"₺{float(expected['total']):,.2f}"
    assert page.locator("#schedule li").count() == 4
    assert page.locator("#advice li").count() == len(expected["advice"])
    assert page.locator("#eligibility").is_hidden()
    assert page.problems == []


def test_an_eligibility_warning_in_plain_words(page):
    page.check("input[name=pregnant]")
    expect(page.locator("#eligibility")).to_be_visible()
    expect(page.locator("#eligibility")).to_contain_text("postponed until after pregnancy")
    page.fill("#age", "16")
    expect(page.locator("#eligibility")).to_contain_text("adults (18 or older)")


def test_the_page_explains_the_price_and_suggests_longer_courses(page):
    page.fill("#sessions", "2")
    page.fill("#coupon", "NOPE")
    expect(page.locator("#coupon-outcome")).to_contain_text("Coupon not valid (NOPE)")
    hint = page.locator("#hint-list button").first
    expect(hint).to_contain_text("3 sessions: ")
    hint.click()
    expect(page.locator("#sessions")).to_have_value("3")
    expect(page.locator("#hint-list button").first).to_contain_text("6 sessions: ")
    page.click("#explain summary")
    expect(page.locator("#basis tbody tr").first).to_contain_text("4000.00 × 1.20")
    expect(page.locator("#offers li").first).to_be_visible()
    assert page.get_attribute("#start_date", "min") == clock.today().isoformat()
    assert page.get_attribute("#start_date", "max") == (clock.today() + timedelta(days=365)).isoformat()
    assert page.problems == []


def test_api_errors_appear_next_to_their_field(page):
    page.fill("#sessions", "30")
    expect(page.locator("#error-sessions")).to_contain_text("between 1 and 24")
    expect(page.locator("#sessions")).to_have_attribute("aria-invalid", "true")
    page.fill("#sessions", "2")
    expect(page.locator("#error-sessions")).to_be_empty()
    page.check("#area-scalp")
    page.fill("#size-scalp", "0")
    expect(page.locator('[data-error-for="area:scalp"]')).to_contain_text("greater than 0")


def test_send_me_this_quote_lands_in_the_staff_list(page, site):
    body = choose_course(page)
    expected = requests.post(site["api"] + "/api/v1/estimates", json=body, timeout=10).json()
    wait_for_total(page, expected["total"])
    page.fill("#customer-name", "Zeynep Kaya")
    page.fill("#customer-email", "not-an-email")
    page.click("#send")
    expect(page.locator("#error-customer\\.email")).not_to_be_empty()
    expect(page.locator("#error-consent")).not_to_be_empty()
    page.fill("#customer-email", "zeynep@example.com")
    page.check("#consent")
    page.click("#send")
    expect(page.locator("#sent")).to_be_visible()
    number = page.get_attribute("#sent", "data-number")
    assert number and number in page.text_content("#sent")
    listed = requests.get(site["api"] + "/api/v1/quotes?q=zeynep", headers=site["sales"], timeout=10).json()["items"]
    assert [(q["number"], q["source"], q["status"], q["total"]) for q in listed] == [(number, "website", "new", expected["total"])]


def test_every_control_has_a_label_and_works_by_keyboard(page):
    unlabelled = page.evaluate(
        "() => [...document.querySelectorAll('input, select, button')]"
        ".filter(e => e.tagName !== 'BUTTON' && e.labels.length === 0).map(e => e.id || e.name)"
    )
    assert unlabelled == []
    page.focus("#area-neck")
    page.keyboard.press("Space")
    expect(page.locator("#lines tbody tr", has_text="Neck")).to_have_count(1)
    page.focus("#level-aesthetician")
    page.keyboard.press("ArrowDown")
    assert page.is_checked("#level-nurse")


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_screenshots_and_no_sideways_scrolling_on_a_phone(browser, site, lang):
    """test-artifacts/estimator-{375,1280}[-tr].png: what docs/ shows (copied there by hand)."""
    ARTIFACTS.mkdir(exist_ok=True)
    neck, serum = ("Neck", "Hyaluronic acid serum") if lang == "en" else ("Boyun", "Hyaluronik asit serumu")
    for width, height in ((375, 812), (1280, 900)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US" if lang == "en" else "tr-TR")
        page = context.new_page()
        page.goto(site["api"] + f"/estimator?lang={lang}")
        page.wait_for_selector("#total[data-amount]")
        open_step(page, "areas")
        page.check("#area-neck")
        open_step(page, "products")
        page.check("#product-hyaluronic-acid")
        expect(page.locator("#lines tbody tr", has_text=serum)).to_have_count(1)
        expect(page.locator("#lines tbody tr", has_text=neck)).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width == 375:
            # A phone shows the course as summary lines, and the total at the bottom of the screen.
            for step in ("areas", "products"):
                page.click(f"#step-{step} > summary")
            expect(page.locator("#choice-areas")).to_have_text(f"{'Full face' if lang == 'en' else 'Tüm yüz'} + {neck}")
            page.evaluate("window.scrollTo(0, 0)")
            expect(page.locator("#total-bar")).to_be_visible()
        else:
            page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)  # the bar's slide
        name = f"estimator-{width}{'' if lang == 'en' else '-tr'}.png"
        page.screenshot(path=str(ARTIFACTS / name))
        context.close()
        assert (ARTIFACTS / name).stat().st_size > 10_000


def test_the_page_in_turkish_on_a_phone(browser, site):
    """Turkish by default: texts from the catalogue, Turkish money and dates, a switch to English."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="tr-TR")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(site["api"] + "/estimator")
    page.wait_for_selector("#total[data-amount]")
    assert page.evaluate("document.documentElement.lang") == "tr"
    expect(page.locator("h1")).to_have_text("Dermaterapi kürüm ne kadar tutar?")
    expect(page.locator("#summary-title")).to_have_text("Fiyat hesaplamanız")
    expect(page.locator("label[for=area-face]")).to_contain_text("Tüm yüz")
    total = page.get_attribute("#total", "data-amount")
    whole, cents = f"{float(total):,.2f}".split(".")
    assert page.text_content("#total") == f"{whole.replace(',', '.')},{cents}\u00a0₺"
    open_step(page, "sessions")
    page.fill("#sessions", "2")
    expect(page.locator("#hint-list button").first).to_contain_text("3 seans: seans başına")
    page.fill("#start_date", START)
    first = date.fromisoformat(START)
    expect(page.locator("#choice-sessions")).to_have_text(f"2 seans · ilk seans {first.strftime('%d.%m.%Y')}")
    page.click("#plan-details summary")
    expect(page.locator("#schedule li").first).to_have_text(first.strftime("%d.%m.%Y"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click("button.language[data-lang=en]")
    expect(page.locator("h1")).to_have_text("What will my dermatherapy cost?")
    expect(page.locator("label[for=area-face]")).to_contain_text("Full face")
    assert page.get_attribute("button.language[data-lang=en]", "aria-pressed") == "true"
    assert problems == []
    context.close()


def test_embedded_on_the_clinics_own_site(browser, site):
    """Served from another origin, the page calls the API across origins (CORS)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site["embed"] + "/index.html")
    expected = requests.post(site["api"] + "/api/v1/estimates", json=DEFAULT_CHOICE, timeout=10).json()
    wait_for_total(page, expected["total"])
    assert page.evaluate("location.origin") == site["embed"]
    context.close()


def test_the_api_docs_page_renders_with_no_outside_request(browser, site):
    context = browser.new_context()
    page = context.new_page()
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(site["api"] + "/api/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 40
    assert all(url.startswith(site["api"]) for url in requested), [u for u in requested if not u.startswith(site["api"])]
    context.close()


# --- Skin concerns first (issue 28) ------------------------------------------------------------

CONCERN_TEXTS = {
    "en": {"question": "What would you like to improve?", "analysis": "after a skin analysis", "unsure": "Not sure",
           "outside": "9 sessions is outside the 4 to 6 suggested for your skin", "one_area": "Choose at least one area.",
           "within": "Suggested for your skin: 4 to 6 sessions (6 recommended)."},
    "tr": {"question": "Neyi iyileştirmek istersiniz?", "analysis": "cilt analizinden sonra", "unsure": "Emin değilim",
           "outside": "9 seans, cildiniz için önerilen 4-6 seans aralığının dışında", "one_area": "En az bir bölge seçin.",
           "within": "Cildiniz için önerilen: 4-6 seans (önerilen 6 seans)."},
}


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_skin_concern_suggests_the_course_and_the_visitor_may_change_it(browser, site, lang, width):
    """The estimator asks first what to improve; it preselects the sessions and products, and never blocks."""
    ARTIFACTS.mkdir(exist_ok=True)
    words = CONCERN_TEXTS[lang]
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US" if lang == "en" else "tr-TR")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(site["api"] + f"/estimator?lang={lang}")
    page.wait_for_selector("#total[data-amount]")
    expect(page.locator("#step-concerns .step-title")).to_have_text(words["question"])
    expect(page.locator("#step-concerns .step-number")).to_have_text("1")
    expect(page.locator("#choice-concerns")).to_have_text(words["unsure"])
    open_step(page, "concerns")
    expect(page.locator("#step-concerns .specialist-note")).to_contain_text(words["analysis"])
    assert page.is_checked("#concern-unsure")

    # Acne scars, pronounced (4-6 sessions, 6 recommended; no product); enlarged pores, mild (hyaluronic acid).
    page.check("#concern-acne-scars")
    expect(page.locator("#severity-acne-scars")).to_be_visible()
    assert not page.is_checked("#concern-unsure")
    page.check("#severity-acne-scars-pronounced")
    page.check("#concern-pores")
    page.check("#severity-pores-mild")
    expect(page.locator("#sessions")).to_have_value("6")
    assert page.is_checked("#product-hyaluronic-acid")
    body = {**DEFAULT_CHOICE, "sessions": 6, "products": ["hyaluronic-acid"],
            "concerns": [{"code": "acne-scars", "severity": "pronounced"}, {"code": "pores", "severity": "mild"}]}
    expected = requests.post(site["api"] + f"/api/v1/estimates?lang={lang}", json=body, timeout=10).json()
    wait_for_total(page, expected["total"])
    expect(page.locator("#suggestion")).to_have_text(expected["suggestion"]["text"])
    expect(page.locator("#sessions-suggestion")).to_have_text(words["within"])

    # The visitor may change both: a product unticked stays so, and a number outside the range is said, not refused.
    open_step(page, "products")
    page.uncheck("#product-hyaluronic-acid")
    open_step(page, "sessions")
    page.fill("#sessions", "9")
    expected = requests.post(site["api"] + f"/api/v1/estimates?lang={lang}",
                             json={**body, "sessions": 9, "products": []}, timeout=10).json()
    wait_for_total(page, expected["total"])
    expect(page.locator("#sessions-suggestion")).to_contain_text(words["outside"])
    expect(page.locator("#error-sessions")).to_be_empty()
    assert not page.is_checked("#product-hyaluronic-acid")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator("#step-concerns").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"estimator-concerns-{width}{'' if lang == 'en' else '-tr'}.png"))

    # "Not sure": no concern is sent, and the suggestion goes.
    page.check("#concern-unsure")
    assert not page.is_checked("#concern-acne-scars") and not page.is_checked("#concern-pores")
    expect(page.locator("#suggestion")).to_be_hidden()
    expect(page.locator("#sessions-suggestion")).to_be_hidden()

    # Unticking every area asks for one, in plain words.
    open_step(page, "areas")
    page.uncheck("#area-face")
    expect(page.locator("#error-areas")).to_have_text(words["one_area"])
    assert problems == []
    context.close()


def test_a_quote_request_keeps_the_concerns(page, site):
    open_step(page, "concerns")
    page.check("#concern-fine-lines")
    expect(page.locator("#sessions")).to_have_value("4")  # fine lines, moderate (the default): 3-6, 4 recommended
    assert page.is_checked("#product-peptide-complex")
    expect(page.locator("#suggestion")).to_be_visible()
    page.fill("#customer-name", "Deniz Aksoy")
    page.fill("#customer-email", "deniz@example.com")
    page.check("#consent")
    page.click("#send")
    expect(page.locator("#sent")).to_be_visible()
    number = page.get_attribute("#sent", "data-number")
    quote = requests.get(site["api"] + f"/api/v1/quotes/{number}", headers=site["sales"], timeout=10).json()
    assert quote["concerns"] == [{"code": "fine-lines", "severity": "moderate"}]
    assert quote["sessions"] == 4 and quote["suggestion"]["within"] is True
