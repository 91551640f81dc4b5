"""Numbers as people type them: ``4.400,00`` in Turkish, ``4,400.00`` in English, ``4400.00`` in both.

The API and the price-list files speak plain decimals (``4400.00``); the console's
forms and a spreadsheet saved by Turkish Excel speak the reader's language. These
turn one into the other, and nothing else: a text that is neither stays as typed,
so the usual validation names it.
"""

from __future__ import annotations

import re

_PLAIN = re.compile(r"-?\d+(\.\d+)?")
# Digits grouped by threes, with the decimal mark after: the Turkish and the English way.
_GROUPED = {
    "tr": re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?"),
    "en": re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?"),
}
# 4.400 or 12.345.678: a Turkish whole number grouped by dots, not a decimal.
_TR_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")
_MARKS = {"tr": (".", ","), "en": (",", ".")}  # (thousands, decimal)


def plain_decimal(text: str, language: str) -> str:
    """``text`` as a plain decimal (``4400.00``) when it is a number written the ``language``'s way.

    In Turkish a dot groups thousands only between groups of three digits (``4.400``
    is four thousand four hundred; ``1.15`` and ``4400.00`` are plain decimals, as the
    API writes them); a comma is the decimal mark. Anything else comes back as it was.
    """
    typed = text.strip().replace("\u00a0", "").replace(" ", "")
    if _PLAIN.fullmatch(typed) and not (language == "tr" and _TR_THOUSANDS.fullmatch(typed)):
        return typed
    grouped = _GROUPED.get(language)
    if grouped is not None and grouped.fullmatch(typed):
        thousands, decimal = _MARKS[language]
        return typed.replace(thousands, "").replace(decimal, ".")
    return text


def is_plain_decimal(text: str) -> bool:
    """``4400.00``, ``-3.5``, ``12``: what the API writes."""
    return _PLAIN.fullmatch(text) is not None


def local_decimal(plain: str, language: str) -> str:
    """A plain decimal (``4400.00``) written the ``language``'s way (``4.400,00``), its digits kept."""
    if not _PLAIN.fullmatch(plain):
        return plain
    sign, digits = ("-", plain[1:]) if plain.startswith("-") else ("", plain)
    whole, _, fraction = digits.partition(".")
    thousands, decimal = _MARKS.get(language, (",", "."))
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    written = thousands.join([whole, *groups])
    return sign + written + (decimal + fraction if fraction else "")
