"""Small helpers the blueprints share."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import Response, current_app

from ..state import QuoteApi


def state() -> QuoteApi:
    return current_app.extensions["quoteapi"]


def today() -> date:
    """Today in the server's local date, as the contract's rules use it."""
    return date.today()


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        status=status,
        mimetype="application/json",
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
