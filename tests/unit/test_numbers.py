"""Numbers as people type them (domain/numbers.py): Turkish and English writing, read back as plain decimals."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quoteapi.domain.numbers import local_decimal, plain_decimal

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless


@pytest.mark.parametrize("typed, language, plain", [
    ("4.400,00", "tr", "4400.00"), ("4.400", "tr", "4400"), ("12.345.678,9", "tr", "12345678.9"), ("1,15", "tr", "1.15"),
    ("1.15", "tr", "1.15"), ("4400.00", "tr", "4400.00"), (" 4 400,00 ", "tr", "4400.00"), ("-3,5", "tr", "-3.5"),
    ("4,400.00", "en", "4400.00"), ("4400.00", "en", "4400.00"), ("1.15", "en", "1.15"),
])
def test_a_number_written_either_way_is_read_as_a_plain_decimal(typed, language, plain):
    assert plain_decimal(typed, language) == plain


@pytest.mark.parametrize("typed, language", [("abc", "tr"), ("1.2.3", "tr"), ("1,15", "en"), ("4.400,00", "en"), ("", "tr")])
def test_anything_else_stays_as_typed_for_the_validation_to_name(typed, language):
    assert plain_decimal(typed, language) == typed


amounts = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False, allow_infinity=False)


@given(amounts, st.sampled_from(["tr", "en"]))
def test_what_the_page_writes_is_read_back_as_the_same_number(amount, language):
    plain = f"{amount:f}"
    written = local_decimal(plain, language)
    assert Decimal(plain_decimal(written, language)) == amount
