"""A quote's stored sentences with their figures the language's way (adapters/figures.py), for screens and documents.

The API answers the same sentences with its own figures (``4000.00 × 1.20``), as its contract says; these
are what a page and a document show instead.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from quoteapi.adapters.figures import percent_text, readable
from quoteapi.adapters.i18n import language, money_text
from quoteapi.domain.text import T

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless


@pytest.mark.parametrize(("stored", "code", "shown"), [
    ("4000.00 × 1.20", "tr", "4.000,00\u00a0₺ × 1,2"),
    ("4000.00 × 1.00", "tr", "4.000,00\u00a0₺ × 1"),
    ("(5500.00 + 300 cm² × 2.50) × 1.20", "tr", "(5.500,00\u00a0₺ + 300 cm² × 2,50\u00a0₺) × 1,2"),
    ("32616.54 × %7.5", "tr", "32.616,54\u00a0₺ × %7,5"),
    ("32616.54 × %7.5, üst sınır 2000.00", "tr", "32.616,54\u00a0₺ × %7,5, üst sınır 2.000,00\u00a0₺"),
    ("Uzman: Dermatolog (x1.15)", "tr", "Uzman: Dermatolog (×1,15)"),
    ("6 seans: seans başına 204,00 daha az.", "tr", "6 seans: seans başına 204,00\u00a0₺ daha az."),
    ("1 seans: 86475.60 / 6", "tr", "1 seans: 86.475,60\u00a0₺ / 6"),
    ("4800.00 × 20 % (every area but the largest)", "en", "₺4,800.00 × 20% (every area but the largest)"),
    ("Course discount for 6+ sessions: 15 %", "en", "Course discount for 6+ sessions: 15%"),
    ("Specialist: Dermatologist (x1.40)", "en", "Specialist: Dermatologist (×1.4)"),
    ("6 sessions: 1,204.00 less per session.", "en", "6 sessions: ₺1,204.00 less per session."),
    ("150.00 off, capped at 90.00", "en", "₺150.00 off, capped at ₺90.00"),
])
def test_stored_figures_are_written_the_languages_way(stored, code, shown):
    assert readable(stored, code) == shown


@pytest.mark.parametrize("stored", ["Tüm yüz", "Elle verilen indirim: Sadık müşteri", "Sırt (akne izleri), 1800 cm²",
                                    "(x) × 4000.00 and more", ""])
def test_a_sentence_without_figures_or_not_the_engines_is_shown_as_stored(stored):
    assert readable(stored, "tr") in (stored, "Sırt (akne izleri), 1800 cm²")


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2),
       st.decimals(min_value=Decimal("0.5"), max_value=Decimal("3"), places=2),
       st.sampled_from(["tr", "en"]))
def test_any_price_and_factor_read_back_to_the_same_figures(price, factor, code):
    stored = language(code).render(T("{price} × {factor}", price=f"{price:.2f}", factor=f"{factor:.2f}"))
    shown = readable(stored, code)
    assert shown.startswith(money_text(price, "TRY", code))
    written_factor = f"{factor.normalize():f}"
    assert shown.endswith(written_factor.replace(".", ",") if code == "tr" else written_factor)


def test_percent_is_written_the_languages_way():
    assert percent_text(Decimal("15"), "tr") == "%15" and percent_text(Decimal("7.5"), "tr") == "%7,5"
    assert percent_text(Decimal("15"), "en") == "15%" and percent_text("7.50", "en") == "7.5%"
