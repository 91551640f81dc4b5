"""The console read as its staff read it: every page, as sales and as admin, in Turkish and in English.

A crawler follows every link of the console from the Today page (and visits the
pages no link of the seeded data reaches), with realistic data: quotes in every
status with notes, assignments, follow-ups, revisions, an approved and a
rejected manual discount, payments and a refund, a declined quote with its
reason, price changes now and scheduled, users with full names. On each page it
reads the visible text (no tags, scripts or attribute values) and finds no
field name, no ISO timestamp or date, no JSON, no UTC time, no English word on a
Turkish page nor Turkish on an English one, and money and percentages written
the page language's way.

Names that are data (people, clinics, areas, products, campaigns, notes typed by
staff) are taken out of the text before the language checks: the seeded ones are
listed in ``DATA``, the price list's names come from the list itself.
"""

from __future__ import annotations

import functools
import os
import re
from collections import deque
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from quoteapi.adapters import clock

from quoteapi.services import price_lists, users

from ..bodies import QUOTE
from ..days import iso, spelled
from .desk_helpers import PASSWORD, sign_in

A = "/api/v1/admin"

# --- the data ---------------------------------------------------------------------------------------

PEOPLE = {  # console users: (role, full name)
    "selin": ("sales", "Selin Aydın"),
    "ada": ("admin", "Ada Kurt"),
    "mert": ("sales", "Mert Şahin"),
}
CUSTOMERS = [
    {"name": "Ayşe Yılmaz", "email": "ayse@example.com", "phone": "+90 532 000 00 00"},
    {"name": "Zeynep Öztürk", "email": "zeynep@example.com", "phone": "0533 987 65 43"},
    {"name": "Deniz Kaya", "email": "deniz@example.com"},
    {"name": "Emre Çelik", "phone": "+90 544 111 22 33"},
    {"name": "Jane Doe", "email": "jane@example.com"},
]
NOTES = {
    "tr": ["Sabah saatlerini tercih ediyor.", "Aradım: fiyatı eşiyle konuşacak.", "İndirim onaylandı, yarın arayacağım."],
    "en": ["Prefers mornings.", "Called: will talk the price over.", "Asked about the numbing cream."],
}
DISCOUNT_REASONS = ["Sadık müşteri", "Rakip klinik teklifi daha ucuz"]
DECIDE_NOTES = ["Bir kereye mahsus.", "Çok yüksek, %10 olsun."]
DECLINE_NOTE = "Başka bir klinikle anlaştı."
PAYMENT_REFERENCE = "Havale 4471"
# Every value typed by people in the seeded data: data, not the console's words.
DATA = [
    *(full for _role, full in PEOPLE.values()), *PEOPLE, *(c["name"] for c in CUSTOMERS),
    *NOTES["tr"], *NOTES["en"], *DISCOUNT_REASONS, *DECIDE_NOTES, DECLINE_NOTE, PAYMENT_REFERENCE,
]


def _patch(client, headers, path, body, status=200):
    answer = client.patch(path, json=body, headers=headers)
    assert answer.status_code == status, answer.get_json()
    return answer.get_json()


def _post(client, headers, path, body, status=201):
    answer = client.post(path, json=body, headers=headers)
    assert answer.status_code == status, (path, answer.get_json())
    return answer.get_json()


def seed(app, ctx) -> dict[str, str]:
    """Quotes in every status with the work done on them, price changes, users: numbers by what they show."""
    client = app.test_client()
    tokens = {}
    for name, (role, full_name) in PEOPLE.items():
        tokens[name] = users.create_user(ctx, name, role).token
        users.set_password(ctx, name, PASSWORD)
        users.set_details(ctx, name, {"full_name": full_name, "email": f"{name}@klinik.example"})
    sales = {"Authorization": f"Bearer {tokens['selin']}"}
    admin = {"Authorization": f"Bearer {tokens['ada']}"}
    quote = {k: v for k, v in QUOTE.items() if k not in ("customer", "notes")}
    numbers: dict[str, str] = {}

    def new(key, customer, language="tr", **changes):
        body = {**quote, "customer": customer, "language": language, **changes}
        numbers[key] = _post(client, sales, "/api/v1/quotes", body)["number"]
        return numbers[key]

    # A website request, new.
    request = {k: v for k, v in quote.items() if k != "follow_up_on"}
    numbers["website"] = _post(client, {}, "/api/v1/quote-requests", {**request, "customer": CUSTOMERS[4], "consent": True})["number"]
    # Sent, noted, assigned, with a follow-up, revised (so back to draft), then sent again.
    n = new("worked", CUSTOMERS[0], notes=NOTES["tr"][0], follow_up_on=iso(0))
    _post(client, sales, f"/api/v1/quotes/{n}/notes", {"text": NOTES["tr"][1]})
    _patch(client, sales, f"/api/v1/quotes/{n}", {"assigned_to": "mert", "follow_up_on": iso(3)})
    _patch(client, sales, f"/api/v1/quotes/{n}", {"status": "sent"})
    _post(client, sales, f"/api/v1/quotes/{n}/revisions", {"sessions": 6})
    _patch(client, sales, f"/api/v1/quotes/{n}", {"status": "sent", "assigned_to": None})
    # A manual discount above the limit: waiting; another rejected; another approved, accepted and paid.
    new("pending", CUSTOMERS[1], manual_discount={"percent": "15", "reason": DISCOUNT_REASONS[0]})
    n = new("rejected", CUSTOMERS[1], manual_discount={"amount": "9000.00", "reason": DISCOUNT_REASONS[1]})
    _post(client, admin, f"/api/v1/quotes/{n}/approval", {"decision": "reject", "note": DECIDE_NOTES[1]}, 200)
    n = new("paid", CUSTOMERS[2], manual_discount={"percent": "12.5", "reason": DISCOUNT_REASONS[0]})
    _post(client, admin, f"/api/v1/quotes/{n}/approval", {"decision": "approve", "note": DECIDE_NOTES[0]}, 200)
    _post(client, sales, f"/api/v1/quotes/{n}/notes", {"text": NOTES["tr"][2]})
    _patch(client, sales, f"/api/v1/quotes/{n}", {"status": "sent"})
    _patch(client, sales, f"/api/v1/quotes/{n}", {"status": "accepted"})
    _post(client, sales, f"/api/v1/quotes/{n}/payments",
          {"kind": "payment", "amount": "1000.50", "method": "bank_transfer", "received_on": iso(0), "reference": PAYMENT_REFERENCE})
    _post(client, sales, f"/api/v1/quotes/{n}/payments", {"kind": "refund", "amount": "200.00", "method": "cash", "received_on": iso(0)})
    # Declined with a reason and the customer's words; a draft sent by e-mail (the outbox); an English quote.
    n = new("declined", CUSTOMERS[3])
    _patch(client, sales, f"/api/v1/quotes/{n}", {"status": "declined", "decline_reason": "other_clinic", "decline_note": DECLINE_NOTE})
    n = new("emailed", CUSTOMERS[0], follow_up_on=None, valid_days=5)
    _post(client, sales, f"/api/v1/quotes/{n}/send", {"channel": "email"}, 200)
    n = new("english", CUSTOMERS[4], language="en", notes=NOTES["en"][0], valid_days=3)
    _post(client, sales, f"/api/v1/quotes/{n}/notes", {"text": NOTES["en"][1]})
    _patch(client, sales, f"/api/v1/quotes/{n}", {"status": "draft", "assigned_to": "selin"})
    # Price changes: one now, one scheduled; a user's role changed.
    etag = client.get(f"{A}/areas/face", headers=admin).headers["ETag"]
    _patch(client, {**admin, "If-Match": etag}, f"{A}/areas/face", {"price": "4400.00"})
    etag = client.get(f"{A}/products/prp", headers=admin).headers["ETag"]
    answer = client.patch(f"{A}/products/prp?effective_from={iso(10)}T09:00:00%2B03:00", json={"price": "2750.00"},
                          headers={**admin, "If-Match": etag})
    assert answer.status_code == 200, answer.get_json()
    users.set_role(ctx, "mert", "admin", by="ada")
    users.set_role(ctx, "mert", "sales", by="ada")
    return numbers


# --- reading a page as people see it ----------------------------------------------------------------


class _Visible(HTMLParser):
    """The text of a page a person sees, and its links; elements in another language (``lang``) apart."""

    SKIPPED = {"script", "style", "template", "head"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None, bool]] = []  # (tag, lang, skipped)
        self.page_lang: str | None = None
        self.text: list[str] = []
        self.foreign: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.page_lang = attrs.get("lang")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in self.VOID:
            return
        lang = attrs.get("lang") or (self.stack[-1][1] if self.stack else None)
        skipped = tag in self.SKIPPED or bool(self.stack and self.stack[-1][2]) or "hidden" in attrs
        self.stack.append((tag, lang, skipped))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if self.stack and self.stack[-1][2]:
            return
        lang = self.stack[-1][1] if self.stack else self.page_lang
        (self.text if lang in (None, self.page_lang) else self.foreign).append(data)


def read(html: str) -> _Visible:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return parser


# --- what a page must not show ---------------------------------------------------------------------

SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|(?<!\w)_[a-z]+\b")  # price_factor, _body
DOTTED_FIELD = re.compile(r"\b[a-z]+(?:\.[a-z_]+)+\.[a-z_]+\b|\b[a-z_]+(?:\.[a-z_0-9]+)+\s*:")  # areas.face.price, customer.phone:
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
JSON = re.compile(r'\{\s*"|"\s*:\s|\[\s*\{')
UTC = re.compile(r"\bUTC\b|\bGMT\b|\+00:00|\d{2}:\d{2}(?::\d{2})?Z\b")
# Figures the API's way on a screen: 4000.00 on a Turkish page, 4.000,00 on an English one.
PLAIN_FIGURE = {"tr": re.compile(r"(?<![\d.,])\d+\.\d{2}(?![\d.,]*\d)"), "en": re.compile(r"(?<![\d.,])\d+,\d{2}(?![\d])")}
# Money the other language's way (or the currency's code): "₺4,800.00" on a Turkish page, "4.800,00 ₺" on an English one.
WRONG_MONEY = {
    "tr": re.compile(r"₺[ \u00a0]?[\d−-]|\bTRY\b|\d[ \u00a0]?TL\b"),
    "en": re.compile(r"\d[ \u00a0]?₺|\bTRY\b|\d[ \u00a0]?TL\b"),
}
WRONG_PERCENT = {"tr": re.compile(r"\d[ \u00a0]*%"), "en": re.compile(r"%[ \u00a0]*\d|\d[ \u00a0]+%")}
# The console's English words that once showed on Turkish pages (activity kinds, statuses, the audit log).
ENGLISH_WORDS = re.compile(
    r"\b(created|note|notes|status|price|prices|approval|approved|rejected|pending|assignment|assigned|revision|"
    r"follow-up|sent|draft|declined|accepted|new|update|schedule|payment|refund|changes?|No changes|loaded|"
    r"user|role|sales|admin|the|and|of|to|by|from|off|per|session|sessions|discount|website|desk|none|"
    r"true|false|null|bank_transfer|cash|card)\b"
)
# Days in the other language's words, or as numbers only (a screen writes "7 Aralık 2026", "7 December 2026").
MONTHS = {
    "tr": ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
WRONG_DAY = {
    code: re.compile(r"\b\d{1,2} (?:" + "|".join(MONTHS["en" if code == "tr" else "tr"]) + r") \d{4}\b|\b\d{1,2}/\d{1,2}/\d{4}\b")
    for code in ("tr", "en")
}
TURKISH_LETTERS = re.compile(r"[çğıöşüÇĞİÖŞÜ]")
TURKISH_WORDS = re.compile(r"\b(ve|ile|için|bir|seans|indirim|fiyat|teklif|durum|yeni|gönderildi|taslak)\b", re.I)


def data_names(ctx) -> list[str]:
    """Every name the price list holds (in every language it has), and the seeded values: data, not words."""
    names = list(DATA)
    document = price_lists.get_document(ctx).document

    def walk(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in ("name", "city", "bank", "holder", "address", "text") and isinstance(inner, str):
                    names.append(inner)
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(document)
    return sorted({n for n in names if n}, key=len, reverse=True)


@functools.cache
def _names_pattern(names: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")


def problems(text: str, lang: str, names: list[str]) -> list[tuple[str, str, str]]:
    """What on a page's visible text a person should not read there: (what, the words, around them)."""
    if names:
        text = _names_pattern(tuple(names)).sub(" ", text)
    text = re.sub(r"\S+@\S+|Q-\d{4}-\d{6}|https?://\S+", " ", text)
    found = []
    for pattern, what in ((SNAKE_CASE, "field name"), (DOTTED_FIELD, "field path"), (ISO_MOMENT, "ISO time"),
                          (ISO_DATE, "ISO date"), (JSON, "JSON"), (UTC, "UTC time"),
                          (PLAIN_FIGURE[lang], "figure in the other format"), (WRONG_MONEY[lang], "money in another format"),
                          (WRONG_PERCENT[lang], "percent in another format"), (WRONG_DAY[lang], "day in another format")):
        found += [(what, m.group(0), _around(text, m)) for m in pattern.finditer(text)]
    words = text
    if lang == "tr":
        found += [("English word", m.group(0), _around(words, m)) for m in ENGLISH_WORDS.finditer(words)]
    else:
        found += [("Turkish letter", m.group(0), _around(words, m)) for m in TURKISH_LETTERS.finditer(words)]
        found += [("Turkish word", m.group(0), _around(words, m)) for m in TURKISH_WORDS.finditer(words)]
    return found


def _around(text: str, match: re.Match) -> str:
    return " ".join(text[max(0, match.start() - 60): match.end() + 60].split())


# --- the crawl --------------------------------------------------------------------------------------


def _normal(href: str, lang: str) -> str | None:
    """A console page's address as the crawl visits it (in ``lang``), or None for what is not a console page."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/desk") or parts.path.startswith("/desk/static"):
        return None
    query = dict(parse_qsl(parts.query))
    if parts.path.endswith("/document") and query.get("format") != "html" or parts.path.startswith("/desk/price-list."):
        return None  # a PDF or a spreadsheet: no page to read (and a PDF takes a second to make)
    if query.get("lang", lang) != lang:
        return None  # the language switch: crawled in its own language
    query["lang"] = lang
    return f"{parts.path}?{urlencode(sorted(query.items()))}"


def crawl(client, lang: str, starts: list[str], limit: int = 200) -> dict[str, str]:
    """Every console page reached from ``starts`` by links, in ``lang``: {address: HTML}."""
    seen: dict[str, str] = {}
    queue = deque(u for u in (_normal(s, lang) for s in starts) if u)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        answer = client.get(url)
        assert answer.status_code in (200, 302), (url, answer.status_code)
        seen[url] = ""
        if answer.status_code == 302:
            target = _normal(answer.headers["Location"], lang)
            if target and target not in seen:
                queue.append(target)
            continue
        if answer.mimetype != "text/html":
            continue
        html = answer.get_data(as_text=True)
        seen[url] = html
        for href in read(html).links:
            target = _normal(href, lang)
            if target and target not in seen:
                queue.append(target)
    return seen


# The crawl reads pages, not databases: SQLite only (PostgreSQL's answers are the same pages).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_console_page_speaks_the_page_language_and_formats(app, ctx):
    seeded = seed(app, ctx)
    names = data_names(ctx)
    report: dict[tuple[str, str], str] = {}
    dump = os.environ.get("DESK_CRAWL_DUMP")  # a folder: the text of every page read, to look at
    visited = 0
    for who in ("selin", "ada"):
        client = app.test_client()
        assert sign_in(client, who).status_code == 302
        known = ["/desk/", "/desk/quotes", "/desk/quotes/new"]
        if PEOPLE[who][0] == "admin":
            known += ["/desk/approvals", "/desk/prices", "/desk/audit", "/desk/users", "/desk/versions"]
        for number in seeded.values():
            known += [f"/desk/quotes/{number}", f"/desk/quotes/{number}/customer",
                      f"/desk/quotes/{number}/document?format=html"]
        for lang in ("tr", "en"):
            pages = crawl(client, lang, known)
            visited += len(pages)
            for url, html in pages.items():
                if not html:
                    continue
                seen = read(html)
                # One line a text node: a table's cells never run into each other ("4.800,00 ₺" then "1").
                text = "\n".join(" ".join(t.split()) for t in seen.text if t.strip())
                if dump:
                    with open(os.path.join(dump, f"{who}-{lang}.txt"), "a") as out:
                        out.write(f"\n===== {url}\n{text}\n")
                # A page is read in its own language: the quote's document is in the quote's.
                for what, words, around in problems(text, seen.page_lang or lang, names):
                    report.setdefault((what, words), f"{what} «{words}» on {url} ({who}): …{around}…")
    assert visited > 60  # every quote's page, card and document, the lists, the admin's pages, in two languages
    assert not report, f"{len(report)} problems:\n" + "\n".join(sorted(report.values()))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_times_are_the_clinics_and_activity_is_in_words(app, ctx, client):
    """The activity's moments on the clinics' clock (Istanbul, UTC+3), not UTC; its lines in words."""
    seeded = seed(app, ctx)
    browser = app.test_client()
    assert sign_in(browser, "selin").status_code == 302
    number = seeded["paid"]
    token = {"Authorization": f"Bearer {users.create_user(ctx, 'reader', 'sales').token}"}
    activity = client.get(f"/api/v1/quotes/{number}", headers=token).get_json()["activity"]
    moment = datetime.fromisoformat(activity[-1]["at"])
    local = moment.astimezone(clock.CLINIC_ZONE)
    assert local.utcoffset() != moment.utcoffset()
    page = browser.get(f"/desk/quotes/{number}?lang=tr").get_data(as_text=True)
    shown = re.findall(r'<time datetime="[^"]+">([^<]+)</time>', page.split('id="act-h"', 1)[1])
    assert f"{local:%H:%M}" in shown[0] and f"{moment:%H:%M}" not in " ".join(shown)
    section = read(page.split('id="act-h"', 1)[1]).text
    lines = " ".join(" ".join(section).split())
    # The API's own line stays as the contract has it (codes and ISO days in a JSON text); the page writes it in words.
    assert any("Status sent → accepted." == a["text"] or "Durum: sent → accepted." == a["text"] for a in activity)
    assert "Gönderildi → Kabul edildi" in lines and "Selin Aydın" in lines and "1.000,50 ₺" in lines
    english = " ".join(" ".join(read(browser.get(f"/desk/quotes/{number}?lang=en").get_data(as_text=True)).text).split())
    assert "Sent → Accepted" in english and "Payment of ₺1,000.50 received by bank transfer" in english


@pytest.mark.parametrize(("lang", "seen"), [
    ("tr", "created: Oluşturuldu"), ("tr", "Durum: new → sent."), ("tr", f"Takip tarihi: {iso(4)}."),
    ("tr", "schedule update"), ("tr", "approval-requested"), ("tr", "price_list"), ("tr", "Demo price list loaded."),
    ("tr", "Özet: No changes."), ("tr", "Özet: areas.face.price 4000.00 → 4400.00"), ("tr", '{"status": "sent"}'),
    ("tr", "4000.00 × 1.00"), ("tr", "32616.54 × %7.5"), ("tr", "İndirim 15 %"), ("tr", "TRY 8,078.40"),
    ("tr", "₺43.257,77"), ("tr", f"Kayıt zamanı {iso(0)}T04:28:00+00:00"), ("tr", "customer.phone: Geçersiz"),
    ("tr", spelled(0, "en")), ("en", "4.800,00 ₺"), ("en", "Teklif gönderildi"), ("en", "KDV %20"),
    ("en", spelled(0, "tr")), ("en", "_body: Invalid"),
])
def test_the_reader_finds_what_the_issue_saw(lang, seen):
    """The crawler's eyes: each of issue 26's examples is one problem it reports."""
    assert problems(seen, lang, [])
