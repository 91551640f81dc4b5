"""The flask-smorest Api: OpenAPI description, Swagger UI served locally."""

from __future__ import annotations

import http

import flask_smorest
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, g, send_from_directory
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from swagger_ui_bundle import swagger_ui_path
from webargs.flaskparser import FlaskParser

from .. import spreadsheet
from ..auth import BEARER
from ..errors import PROBLEM_JSON, handle_http_exception
from ..schemas import DecimalString, ProblemSchema

DESCRIPTION = """Pricing and quoting for dermatherapy clinics.

Money and rates are decimal strings (`"1250.00"`); every error is
`application/problem+json` with per-field messages in `errors`.
Staff endpoints need `Authorization: Bearer <token>` (made with
`quoteapi users create NAME --role sales|admin`).
"""


class BodyOnceParser(FlaskParser):
    """Reuses the JSON body ``errors.check_body`` parsed; reads CSV and YAML documents too.

    A spreadsheet body becomes the same document a JSON body would be, so one
    schema checks all three; the rows of a CSV are kept to name them in errors.
    """

    def _raw_load_json(self, req):
        body = g.get("json_body")
        if body is not None:
            return body
        if req.mimetype == "text/csv":
            doc, g.csv_rows = spreadsheet.from_csv(req.get_data(as_text=True))
            return doc
        if req.mimetype == "application/yaml":
            return spreadsheet.from_yaml(req.get_data(as_text=True))
        return super()._raw_load_json(req)


class Blueprint(flask_smorest.Blueprint):
    """The project's blueprints: their arguments go through :class:`BodyOnceParser`."""

    ARGUMENTS_PARSER = BodyOnceParser()


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
                "securitySchemes": {BEARER: {"type": "http", "scheme": "bearer"}},
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
