"""The language of each answer: ``?lang=``, then ``Accept-Language``, then the default.

One choice for the whole app (:func:`init_i18n`, called by ``create_app``): the
API's answers and the console's pages speak the same language for the same
request. Flask-Babel selects the locale; the chosen
:class:`~quoteapi.domain.text.Language` renders every text of the answer
(schemas use :class:`Sentence` fields; the fast paths call :func:`current`
themselves), and ``Content-Language`` says which it was. Field names, codes,
enums and numbers in JSON never change with the language.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

from flask import Flask, Response, current_app, request
from flask_babel import Babel
from marshmallow import fields

from ..adapters.i18n import TRANSLATIONS, language
from ..domain.text import LANGUAGES, Language, N_, Name, Text

_CURRENT: ContextVar[Language | None] = ContextVar("quoteapi_language", default=None)


def select_language() -> str:
    """The language code of this request (Flask-Babel's locale selector, and :func:`_choose`)."""
    req = request._get_current_object()  # one context look-up for the three attributes (every request runs this)
    environ = req.environ
    # Read from the WSGI environ what req.args and req.headers would give, without building them
    # for every request: no query string means no ?lang=; the header is HTTP_ACCEPT_LANGUAGE.
    asked = req.args.get("lang", "") if environ.get("QUERY_STRING") else ""
    if asked in LANGUAGES:
        return asked
    header = environ.get("HTTP_ACCEPT_LANGUAGE", "")
    default = current_app.config["DEFAULT_LANGUAGE"]
    chosen = _BY_HEADER.get((header, default))
    if chosen is None:
        chosen = req.accept_languages.best_match(LANGUAGES) or default
        if len(_BY_HEADER) >= _BY_HEADER_SIZE:  # browsers send a few dozen distinct headers
            _BY_HEADER.clear()
        _BY_HEADER[(header, default)] = chosen
    return chosen


# The language each Accept-Language header (with the default language) picks:
# werkzeug parses the header afresh for every request otherwise.
_BY_HEADER: dict[tuple[str, str], str] = {}
_BY_HEADER_SIZE = 1024


def current() -> Language:
    """The language of the request being answered (the default language outside one)."""
    chosen = _CURRENT.get()
    if chosen is None:
        return language(current_app.config["DEFAULT_LANGUAGE"]) if current_app else language(LANGUAGES[0])
    return chosen


def _choose() -> None:
    # The same choice as Flask-Babel's get_locale() (its selector is select_language),
    # without parsing a babel Locale on every request; get_locale() still works where needed.
    _CURRENT.set(language(select_language()))


def _forget(_error: BaseException | None = None) -> None:
    """Outside a request the default language speaks again, not the last request's."""
    _CURRENT.set(None)


def _say_which(response: Response) -> Response:
    """``Content-Language`` on every answer that has none yet.

    What ``headers.setdefault`` does, a few µs cheaper: it looks for the header twice
    through raised KeyErrors, and checks a value that is always "tr" or "en".
    """
    headers = response.headers
    for key, _value in headers:
        if key.lower() == "content-language":
            return response
    headers.add("Content-Language", current().code)
    return response


def init_i18n(app: Flask) -> None:
    Babel(app, locale_selector=select_language, default_translation_directories=str(TRANSLATIONS),
          default_locale=app.config["DEFAULT_LANGUAGE"])
    app.before_request(_choose)
    app.after_request(_say_which)
    app.teardown_request(_forget)


def render(text: Text | Name | str | None) -> str | None:
    return None if text is None else current().render(text)


class Sentence(fields.String):
    """A text for people, written in the answer's language."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return render(value)


class Message(fields.String):
    """A message for people that may also be a message id or one of marshmallow's (see :func:`translate`),
    written in the answer's language: a dry run's problems and warnings."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else translate(value)


# --- Messages that are not Texts ----------------------------------------------------
#
# marshmallow's (and the HTTP layer's) own messages arrive as finished English
# sentences. Each template below is a message id; a message that matches one
# is translated with its values kept.

MARSHMALLOW = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Unknown field."),
    N_("Invalid input type."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Invalid value."),
    N_("Must be one of: {choices}."),
    N_("Must be equal to {other}."),
    N_("Length must be between {min} and {max}."),
    N_("Shorter than minimum length {min}."),
    N_("Longer than maximum length {max}."),
    N_("Length must be {equal}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
    N_("Must be greater than {min} and less than {max}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be less than {max}."),
    N_("String does not match expected pattern."),
    N_("Not a valid datetime with a timezone offset."),
    N_("Not an aware datetime."),
    N_('Must be a decimal string such as "12.50".'),
    N_("At most {places} decimals are allowed."),
)
# The titles of the problems this API answers (HTTP's status phrases).
TITLES = (
    N_("Bad Request"), N_("Unauthorized"), N_("Forbidden"), N_("Not Found"), N_("Method Not Allowed"),
    N_("Not Acceptable"), N_("Conflict"), N_("Precondition Failed"), N_("Request Entity Too Large"),
    N_("Unsupported Media Type"), N_("Unprocessable Content"), N_("Precondition Required"),
    N_("Too Many Requests"), N_("Internal Server Error"), N_("Service Unavailable"),
)


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    return re.compile(f"^{regex}$")


_PATTERNS = tuple((template, _pattern(template)) for template in MARSHMALLOW if "{" in template)


def translate(message: Any) -> str:
    """A message for people in the answer's language: a Text, a message id, or a known template filled in."""
    if not isinstance(message, str):
        return current().render(message)
    lang = current()
    translated = lang.gettext(message)
    if translated != message or lang.code == "en":
        return translated
    for template, pattern in _PATTERNS:
        found = pattern.match(message)
        if found:
            return lang.gettext(template).format(**found.groupdict())
    return message


# --- A representation's own language (issue 31) --------------------------------------------
#
# ``Content-Language`` names the language of what is sent: a stored quote's answers (JSON, PDF,
# HTML) are in the quote's language, whatever the request asked. A view that answers such a
# representation switches the answer's language with :func:`speak`; :func:`speaking` does it for
# a block only (an ETag computed before a write whose problems stay in the request's language).


def speak(code: str) -> None:
    """From now on this answer is in ``code`` (a language of LANGUAGES; others are ignored)."""
    if code in LANGUAGES:
        _CURRENT.set(language(code))


@contextmanager
def speaking(code: str) -> Iterator[None]:
    """The answer's language is ``code`` inside the block, the one before it after."""
    before = _CURRENT.get()
    speak(code)
    try:
        yield
    finally:
        _CURRENT.set(before)
