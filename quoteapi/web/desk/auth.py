"""Signing in and out of the console."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for

from ...domain.errors import Invalid
from ...services import users
from .common import _, bp, say, safe_next, services, user

NAME_MAX = 64


def _limit():
    """(strategy, limit) of failed sign-ins, or None when switched off."""
    return current_app.extensions.get("quoteapi.desk_limit")


def _keys(name: str) -> tuple[str, str, str]:
    return ("desk-sign-in", request.remote_addr or "-", name.lower()[:NAME_MAX])


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if user() is not None:
            return redirect(next_url or url_for("desk.today"))
        return render_template("desk/sign_in.html", next=next_url, name="")
    name = request.form.get("name", "").strip()[:NAME_MAX]
    password = request.form.get("password", "")
    limited = _limit()
    if limited is not None:
        strategy, limit = limited
        if not strategy.test(limit, *_keys(name)):
            reset, _remaining = strategy.get_window_stats(limit, *_keys(name))
            seconds = max(1, int(reset - time.time()) + 1)
            message = _("Too many failed sign-ins. Try again in {seconds} s.", seconds=seconds)
            return render_template("desk/sign_in.html", next=next_url, name=name, error=message), 429, {
                "Retry-After": str(seconds)
            }
    try:
        found = users.check_password(services(), name, password)
    except Invalid as error:
        if limited is not None:
            limited[0].hit(limited[1], *_keys(name))
        return render_template("desk/sign_in.html", next=next_url, name=name, error=say(error.detail)), 401
    # A new session: nothing from before signing in survives (no session fixation).
    session.clear()
    session.permanent = True
    session["uid"] = found.id
    session["fp"] = found.fingerprint
    chosen = request.args.get("lang")
    flash(_("Welcome, {name}.", name=found.name), "info")
    return redirect(next_url or url_for("desk.today", **({"lang": chosen} if chosen else {})))


@bp.post("/sign-out")
def sign_out():
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("desk.sign_in"))
