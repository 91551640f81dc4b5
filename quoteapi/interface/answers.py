"""A JSON answer of data that is already plain: what the fast paths of both edges write."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response, current_app


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON that is already plain (lists, dicts, strings, numbers), encoded with orjson."""
    # content_type, not mimetype: the same header, without asking get_content_type whether JSON takes a charset.
    response = current_app.response_class(orjson.dumps(data), status=status, content_type="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
