"""Path parameters under the same rules as text fields: a URL that breaks them matches no route (404).

Flask's ``string`` converter takes any character but ``/``, its ``int``
converter any Unicode digit (``/revisions/٥`` was revision 5). These take a
text without control or bidi characters (``domain/characters.py``), and a
number of ASCII digits only; anything else is "nothing at this address",
before a view, or the database, sees it. The patterns, and so the OpenAPI
description, are Werkzeug's own.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter, ValidationError

from ..domain.characters import refused_character


class TextConverter(UnicodeConverter):
    def to_python(self, value: str) -> Any:
        if refused_character(value) is not None:
            raise ValidationError()
        return value


class TextPathConverter(PathConverter):
    def to_python(self, value: str) -> Any:
        if refused_character(value) is not None:
            raise ValidationError()
        return value


class AsciiIntegerConverter(IntegerConverter):
    def to_python(self, value: str) -> Any:
        if not value.isascii():
            raise ValidationError()
        return super().to_python(value)


def install_path_converters(app: Flask) -> None:
    """Before any route is declared: every ``<name>``, ``<string:...>``, ``<path:...>`` and ``<int:...>``."""
    app.url_map.converters.update(
        default=TextConverter, string=TextConverter, path=TextPathConverter, int=AsciiIntegerConverter,
    )


def public_base_url() -> str:
    """Where people and clients reach this app: QUOTEAPI_PUBLIC_URL when set, else the request's host URL
    (no trailing /). The customers' links, the problem types and the console's links in notices start here."""
    configured = current_app.config.get("PUBLIC_URL") if current_app else None
    if configured:
        return str(configured).rstrip("/")
    return request.host_url.rstrip("/") if has_request_context() else ""
