"""The price list's CSV as Turkish Excel saves it: semicolons, decimal commas, Windows-1254 or a BOM, CRLF."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteapi.adapters import spreadsheets
from quoteapi.domain.errors import Invalid
from quoteapi.domain.numbers import local_decimal
from quoteapi.domain.price_list import to_plain

from .strategies import price_lists

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

# What Turkish Excel writes for a small list ("Farklı kaydet → CSV (virgülle ayrılmış)"): the header and
# cells separated by semicolons, numbers with a decimal comma and thousands grouped by dots, days as
# day.month.year, TRUE as DOĞRU, rows ended by CRLF, the text in Windows-1254.
EXCEL_ROWS = (
    "section;code;name;city;price_factor;tax_rate;prices_include_tax;size_cm2;price;extra_cm2_price;multiplier;"
    "min_sessions;discount_percent;starts_on;ends_on;benefit_type;benefit_value;value\r\n"
    "setting;currency;;;;;;;;;;;;;;;;TRY\r\n"
    "setting;combination_discount_percent;;;;;;;;;;;;;;;;12,5\r\n"
    "clinic;ist-kadikoy;Kadıköy Şubesi;İstanbul;1,15;0,20;DOĞRU;;;;;;;;;;;\r\n"
    "area;face;Tüm yüz;;;;;1.600;4.400,00;2,50;;;;;;;;\r\n"
    "area;neck;Boyun;;;;;300;1800;0;;;;;;;;\r\n"
    "specialist_level;dermatologist;Dermatolog;;;;;;;;1,4;;;;;;;\r\n"
    "session_tier;;;;;;;;;;;6;15;;;;;\r\n"
    'campaign;KIS;"Kış; ışıltı";;;;;;;;;;;1.12.2026;28.02.2027;percent;7,5;\r\n'
    ";;;;;;;;;;;;;;;;;\r\n"
)

EXPECTED = {
    "currency": "TRY",
    "combination_discount_percent": "12.5",
    "clinics": [{"code": "ist-kadikoy", "name": "Kadıköy Şubesi", "city": "İstanbul", "price_factor": "1.15",
                 "tax_rate": "0.20", "prices_include_tax": True}],
    "areas": [{"code": "face", "name": "Tüm yüz", "size_cm2": 1600, "price": "4400.00", "extra_cm2_price": "2.50"},
              {"code": "neck", "name": "Boyun", "size_cm2": 300, "price": "1800", "extra_cm2_price": "0"}],
    "products": [],
    "specialist_levels": [{"code": "dermatologist", "name": "Dermatolog", "multiplier": "1.4"}],
    "session_tiers": [{"min_sessions": 6, "discount_percent": "15"}],
    "campaigns": [{"code": "KIS", "name": "Kış; ışıltı", "starts_on": "2026-12-01", "ends_on": "2027-02-28",
                   "clinics": [], "required_areas": [], "benefit": {"type": "percent", "value": "7.5"}}],
    "concerns": [],
}


@pytest.mark.parametrize("encode", [
    lambda text: text.encode("cp1254"),  # Excel's "CSV (virgülle ayrılmış)" on a Turkish Windows
    lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),  # "CSV UTF-8"
    lambda text: text.encode("utf-16"),  # "Unicode metin" (with a byte-order mark)
], ids=["cp1254", "utf-8-bom", "utf-16"])
def test_a_file_saved_by_turkish_excel_is_read_as_meant(encode):
    reading = spreadsheets.read_csv(encode(EXCEL_ROWS))
    assert reading.doc == EXPECTED
    assert reading.delimiter == ";" and reading.decimal_comma
    assert reading.lines == 8  # the empty row is not counted
    # The telling examples: thousands grouped, a decimal comma alone, a day.
    assert reading.examples == [("4.400,00", "4400.00", "decimal"), ("12,5", "12.5", "decimal"),
                                ("1.12.2026", "2026-12-01", "day")]
    assert reading.rows[("areas", 1)] == 6 and reading.rows[("setting", "currency")] == 2


def test_the_encoding_is_told_by_the_bytes():
    text = "section;code;name\r\narea;face;Tüm yüz\r\n"
    assert spreadsheets.read_csv(text.encode("cp1254")).encoding == "cp1254"
    assert spreadsheets.read_csv(codecs.BOM_UTF8 + text.encode()).encoding == "utf-8-sig"
    assert spreadsheets.read_csv(text.encode()).encoding == "utf-8"
    assert spreadsheets.read_csv(text.encode("utf-16")).encoding == "utf-16"
    # A charset sent with the bytes is believed when it reads them.
    assert spreadsheets.read_csv(text.encode("iso-8859-9"), "ISO-8859-9").doc["areas"][0]["name"] == "Tüm yüz"
    assert spreadsheets.read_csv(text.encode("cp1254"), "utf-8").encoding == "cp1254"  # a wrong one is not
    with pytest.raises(Invalid) as refused:
        spreadsheets.read_csv(b"section;code\r\narea;\x81\x8d\x9d\xff\xfe\x90\r\n")
    assert "Windows-1254" in str(refused.value.detail)
    for broken in (codecs.BOM_UTF16_LE + b"s\x00e", codecs.BOM_UTF8 + b"section\xff"):  # a mark, then not its text
        with pytest.raises(Invalid):
            spreadsheets.read_csv(broken)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_header_row_tells_the_separator_and_no_section_column_is_missing(delimiter):
    text = delimiter.join(["section", "code", "name", "price"]) + "\r\n" + delimiter.join(["product", "gauze", "Gazlı bez", "40.00"])
    reading = spreadsheets.read_csv(text.encode("cp1254"))
    assert reading.delimiter == delimiter
    assert reading.doc["products"] == [{"code": "gauze", "name": "Gazlı bez", "price": "40.00"}]
    with pytest.raises(Invalid) as refused:
        spreadsheets.read_csv(("code;name;price\r\ngauze;Gazlı bez;40,00\r\n").encode("cp1254"))
    assert [str(m) for m in refused.value.errors["_body"]] == ["The CSV needs a header row with a 'section' column."]


def test_a_file_with_plain_decimals_is_read_as_before():
    """The documented format (commas, plain decimals) reads as it always did: no dot is taken for thousands."""
    text = "section,code,name,price,size_cm2\narea,face,Yüz,4.400,600\nproduct,gauze,Bez,40.00,\n"
    reading = spreadsheets.read_csv(text.encode())
    assert not reading.decimal_comma and reading.examples == []
    assert reading.doc["areas"][0]["price"] == "4.400"  # for the schema to refuse, as before
    assert reading.doc["products"][0]["price"] == "40.00"
    # Semicolons alone (numbers written plainly) do not make a dot a thousands mark either.
    plain = spreadsheets.read_csv(text.replace(",", ";").encode())
    assert plain.delimiter == ";" and plain.doc == reading.doc


def _as_turkish_excel(text: str, delimiter: str, encoding: str) -> bytes:
    """A CSV that ``to_csv`` wrote, as Turkish Excel saves it after opening it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    rows = csv.DictReader(io.StringIO(text))
    writer.writerow(rows.fieldnames)
    for row in rows:
        for column, value in row.items():
            decimal = column in spreadsheets.DECIMALS or (column == "value" and row["code"] in spreadsheets.DECIMALS)
            if value and decimal:
                row[column] = local_decimal(value, "tr")
            elif value and column in ("size_cm2", "max_uses"):
                row[column] = local_decimal(value, "tr")  # 1.500: a whole number grouped
            elif value and column in spreadsheets.DATES:
                year, month, day = value.split("-")
                row[column] = f"{int(day)}.{int(month)}.{year}"
            elif value in ("true", "false") and column in spreadsheets.BOOLEANS:
                row[column] = "DOĞRU" if value == "true" else "YANLIŞ"
        writer.writerow(row.values())
    return (codecs.BOM_UTF8 if encoding == "utf-8-sig" else b"") + out.getvalue().encode(
        "utf-8" if encoding == "utf-8-sig" else encoding)


NAMES = st.text("abcçdefgğhıijklmnoöprsştuüvyzAÇĞIİÖŞÜ ;,\"'", min_size=1, max_size=20).filter(
    lambda name: name == name.strip())


@settings(max_examples=50, deadline=None)
@given(price_lists(), st.sampled_from([";", "\t"]), st.sampled_from(["cp1254", "utf-8-sig", "utf-16"]), NAMES)
def test_any_list_saved_the_turkish_way_reads_as_the_plain_file(price_list, delimiter, encoding, name):
    """Round trip: to_csv, then as Turkish Excel saves it, then read: the document the plain file gives."""
    areas = tuple(replace(area, name=name) for area in price_list.areas)
    plain = spreadsheets.to_csv(to_plain(replace(price_list, areas=areas)))
    expected, rows = spreadsheets.from_csv(plain)
    reading = spreadsheets.read_csv(_as_turkish_excel(plain, delimiter, encoding))
    assert reading.doc == expected and reading.rows == rows
    assert reading.delimiter == delimiter and reading.decimal_comma
    assert reading.lines == len(plain.splitlines()) - 1
