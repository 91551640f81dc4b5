"""The payment rules of domain/payments.py: pure, over any amounts."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quoteapi.domain.errors import Conflict, Invalid
from quoteapi.domain.payments import Payment, balance, check_amount, check_payable, deposit_amount, paid_total

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

CENTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2)
DAY = date(2026, 12, 7)
MOMENT = datetime(2026, 12, 7, 9, tzinfo=timezone.utc)


def payment(kind: str, amount: Decimal) -> Payment:
    return Payment(1, kind, amount, "cash", DAY, None, MOMENT, "sam")


@given(st.lists(st.tuples(st.sampled_from(["payment", "refund"]), CENTS), max_size=20), CENTS)
def test_paid_total_and_balance_are_sums_to_the_cent(steps, total):
    payments = [payment(kind, amount) for kind, amount in steps]
    paid = paid_total(payments)
    assert paid == sum(a for k, a in steps if k == "payment") - sum(a for k, a in steps if k == "refund")
    assert paid.as_tuple().exponent == -2
    assert balance(total, paid) == total - paid


@given(CENTS, st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2))
def test_the_deposit_is_rounded_half_up_to_the_cent(total, percent):
    exact = total * percent / 100
    deposit = deposit_amount(total, percent)
    assert abs(deposit - exact) <= Decimal("0.005")
    assert deposit == exact.quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert deposit_amount(total, None) is None


def test_half_a_cent_goes_up():
    assert deposit_amount(Decimal("100.10"), Decimal("5")) == Decimal("5.01")
    assert deposit_amount(Decimal("19132.00"), Decimal("20")) == Decimal("3826.40")


@pytest.mark.parametrize("status", ["new", "draft", "sent", "declined", "expired"])
def test_only_accepted_quotes_take_payments(status):
    with pytest.raises(Conflict) as raised:
        check_payable("Q-1", status)
    assert raised.value.kind == "quote-not-accepted" and "status" in raised.value.errors
    check_payable("Q-1", "accepted")


def test_amounts_days_and_refunds():
    check_amount("refund", Decimal("10.00"), Decimal("10.00"), DAY, DAY)
    for kind, amount, paid, received, field in [
        ("refund", Decimal("10.01"), Decimal("10.00"), DAY, "amount"),
        ("payment", Decimal("0"), Decimal("0"), DAY, "amount"),
        ("payment", Decimal("1.001"), Decimal("0"), DAY, "amount"),
        ("payment", Decimal("1"), Decimal("0"), DAY + timedelta(days=1), "received_on"),
    ]:
        with pytest.raises(Invalid) as raised:
            check_amount(kind, amount, paid, DAY, received)
        assert field in raised.value.errors
