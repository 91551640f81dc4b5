"""The console as a Turkish clinic's staff see it (issue 26, desk-layout), in Chromium against gunicorn, on a
realistic day (tests/e2e/desk_data.py): the main pages at 768 and 1280 px with no serious or critical axe-core
violation, nothing wider than the window at 768 px and quote numbers and phones on one line; a save on the
long quote page comes back to its section with the message there, focused; the search finds a customer by
phone in any writing, by quote number and by name; the customer card shows the person's other quotes.
With QUOTEAPI_WRITE_SCREENSHOTS=1 it redraws the README's console pictures (docs/screenshots/).
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from .desk_data import ELIF, realistic_day
from .test_desk import (  # noqa: F401 (fixture)
    AXE,
    SCREENSHOTS,
    api,
    axe_serious,
    browser,
    desk_server,
    signed_in,
)
from .test_estimator import ARTIFACTS

pytestmark = pytest.mark.e2e

SALES_PAGES = {"today": "/desk/", "quotes": "/desk/quotes", "quote": "/desk/quotes/{taken}",
               "customer": "/desk/quotes/{taken}/customer"}
ADMIN_PAGES = {**SALES_PAGES, "prices": "/desk/prices/areas", "clinics": "/desk/prices/clinics",
               "users": "/desk/users", "audit": "/desk/audit"}

# What must stay on one line: quote numbers in the lists, customers' and clinics' phones.
ONE_LINE = ".list th[scope=row] a, .phone, a[href^='tel:']"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """test_desk's server with the two users this module signs in as: Ayşe (admin) and Mehmet (sales)."""
    with desk_server(tmp_path_factory, "desk-layout", (("ayse", "admin"), ("mehmet", "sales"))) as site:
        yield site


@pytest.fixture(scope="module")
def day(site):
    return realistic_day(site["url"], lambda name, method, path, **kw: api(site, name, method, path, **kw),
                         "mehmet", "ayse")


def broken_lines(page: Page) -> list[str]:
    """The quote numbers and phones drawn on more than one line (an inline box per line in getClientRects)."""
    return page.evaluate(
        "selector => [...document.querySelectorAll(selector)]"
        ".filter(e => e.getClientRects().length > 1).map(e => e.textContent.trim())",
        ONE_LINE,
    )


def test_the_main_pages_at_768_and_1280_px_as_sales_and_admin(browser, site, day):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: `make test` installs it (npm ci --prefix tools)")
    shots = ARTIFACTS / "desk"
    shots.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    for name, pages in (("mehmet", SALES_PAGES), ("ayse", ADMIN_PAGES)):
        page = signed_in(browser, site, name, width=768, lang="tr")
        for width in (768, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            for label, path in pages.items():
                page.goto(f"{site['url']}{path.format(**day)}?lang=tr")
                where = f"{name} {label} {width}px"
                found[where] = axe_serious(page)
                if width == 768:
                    wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert wider <= 0, f"{where}: the page is {wider} px wider than the window"
                    assert broken_lines(page) == [], where
                if name == "ayse":
                    page.screenshot(path=str(shots / f"layout-{label}-{width}.png"), full_page=True)
        # At 768 px the quote lists fit: the clinic is under the customer, the total is in view.
        page.set_viewport_size({"width": 768, "height": 900})
        page.goto(f"{site['url']}/desk/?lang=tr")
        due = page.locator("section[aria-labelledby=due-h] .table-wrap")
        assert due.evaluate("w => w.scrollWidth <= w.clientWidth"), "Today's table scrolls at 768 px"
        expect(page.locator(f"section[aria-labelledby=due-h] tr:has(a:text-is('{day['taken']}'))")).to_contain_text(
            "İstanbul Nişantaşı")
        number = page.get_by_role("link", name=day["taken"]).first
        assert number.evaluate("a => a.getClientRects().length") == 1
        assert page.problems == []
    assert {where: v for where, v in found.items() if v} == {}
    # The price table is wider than 768 px: it scrolls in its own region (a keyboard stop, a cue), not the page.
    page.goto(f"{site['url']}/desk/prices/areas?lang=tr")
    region = page.locator(".table-wrap").first
    assert region.evaluate("w => w.scrollWidth > w.clientWidth")
    expect(region).to_have_attribute("tabindex", "0")
    expect(region).to_have_class("table-wrap scrolls")
    if os.environ.get("QUOTEAPI_WRITE_SCREENSHOTS") == "1":
        write_readme_pictures(page, site, day)


def write_readme_pictures(page: Page, site, day) -> None:
    """The README's console pictures, in Turkish on a realistic day: a laptop's 1280 px, Today also at 768 px."""
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(f"{site['url']}/desk/?lang=tr")
    page.screenshot(path=str(SCREENSHOTS / "desk-today-768.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    for name, path in (("today", "/desk/"), ("quote", f"/desk/quotes/{day['taken']}"), ("new-quote", "/desk/quotes/new"),
                       ("prices", "/desk/prices/areas"), ("approvals", "/desk/approvals"), ("versions", "/desk/versions")):
        page.goto(f"{site['url']}{path}?lang=tr")
        if name == "new-quote":
            page.check("#area-face")
            page.check("#area-under-eye")
            page.check("#product-numbing-cream")
            page.fill("#customer_name", "Zeynep Arslan")
            page.fill("#customer_phone", "0532 776 14 09")
            page.wait_for_selector("#preview-total")
            page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / f"desk-{name}.png"))


def test_a_save_comes_back_to_its_section_with_the_message_focused(browser, site, day):
    page = signed_in(browser, site, "mehmet", width=768, lang="tr")
    page.goto(f"{site['url']}/desk/quotes/{day['due'][1]}?lang=tr")
    page.fill("#note", "Aradım: fiyatı eşiyle konuşacak, cuma tekrar aranacak.")
    page.locator("#note").press("Tab")
    page.keyboard.press("Enter")  # "Not ekle", by keyboard
    expect(page).to_have_url(f"{site['url']}/desk/quotes/{day['due'][1]}?lang=tr#notes")
    message = page.locator("#notes .flash.info")
    expect(message).to_have_text("Not eklendi.")
    expect(message).to_be_in_viewport()
    # The messages hold the anchor and the focus (heard first), then onwards to the note's field.
    assert page.evaluate("document.activeElement.className") == "messages"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "note"
    assert page.evaluate("window.scrollY") > 0
    # The follow-up form, further down the page: back there, not to the top.
    page.select_option("#assigned_to", "mehmet")
    page.get_by_role("button", name="Takip tarihini ve sorumluyu kaydet").click()
    expect(page).to_have_url(f"{site['url']}/desk/quotes/{day['due'][1]}?lang=tr#plan")
    expect(page.locator("#plan .flash.info")).to_be_in_viewport()
    assert page.locator(".messages").count() == 1
    assert page.problems == []


def test_the_search_finds_the_customer_and_her_card_shows_her_other_quotes(browser, site, day):
    page = signed_in(browser, site, "mehmet", width=1280, lang="tr")
    for typed, expected in (("05339876543", {day["taken"], day["elif_again"]}),
                            ("+90 533 987 65 43", {day["taken"], day["elif_again"]}),
                            (day["pending"], {day["pending"]}),
                            ("öztürk", {day["taken"], day["elif_again"]}),
                            ("ÖZTÜRK", {day["taken"], day["elif_again"]})):
        page.goto(f"{site['url']}/desk/quotes?lang=tr")
        page.fill("#f-q", typed)
        page.press("#f-q", "Enter")
        expect(page.locator("#f-q")).to_have_value(typed)
        listed = set(page.locator("table.list tbody th[scope=row] a").all_inner_texts())
        assert listed == expected, typed
    # From a quote to its customer's card: the other quote, by the same phone written another way.
    page.goto(f"{site['url']}/desk/quotes/{day['taken']}?lang=tr")
    page.get_by_role("link", name="Bu müşterinin tüm teklifleri").click()
    expect(page.locator("h1")).to_have_text(ELIF["name"])
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(day["elif_again"])
    expect(rows.nth(0)).to_contain_text("gönderildi")
    expect(rows.nth(1)).to_contain_text(day["taken"])
    page.get_by_role("link", name=day["elif_again"]).click()
    expect(page.locator("h1")).to_contain_text(day["elif_again"])
    assert page.problems == []
