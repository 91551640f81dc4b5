"""Field types the schemas share: decimals as strings, codes, names; error paths."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import fields, validate

from ...domain.characters import BIDI_CONTROL, CONTROL, refused_character
from ...domain.text import N_

PHONE = r"^\+?[0-9 ()./-]{5,40}$"
CODE = r"^[a-z0-9_-]{1,64}$"
CAMPAIGN_CODE = r"^[A-Za-z0-9_-]{1,64}$"
DECIMAL_TEXT = re.compile(r"[0-9]+(\.[0-9]+)?\Z")  # ASCII digits only: not "٥" nor "５"

# Upper bounds that the contract leaves open; they keep every figure well inside
# Decimal's precision (documented in docs/decisions.md).
MAX_MONEY = Decimal("1000000000")
MAX_FACTOR = Decimal("100")


class DecimalString(fields.String):
    """A non-negative decimal written as a JSON string, e.g. ``"1250.00"``.

    Floats are refused: ``0.1`` has no exact binary form, and money must be exact.
    """

    default_error_messages = {
        "invalid_decimal": N_('Must be a decimal string such as "12.50".'),
        "places": N_("At most {places} decimals are allowed."),
    }

    def __init__(self, *, places: int, money: bool = False, signed: bool = False, **kwargs: Any) -> None:
        self.places = places
        self.money = money
        metadata = kwargs.pop("metadata", {})
        if signed:  # an answer's discount line: "-528.00"
            metadata.setdefault("pattern", r"^-?\d+\.\d{2}$")
        metadata.setdefault("pattern", r"^\d+(\.\d{1,%d})?$" % places)
        metadata.setdefault("example", "1250.00" if money else "1.20")
        super().__init__(metadata={"format": "decimal", **metadata}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.make_error("invalid_decimal")
        text = str(value).strip()
        if not DECIMAL_TEXT.match(text):
            raise self.make_error("invalid_decimal")
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already refused it
            raise self.make_error("invalid_decimal") from None
        if -number.as_tuple().exponent > self.places:
            raise self.make_error("places", places=self.places)
        return number

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return f"{value:.2f}" if self.money else str(value)


def Money(**kwargs: Any) -> DecimalString:
    return DecimalString(
        places=2,
        money=True,
        validate=validate.Range(min=0, max=MAX_MONEY, max_inclusive=False),
        **kwargs,
    )


def Percent(**kwargs: Any) -> DecimalString:
    return DecimalString(places=2, validate=validate.Range(min=0, max=100), **kwargs)


TEXT_ERRORS = {
    CONTROL: N_("Control characters (such as NUL or a line break) are not allowed here."),
    BIDI_CONTROL: N_("Invisible text-direction characters (bidi controls) are not allowed."),
}


class Text(fields.String):
    """Every text read from outside: a string without control characters or bidi controls.

    One type for every text field of every schema (bodies, queries, console
    forms, price-list files): see ``domain/characters.py`` for what is refused
    and why. ``lines=True`` (a note) keeps line feeds, carriage returns and tabs.
    """

    default_error_messages = TEXT_ERRORS

    def __init__(self, *, lines: bool = False, **kwargs: Any) -> None:
        self.lines = lines
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        refused = refused_character(text, lines=self.lines)
        if refused is not None:
            raise self.make_error(refused)
        return text


class Email(fields.Email):
    """An e-mail address, refused with a control or bidi character (marshmallow's own check lets some through)."""

    default_error_messages = TEXT_ERRORS

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        refused = refused_character(text)
        if refused is not None:
            raise self.make_error(refused)
        return text


class Integer(fields.Integer):
    """A whole number; from text (a query parameter), of ASCII digits only: ``٥`` is not 5."""

    def _validated(self, value: Any) -> Any:
        if isinstance(value, str) and not value.isascii():
            raise self.make_error("invalid")
        return super()._validated(value)


class AsciiDecimal(fields.Decimal):
    """A decimal; from text, of ASCII digits only."""

    def _validated(self, value: Any) -> Any:
        if isinstance(value, str) and not value.isascii():
            raise self.make_error("invalid")
        return super()._validated(value)


def Code(**kwargs: Any) -> fields.String:
    return Text(validate=validate.Regexp(CODE, error=N_("Codes are 1-64 of a-z, 0-9, - and _.")), **kwargs)


class Trimmed(Text):
    """Text for people: leading and trailing spaces are dropped, so a name of spaces is empty."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


def Name(**kwargs: Any) -> fields.String:
    return Trimmed(validate=validate.Length(min=1, max=200), **kwargs)


def FreeText(max_length: int, **kwargs: Any) -> fields.String:
    """Free text (a note): trimmed, not empty, on as many lines as it needs."""
    return Trimmed(lines=True, validate=validate.Length(min=1, max=max_length), **kwargs)


class StrictBoolean(fields.Boolean):
    """JSON true or false only: not "true", 1 or "yes"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if type(value) is not bool:
            raise self.make_error("invalid")
        return value


# Dates the product handles: a wide window that keeps date arithmetic (a day
# after, a year after, a course of sessions) inside the calendar.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def Day(**kwargs: Any) -> fields.Date:
    """A date from 2000-01-01 to 2100-12-31."""
    return fields.Date(validate=validate.Range(min=FIRST_DAY, max=LAST_DAY), **kwargs)


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested error dict as ``{"areas.1.code": [...]}``."""
    if isinstance(messages, dict):
        out: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            for p, msgs in flatten_messages(value, path).items():
                out.setdefault(p, []).extend(msgs)
        return out
    if isinstance(messages, (list, tuple)) and all(isinstance(m, str) for m in messages):
        return {prefix or "_body": list(messages)}
    if isinstance(messages, (list, tuple)):
        out = {}
        for m in messages:
            for p, msgs in flatten_messages(m, prefix).items():
                out.setdefault(p, []).extend(msgs)
        return out
    return {prefix or "_body": [str(messages)]}




class Flattened:
    """An object read as if the fields of one of its parts were its own.

    A quote answers its estimate's fields beside its own; a new user its
    user's fields beside the token. Schemas wrap such objects in ``pre_dump``.
    """

    __slots__ = ("_obj", "_part")

    def __init__(self, obj: Any, part: str) -> None:
        self._obj = obj
        self._part = part

    def __getattr__(self, name: str) -> Any:
        try:
            return getattr(self._obj, name)
        except AttributeError:
            return getattr(getattr(self._obj, self._part), name)
