"""What every console page shares: the blueprint, the signed-in user, texts, messages, role checks."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, Mapping
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, request, session, url_for

from ...domain.errors import DomainError
from ...domain.numbers import is_plain_decimal, plain_decimal
from ...domain.text import LANGUAGES, T, Text
from ...interface.i18n import current, translate
from ...services.context import Context
from ...services.users import SignedIn

bp = Blueprint(
    "desk", __name__, url_prefix="/desk", template_folder="templates",
    static_folder="static", static_url_path="/static",
)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# desk-layout: after a save, back to the page's section (its anchor), whose messages are shown there.
FLASH_AT = "flash_at"


def to_section(url: str, section: str) -> Any:
    """A redirect to ``section`` of the page at ``url`` (``...#section``); the page shows the messages
    flashed meanwhile in that section (see :func:`flash_section`), not at the top of a long page."""
    session[FLASH_AT] = section
    return redirect(f"{url.partition('#')[0]}#{section}")


def flash_section(present: set[str] | frozenset[str]) -> str | None:
    """The section the last save asked its messages in, if the page has it (else the top shows them)."""
    section = session.pop(FLASH_AT, None)
    return section if section in present else None


def typed_decimal(typed: str | None) -> str:
    """A number typed the page's way (4.400,00 on a Turkish page), the API's way (4400.00), or, failing
    both, the other language's way (0,00 on an English page), with or without ₺: as a plain decimal;
    anything else as typed, for the schema to name."""
    text = (typed or "").replace("₺", "").strip()
    language = current().code
    plain = plain_decimal(text, language)
    if plain != text or is_plain_decimal(plain):
        return plain
    return plain_decimal(text, next(other for other in LANGUAGES if other != language))


def services() -> Context:
    return current_app.extensions["quoteapi"]


def _(msgid: str, **values: Any) -> str:
    """A text in the page's language: ``_("Quote {number}", number=...)`` (brace placeholders, as ``T``)."""
    return current().render(T(msgid, **values))


# The values of the domain's messages that are status codes ("A quote that is {current} cannot become {target}"):
# the console writes them in words (desk-words); the API's messages keep the codes.
_STATUS_VALUES = ("status", "current", "target", "before", "after", "allowed", "approval")


def say(text: Any) -> str:
    """A Text, a message id or a stored string, in the page's language (status codes in words)."""
    if isinstance(text, Text) and any(k in _STATUS_VALUES for k in text.values):
        from .words import code_words  # words builds on this module

        text = T(text.msgid, **{k: code_words(v) if k in _STATUS_VALUES and isinstance(v, str) else v
                                for k, v in text.values.items()})
    return translate(text)


def user() -> SignedIn | None:
    return g.get("desk_user")


def actor() -> str:
    signed_in = user()
    assert signed_in is not None
    return signed_in.name


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path of this console (``/desk...``), else None: no open redirects."""
    if not target or len(target) > 2000:
        return None
    if any(ord(c) < 32 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/desk") or target.startswith("//"):
        return None
    path = parts.path
    if path != "/desk" and not path.startswith("/desk/"):
        return None
    return target


def requires(role: str) -> Callable:
    """Signed in (else to the sign-in page, coming back here after) with ``role`` or admin (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            signed_in = user()
            if signed_in is None:
                back = request.full_path.rstrip("?") if request.method in SAFE_METHODS else None
                return redirect(url_for("desk.sign_in", next=safe_next(back)))
            if not signed_in.principal.can(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def flash_error(error: DomainError) -> None:
    flash(say(error.detail), "error")


def field_errors(error: DomainError | Mapping[str, list[Any]]) -> dict[str, list[str]]:
    """Messages per field, translated: from a domain error or marshmallow's (flattened) messages."""
    raw = error.errors if isinstance(error, DomainError) else error
    return {path: [say(m) for m in messages] for path, messages in (raw or {}).items()}


@bp.url_defaults
def keep_language(endpoint: str, values: dict[str, Any]) -> None:
    """Every console link keeps the language chosen with the switch (``?lang=``)."""
    if "lang" in values:
        return
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        values["lang"] = chosen


def whole_number(text: str | None, digits: int = 9) -> int | None:
    """``text`` as a whole number of ASCII digits (at most ``digits``, a leading ``-`` allowed), else None.

    (``str.isdigit`` alone accepts ``²`` and ``①``, which ``int`` refuses.)
    """
    bare = (text or "").strip()
    sign, body = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
    if body.isascii() and body.isdigit() and len(body) <= digits:
        return int(sign + body)
    return None


def page_url(endpoint: str, args: Mapping[str, Any] | None = None, **view_args: Any) -> str:
    """A console URL with a query string taken as data (a parameter named ``endpoint`` or
    ``_method`` is a query parameter here, never an argument of ``url_for``)."""
    query = {k: v for k, v in (args or {}).items() if k != "lang"}
    url = url_for(endpoint, **view_args)
    if not query:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(query)


def language_links() -> list[tuple[str, str, str, bool]]:
    """The switch: (code, label, URL of this page in that language, is current)."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    endpoint = request.endpoint if request.method in SAFE_METHODS and request.endpoint else "desk.today"
    view_args = dict(request.view_args or {}) if endpoint == request.endpoint else {}
    if request.method not in SAFE_METHODS:
        args = {}
    labels = {"tr": "Türkçe", "en": "English"}
    return [
        (code, labels[code], page_url(endpoint, args, **view_args, lang=code), current().code == code)
        for code in LANGUAGES
    ]
