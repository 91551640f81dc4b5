"""Signing in and out of the console."""

from __future__ import annotations

import logging
import time

from flask import current_app, flash, redirect, render_template, request, session, url_for

from ...adapters.shared_counters import FailureLog
from ...domain.errors import Invalid
from ...services import users
from .common import _, bp, say, safe_next, services, user

NAME_MAX = 64
# While the counters cannot be reached, signing in is refused (503) and retried after this many seconds.
STORE_DOWN_RETRY_SECONDS = 30
log = logging.getLogger(__name__)


def failure_log() -> FailureLog:
    """One per app in a worker: the sign-in store's failure logged once, its recovery once."""
    return FailureLog(
        log,
        "the sign-in rate-limit store failed: sign-ins are refused until it works again",
        "the sign-in rate-limit store works again: sign-ins are checked again",
    )


class StoreDown(Exception):
    """The sign-in counters cannot be reached: the attempt is refused, the password not checked."""


def _limit():
    """(strategy, {scope: limit}, FailureLog) of sign-in attempts (scopes "name" and "address"), or None when switched off."""
    return current_app.extensions.get("quoteapi.desk_limit")


def _attempt(name: str) -> int | None:
    """Count this sign-in attempt and say whether it may go on: seconds to wait, else None.

    Each scope's check and count are one step on the counter store (the limits library's
    ``hit``: one atomic increment, compared with the limit), taken before the password is
    checked, so concurrent attempts cannot all pass a check made before any of them counted.
    A refused attempt counts too (it can only lengthen the wait of whoever sends it). A counter
    store that cannot be reached (Redis down, the counters' file unusable) raises
    :class:`StoreDown`: the attempt is refused, not let through unlimited (the public limit
    fails open, this one closed: docs/decisions.md), and the failure is logged once.
    """
    limited = _limit()
    if limited is None:
        return None
    strategy, limits, failures = limited
    try:
        spent = []
        for scope, limit in limits.items():
            keys = _keys(scope, name)
            if not strategy.hit(limit, *keys):
                spent.append((limit, keys))
        reset = 0.0 if not spent else max(strategy.get_window_stats(limit, *keys).reset_time for limit, keys in spent)
    except Exception as error:  # the store's own errors differ by backend (Redis', the mapped file's OSError)
        failures.failed()
        raise StoreDown from error
    if failures.failing:
        failures.worked()
    if not spent:
        return None
    return max(1, int(reset - time.time()) + 1)


def _signed_in(name: str) -> None:
    """After the right password: the name's count starts again (the address's stays, so that
    one account's password cannot reset the budget of guesses at others)."""
    limited = _limit()
    if limited is None:
        return
    strategy, limits, _failures = limited
    try:
        if "name" in limits:
            strategy.clear(limits["name"], *_keys("name", name))
    except Exception:
        log.warning("sign-in rate limit store unavailable", exc_info=True)


def _keys(scope: str, name: str) -> tuple[str, ...]:
    address = request.remote_addr or "-"
    if scope == "address":
        return ("desk-sign-in-address", address)
    return ("desk-sign-in", address, name.lower()[:NAME_MAX])


def begin_session(found: users.SignedIn) -> None:
    """A new console session of ``found`` in this browser: nothing from before survives (no session fixation)."""
    session.clear()
    session.permanent = True
    session["sid"] = users.start_session(services(), found, current_app.permanent_session_lifetime.total_seconds())
    session["fp"] = found.fingerprint


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if user() is not None:
            return redirect(next_url or url_for("desk.today"))
        return render_template("desk/sign_in.html", next=next_url, name="")
    name = request.form.get("name", "").strip()[:NAME_MAX]
    password = request.form.get("password", "")
    try:
        seconds = _attempt(name)
    except StoreDown:
        message = _("Signing in is unavailable for a moment. Try again in {seconds} s.", seconds=STORE_DOWN_RETRY_SECONDS)
        return render_template("desk/sign_in.html", next=next_url, name=name, error=message), 503, {
            "Retry-After": str(STORE_DOWN_RETRY_SECONDS)
        }
    if seconds is not None:
        message = _("Too many failed sign-ins. Try again in {seconds} s.", seconds=seconds)
        return render_template("desk/sign_in.html", next=next_url, name=name, error=message), 429, {
            "Retry-After": str(seconds)
        }
    try:
        found = users.check_password(services(), name, password)
    except Invalid as error:
        return render_template("desk/sign_in.html", next=next_url, name=name, error=say(error.detail)), 401
    _signed_in(name)
    begin_session(found)
    chosen = request.args.get("lang")
    flash(_("Welcome, {name}.", name=found.name), "info")
    return redirect(next_url or url_for("desk.today", **({"lang": chosen} if chosen else {})))


@bp.post("/sign-out")
def sign_out():
    # The session ends on the server too: a copy of this browser's cookie no longer signs anyone in.
    token = session.get("sid")
    if isinstance(token, str):
        users.end_session(services(), token)
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("desk.sign_in"))
