"""Request bodies: JSON for every write, CSV and YAML where a schema says it takes them.

The project's Blueprint (quoteapi/api/openapi.py) reads bodies through
:meth:`BodyParser.load_json` (webargs' parser, whose loader it calls itself):
one parse per request, a 415 for a type the operation does not take, a 400 for
JSON that is not an object. A CSV body becomes the same document a JSON body
would be, so one schema checks all three; the CSV's row numbers are kept for
the request so that :func:`in_request_terms` can name rows and cells in errors.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask import g, has_request_context
from flask_smorest import abort
from webargs.flaskparser import FlaskParser

from ..adapters import spreadsheets
from ..domain.text import T

JSON = "application/json"
CSV = "text/csv"
YAML = "application/yaml"


def is_json(mimetype: str) -> bool:
    return mimetype == JSON or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def _parse_json(raw: bytes) -> Any:
    """orjson for speed; the standard library for what orjson refuses but JSON allows
    (integers beyond 64 bits), so that valid JSON is never called invalid."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


class BodyParser(FlaskParser):
    """webargs' parser with the project's body rules (see the module's doc)."""

    def load_json(self, req, schema):
        raw = req.get_data(cache=True)  # 413 past MAX_CONTENT_LENGTH
        if not raw.strip():
            return super().load_json(req, schema)
        # A Content-Type of exactly application/json (what clients send) is JSON without werkzeug
        # parsing the header's options; anything else is read by req.mimetype.
        if req.environ.get("CONTENT_TYPE") != JSON:
            formats = getattr(schema, "BODY_TYPES", (JSON,))
            mimetype = req.mimetype
            if mimetype == CSV and CSV in formats:
                # As a spreadsheet saved it: the charset sent, else UTF-8 or Windows-1254; commas or semicolons.
                reading = spreadsheets.read_csv(raw, req.mimetype_params.get("charset"))
                g._quoteapi_csv_rows = reading.rows
                return reading.doc
            if mimetype == YAML and YAML in formats:
                return spreadsheets.from_yaml(req.get_data(as_text=True))
            if not is_json(mimetype):
                accepted = ", ".join(formats)
                abort(415, message=T("Send the body as {types} (got {got}).", types=accepted, got=mimetype or "no Content-Type"))
        try:
            body = _parse_json(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            abort(400, message=T("The body is not valid JSON."))
        if not isinstance(body, dict):
            abort(400, message=T("The body must be a JSON object."))
        return body


def in_request_terms(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Error paths of the document (``areas.2.price``) as the CSV's cells (``row 9.price``) for a CSV body."""
    rows = g.get("_quoteapi_csv_rows") if has_request_context() else None
    return spreadsheets.relabel(errors, rows) if rows else errors
