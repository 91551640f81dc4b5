"""The pipeline report's pure rules (quoteapi/domain/reports.py): conversion, medians, folding, periods."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quoteapi.domain import reports
from quoteapi.domain.quotes import DECLINE_REASONS, STATUSES

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless


def test_conversion_and_median_round_half_up_and_are_none_without_data():
    assert reports.conversion(2, 1, 0) == Decimal("0.6667")
    assert reports.conversion(1, 0, 7) == Decimal("0.1250")
    assert reports.conversion(0, 0, 0) is None
    assert reports.median_days([]) is None
    assert reports.median_days([86400 * 2.25, 86400 * 4]) == Decimal("3.1")  # 3.125 days
    assert reports.median_days([86400 * 0.25]) == Decimal("0.3")  # 0.25, half up


def test_periods_list_every_month_and_monday_of_the_range():
    assert reports.periods("month", date(2025, 11, 30), date(2026, 2, 1)) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    weeks = reports.periods("week", date(2026, 1, 1), date(2026, 1, 19))
    assert weeks == ["2025-12-29", "2026-01-05", "2026-01-12", "2026-01-19"]
    assert reports.periods("clinic", date(2026, 1, 1), date(2026, 2, 1)) == []


rows = st.lists(st.fixed_dictionaries({
    "key": st.sampled_from(["a", "b", None]), "status": st.sampled_from(STATUSES),
    "reason": st.sampled_from(DECLINE_REASONS + ("", None, "nonsense")),
    "quotes": st.integers(1, 50), "value_cents": st.integers(0, 10**9), "discount_count": st.integers(0, 5),
    "discount_cents": st.integers(0, 10**6), "paid_cents": st.integers(0, 10**7),
}), max_size=30)


@given(rows)
def test_folding_keeps_every_quote_and_cent(found):
    folded = reports.fold(found)
    everything = reports.fold(found, one_group=True).get(None) or reports.empty_counts()
    for field in ("quotes", "value_cents", "discount_count", "discount_cents", "paid_cents"):
        assert sum(c[field] for c in folded.values()) == sum(r[field] for r in found) == everything[field]
    figures = reports.figures(everything, None)
    assert sum(s.count for s in figures.statuses.values()) == figures.quotes
    assert sum(s.value for s in figures.statuses.values()) == figures.value
    assert sum(figures.decline_reasons.values()) == figures.statuses["declined"].count
    if figures.conversion is not None:
        assert Decimal(0) <= figures.conversion <= Decimal(1)


def test_month_and_week_labels_are_texts_with_month_names():
    assert str(reports.month_label("2026-12")) == "December 2026"
    assert str(reports.week_label((date(2026, 11, 30) + timedelta(days=0)).isoformat())) == "Week of 30 November 2026"
