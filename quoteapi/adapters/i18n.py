"""The languages the product speaks: their gettext catalogues and formats.

Catalogues live in ``quoteapi/translations/<language>/LC_MESSAGES/messages.po``;
the install step (``make``, or building the package) compiles them to
``.mo``. Should a ``.mo`` be missing or older than its ``.po`` (a checkout
where the install step has not run since the ``.po`` changed), the ``.po`` is
compiled in memory instead, so the product never shows a stale translation.
English needs no catalogue: the message ids are English.
"""

from __future__ import annotations

import io
from datetime import date
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel import Locale
from babel.numbers import get_currency_symbol
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from ..domain.text import ENGLISH, LANGUAGES, Language

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
DOMAIN = "messages"


def catalogue_path(code: str, suffix: str = ".po") -> Path:
    return TRANSLATIONS / code / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def _translations(code: str) -> NullTranslations:
    po, mo = catalogue_path(code), catalogue_path(code, ".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if po.exists():
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=code)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    return NullTranslations()


@cache
def messages(code: str) -> dict[str, str]:
    """Every translated message of a language, ``{msgid: text}``: what a page's script needs."""
    po = catalogue_path(code)
    if code == "en" or not po.exists():
        return {}
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    return {
        message.id: message.string
        for message in catalog
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }


def _turkish_day(day: date) -> str:
    """``01.12.2026``: what ``day.strftime("%d.%m.%Y")`` writes, without parsing the format each time."""
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


# English month abbreviations from Babel's data, read once: "d MMM y" is then a join.
_ENGLISH_MONTHS = dict(Locale.parse("en").months["format"]["abbreviated"])


def _english_day(day: date) -> str:
    """``1 Dec 2026``: Babel's ``format_date(day, "d MMM y", locale="en")``, with the locale's data resolved once."""
    return f"{day.day} {_ENGLISH_MONTHS[day.month]} {day.year}"


@cache
def language(code: str) -> Language:
    """The language ``code`` (one of :data:`LANGUAGES`) with its catalogue and formats."""
    if code == "tr":
        translations = _translations("tr")
        return Language("tr", translations.gettext, ",", ".", _turkish_day, translations.ngettext)
    if code == "en":
        return Language("en", ENGLISH.gettext, ".", ",", _english_day)
    raise ValueError(f"quoteapi speaks {', '.join(LANGUAGES)}, not {code!r}")


# Month names for the days shown to people ("7 Aralık 2026", "7 December 2026"), from Babel's data, read once.
_MONTHS = {code: dict(Locale.parse(code).months["format"]["wide"]) for code in LANGUAGES}


def day_text(day: date, code: str) -> str:
    """A day as people read it on a screen or in a letter: ``7 Aralık 2026``, ``7 December 2026``."""
    return f"{day.day} {_MONTHS[code][day.month]} {day.year}"


def babel_locale(code: str) -> str:
    """The Babel locale for formats of a language (documents)."""
    return {"tr": "tr_TR", "en": "en_GB"}[code]


def money_text(value, currency: str, code: str) -> str:
    """An amount with its currency as people read it: ``4.800,00 ₺`` in Turkish, ``₺4,800.00`` in English."""
    lang = language(code)
    # The symbol as Turkish writes it (₺, €, $): English Babel data writes "TRY".
    symbol = get_currency_symbol(currency, locale="tr_TR")
    amount = lang.money(value)
    if code == "tr":
        return f"{amount}\u00a0{symbol}"
    if amount.startswith("\u2212"):
        return f"\u2212{symbol}{amount[1:]}"
    return f"{symbol}{amount}"
