"""Sentences for people, written once and shown in the reader's language.

The domain never builds a finished sentence: it returns a :class:`Text`, a
gettext message id (the English sentence with ``{placeholders}``) and the
values to put in it. An edge renders it with a :class:`Language` (a gettext
catalogue and number formats); :data:`ENGLISH` needs no catalogue, since the
message ids are English. A stored text (a quote revision keeps its estimate as
it was shown) is a plain ``str`` and renders as itself; a :class:`Name` from
the price list renders in the reader's language where it has a translation.

Value types decide their format: a ``Decimal`` is money (``1,296.00`` in
English, ``1.296,00`` in Turkish), a ``date`` a day, anything else ``str()``.
Figures that must read the same in every language (the ``basis`` formulas)
are passed as ``str`` already.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from string import Formatter
from typing import Any, Callable, Mapping, NamedTuple


class Text(NamedTuple):
    """A message id and the values to put in it (a named tuple: cheap to make, and the engine makes many)."""

    msgid: str
    values: Mapping[str, Any] = {}

    def __str__(self) -> str:
        return ENGLISH.render(self)


@dataclass(frozen=True, slots=True)
class Name:
    """A name from the price list: in the document's language, with its translations.

    Renders in the reader's language where the document has it, else as written.
    """

    text: str
    language: str
    translations: tuple[tuple[str, str], ...] = ()

    def in_language(self, code: str) -> str:
        if code != self.language:
            for language, text in self.translations:
                if language == code:
                    return text
        return self.text

    def __str__(self) -> str:
        return ENGLISH.render(self)


@dataclass(frozen=True, slots=True)
class Names:
    """Several names, listed with commas."""

    names: tuple[Name, ...]


def T(msgid: str, **values: Any) -> Text:
    """A text with its values: ``T("{n} sessions", n=6)``."""
    return _new_text(Text, (msgid, values))  # what Text(msgid, values) does, without its Python-level __new__


_new_text = tuple.__new__


def N_(msgid: str) -> str:
    """Marks a message id for the catalogue without translating it here."""
    return msgid


@dataclass(frozen=True)
class Language:
    """How one language writes texts: its translations and its number and date formats.

    The translation of each message id is looked up in the catalogue once and
    kept (message ids are the code's own sentences: a few hundred); values are
    formatted by their exact type through a table made once, with the general
    ``isinstance`` rules for anything else (subclasses, tuples, names lists).
    """

    code: str
    gettext: Callable[[str], str]
    decimal_separator: str
    group_separator: str
    day_format: Callable[[date], str]
    # Plural forms (documents): ngettext(singular, plural, n); English needs no catalogue.
    ngettext: Callable[[str, str, int], str] = lambda singular, plural, n: singular if n == 1 else plural
    _templates: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _printf: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)
    _by_type: dict[type, Callable[[Any], str]] = field(default_factory=dict, compare=False, repr=False)
    _signs: dict[int, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # ``1,296.00`` as Python writes it, to this language's separators and a true minus sign, in one pass.
        signs = {ord("-"): "\u2212"}
        if self.group_separator != "," or self.decimal_separator != ".":
            signs.update({ord(","): self.group_separator, ord("."): self.decimal_separator})
        self._signs.update(signs)
        self._by_type.update({
            str: str,
            int: str,
            Decimal: self.money,
            date: self.day_format,
            Text: self.render,
            Name: self._name,
        })

    def money(self, value: Decimal) -> str:
        return f"{value:,.2f}".translate(self._signs)

    def _name(self, name: Name) -> str:
        return name.in_language(self.code)

    def value(self, value: Any) -> str:
        by_type = self._by_type.get(type(value))
        if by_type is not None:
            return by_type(value)
        if isinstance(value, Decimal):
            return self.money(value)
        if isinstance(value, date):
            return self.day_format(value)
        if isinstance(value, (Text, Name)):
            return self.render(value)
        if isinstance(value, Names):
            return ", ".join(self.render(name) for name in value.names)
        if isinstance(value, tuple):  # sentences one after another
            return " ".join(self.value(v) for v in value)
        return str(value)

    def template(self, msgid: str) -> str:
        """The translation of ``msgid``, looked up in the catalogue once."""
        found = self._templates.get(msgid)
        if found is None:
            found = self.gettext(msgid)
            if len(self._templates) < _TEMPLATES_SIZE:
                self._templates[msgid] = found
        return found

    def render(self, text: Text | Name | str) -> str:
        if type(text) is not Text:  # the usual case is a Text: one test instead of three
            if isinstance(text, str):
                return text
            if isinstance(text, Name):
                return text.in_language(self.code)
        values = text.values
        if not values:
            return self._templates.get(text.msgid) or self.template(text.msgid)
        # The template for the % operator, which writes the same as str.format_map, faster.
        template = self._printf.get(text.msgid, False)
        if template is False:
            template = self._printf_template(text.msgid)
        # Most values are figures already written (str): kept as they are, without a call;
        # when all of them are, the values go in as they are.
        for v in values.values():
            if type(v) is not str:
                value = self.value
                values = {name: v if type(v) is str else value(v) for name, v in values.items()}
                break
        if template is None:  # a field % cannot write: the translation as str.format reads it
            return self.template(text.msgid).format_map(values)
        return template % values

    def _printf_template(self, msgid: str) -> str | None:
        """The translation of ``msgid`` for the % operator, kept like the translation itself.

        ``"{base} × {percent} %"`` becomes ``"%(base)s × %(percent)s %%"``; with the
        values all ``str``, ``%`` then writes what ``format_map`` writes. None
        where a field is more than a name (a format spec, a conversion, an index).
        """
        template = self.template(msgid)
        parts = []
        try:
            fields = list(_FORMATTER.parse(template))
        except ValueError:
            fields = [("", "", "!", None)]  # unbalanced braces: left to format_map and its error
        for literal, name, spec, conversion in fields:
            parts.append(literal.replace("%", "%%"))
            if name is None:
                continue
            if spec or conversion or not name.isidentifier():
                parts = None
                break
            parts.append(f"%({name})s")
        printf = None if parts is None else "".join(parts)
        if len(self._printf) < _TEMPLATES_SIZE:
            self._printf[msgid] = printf
        return printf


# Message ids come from the code, but a bound keeps a mistake (a msgid built from data) from growing without end.
_TEMPLATES_SIZE = 4096
_FORMATTER = Formatter()


ENGLISH = Language("en", lambda msgid: msgid, ".", ",", date.isoformat)

# The languages the product speaks; the first is the default of a price list.
LANGUAGES = ("tr", "en")
