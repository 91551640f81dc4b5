"""What every view uses: the app's use-case context; and the JSON of flask-smorest's answers.

(A view that writes plain data itself answers with ``quoteapi.interface.answers.json_response``.)
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response, current_app
from flask.json.provider import DefaultJSONProvider

from ..services.context import Context


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
