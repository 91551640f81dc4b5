"""The price list as one CSV file, and as YAML, for spreadsheets and editors.

CSV layout: one row per setting or item, the first column `section` saying
which table the row belongs to (`setting`, `clinic`, `area`, `product`,
`specialist_level`, `session_tier`, `campaign`); each table fills only its own
columns. A setting row has the setting's name in `code` and its value in
`value`. List cells (`clinics`, `required_areas`) separate codes with spaces.
Translations (document version 2) are the columns `name@en`, `name@tr` (and
`city@en`, `city@tr` for clinics): a name in another language than the
document's; an empty cell means none.
A clinic's bank account (document version 3) is three columns, `bank_account_holder`,
`bank_account_bank` and `bank_account_iban`; all three empty mean none.
Skin concerns (document version 3) are rows of the `concern` section, one per
concern and severity (`mild`, `moderate`, `pronounced` in `severity`), each
with its `sessions_min`, `sessions_max` and `recommended`; the concern's own
cells (`name`, `products`, `maintenance_per_year`, names in other languages)
are written on each of its rows, and read from the first that gives them.
Empty cells are left out, so defaults apply and missing required fields are
reported. The values stay text: the same schema as for JSON checks them.

Reading (:func:`read_csv`) also takes the file as a spreadsheet saved it: UTF-8
with or without a byte-order mark, UTF-16 with one, or Windows-1254 (Turkish
Excel's "CSV"); cells separated by commas, semicolons (Excel where the comma is
the decimal mark) or tabs, told by the header row's `section` column; and, once
a number cell has a decimal comma, numbers written the Turkish way (`4.400,00`,
`4400,00`). Dates as Turkish Excel writes them (`1.12.2026`) and its booleans
(`DOĞRU`, `YANLIŞ`) are read too. What was understood is returned with the
document (:class:`CsvReading`), for the edges to say it in words.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml

from ..domain.errors import Invalid
from ..domain.numbers import plain_decimal
from ..domain.text import LANGUAGES
from ..domain.text import T

SETTINGS = ("language", "currency", "combination_discount_percent", "max_manual_discount_percent", "session_interval_days")
NAMES = tuple(f"name@{language}" for language in LANGUAGES)
CITIES = tuple(f"city@{language}" for language in LANGUAGES)
# Document version 3: a clinic's e-mail, deposit and bank account (flattened to three columns).
BANK_ACCOUNT = ("holder", "bank", "iban")
BANK_COLUMNS = tuple(f"bank_account_{part}" for part in BANK_ACCOUNT)
CLINIC_V3 = ("email", "deposit_percent", *BANK_COLUMNS)
SECTIONS = {
    "clinic": ("clinics", ("code", "name", "city", "price_factor", "tax_rate", "prices_include_tax", "address", "phone", *NAMES, *CITIES,
                         *CLINIC_V3)),
    "area": ("areas", ("code", "name", "size_cm2", "price", "extra_cm2_price", *NAMES)),
    "product": ("products", ("code", "name", "price", *NAMES)),
    "specialist_level": ("specialist_levels", ("code", "name", "multiplier", *NAMES)),
    "session_tier": ("session_tiers", ("min_sessions", "discount_percent")),
    "campaign": (
        "campaigns",
        ("code", "name", "starts_on", "ends_on", "clinics", "min_sessions", "required_areas", "coupon",
         "stackable", "priority", "benefit_type", "benefit_value", "max_uses", *NAMES),
    ),
    "concern": (
        "concerns",
        ("code", "name", "severity", "sessions_min", "sessions_max", "recommended", "products", "maintenance_per_year",
         *NAMES),
    ),
}
# A concern's cells that belong to one severity (the others are the concern's own).
COURSE = ("sessions_min", "sessions_max", "recommended")
COLUMNS = ["section"] + list(dict.fromkeys(c for _, cols in SECTIONS.values() for c in cols)) + ["value"]
INTEGERS = {"size_cm2", "min_sessions", "priority", "session_interval_days", "max_uses", *COURSE, "maintenance_per_year"}
# A whole number as a spreadsheet writes it: ASCII digits only ("²" and "①" are digits to Python), not too long.
WHOLE = re.compile(r"^-?[0-9]{1,12}$")
# Cells a spreadsheet would run as a formula (OWASP CSV injection): exported with a leading
# apostrophe, which import removes again, so that a round trip changes nothing.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = {"code", "name", "city", "coupon", "address", "phone"}
TEXT_COLUMNS |= {"email", *BANK_COLUMNS, "severity"}
BOOLEANS = {"prices_include_tax", "stackable"}
LISTS = {"clinics", "required_areas", "products"}
# Turkish Excel saves TRUE and FALSE as DOĞRU and YANLIŞ ("yanliş": Python lower-cases I to i).
TRUE, FALSE = {"true", "yes", "1", "doğru", "evet"}, {"false", "no", "0", "yanlış", "yanliş", "hayır", "hayir"}
# Cells holding a decimal (money, percentages, factors), in items and in settings: where a decimal comma may be.
DECIMALS = {"price", "extra_cm2_price", "price_factor", "tax_rate", "multiplier", "discount_percent", "deposit_percent",
            "benefit_value", "combination_discount_percent", "max_manual_discount_percent"}
DATES = {"starts_on", "ends_on"}
# A day as Turkish Excel writes it: 1.12.2026 or 01.12.2026 (day, month, year).
EXCEL_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
DELIMITERS = (",", ";", "\t")


def to_csv(doc: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for name in SETTINGS:
        if name in doc:
            writer.writerow({"section": "setting", "code": name, "value": doc[name]})
    for section, (key, columns) in SECTIONS.items():
        for item in _rows_of(section, doc.get(key, [])):
            row = {"section": section}
            for column in columns:
                row[column] = _cell(column, _get(item, column))
            writer.writerow(row)
    return out.getvalue()


def _rows_of(section: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items of a section as rows: a concern is one row per severity."""
    if section != "concern":
        return items
    return [
        {**{k: v for k, v in item.items() if k != "severities"}, "severity": severity, **course}
        for item in items
        for severity, course in (item.get("severities") or {}).items()
    ]


def _get(item: dict[str, Any], column: str) -> Any:
    if column.startswith("benefit_"):
        return item["benefit"][column.removeprefix("benefit_")]
    if column in BANK_COLUMNS:
        return (item.get("bank_account") or {}).get(column.removeprefix("bank_account_"))
    if "@" in column:
        field, language = column.split("@")
        return item.get("translations", {}).get(language, {}).get(field)
    return item.get(column)


def _is_text(column: str) -> bool:
    return column.split("@")[0] in TEXT_COLUMNS


def neutralise(text: str) -> str:
    """A text that no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(FORMULA_START) or text.startswith("'") else text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given."""
    return text[1:] if text.startswith("'") and (text[1:].startswith(FORMULA_START) or text[1:].startswith("'")) else text


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in LISTS:
        return " ".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_text(column):
        return neutralise(str(value))
    return str(value)


@dataclass
class CsvReading:
    """A CSV read: the document, the row of each item and setting, and how the file was understood."""

    doc: dict[str, Any]
    rows: dict[tuple[str, Any], int]
    delimiter: str = ","
    encoding: str = "utf-8"  # utf-8, utf-8-sig (with a byte-order mark), utf-16, cp1254
    decimal_comma: bool = False
    lines: int = 0  # rows of data (settings and items), the header not counted
    # Cells read otherwise than as written, a few: (as typed, as read, "decimal" | "whole" | "day").
    examples: list[tuple[str, str, str]] = field(default_factory=list)


def decode(raw: bytes, charset: str | None = None) -> tuple[str, str]:
    """The text of a file and the encoding it was read in.

    A byte-order mark decides (UTF-8, UTF-16); else the ``charset`` declared with it, if it reads;
    else UTF-8, and failing that Windows-1254, what Turkish Excel's plain "CSV" writes. Raises
    :class:`Invalid` for bytes none of them reads.
    """
    problem = T("The file is neither UTF-8 nor Windows-1254 (Turkish) text.")
    if raw.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        name = "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-16"
        try:
            return raw.decode(name), name
        except UnicodeDecodeError:
            raise Invalid(problem, {"_body": [problem]}) from None
    if charset:
        try:
            name = codecs.lookup(charset).name
            return raw.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass
    for name in ("utf-8", "cp1254"):
        try:
            return raw.decode(name), name
        except UnicodeDecodeError:
            continue
    raise Invalid(problem, {"_body": [problem]})


def read_csv(raw: bytes | str, charset: str | None = None) -> CsvReading:
    """A CSV as bytes (or text already decoded), however a spreadsheet saved it (see the module's doc).

    Raises :class:`Invalid` (keyed ``row N.column``) for rows it cannot place,
    and for text the csv module cannot read at all (a cell over 128 KiB, a
    bare carriage return inside a cell).
    """
    text, encoding = (raw, "utf-8") if isinstance(raw, str) else decode(raw, charset)
    text = text.removeprefix("\ufeff")
    try:
        reading = _from_csv(text)
    except csv.Error as exc:
        problem = T("The CSV could not be read: {problem}", problem=str(exc)[:200])
        raise Invalid(problem, {"_body": [problem]}) from None
    reading.encoding = encoding
    return reading


def from_csv(text: str) -> tuple[dict[str, Any], dict[tuple[str, Any], int]]:
    """The document the CSV describes, and the row number of each item and setting (see :func:`read_csv`)."""
    reading = read_csv(text)
    return reading.doc, reading.rows


def _delimiter(text: str) -> str:
    """The separator of the cells: the one that makes `section` a cell of the header row; else the sniffer's guess."""
    header = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    for delimiter in DELIMITERS:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        if "section" in (cell.strip() for cell in cells):
            return delimiter
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return ","


def _decimal_comma(rows: list[dict[str, Any]]) -> bool:
    """True when a number cell has a decimal comma (4400,00): the file writes numbers the Turkish way."""
    for row in rows:
        cells = [row.get(column) for column in DECIMALS - {"combination_discount_percent", "max_manual_discount_percent"}]
        if (row.get("section") or "").strip() == "setting" and (row.get("code") or "").strip() in DECIMALS:
            cells.append(row.get("value"))
        if any(isinstance(cell, str) and "," in cell for cell in cells):
            return True
    return False


def _from_csv(text: str) -> CsvReading:
    delimiter = _delimiter(text)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if reader.fieldnames:
        reader.fieldnames = [name.strip() for name in reader.fieldnames]
    if not reader.fieldnames or "section" not in reader.fieldnames:
        needs = T("The CSV needs a header row with a 'section' column.")
        raise Invalid(needs, {"_body": [needs]})
    read = list(reader)
    reading = CsvReading({}, {}, delimiter=delimiter, decimal_comma=_decimal_comma(read))
    cell = _Cells(reading)
    doc: dict[str, Any] = {key: [] for key, _ in SECTIONS.values()}
    rows: dict[tuple[str, Any], int] = {}
    errors: dict[str, list[str]] = {}
    for number, row in enumerate(read, start=2):
        section = (row.get("section") or "").strip()
        if section == "setting":
            reading.lines += 1
            name = (row.get("code") or "").strip()
            if name not in SETTINGS:
                errors[f"row {number}.code"] = [T("Unknown setting {name}; one of {known}.", name=repr(name), known=", ".join(SETTINGS))]
                continue
            doc[name] = cell(name, row.get("value") or "")
            rows[("setting", name)] = number
        elif section in SECTIONS:
            reading.lines += 1
            key, columns = SECTIONS[section]
            item: dict[str, Any] = {}
            for column in columns:
                raw = (row.get(column) or "").strip()
                if raw == "" and column not in LISTS:
                    continue
                item[column] = cell(column, raw)
            translated = [c for c in list(item) if "@" in c]
            for column in translated:
                field, language = column.split("@")
                item.setdefault("translations", {}).setdefault(language, {})[field] = item.pop(column)
            if section == "concern":
                _add_concern_row(doc[key], rows, item, number, errors)
                continue
            if section == "campaign" and ("benefit_type" in item or "benefit_value" in item):
                item["benefit"] = {
                    k: v for k, v in (("type", item.pop("benefit_type", None)), ("value", item.pop("benefit_value", None))) if v is not None
                }
            if section == "clinic" and any(column in item for column in BANK_COLUMNS):
                item["bank_account"] = {
                    part: item.pop(f"bank_account_{part}") for part in BANK_ACCOUNT if f"bank_account_{part}" in item
                }
            rows[(key, len(doc[key]))] = number
            doc[key].append(item)
        elif any((v or "").strip() for v in row.values() if isinstance(v, str)):
            errors[f"row {number}.section"] = [
                T("Unknown section {name}; one of {known}.", name=repr(section), known=", ".join(("setting", *SECTIONS)))
            ]
    if errors:
        raise Invalid(T("The CSV has rows that belong to no table; see errors."), errors)
    reading.doc, reading.rows = doc, rows
    # One of each shape, the telling ones first: a number with thousands grouped (4.400,00), one with
    # a decimal comma only (1,15), a day (1.12.2026), a whole number grouped (1.500).
    def shape(example: tuple[str, str, str]) -> tuple[int, bool]:
        typed, _plain, kind = example
        return ("decimal", "day", "whole").index(kind), not ("." in typed and "," in typed)

    firsts = {}
    for example in reading.examples:
        firsts.setdefault(shape(example), example)
    reading.examples = [firsts[key] for key in sorted(firsts)][:_Cells.EXAMPLES]
    return reading


class _Cells:
    """Reads cells as :func:`_value` does, first turning a Turkish number (in a file with decimal commas) and a
    Turkish Excel day into the plain forms, and noting a few of them as examples of what was understood."""

    EXAMPLES = 3
    SEEN = 30

    def __init__(self, reading: CsvReading) -> None:
        self.reading = reading

    def __call__(self, column: str, raw: str) -> Any:
        text = raw.strip()
        plain, kind = text, None
        if self.reading.decimal_comma and column in DECIMALS:
            plain, kind = plain_decimal(text, "tr"), "decimal"
        elif self.reading.decimal_comma and column in INTEGERS:
            whole = plain_decimal(text, "tr")
            plain, kind = (whole, "whole") if WHOLE.match(whole) else (text, None)
        elif column in DATES and (day := EXCEL_DAY.fullmatch(text)):
            plain, kind = f"{day[3]}-{int(day[2]):02d}-{int(day[1]):02d}", "day"
        if kind and plain != text and len(self.reading.examples) < self.SEEN \
                and all(t != text for t, _, _k in self.reading.examples):
            self.reading.examples.append((text, plain, kind))
        return _value(column, plain)


def _add_concern_row(
    concerns: list[dict[str, Any]], rows: dict[tuple[str, Any], int], cells: dict[str, Any], number: int,
    errors: dict[str, list],
) -> None:
    """One row of the `concern` section: one severity of a concern, added to the concern of its code."""
    code = cells.get("code")
    severity = cells.pop("severity", None)
    course = {name: cells.pop(name) for name in COURSE if name in cells}
    index = next((i for i, c in enumerate(concerns) if code is not None and c.get("code") == code), None)
    if index is None:
        index = len(concerns)
        concerns.append({**cells, "severities": {}})
        rows[("concerns", index)] = number
    concern = concerns[index]
    for name, value in cells.items():  # the concern's own cells: the first row that gives one wins
        if name == "translations":
            for language, names in value.items():
                concern.setdefault("translations", {}).setdefault(language, {}).update(
                    {k: v for k, v in names.items() if k not in concern.get("translations", {}).get(language, {})}
                )
        else:
            concern.setdefault(name, value)
    if severity is None:
        errors[f"row {number}.severity"] = [T("Missing data for required field.")]
        return
    if severity in concern["severities"]:
        errors[f"row {number}.severity"] = [
            T("{value} appears more than once in {list}.", value=repr(severity), list=f"concerns {code}")
        ]
        return
    concern["severities"][severity] = course
    rows[("concerns", index, severity)] = number


def _value(column: str, raw: str) -> Any:
    text = raw.strip()
    if column in LISTS:
        return text.split()
    if column in INTEGERS and WHOLE.match(text):
        return int(text)
    if _is_text(column):
        return restore(text)
    if column in BOOLEANS and text.lower() in TRUE | FALSE:
        return text.lower() in TRUE
    return text


def relabel(errors: dict[str, list[str]], rows: dict[tuple[str, Any], int]) -> dict[str, list[str]]:
    """Document paths (``areas.2.price``) as spreadsheet cells (``row 9.price``)."""
    out: dict[str, list[str]] = {}
    for path, messages in errors.items():
        parts = path.split(".")
        row = None
        if len(parts) >= 4 and parts[0] == "concerns" and parts[1].isdigit() and parts[2] == "severities" \
                and (parts[0], int(parts[1]), parts[3]) in rows:
            # concerns.0.severities.mild.recommended: the cell of that severity's row
            row = rows[(parts[0], int(parts[1]), parts[3])]
            rest = ".".join(parts[4:]) or "row"
        elif len(parts) >= 2 and parts[1].isdigit():
            row = rows.get((parts[0], int(parts[1])))
            rest = ".".join(parts[2:]) or "row"
            if parts[0] == "clinics" and rest.startswith("bank_account."):  # its column in the sheet
                rest = rest.replace("bank_account.", "bank_account_", 1)
        elif parts[0] in SETTINGS:
            row = rows.get(("setting", parts[0]))
            rest = "value"
        key = f"row {row}.{rest}" if row else path
        out.setdefault(key, []).extend(messages)
    return out


def _texts(doc: Any, change) -> Any:
    """The document with ``change`` applied to every text an admin types (codes, names, cities, coupons)."""
    if not isinstance(doc, dict):
        return doc
    out = dict(doc)
    for key, _ in SECTIONS.values():
        items = out.get(key)
        if not isinstance(items, list):
            continue
        changed = []
        for item in items:
            if isinstance(item, dict):
                item = {k: change(v) if k in TEXT_COLUMNS and isinstance(v, str) else v for k, v in item.items()}
                if isinstance(item.get("bank_account"), dict):
                    item["bank_account"] = {
                        k: change(v) if isinstance(v, str) else v for k, v in item["bank_account"].items()
                    }
                if isinstance(item.get("translations"), dict):
                    item["translations"] = {
                        language: {k: change(v) if isinstance(v, str) else v for k, v in names.items()}
                        if isinstance(names, dict) else names
                        for language, names in item["translations"].items()
                    }
            changed.append(item)
        out[key] = changed
    return out


# A phone number in E.164 (document version 3 stores clinics' phones so): no formula, left as it is in YAML.
E164 = re.compile(r"\+[1-9][0-9]{5,14}")


def _neutralise_for_yaml(text: str) -> str:
    """As :func:`neutralise`, but a phone number in E.164 stays as it is: YAML is read by editors and programs,
    which run no formulas, and ``+902120000101`` is no formula (a CSV cell keeps the apostrophe, which keeps a
    spreadsheet from reading the number as a figure and dropping its +)."""
    return text if E164.fullmatch(text) else neutralise(text)


def to_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(_texts(doc, _neutralise_for_yaml), sort_keys=False, allow_unicode=True)


class BoundedLoader(yaml.SafeLoader):
    """YAML without aliases (no "billion laughs"), nesting at most :attr:`MAX_DEPTH` deep, no huge numbers."""

    MAX_DEPTH = 32
    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not accepted", mark)
        self._depth += 1
        try:
            if self._depth > self.MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, f"nested more than {self.MAX_DEPTH} deep", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _bounded_int(loader: BoundedLoader, node: yaml.Node) -> int:
    if len(str(node.value)) > 30:
        raise yaml.constructor.ConstructorError(None, None, "a number with more than 30 digits", node.start_mark)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


BoundedLoader.add_constructor("tag:yaml.org,2002:int", _bounded_int)


def from_yaml(text: str) -> Any:
    try:
        return _texts(_plain(yaml.load(text, Loader=BoundedLoader)), restore)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        problem = T("Not valid YAML: {problem}", problem=str(exc)[:300])
        raise Invalid(problem, {"_body": [problem]}) from None


def _plain(value: Any) -> Any:
    """Hand-written YAML's bare decimals and dates as the text JSON would carry."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value
