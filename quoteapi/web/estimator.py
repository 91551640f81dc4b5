"""The website's price estimator: a static page the app serves, no build step."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

PAGE_DIR = Path(__file__).resolve().parent / "static" / "estimator"

bp = Blueprint("estimator", __name__, static_folder=str(PAGE_DIR), static_url_path="/estimator")


@bp.get("/estimator")
@bp.get("/estimator/")
def page() -> Response:
    response = send_from_directory(PAGE_DIR, "index.html", max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
