"""A quote's stored sentences with their figures written for people, on screens and in documents.

A revision keeps its estimate's sentences as the API answered them: the line
descriptions and ``basis`` formulas with the API's figures (``4000.00 × 1.20``,
``32616.54 × %7.5``, ``Specialist: Dermatologist (x1.40)``), the hints with bare
amounts (``204,00 less per session``). The API keeps answering them so (its
contract: number formats in JSON never change with the language). A page or a
document shows them the language's way instead: money as :func:`money_text`
writes it (``4.000,00 ₺``, ``₺4,000.00``), factors as numbers (``× 1,2``),
percentages as the language writes them (``%7,5``, ``7.5%``).

:func:`readable` reads a stored sentence back against the (translated) message
ids the engine writes it from, and writes each figure again by what it is; a
sentence it does not recognise is shown as stored.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache
from string import Formatter

from ..domain.text import T
from .i18n import language, money_text

MONEY, FACTOR, PERCENT, NUMBER, TEXT, NESTED = "money", "factor", "percent", "number", "text", "nested"

# The engine's sentences with figures (domain/pricing/engine.py), and what each placeholder holds.
SENTENCES: dict[str, dict[str, str]] = {
    "{price} × {factor}": {"price": MONEY, "factor": FACTOR},
    "({price} + {extra} cm² × {extra_price}) × {factor}": {"price": MONEY, "extra": NUMBER, "extra_price": MONEY, "factor": FACTOR},
    "{base} × {percent} %": {"base": MONEY, "percent": PERCENT},
    "{base} × {percent} % (every area but the largest)": {"base": MONEY, "percent": PERCENT},
    "{base} × ({multiplier} − 1)": {"base": MONEY, "multiplier": FACTOR},
    "{amount} off": {"amount": MONEY},
    "1 session of {course} / {n}": {"course": MONEY, "n": NUMBER},
    "{count} sessions of {course} / {n}": {"count": NUMBER, "course": MONEY, "n": NUMBER},
    "{basis}, capped at {cap}": {"basis": NESTED, "cap": MONEY},
    "{name}, {size} cm²": {"name": TEXT, "size": NUMBER},
    "Combination discount for every area but the largest: {percent} %": {"percent": PERCENT},
    "Specialist: {name} (x{multiplier})": {"name": TEXT, "multiplier": FACTOR},
    "Course discount for {sessions}+ sessions: {percent} %": {"sessions": NUMBER, "percent": PERCENT},
    "{sessions} sessions: {saving} less per session, and {less} less in total.":
        {"sessions": NUMBER, "saving": MONEY, "less": MONEY},
    "{sessions} sessions: {saving} less per session.": {"sessions": NUMBER, "saving": MONEY},
    "{name}: {amount} off.": {"name": TEXT, "amount": MONEY},
}

_FIGURE = re.compile(r"[−-]?\d{1,3}(?:[.,]\d{3})*(?:[.,]\d+)?|[−-]?\d+(?:[.,]\d+)?")


@cache
def _patterns(code: str) -> tuple[tuple[str, re.Pattern, dict[str, str]], ...]:
    """Each sentence's translation as a pattern, the most specific (longest words) first."""
    found = []
    for msgid, kinds in SENTENCES.items():
        parts, literal = [], 0
        for text, name, _spec, _conversion in Formatter().parse(language(code).gettext(msgid)):
            parts.append(re.escape(text))
            literal += len(text)
            if name is not None:
                parts.append(f"(?P<{name}>.+?)")
        found.append((literal, msgid, re.compile("".join(parts), re.S), kinds))
    found.sort(key=lambda entry: -entry[0])
    return tuple((msgid, pattern, kinds) for _literal, msgid, pattern, kinds in found)


def _figure(text: str, code: str) -> Decimal | None:
    """A figure as the API writes it (``4000.00``) or as ``code`` writes amounts (``4.000,00``, ``4,000.00``)."""
    text = text.strip()
    if not _FIGURE.fullmatch(text):
        return None
    sign = "-" if text[:1] in "−-" else ""
    body = text.lstrip("−-")
    if code == "tr" and "," in body:
        body = body.replace(".", "").replace(",", ".")
    elif "," in body:
        body = body.replace(",", "")
    try:
        return Decimal(sign + body)
    except InvalidOperation:
        return None


def number_text(value: Decimal | int, code: str) -> str:
    """A plain number (a factor, a size, a percentage's figure) without trailing zeros: ``1,2`` / ``1.2``."""
    written = f"{Decimal(value).normalize():f}"
    return written.replace(".", ",") if code == "tr" else written


def percent_text(value: Decimal | int | str, code: str) -> str:
    """A percentage as the language writes it: ``%7,5`` in Turkish, ``7.5%`` in English."""
    figure = number_text(Decimal(value), code)
    return f"%{figure}" if code == "tr" else f"{figure}%"


def readable(text: object, code: str, currency: str = "TRY") -> str:
    """A stored sentence of an estimate in language ``code``, its figures written the language's way."""
    if not isinstance(text, str):
        return language(code).render(text)  # a Text not yet written: written here
    written = _readable(text, code, currency)
    return text if written is None else written


def _readable(text: str, code: str, currency: str) -> str | None:
    for msgid, pattern, kinds in _patterns(code):
        found = pattern.fullmatch(text)
        if found is None:
            continue
        values = {}
        for name, kind in kinds.items():
            raw = found.group(name)
            if kind == TEXT:
                values[name] = raw
            elif kind == NESTED:
                values[name] = _readable(raw, code, currency) or raw
            else:
                figure = _figure(raw, code)
                if figure is None:
                    break
                values[name] = (money_text(figure, currency, code) if kind == MONEY
                                else number_text(figure, code))
        else:
            written = language(code).render(T(msgid, **values))
            written = written.replace("(x", "(×")
            if code != "tr":
                written = re.sub(r"(\d) %", r"\1%", written)
            return written
    return None
