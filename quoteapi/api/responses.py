"""What every view uses: the app's use-case context; and the JSON of flask-smorest's answers.

(A view that writes plain data itself answers with ``quoteapi.interface.answers.json_response``.)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import orjson
from flask import Response, current_app, request
from flask.json.provider import DefaultJSONProvider

from ..services.context import Context


# Pagination (issue 31): beside ``next_cursor``, ``Link: <...>; rel="next"`` (RFC 8288) for generic clients.
NEXT_LINK = {"Link": {"description": 'RFC 8288: `<URL of the next page>; rel="next"` while there is one.', "schema": {"type": "string"}}}


def next_page_headers(next_cursor: str | None) -> dict[str, str]:
    """``Link: <this request with cursor=next_cursor>; rel="next"``, absolute (QUOTEAPI_PUBLIC_URL or the host); none on the last page."""
    if not next_cursor:
        return {}
    from ..interface.paths import public_base_url

    args = [(key, value) for key, value in request.args.items(multi=True) if key != "cursor"]
    query = urlencode([*args, ("cursor", next_cursor)])
    return {"Link": f'<{public_base_url()}{request.path}?{query}>; rel="next"'}


def services() -> Context:
    """The use cases' context of this app (built in ``create_app``)."""
    # The app itself, then its attribute: an attribute through Flask's proxy costs some 2 µs (every view asks).
    return current_app._get_current_object().extensions["quoteapi"]


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON (and so flask-smorest's answers) through orjson: UTF-8, fast, keys in order."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return orjson.dumps(obj, default=self.default).decode()

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(orjson.dumps(obj, default=self.default), mimetype=self.mimetype)
