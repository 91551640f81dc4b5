"""Personal data rules without I/O: the consent wording, what an erasure keeps, when retention starts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import config
from quoteapi.domain.consent import CONSENT, CONSENT_VERSION, CONSENT_WORDINGS
from quoteapi.domain.personal_data import (
    ERASED,
    Needles,
    Person,
    erased_estimate,
    erased_inputs,
    email_key,
    phone_digits,
    phone_key,
    retention_cutoff,
    scrub,
)
from quoteapi.domain.pricing.plain import request_from_plain
from quoteapi.domain.text import LANGUAGES

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

ROOT = Path(__file__).resolve().parents[2]


class _ConsentSentence(HTMLParser):
    """The data-i18n message id of the text beside the estimator's consent checkbox."""

    def __init__(self) -> None:
        super().__init__()
        self.in_label = False
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and "consent" in (attrs.get("class") or "").split():
            self.in_label = True
        elif self.in_label and tag == "span" and "data-i18n" in attrs:
            self.found.append(attrs["data-i18n"])

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label = False


def test_the_estimator_shows_exactly_the_current_consent_wording():
    page = _ConsentSentence()
    page.feed((ROOT / "quoteapi/web/static/estimator/index.html").read_text("utf-8"))
    assert page.found == [CONSENT.text.msgid]


def test_the_catalogue_says_what_the_current_version_records_in_each_language():
    """Changing the sentence or its Turkish translation means a new consent version."""
    with (ROOT / "quoteapi/translations/tr/LC_MESSAGES/messages.po").open("rb") as handle:
        turkish = {m.id: m.string for m in read_po(handle, locale="tr") if m.id}
    assert CONSENT.in_language("en") == CONSENT.text.msgid
    assert CONSENT.in_language("tr") == turkish[CONSENT.text.msgid]


def test_every_consent_version_has_every_language():
    assert CONSENT_VERSION in CONSENT_WORDINGS
    for version, wording in CONSENT_WORDINGS.items():
        assert wording.version == version and len(version) <= 16  # quotes.consent_version
        assert sorted(dict(wording.wording)) == sorted(LANGUAGES)


def test_a_person_is_named_by_one_identifier():
    assert Person(email="a@example.com").named_by == "email"
    assert Person(phone="+90 555").named_by == "phone"
    for wrong in ({}, {"email": "a@example.com", "phone": "+90 555"}):
        with pytest.raises(ValueError):
            Person(**wrong)
    assert phone_digits("+90 (532) 000-00.00") == "905320000000"
    assert email_key("  Ayse@Example.COM ") == "ayse@example.com"


def test_an_email_address_has_one_key_however_it_is_cased():
    # Python lower-cases İ to i + U+0307, PostgreSQL to i, SQLite not at all: the key is worked out here only.
    for written in ("İLKER.ISIK@example.com", "ilker.isik@EXAMPLE.COM", " Ilker.Isik@example.com ", "ılker.ısık@example.com",
                    "İlker.Işık@example.com".replace("ş", "s")):
        assert email_key(written) == "ilker.isik@example.com", written
    assert email_key("ＡＹＳＥ@example.com") == "ayse@example.com"  # full-width letters (NFKC)
    assert email_key("ayşe@example.com") != email_key("ayse@example.com")  # other letters stay other letters
    assert email_key(None) is None and email_key("  ") is None


def test_a_phone_number_has_one_key_however_it_is_written():
    for written in ("+90 (532) 765-43-21", "0090 532 765 43 21", "0532 765 43 21", "532 765 43 21", "+905327654321",
                    "+90 (0532) 765 43 21", "90 532 765 43 21", "0 (532) 765.43.21"):
        assert phone_key(written) == "905327654321", written
    assert phone_key("0212 555 01 02") == "902125550102"  # a landline
    assert phone_key("+44 20 7946 0958") == "442079460958"  # abroad: as written after the +
    assert phone_key("0044 20 7946 0958") == "442079460958"
    assert phone_key("+49 30 123456") == "4930123456"  # ten digits after a + are not a Turkish number
    assert phone_key(None) is None and phone_key(" () ") is None
    # In free text, a number is found however it was written there.
    needles = Needles(phones=["+90 (532) 765-43-21"])
    for text in ("ring 0532 765 43 21", "ring 00905327654321", "532-765-4321 after six"):
        assert needles.found_in(text), text


def test_scrub_erases_what_names_the_person_and_keeps_the_rest():
    needles = Needles(names=["Ayşe Yılmaz"], emails=["ayse@example.com"], phones=["+90 532 000 00 00"])
    value = {
        "status": "sent", "total": "100.00", "sessions": 4, "paid": True, "at": None,
        "customer": {"anything": 1}, "text": "a note",
        "remark": "AYŞE YILMAZ called", "plain": "ayse yilmaz again", "mail": "Write to ayse@EXAMPLE.com", "call": "ring 905320000000 later",
        "list": ["new", "+90 (532) 000-00-00"],
    }
    assert scrub(value, needles) == {
        "status": "sent", "total": "100.00", "sessions": 4, "paid": True, "at": None,
        "customer": ERASED, "text": ERASED,
        "remark": ERASED, "plain": ERASED, "mail": ERASED, "call": ERASED,
        "list": ["new", ERASED],
    }
    # Without personal keys (an activity line's values), only what names the person goes.
    assert scrub({"name": "sam", "before": "new"}, needles, keys=frozenset()) == {"name": "sam", "before": "new"}
    assert scrub(None, needles) is None


def test_short_phone_numbers_and_the_placeholder_are_no_needles():
    needles = Needles(names=[ERASED, "", None], phones=["12"])
    assert not needles.found_in("order 12 of [erased]")


def test_erased_inputs_and_estimate_keep_every_figure():
    inputs = {"clinic": "ist-kadikoy", "areas": [{"code": "face", "size_cm2": None}], "products": [],
              "specialist_level": "nurse", "sessions": 3, "start_date": "2026-12-05", "coupon": None,
              "client": {"age": 47, "pregnant": True}}
    erased = erased_inputs(inputs)
    assert erased == {**inputs, "client": ERASED}
    assert "manual_discount" not in erased
    assert request_from_plain(erased).client is None  # reads as no answers given
    assert erased_inputs({**inputs, "client": None})["client"] is None
    estimate = {"total": "10.00", "eligibility": {"status": "postpone", "reasons": ["Treatment is postponed until after pregnancy."]}}
    assert erased_estimate(estimate, "M") == {"total": "10.00", "eligibility": {"status": "postpone", "reasons": [ERASED]}}
    unanswered = {"total": "10.00", "eligibility": {"status": "unknown", "reasons": []}}
    assert erased_estimate(unanswered, "M") == unanswered


def test_erasure_takes_the_manual_discounts_reason_from_the_inputs_and_the_line():
    # Staff write it freely ("Ayşe Hanım's friend, 0532 ..."): it may name anybody.
    inputs = {"clinic": "ist-kadikoy", "client": None, "manual_discount": {"percent": "10", "reason": "Ayşe's friend, 0532"}}
    assert erased_inputs(inputs) == {**inputs, "manual_discount": {"percent": "10", "reason": ERASED}}
    assert request_from_plain({**erased_inputs(inputs), "areas": [], "specialist_level": "nurse", "sessions": 1}
                              ).manual_discount.reason == ERASED
    lines = [{"kind": "area", "description": "Face", "amount": "100.00"},
             {"kind": "manual_discount", "description": "Manual discount: Ayşe's friend, 0532", "amount": "-10.00"}]
    erased = erased_estimate({"total": "90.00", "lines": lines}, "Manual discount: [erased]")
    assert erased["lines"] == [lines[0], {**lines[1], "description": "Manual discount: [erased]"}]


def test_a_request_last_touched_on_day_d_is_kept_through_d_plus_the_retention_days():
    cutoff = retention_cutoff(date(2026, 12, 2), 730)
    assert cutoff == datetime(2024, 12, 2, tzinfo=UTC)
    assert datetime(2024, 12, 1, 23, 59, 59, tzinfo=UTC) < cutoff  # erased on 2026-12-02
    assert not datetime(2024, 12, 2, tzinfo=UTC) < cutoff  # kept until 2026-12-03


def test_retention_settings_come_from_the_environment():
    defaults = config.load({})
    assert (defaults["RETENTION_DAYS"], defaults["IDEMPOTENCY_TTL_HOURS"]) == (730, 48)
    chosen = config.load({"QUOTEAPI_RETENTION_DAYS": "365", "QUOTEAPI_IDEMPOTENCY_TTL_HOURS": "24"})
    assert (chosen["RETENTION_DAYS"], chosen["IDEMPOTENCY_TTL_HOURS"]) == (365, 24)
    for name, raw in (("RETENTION_DAYS", "0"), ("IDEMPOTENCY_TTL_HOURS", "-1"), ("RETENTION_DAYS", "two years")):
        with pytest.raises(config.ConfigError, match=re.escape(f"QUOTEAPI_{name}")):
            config.load({f"QUOTEAPI_{name}": raw})


def test_names_count_as_whole_words():
    needles = Needles(names=["Ne"], emails=["ne@example.com"])
    assert scrub({"status": "new", "text_": "Ne called", "x": "NE@EXAMPLE.COM"}, needles, keys=frozenset()) == {
        "status": "new", "text_": ERASED, "x": ERASED,
    }
