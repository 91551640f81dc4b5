"""The application factory: reads as a table of contents."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

import config as settings

from .adapters.logs import PrivateFormatter
from .api import init_api
from .api.limits import init_rate_limit
from .interface.i18n import init_i18n
from .interface.paths import install_path_converters
from .services.context import Context
from .web import customer, estimator
from .web.desk import init_desk, open_sign_in_limit


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, costing nothing to a request that carries no session cookie.

    Only the console (/desk) keeps a session, but Flask opens one for every
    request once the app has a secret key: building the signing serializer
    (itsdangerous, a JSON dump included) on open and asking for every cookie
    setting on save: about 7 % of an API request in the profile, for no cookie
    (docs/performance.md, second pass). What is opened and saved is Flask's:
    an empty session for a request without the cookie, nothing saved for a
    session nobody touched.
    """

    def open_session(self, app: Flask, request: Any) -> Any:
        if not app.secret_key:
            return None  # no secret key, no sessions (Flask's null session)
        # No Cookie header at all (every API client): no need to parse the cookies to know there is no session.
        if "HTTP_COOKIE" not in request.environ or not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        if not session and not session.accessed and not session.modified:
            return  # what Flask's save would do: no Vary, no cookie
        super().save_session(app, session, response)


class QuoteApi(Flask):
    """Flask, asking once per function (not once per call) whether a view or hook is a coroutine.

    Flask runs every view, hook and error handler through ``ensure_sync``,
    which inspects the function each time: some 10 µs a request on the public path.
    """

    _CACHE_SIZE = 4096
    session_interface = CookieSessions()

    def ensure_sync(self, func: Any) -> Any:
        cache = self.__dict__.setdefault("_quoteapi_sync", {})
        try:
            return cache[func]
        except (KeyError, TypeError):
            sync = super().ensure_sync(func)
            if len(cache) < self._CACHE_SIZE:
                try:
                    cache[func] = sync
                except TypeError:  # unhashable: asked again next time
                    pass
            return sync


def create_app(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Flask:
    app = QuoteApi(__name__, instance_relative_config=False)
    app.config.update(settings.load(environ, overrides))
    app.json.sort_keys = False
    # Path parameters refuse control and bidi characters, numbers non-ASCII digits (a 404).
    install_path_converters(app)
    configure_logging(app)
    open_state(app)
    # The language of every request, the API's and the console's alike (interface/i18n.py).
    init_i18n(app)
    init_api(app)
    app.register_blueprint(estimator.bp)
    # The staff console at /desk (sessions, CSRF): after the API, whose error answers it overrides for its pages.
    init_desk(app)
    # The customer's link (/q/<token>): after the console, whose CSRF set-up its forms use.
    app.register_blueprint(customer.bp)
    register_commands(app)
    return app


def open_state(app: Flask) -> None:
    """What the app keeps between requests, opened anew: the use cases' context and the rate limits' counters.

    The context holds the database's connection pool, the price-list cache and
    the clock. (The test suite reuses one app per database, since building the
    routes and the OpenAPI description takes half a second, and opens its state
    anew for every test.)
    """
    app.extensions["quoteapi"] = Context.build(
        app.config["DATABASE_URL"],
        price_list_check_seconds=app.config["PRICE_LIST_CHECK_SECONDS"],
        quote_valid_days=app.config["QUOTE_VALID_DAYS"],
        connect_timeout=app.config["DB_CONNECT_TIMEOUT"],
        statement_timeout=app.config["DB_STATEMENT_TIMEOUT"],
        default_language=app.config["DEFAULT_LANGUAGE"],
    )
    # The public limit's counters (api/limits.py); no X-RateLimit-* headers, which
    # would cost a storage look-up on every public answer: a 429 carries Retry-After.
    init_rate_limit(app)
    open_sign_in_limit(app)
    customer.open_link_limit(app)


def configure_logging(app: Flask) -> None:
    # The formatter keeps personal data that database errors quote out of the log (adapters/logs.py).
    handler = logging.StreamHandler()
    handler.setFormatter(PrivateFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=app.config["LOG_LEVEL"], handlers=[handler])
    # These narrate every step (plugins, PDF layout, font subsetting); their
    # warnings are enough.
    for noisy in ("alembic", "weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)


def main() -> None:
    """The ``quoteapi`` command: Flask's CLI with the project's commands, on an app from the environment."""
    import click
    from flask.cli import FlaskGroup

    def app_from_environment() -> Flask:
        # Built when a command needs it (after Flask's CLI has read any .env file). A setting the app
        # refuses (QUOTEAPI_RETENTION_DAYS=0, ...) is one line saying which, exit status 1, not a traceback.
        try:
            return create_app()
        except settings.ConfigError as error:
            raise click.ClickException(str(error)) from None

    FlaskGroup(create_app=app_from_environment, add_default_commands=True)(prog_name="quoteapi")
