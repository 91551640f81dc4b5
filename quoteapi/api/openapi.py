"""The flask-smorest Api: OpenAPI description, Swagger UI served locally."""

from __future__ import annotations

from flask import Flask, g, send_from_directory
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path
from webargs.flaskparser import FlaskParser

from ..auth import BEARER
from ..errors import handle_http_exception
from ..schemas import DecimalString, ProblemSchema

DESCRIPTION = """Pricing and quoting for dermatherapy clinics.

Money and rates are decimal strings (`"1250.00"`); every error is
`application/problem+json` with per-field messages in `errors`.
Staff endpoints need `Authorization: Bearer <token>` (made with
`quoteapi users create NAME --role sales|admin`).
"""


class BodyOnceParser(FlaskParser):
    """Reuses the JSON body that ``errors.check_body`` already parsed and checked."""

    def _raw_load_json(self, req):
        body = g.get("json_body")
        if body is not None:
            return body
        return super()._raw_load_json(req)


class QuoteApiSpec(Api):
    ERROR_SCHEMA = ProblemSchema
    ARGUMENTS_PARSER = BodyOnceParser()

    def handle_http_exception(self, error):
        return handle_http_exception(error)


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
    api = QuoteApiSpec(app)
    api.register_field(DecimalString, "string", "decimal")

    @app.get("/api/docs/assets/<path:filename>")
    def swagger_ui_assets(filename: str):
        # Swagger UI ships in the swagger-ui-bundle wheel: no CDN at run time.
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    return api
