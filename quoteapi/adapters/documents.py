"""The quote as a document for the customer: one template, HTML or PDF."""

from __future__ import annotations

import hashlib
import threading
from datetime import date
from decimal import Decimal
from typing import Any

import phonenumbers
from babel.numbers import get_currency_name, get_currency_symbol
from jinja2 import Environment, PackageLoader, select_autoescape

from ..domain.pricing.advice import AFTERCARE, PREPARATION
from ..domain.pricing.model import Clinic, LineKind, PriceList
from ..domain.price_list.iban import grouped
from ..domain.pricing.plain import estimate_to_plain
from ..domain.quotes import Quote
from ..domain.text import LANGUAGES, N_, Language
from . import clock
from .figures import percent_text, readable
from .i18n import babel_locale, day_text, language, money_text

# The policy of the document as a page: its styles are inline, it loads nothing, runs nothing.
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
# Every answer carrying the document (page or PDF): it names a person and their health answers.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}

KIND_LABELS = {
    "area": N_("Treatment area"),
    "product": N_("Product"),
    "combination_discount": N_("Discount"),
    "specialist": N_("Specialist"),
    "session_discount": N_("Discount"),
    "campaign": N_("Campaign"),
    "manual_discount": N_("Discount"),
}


def _environment(lang: Language) -> Environment:
    env = Environment(
        loader=PackageLoader("quoteapi.adapters", "templates"),
        autoescape=select_autoescape(("html",)),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(lang.gettext, lang.ngettext, newstyle=True)
    return env


_ENVIRONMENTS = {code: _environment(language(code)) for code in LANGUAGES}


class Formatter:
    """Money, dates and rates in one language: the same formats as everywhere in the product."""

    def __init__(self, currency: str, code: str) -> None:
        self.currency = currency
        self.code = code
        self.language = language(code)

    def money(self, value: str | Decimal) -> str:
        return money_text(Decimal(value), self.currency, self.code)

    def day(self, value: str | date) -> str:
        """``7 Aralık 2026``, ``7 December 2026``: the day as a letter writes it."""
        return day_text(date.fromisoformat(value) if isinstance(value, str) else value, self.code)

    def currency_name(self) -> str:
        """The currency in words with its sign, for "Prices in …": ``Türk lirası (₺)``, never the code ``TRY``."""
        name = get_currency_name(self.currency, locale=babel_locale(self.code))
        return f"{name} ({get_currency_symbol(self.currency, locale='tr_TR')})"

    def whole_percent(self, percent: Decimal) -> str:
        """A percentage as people write it: "%20" in Turkish, "20%" in English."""
        return percent_text(percent, self.code)

    def percent(self, rate: str) -> str:
        """A rate (0.20) as a percentage the way the language writes it: "%20" in Turkish, "20%" in English."""
        return self.whole_percent(Decimal(rate) * 100)


# What a manual discount's line says to the customer, whatever reason staff gave.
SPECIAL_DISCOUNT = N_("Special discount")


def customer_lines(lines: list[dict[str, Any]], lang: Language, currency: str = "TRY") -> list[dict[str, Any]]:
    """Plain lines as the customer reads them: the manual discount's says "Special discount", never
    the reason staff gave (it is internal, and may name people); the others' figures the language's
    way (``Uzman: Dermatolog (×1,4)``, ``%20``: :func:`figures.readable`)."""
    special = lang.gettext(SPECIAL_DISCOUNT)
    return [{**line, "description": special} if line.get("kind") == LineKind.MANUAL_DISCOUNT
            else {**line, "description": readable(line.get("description") or "", lang.code, currency)}
            for line in lines]


def render_html(quote: Quote, price_list: PriceList, prepared_by: str | None = None) -> str:
    """The quote as a page, wholly in the quote's language.

    ``prepared_by``: the name of who prepared it (services.quote_documents gives the full name);
    without it, the user name of the assigned user, else of the creator.
    """
    code = quote.language
    lang = language(code)
    fmt = Formatter(quote.estimate.currency, code)
    advice = [lang.render(a) for a in quote.estimate.advice]
    preparation = {lang.render(a) for a in PREPARATION}
    aftercare = {lang.render(a) for a in AFTERCARE}
    clinic = price_list.clinic_by_code.get(quote.estimate.clinic)
    plain = estimate_to_plain(quote.estimate, lang)
    plain["lines"] = customer_lines(plain["lines"], lang, quote.estimate.currency)
    if plain.get("coupon"):
        plain["coupon"] = {**plain["coupon"], "reason": readable(plain["coupon"]["reason"], code, quote.estimate.currency)}
    campaigns = {c.code: lang.render(price_list.name_of(c)) for c in price_list.campaigns}
    plain["applied_campaigns"] = [campaigns.get(code, code) for code in plain.get("applied_campaigns") or ()]
    view = {
        **plain,
        "number": quote.number,
        "revision": quote.revision,
        "status": quote.status,
        "customer": {"name": quote.customer.name, "email": quote.customer.email, "phone": quote.customer.phone},
        "notes": quote.notes,
        "valid_until": quote.valid_until.isoformat(),
    }
    return _ENVIRONMENTS[code].get_template("quote.html").render(
        lang=code,
        quote=view,
        clinic_name=lang.render(price_list.name_of(clinic)) if clinic else quote.estimate.clinic,
        clinic_city=lang.render(price_list.name_of(clinic, "city")) if clinic else "",
        fmt=fmt,
        kind_labels={kind: lang.gettext(label) for kind, label in KIND_LABELS.items()},
        issued=clock.local_date(quote.created_at),
        preparation=[a for a in advice if a in preparation],
        aftercare=[a for a in advice if a in aftercare],
        other_advice=[a for a in advice if a not in preparation and a not in aftercare],
        tax_included=quote.estimate.total == quote.estimate.net,
        **_version_3(quote, clinic, fmt, prepared_by),
    )
# --- Document version 3: the clinic's contacts, the deposit and how to pay it, who prepared it ----------


def phone_text(e164: str) -> str:
    """A phone number stored in E.164 as people read it: ``+90 212 000 01 01``."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def _version_3(quote: Quote, clinic: Clinic | None, fmt: Formatter, prepared_by: str | None) -> dict[str, Any]:
    """What the template shows of document version 3."""
    deposit = getattr(quote, "deposit", None)
    account = getattr(clinic, "bank_account", None)
    phone = getattr(clinic, "phone", None)
    return {
        "contact": {
            "address": getattr(clinic, "address", None),
            "phone": phone_text(phone) if phone else None,
            "phone_e164": phone,
            "email": getattr(clinic, "email", None),
        },
        "deposit": None if deposit is None else {
            "percent": fmt.whole_percent(deposit.percent),
            "amount": fmt.money(deposit.amount),
            "holder": account.holder if account else None,
            "bank": account.bank if account else None,
            "iban": grouped(account.iban) if account else None,
        },
        "prepared_by": prepared_by or quote.assigned_to or quote.created_by,
    }


# One WeasyPrint font configuration per thread, kept between documents: making it anew for each
# document was about a third of a PDF's CPU (docs/performance.md, "The outbox's delivery").
_FONTS = threading.local()


def html_sha256(html: str) -> str:
    """What a document's PDF is known by: the SHA-256 of the HTML it is made of (a stored PDF is reused
    only for the same HTML)."""
    return hashlib.sha256(html.encode("utf-8", "surrogatepass")).hexdigest()


def render_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango, which only documents need.
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = getattr(_FONTS, "config", None)
    if fonts is None:
        fonts = _FONTS.config = FontConfiguration()
    return HTML(string=html).write_pdf(font_config=fonts)


def file_name(quote: Quote) -> str:
    return f"{quote.number}-r{quote.revision}"
