"""The HTTP edge: thin flask-smorest blueprints that parse with a schema, call a use case, answer."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_cors import CORS

from . import admin, customers, health, payments, problems, public, quotes, reports
from .errors import register_error_handlers
from .limits import trust_proxies
from .openapi import build_api
from .responses import OrjsonProvider


CORS_PATHS = ("/api/v1/catalog", "/api/v1/clinics", "/api/v1/estimates", "/api/v1/quote-requests")


def _vary_by_origin(response: Response) -> Response:
    """Answers to the public endpoints depend on the Origin (CORS): caches must keep them apart."""
    if request.path.startswith(CORS_PATHS):
        response.vary.add("Origin")
    return response


def init_api(app: Flask) -> None:
    """Mount the API on ``app``: JSON, CORS, OpenAPI, blueprints, error answers (the language of
    each request is chosen for the whole app: ``quoteapi.interface.i18n.init_i18n``).

    The public rate limit's counters are opened with the app's other state (``quoteapi.app.open_state``).
    """
    app.json = OrjsonProvider(app)
    # The client's address (the rate limit's key) and scheme behind nginx.
    trust_proxies(app)
    if app.config["CORS_ORIGINS"]:
        # Only with origins to allow: otherwise there is nothing to answer, and
        # the extension would still cost every response a pattern match.
        CORS(
            app,
            resources={r"/api/v1/(catalog|clinics|estimates|quote-requests)": {"origins": list(app.config["CORS_ORIGINS"])}},
            expose_headers=["Retry-After", "Content-Language", "Location", "Idempotent-Replayed", "ETag"],
            max_age=600,
            vary_header=True,
        )
        app.after_request(_vary_by_origin)
    api = build_api(app)
    for blueprint in (health.blp, public.blp, quotes.blp, admin.blp, customers.blp, payments.blp, reports.blp, problems.blp):
        api.register_blueprint(blueprint)
    register_error_handlers(app)
