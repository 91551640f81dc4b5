"""The HTTP API: thin blueprints that parse, call a service, dump."""

from __future__ import annotations

from flask_smorest import Api

from . import admin, health, public, quotes


def register_blueprints(api: Api) -> None:
    api.register_blueprint(health.blp)
    api.register_blueprint(public.blp)
    api.register_blueprint(quotes.blp)
    api.register_blueprint(admin.blp)
