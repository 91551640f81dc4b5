"""The languages' formats, made cheap (docs/performance.md, "second pass"), write exactly what they wrote before.

Each figure is checked against what wrote it before: Babel's ``format_date``
for English days, ``strftime`` for Turkish ones, the replace chain for money
(and Babel's ``format_decimal``, which writes the same digits), and the whole
of ``render`` against the implementation it replaced, kept here as the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteapi.adapters.i18n import _english_day, _translations, _turkish_day, language
from quoteapi.domain.pricing import price
from quoteapi.domain.pricing.plain import estimate_to_plain
from quoteapi.domain.text import ENGLISH, Name, Names, Text

from .strategies import priced

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless


@dataclass(frozen=True)
class Reference:
    """``Language`` as it was before the second pass (gettext on every render, isinstance dispatch)."""

    code: str
    gettext: Callable[[str], str]
    decimal_separator: str
    group_separator: str
    day_format: Callable[[date], str]
    _fixed: dict[str, str] = field(default_factory=dict)

    def money(self, value: Decimal) -> str:
        text = f"{value:,.2f}"
        if self.group_separator != "," or self.decimal_separator != ".":
            text = text.replace(",", "\0").replace(".", self.decimal_separator).replace("\0", self.group_separator)
        return text.replace("-", "\u2212")

    def value(self, value: Any) -> str:
        if isinstance(value, Decimal):
            return self.money(value)
        if isinstance(value, date):
            return self.day_format(value)
        if isinstance(value, (Text, Name)):
            return self.render(value)
        if isinstance(value, Names):
            return ", ".join(self.render(name) for name in value.names)
        if isinstance(value, tuple):
            return " ".join(self.value(v) for v in value)
        return str(value)

    def render(self, text: Text | Name | str) -> str:
        if isinstance(text, str):
            return text
        if isinstance(text, Name):
            return text.in_language(self.code)
        if not text.values:
            found = self._fixed.get(text.msgid)
            if found is None:
                found = self._fixed[text.msgid] = self.gettext(text.msgid)
            return found
        template = self.gettext(text.msgid)
        return template.format(**{name: self.value(v) for name, v in text.values.items()})


def _reference_day(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _reference_english_day(day: date) -> str:
    return format_date(day, "d MMM y", locale="en")


REFERENCES = {
    "tr": Reference("tr", _translations("tr").gettext, ",", ".", _reference_day),
    "en": Reference("en", lambda msgid: msgid, ".", ",", _reference_english_day),
}
BABEL = {"tr": "tr_TR", "en": "en_GB"}

amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False)
days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@settings(max_examples=500, deadline=None)
@given(value=amounts, code=st.sampled_from(["tr", "en"]))
def test_money_is_written_as_before_and_as_babel_writes_it(value, code):
    written = language(code).money(value)
    assert written == REFERENCES[code].money(value)
    babel = format_decimal(value, "#,##0.00", locale=BABEL[code]).replace("-", "\u2212")
    assert written == babel


@settings(max_examples=500, deadline=None)
@given(day=days)
def test_days_are_written_as_strftime_and_babel_write_them(day):
    assert _turkish_day(day) == day.strftime("%d.%m.%Y") == language("tr").value(day)
    assert _english_day(day) == format_date(day, "d MMM y", locale="en") == language("en").value(day)
    moment = datetime(day.year, day.month, day.day, 13, 45)
    assert language("tr").value(moment) == moment.strftime("%d.%m.%Y")  # a datetime is a day too


# Values of every kind a Text carries, nested as the engine nests them.
names = st.builds(Name, st.text(max_size=12), st.sampled_from(["tr", "en"]),
                  st.lists(st.tuples(st.sampled_from(["tr", "en"]), st.text(max_size=12)), max_size=2).map(tuple))
leaves = st.one_of(amounts, days, st.integers(-10**6, 10**6), st.booleans(), st.text(max_size=20), names,
                   st.lists(names, max_size=3).map(lambda n: Names(tuple(n))), st.datetimes())
MSGIDS = [
    "{price} × {factor}",
    "{name}: {amount} off.",
    "{sessions} sessions: {saving} less per session, and {less} less in total.",
    "{basis}, capped at {cap}",
    "This code needs these areas in the course: {areas}.",
    "Manual discount: {reason}",
]


@st.composite
def texts(draw, depth: int = 2) -> Text:
    msgid = draw(st.sampled_from(MSGIDS))
    keys = [part.split("}")[0] for part in msgid.split("{")[1:]]
    inner = texts(depth - 1) if depth else leaves
    values = {key: draw(st.one_of(leaves, inner, st.tuples(leaves, leaves))) for key in keys}
    return Text(msgid, values)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(texts(), st.sampled_from([Text("Manual discount"), Text("Choose at least one area.")]),
                      st.text(max_size=10), names),
       code=st.sampled_from(["tr", "en"]))
def test_render_writes_what_it_wrote_before(text, code):
    assert language(code).render(text) == REFERENCES[code].render(text)
    assert language(code).render(text) == language(code).render(text)  # the kept translation is the same


@settings(max_examples=150, deadline=None)
@given(case=priced())
def test_estimates_read_as_before_in_every_language(case):
    price_list, request = case
    estimate = price(price_list, request)
    for code in ("tr", "en"):
        assert estimate_to_plain(estimate, language(code)) == estimate_to_plain(estimate, REFERENCES[code])


@pytest.mark.parametrize("code", ["tr", "en"])
def test_a_translation_is_the_catalogues(code):
    msgid = "This code is not valid at the chosen clinic."
    assert language(code).render(Text(msgid)) == REFERENCES[code].gettext(msgid)
    if code == "tr":
        assert language(code).render(Text(msgid)) != msgid
    assert ENGLISH.render(Text(msgid)) == msgid
