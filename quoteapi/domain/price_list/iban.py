"""International bank account numbers (ISO 13616), as a clinic's bank account gives one.

An IBAN is read as people write it (groups of four, lower case) and kept
compact: upper case, no spaces. It is checked against the country's length in
the IBAN registry (SWIFT, ISO 13616), the registry's structure of the Turkish
BBAN (5 digits of bank code, a reserved 0, 16 letters or digits of account),
and the mod-97 check digits: moving the first four characters to the end and
reading letters as 10..35, the number leaves 1 when divided by 97.
"""

from __future__ import annotations

import re

from ..text import T, Text

# Each country's IBAN length (the IBAN registry).
LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
# The registry's BBAN structure where it is checked beyond length (Turkey: 5n 1n 16c, the 1n being 0).
STRUCTURES = {"TR": re.compile(r"[0-9]{5}0[0-9A-Z]{16}")}
# What is read before the checks: letters and digits of ASCII only, spaces between groups.
_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[0-9A-Z]+")
MAX_TYPED = 64


def compact(text: str) -> str:
    """The IBAN as stored: spaces (and the non-breaking or thin spaces a copied IBAN may hold) removed, upper case."""
    return "".join(text.split()).upper()


def grouped(iban: str) -> str:
    """The IBAN as printed: groups of four (``TR33 0006 1005 ...``)."""
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def check_digits_hold(iban: str) -> bool:
    """Whether the ISO 7064 mod-97 check over ``iban`` (compact, of A-Z and 0-9) gives 1."""
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def problem(iban: str) -> Text | None:
    """Why a compact IBAN is not valid (None when it is).

    The messages have no placeholders, so that a schema can raise them as they are (message ids).
    """
    if len(iban) > MAX_TYPED or not iban.isascii() or not _SHAPE.fullmatch(iban):
        return T("An IBAN is a country code, two check digits and the account's letters and digits, "
                 "such as TR33 0006 1005 1978 6457 8413 26.")
    country = iban[:2]
    length = LENGTHS.get(country)
    if length is None:
        return T("The IBAN's first two letters are no country of the IBAN registry.")
    if len(iban) != length:
        return T("The IBAN does not have its country's length (26 characters for Turkey).")
    structure = STRUCTURES.get(country)
    if structure is not None and not structure.fullmatch(iban[4:]):
        return T("This is not the form of its country's IBANs.")
    if not check_digits_hold(iban):
        return T("The IBAN's check digits do not match: a character is probably mistyped.")
    return None
