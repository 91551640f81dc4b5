"""Every text the product shows has a Turkish translation, and the catalogue says the same as the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"T": None, "N_": None, "_": None, "gettext": None, "ngettext": (1, 2), "t": None}
METHODS = [
    ("quoteapi/**.py", "python"),
    ("quoteapi/**/templates/**.html", "jinja2"),
    ("quoteapi/adapters/templates/mail/**.txt", "jinja2"),
    ("quoteapi/web/static/**.js", "javascript"),
    ("quoteapi/web/static/**.html", "quoteapi.web.extract:extract_html"),
]
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s")


def message_ids() -> set:
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        if message:
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def turkish():
    with (ROOT / "quoteapi/translations/tr/LC_MESSAGES/messages.po").open("rb") as handle:
        return {m.id if isinstance(m.id, str) else tuple(m.id): m for m in read_po(handle, locale="tr") if m.id}


def test_every_message_id_has_a_turkish_translation():
    catalogue = turkish()
    used = message_ids()
    assert len(used) > 250  # the extraction really read the sources
    missing = sorted(str(m) for m in used if m not in catalogue or not catalogue[m].string or catalogue[m].fuzzy)
    assert missing == [], "untranslated (run `make messages`, then translate): " + "; ".join(missing)


def test_translations_keep_every_placeholder():
    for msgid, message in turkish().items():
        if isinstance(msgid, str):
            assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(message.string)), msgid


def test_the_catalogue_holds_no_message_the_code_no_longer_uses():
    stale = sorted(str(m) for m in set(turkish()) - message_ids())
    assert stale == [], "obsolete messages (run `make messages`): " + "; ".join(stale)
