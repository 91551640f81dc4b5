"""The application factory: reads as a table of contents."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask
from flask_cors import CORS

import config as settings

from . import estimator
from .api import register_blueprints
from .api.openapi import build_api
from .db import Database
from .errors import check_body, register_error_handlers
from .extensions import limiter
from .services.price_lists import PriceListCache
from .state import QuoteApi


def create_app(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(settings.load(environ, overrides))
    app.json.sort_keys = False
    configure_logging(app)
    register_extensions(app)
    api = build_api(app)
    register_blueprints(api)
    app.register_blueprint(estimator.bp)
    register_error_handlers(app)
    app.before_request(check_body)
    register_commands(app)
    return app


def configure_logging(app: Flask) -> None:
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # These narrate every step (plugins, PDF layout, font subsetting); their
    # warnings are enough.
    for noisy in ("alembic", "weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    database = Database(app.config["DATABASE_URL"])
    app.extensions["quoteapi"] = QuoteApi(
        database=database,
        price_lists=PriceListCache(database, app.config["PRICE_LIST_CHECK_SECONDS"]),
    )
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


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)
