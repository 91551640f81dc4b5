"""Price-list document version 3: clinic contacts, deposit_percent, bank_account (price-list.md), the deposit's amount."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from quoteapi.adapters import spreadsheets
from quoteapi.adapters.i18n import language
from quoteapi.domain.price_list import from_plain, to_plain, validate
from quoteapi.domain.price_list import iban
from quoteapi.domain.price_list.codec import clinic_to_plain, item_to_plain
from quoteapi.domain.pricing.errors import PriceListInvalid
from quoteapi.domain.quotes import deposit_of
from quoteapi.interface.schemas.fields import flatten_messages
from quoteapi.interface.schemas.price_list import ClinicSchema, PriceListSchema
from quoteapi.services.price_lists import demo_document

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

DEMO_IBAN = "TR330006100519786457841326"
ACCOUNT = {"holder": "Örnek Dermaterapi A.Ş.", "bank": "Örnek Bank", "iban": DEMO_IBAN}
V2_CLINIC = {"code": "x", "name": "X", "city": "İzmir", "price_factor": "1.00", "tax_rate": "0.20",
             "prices_include_tax": True}


def problems(data: dict, schema=ClinicSchema, **options) -> dict[str, list[str]]:
    try:
        schema(**options).load(data)
    except ValidationError as error:
        return flatten_messages(error.messages)
    return {}


# --- IBAN -------------------------------------------------------------------------------------


@pytest.mark.parametrize("good", [DEMO_IBAN, "DE89370400440532013000", "GB82WEST12345698765432", "NO9386011117947"])
def test_good_ibans_pass(good):
    assert iban.problem(good) is None


@pytest.mark.parametrize("typed", ["tr33 0006 1005 1978 6457 8413 26", " TR33 0006 1005 1978 6457 8413 26 ",
                                   "TR33\u00a00006\u00a01005 1978 6457 8413 26", "Tr330006100519786457841326"])
def test_an_iban_is_read_with_spaces_and_lower_case_and_kept_compact(typed):
    assert iban.compact(typed) == DEMO_IBAN
    loaded = ClinicSchema().load({**V2_CLINIC, "bank_account": {**ACCOUNT, "iban": typed}})
    assert loaded["bank_account"]["iban"] == DEMO_IBAN


def test_printed_in_groups_of_four():
    assert iban.grouped(DEMO_IBAN) == "TR33 0006 1005 1978 6457 8413 26"


@pytest.mark.parametrize("bad, why", [
    ("TR340006100519786457841326", "check digits"),  # wrong check digits
    ("TR330006100519786457841327", "check digits"),  # one account digit mistyped
    ("TR33000610051978645784132", "length"),  # one character short
    ("XX330006100519786457841326", "registry"),  # no such country
    ("TR330006110519786457841326", "form"),  # the reserved digit of a Turkish BBAN is not 0
    ("TR33-0006-1005", "country code, two check digits"),
    ("TR33０００６100519786457841326", "country code, two check digits"),  # full-width digits
])
def test_bad_ibans_are_refused_with_the_reason(bad, why):
    found = iban.problem(iban.compact(bad))
    assert found is not None and why in found.msgid


# Every single mistyped character changes the remainder mod 97 (ISO 7064 catches all of them).
@given(position=st.integers(min_value=4, max_value=25), digit=st.sampled_from("0123456789"))
def test_any_single_digit_mistyped_is_caught(position, digit):
    typed = DEMO_IBAN[:position] + digit + DEMO_IBAN[position + 1:]
    assert (iban.problem(typed) is None) == (typed == DEMO_IBAN)


@given(account=st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=16, max_size=16),
       bank=st.text(alphabet="0123456789", min_size=5, max_size=5))
def test_check_digits_computed_for_any_turkish_account_are_accepted(account, bank):
    bban = bank + "0" + account
    check = 98 - int("".join(str(int(c, 36)) for c in bban + "TR00")) % 97
    assert iban.problem(f"TR{check:02d}{bban}") is None


# --- The clinic's fields, one rule at a time ------------------------------------------------------


def test_a_version_2_clinic_stays_valid_and_unchanged():
    loaded = ClinicSchema().load(V2_CLINIC)
    assert loaded["deposit_percent"] == 0 and loaded["bank_account"] is None and loaded["email"] is None
    assert item_to_plain("clinics", loaded) == V2_CLINIC  # nothing added to its plain form
    assert ClinicSchema().dump(from_plain_clinic(V2_CLINIC)) == V2_CLINIC


def from_plain_clinic(data: dict):
    doc = demo_document()
    doc["clinics"] = [data]
    return from_plain(doc).clinics[0]


def test_a_version_3_clinic_round_trips_through_the_codec_and_the_schema():
    given_clinic = {**V2_CLINIC, "address": "Alsancak, İzmir", "phone": "+902321234567", "email": "izmir@example.com",
                    "deposit_percent": "12.5", "bank_account": ACCOUNT}
    loaded = ClinicSchema().load(given_clinic)
    plain = item_to_plain("clinics", loaded)
    assert plain == given_clinic
    clinic = from_plain_clinic(plain)
    assert clinic.deposit_percent == Decimal("12.5") and clinic.bank_account.iban == DEMO_IBAN
    assert clinic_to_plain(clinic) == ClinicSchema().dump(clinic) == given_clinic


@pytest.mark.parametrize("typed", ["+90 232 123 45 67", "0232 123 45 67", "232 123 45 67", "+902321234567"])
def test_a_phone_is_stored_in_e164(typed):
    assert ClinicSchema().load({**V2_CLINIC, "phone": typed})["phone"] == "+902321234567"


@pytest.mark.parametrize("field, value", [
    ("phone", "call me"), ("phone", "+90 232"), ("phone", "+90 232 123 45 67 89 00"), ("phone", "٠٢٣٢ ١٢٣ ٤٥ ٦٧"),
    ("email", "not an address"), ("email", "a@example.com\nBcc: b@example.com"),
    ("deposit_percent", "12.345"), ("deposit_percent", "100.01"), ("deposit_percent", "-5"), ("deposit_percent", 0.2),
    ("deposit_percent", "ten"),
])
def test_each_bad_field_is_named(field, value):
    assert list(problems({**V2_CLINIC, field: value, "bank_account": ACCOUNT})) == [field]


@pytest.mark.parametrize("account, path", [
    ({**ACCOUNT, "iban": "TR340006100519786457841326"}, "bank_account.iban"),
    ({"holder": "X", "iban": DEMO_IBAN}, "bank_account.bank"),
    ({**ACCOUNT, "holder": "  "}, "bank_account.holder"),
    ("TR330006100519786457841326", "bank_account"),
])
def test_a_bank_account_is_checked_part_by_part(account, path):
    assert list(problems({**V2_CLINIC, "bank_account": account})) == [path]


def test_a_deposit_needs_a_bank_account():
    assert problems({**V2_CLINIC, "deposit_percent": "20"}) == {
        "bank_account": ["A deposit needs a bank account to be paid to: give bank_account, or set deposit_percent to 0."]
    }
    assert problems({**V2_CLINIC, "deposit_percent": "20", "bank_account": ACCOUNT}) == {}
    assert problems({**V2_CLINIC, "deposit_percent": "0"}) == {}
    # A PATCH's part of a clinic is checked by the whole list's rules once merged (below).
    assert problems({"deposit_percent": "20"}, partial=True) == {}


def test_every_bad_field_of_a_clinic_is_named_at_once():
    found = problems({**V2_CLINIC, "phone": "x", "email": "y", "deposit_percent": "20",
                      "bank_account": {**ACCOUNT, "iban": "TR00"}})
    assert set(found) == {"phone", "email", "bank_account.iban"}  # not "needs an account": one was given
    doc = demo_document()
    doc["clinics"][0].update(phone="x", deposit_percent="1.234")
    doc["clinics"][2].update(deposit_percent="5")
    del doc["clinics"][2]["bank_account"]
    assert set(problems(doc, PriceListSchema)) == {"clinics.0.phone", "clinics.0.deposit_percent", "clinics.2.bank_account"}


def test_the_whole_list_rules_check_a_merged_clinic():
    doc = demo_document()
    del doc["clinics"][2]["bank_account"]
    doc["clinics"][2]["deposit_percent"] = "10"
    with pytest.raises(PriceListInvalid) as caught:
        validate(from_plain(doc))
    assert list(caught.value.errors) == ["clinics.2.bank_account"]
    doc["clinics"][2]["bank_account"] = {**ACCOUNT, "iban": "TR340006100519786457841326"}
    with pytest.raises(PriceListInvalid) as caught:
        validate(from_plain(doc))
    assert list(caught.value.errors) == ["clinics.2.bank_account.iban"]


MESSAGES = [
    "A deposit needs a bank account to be paid to: give bank_account, or set deposit_percent to 0.",
    "A phone number such as +90 212 123 45 67 (it is stored as +902121234567).",
    "An IBAN is a country code, two check digits and the account's letters and digits, "
    "such as TR33 0006 1005 1978 6457 8413 26.",
    "The IBAN's first two letters are no country of the IBAN registry.",
    "The IBAN does not have its country's length (26 characters for Turkey).",
    "This is not the form of its country's IBANs.",
    "The IBAN's check digits do not match: a character is probably mistyped.",
]


@pytest.mark.parametrize("message", MESSAGES)
def test_each_message_is_said_in_both_languages(message):
    turkish = language("tr").gettext(message)
    assert language("en").gettext(message) == message
    assert turkish != message and turkish.strip()


# --- The demo list ------------------------------------------------------------------------------


def test_the_demo_list_is_valid_and_has_the_version_3_contacts_deposits_and_account():
    doc = demo_document()
    loaded = PriceListSchema().load(doc)
    price_list = from_plain(loaded)
    validate(price_list)
    clinics = {c.code: c for c in price_list.clinics}
    assert {code: (c.phone, c.email, c.deposit_percent) for code, c in clinics.items()} == {
        "ist-nisantasi": ("+902120000101", "nisantasi@example.com", Decimal(20)),
        "ist-kadikoy": ("+902160000202", "kadikoy@example.com", Decimal(20)),
        "ank-cankaya": ("+903120000303", "cankaya@example.com", Decimal(0)),
    }
    assert clinics["ist-nisantasi"].address == "Teşvikiye Cad. No: 10, Şişli/İstanbul"
    assert clinics["ank-cankaya"].address == "Tunalı Hilmi Cad. No: 30, Çankaya/Ankara"
    assert {c.bank_account for c in clinics.values()} == {clinics["ist-kadikoy"].bank_account}  # one account
    assert clinics["ist-kadikoy"].bank_account.holder == "Örnek Dermaterapi A.Ş."
    assert clinics["ist-kadikoy"].bank_account.bank == "Örnek Bank"
    assert clinics["ist-kadikoy"].bank_account.iban == DEMO_IBAN
    # The stored plain form (what a version keeps) is the file's clinics, as written.
    assert to_plain(price_list)["clinics"] == doc["clinics"]


# --- CSV and YAML ---------------------------------------------------------------------------------


def _reloaded(doc: dict) -> dict:
    return to_plain(from_plain(PriceListSchema().load(doc)))


def test_the_csv_round_trip_keeps_contacts_deposits_and_the_bank_account():
    doc = to_plain(from_plain(demo_document()))
    text = spreadsheets.to_csv(doc)
    header = text.splitlines()[0].split(",")
    for column in ("email", "deposit_percent", "bank_account_holder", "bank_account_bank", "bank_account_iban"):
        assert column in header
    assert "TR330006100519786457841326" in text and "'+902160000202" in text  # a + would start a formula
    back, _ = spreadsheets.from_csv(text)
    assert _reloaded(back) == doc


def test_the_csv_names_the_cell_of_a_bad_iban():
    doc = to_plain(from_plain(demo_document()))
    doc["clinics"][1]["bank_account"]["iban"] = "TR340006100519786457841326"
    back, rows = spreadsheets.from_csv(spreadsheets.to_csv(doc))
    found = problems(back, PriceListSchema)
    assert list(spreadsheets.relabel(found, rows)) == ["row 8.bank_account_iban"]


def test_a_csv_clinic_without_an_account_has_none():
    doc = to_plain(from_plain(demo_document()))
    del doc["clinics"][2]["bank_account"]
    back, _ = spreadsheets.from_csv(spreadsheets.to_csv(doc))
    assert "bank_account" not in back["clinics"][2] and _reloaded(back) == doc


def test_the_yaml_round_trip_keeps_them_and_reads_as_written():
    doc = to_plain(from_plain(demo_document()))
    text = spreadsheets.to_yaml(doc)
    assert "phone: '+902120000101'" in text and "iban: TR330006100519786457841326" in text
    assert _reloaded(spreadsheets.from_yaml(text)) == doc
    typed = text.replace("iban: TR330006100519786457841326", "iban: tr33 0006 1005 1978 6457 8413 26", 1)
    typed = typed.replace("deposit_percent: '20'", "deposit_percent: 20", 1)
    assert _reloaded(spreadsheets.from_yaml(typed)) == doc


def test_a_formula_in_a_bank_account_is_neutralised_both_ways():
    doc = copy.deepcopy(to_plain(from_plain(demo_document())))
    doc["clinics"][0]["bank_account"]["holder"] = "=HYPERLINK(\"http://x\")"
    for text, read in ((spreadsheets.to_csv(doc), lambda t: spreadsheets.from_csv(t)[0]),
                       (spreadsheets.to_yaml(doc), spreadsheets.from_yaml)):
        assert "'=HYPERLINK" in text
        assert read(text)["clinics"][0]["bank_account"]["holder"] == "=HYPERLINK(\"http://x\")"


# --- The deposit's amount ---------------------------------------------------------------------------

MONEY = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2, allow_nan=False, allow_infinity=False)
PERCENT = st.decimals(min_value=Decimal("0.01"), max_value=100, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=300)
@given(total=MONEY, percent=PERCENT)
def test_the_deposit_is_the_total_times_the_percentage_rounded_half_up(total, percent):
    deposit = deposit_of(percent, total)
    exact = total * percent / 100
    assert deposit.amount == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert abs(deposit.amount - exact) <= Decimal("0.005")
    assert Decimal(0) <= deposit.amount <= total
    assert deposit.amount.as_tuple().exponent == -2
    assert deposit.percent == percent and "E" not in str(deposit.percent)


def test_the_deposit_examples():
    assert deposit_of(Decimal("20"), Decimal("19132.00")).amount == Decimal("3826.40")
    assert deposit_of(Decimal("20.00"), Decimal("19132.00")).percent.to_eng_string() == "20"
    assert deposit_of(Decimal("12.5"), Decimal("0.04")).amount == Decimal("0.01")  # 0.005 rounds up
    assert deposit_of(Decimal("0"), Decimal("19132.00")) is None and deposit_of(None, Decimal(1)) is None
