"""The flask-smorest Api and the project's Blueprint: OpenAPI description, Swagger UI served locally."""

from __future__ import annotations

import http
from typing import Callable

import flask_smorest
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, send_from_directory
from flask.views import MethodView
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from swagger_ui_bundle import swagger_ui_path

from . import auth
from .bodies import BodyParser
from .errors import PROBLEM_JSON, handle_http_exception
from .schemas.fields import DecimalString
from .schemas.problems import ProblemSchema

DESCRIPTION = """Pricing and quoting for dermatherapy clinics.

Money and rates are decimal strings (`"1250.00"`); every error is
`application/problem+json` with per-field messages in `errors`.
Staff endpoints need `Authorization: Bearer <token>` (made with
`quoteapi users create NAME --role sales|admin`).
"""


def operation_id(name: str) -> str:
    """``create_quote`` → ``createQuote``: a view's name as its stable operationId."""
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


class Blueprint(flask_smorest.Blueprint):
    """The project's blueprints: bodies through :class:`BodyParser`, an operationId
    from each view's name, and :meth:`requires` for token-protected views."""

    ARGUMENTS_PARSER = BodyParser()

    def requires(self, role: str) -> Callable:
        """Protect a view by role (see :func:`auth.requires`) and document it: bearer, 401, 403."""

        def decorator(view: Callable) -> Callable:
            protected = auth.requires(role)(view)
            protected = self.doc(security=[{auth.BEARER: []}])(protected)
            protected = self.alt_response(401, response="UNAUTHORIZED")(protected)
            return self.alt_response(403, response="FORBIDDEN")(protected)

        return decorator

    def _store_endpoint_docs(self, endpoint, obj, parameters, tags, **options):
        super()._store_endpoint_docs(endpoint, obj, parameters, tags, **options)
        is_class = isinstance(obj, type) and issubclass(obj, MethodView)
        for method, doc in self._docs[endpoint].items():
            if method == "parameters" or doc is None:
                continue
            name = f"{method}_{obj.__name__}" if is_class else obj.__name__
            doc.setdefault("manual_doc", {}).setdefault("operationId", operation_id(name))


class QuoteApiSpec(Api):
    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error):
        return handle_http_exception(error)

    def _register_responses(self):
        """The shared error responses, documented as what they are: problem+json."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Any error", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def schema_name(schema) -> str:
    """Component names: the class name without "Schema"; "Patch" for a partial instance."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and schema.partial:
        return name + "Patch"
    return name


def build_api(app: Flask) -> Api:
    app.config.update(
        API_TITLE="quoteapi",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
        API_SPEC_OPTIONS={
            "info": {"description": DESCRIPTION},
            "components": {
                "securitySchemes": {auth.BEARER: {"type": "http", "scheme": "bearer"}},
            },
        },
    )
    api = QuoteApiSpec(app, spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name)})
    api.register_field(DecimalString, "string", "decimal")

    @app.get("/api/docs/assets/<path:filename>")
    def swagger_ui_assets(filename: str):
        # Swagger UI ships in the swagger-ui-bundle wheel: no CDN at run time.
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    return api
