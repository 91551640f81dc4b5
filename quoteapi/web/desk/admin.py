"""The admins' pages: price tables, versions, the audit log, users, spreadsheets."""

from __future__ import annotations

from flask import render_template

from .common import bp, requires


@bp.get("/prices")
@requires("admin")
def price_tables():
    return render_template("desk/error.html", status=200, message="")


@bp.get("/versions")
@requires("admin")
def versions():
    return render_template("desk/error.html", status=200, message="")


@bp.get("/audit")
@requires("admin")
def audit_log():
    return render_template("desk/error.html", status=200, message="")


@bp.get("/users")
@requires("admin")
def user_list():
    return render_template("desk/error.html", status=200, message="")
