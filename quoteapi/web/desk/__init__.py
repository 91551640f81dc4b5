"""The staff console at ``/desk``: server-rendered pages for the sales desk and the admins.

The pages call the same use cases as the API (``quoteapi.services``) and parse
input with the same schemas (``quoteapi.interface``), so every rule exists once. Sessions are rows
of ``console_sessions``; Flask's signed cookie holds the session's random token
and a fingerprint of the user's password hash (``services.users.session_user``
checks both on every request, and signing out deletes the row); every write
carries a Flask-WTF CSRF token (the bearer-token API is not affected).
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import HTTPException

from ...domain.characters import refused_character
from ...domain.errors import DomainError
from ...interface.errors import status_of
from ...interface.i18n import current
from ...services import users
from . import common
from .common import SAFE_METHODS, _, bp, language_links, page_url, say, services

csrf = CSRFProtect()


def instance_secret(path: Path) -> str:
    """The secret kept at ``path``, made once: the first worker writes it, the others read it."""
    for _attempt in range(50):
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            text = ""
        if text:
            return text
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        temporary.write_text(secrets.token_urlsafe(48))
        os.chmod(temporary, 0o600)
        try:
            os.link(temporary, path)  # atomic, and fails when another worker got there first
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
        time.sleep(0.01)
    raise RuntimeError(f"could not read or create the secret key file {path}")


def init_desk(app: Flask) -> None:
    """Mount the console: secret key, CSRF, the pages (the sign-in limit's counters: :func:`open_sign_in_limit`)."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.config["SECRET_KEY_FILE"]))
    # CSRF is checked by the console's own before_request, never on the API (bearer tokens).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    # A page may stay open all day: the token lives as long as the session.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    from . import admin, approvals, auth, customers, reports, sales, words  # noqa: F401  (their views join the blueprint)
    from . import news  # noqa: F401  (notify: what is new for the signed-in user)

    app.register_blueprint(bp)


def open_sign_in_limit(app: Flask) -> None:
    """Open the counters of failed sign-ins (the app's rate-limit storage): per address and name, and per address."""
    limits = {
        scope: parse(limit)
        for scope, limit in (("name", app.config["SIGN_IN_RATE_LIMIT"]), ("address", app.config["SIGN_IN_ADDRESS_RATE_LIMIT"]))
        if limit.lower() not in ("none", "off", "")
    }
    if not limits:
        app.extensions["quoteapi.desk_limit"] = None
    else:
        storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        from .auth import failure_log

        app.extensions["quoteapi.desk_limit"] = (FixedWindowRateLimiter(storage), limits, failure_log())
        # /readyz checks it too ("quoteapi.counter_stores": every storage a worker counts in).
        app.extensions.setdefault("quoteapi.counter_stores", []).append(storage)


@bp.before_request
def refuse_control_characters():
    """A form or query value with a control or bidi character is refused before anything reads it (a 422 page).

    The forms the schemas load name the field themselves; this covers what a
    page reads as it is (the sign-in name, a filter), the same rule as every
    text field (``domain/characters.py``). A form's text may keep line breaks
    and tabs (a note); a query value may not.
    """
    if request.endpoint == "desk.static":
        return None
    refused = any(refused_character(v) is not None for vs in request.args.listvalues() for v in vs) or (
        request.method not in SAFE_METHODS
        and any(refused_character(v, lines=True) is not None for vs in request.form.listvalues() for v in vs)
    )
    if refused:
        return error_page(422, _("A field holds a control character or an invisible text-direction character; "
                                 "remove it and try again."))
    return None


@bp.before_request
def load_user():
    """Who is signed in, checked on every request: a revoked user or a changed password ends the session."""
    g.desk_user = None
    if request.endpoint == "desk.static":
        return None
    token, seen = session.get("sid"), session.get("fp")
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if token is not None or session.get("uid") is not None:  # "uid": a cookie from before migration 0008
        found = users.session_user(services(), token, seen or "", lifetime) if isinstance(token, str) else None
        if found is None:
            session.clear()
            flash(_("You were signed out: your access changed. Sign in again."), "error")
            if request.endpoint != "desk.sign_in":
                return redirect(url_for("desk.sign_in"))
        else:
            g.desk_user = found
    if request.method not in SAFE_METHODS:
        csrf.protect()
    return None


@bp.after_request
def page_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    if request.endpoint != "desk.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.context_processor
def page_globals():
    return {"_": _, "desk_user": common.user, "say": say, "language_links": language_links, "page_url": page_url,
            "page_lang": current().code}


def error_page(status: int, message: str, headers: dict[str, str] | None = None):
    return render_template("desk/error.html", status=status, message=message), status, headers or {}


@bp.route("/<path:anything>", methods=["GET", "POST"])
def nowhere(anything: str):
    """Any other address under /desk: the console's own 404 page (with its menu), never the API's JSON."""
    return error_page(404, _("There is nothing at this address."))


@bp.errorhandler(CSRFError)
def csrf_refused(error: CSRFError):
    return error_page(400, _("The form was too old or was not sent from this console. Reload the page and try again."))


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    status = status_of(error)
    return error_page(status, say(error.detail))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    messages = {
        403: _("Your role does not allow this page."),
        404: _("There is nothing at this address."),
        405: _("This method is not allowed here."),
        413: _("The file is too large."),
    }
    status = error.code or 500
    return error_page(status, messages.get(status) or say(error.description or ""))
