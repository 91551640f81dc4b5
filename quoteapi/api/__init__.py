"""The HTTP edge: thin flask-smorest blueprints that parse with a schema, call a use case, answer."""

from __future__ import annotations

from flask import Flask
from flask_cors import CORS

from . import admin, health, public, quotes
from .errors import register_error_handlers
from .i18n import init_i18n
from .limits import limiter
from .openapi import build_api
from .responses import OrjsonProvider


def init_api(app: Flask) -> None:
    """Mount the API on ``app``: JSON, languages, rate limit, CORS, OpenAPI, blueprints, error answers."""
    app.json = OrjsonProvider(app)
    init_i18n(app)
    limit = app.config["PUBLIC_RATE_LIMIT"]
    app.config["RATELIMIT_ENABLED"] = limit.lower() not in ("none", "off", "")
    # X-RateLimit-* headers cost a storage look-up on every public answer;
    # the 429 carries Retry-After (see errors.handle_rate_limited).
    app.config["RATELIMIT_HEADERS_ENABLED"] = False
    limiter.init_app(app)
    if app.config["CORS_ORIGINS"]:
        # Only with origins to allow: otherwise there is nothing to answer, and
        # the extension would still cost every response a pattern match.
        CORS(
            app,
            resources={r"/api/v1/(catalog|clinics|estimates|quote-requests)": {"origins": list(app.config["CORS_ORIGINS"])}},
            expose_headers=["Retry-After"],
        )
    api = build_api(app)
    for blueprint in (health.blp, public.blp, quotes.blp, admin.blp):
        api.register_blueprint(blueprint)
    register_error_handlers(app)
