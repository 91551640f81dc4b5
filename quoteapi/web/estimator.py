"""The website's price estimator: a static page the app serves, no build step."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_from_directory

from ..adapters.i18n import messages
from ..domain.text import LANGUAGES

PAGE_DIR = Path(__file__).resolve().parent / "static" / "estimator"

bp = Blueprint("estimator", __name__, static_folder=str(PAGE_DIR), static_url_path="/estimator")


@bp.get("/estimator")
@bp.get("/estimator/")
def page() -> Response:
    response = send_from_directory(PAGE_DIR, "index.html", max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/estimator/messages/<lang>.json")
def page_messages(lang: str) -> Response:
    """The page's texts in one language (gettext catalogue), for its script; cacheable."""
    if lang not in LANGUAGES:
        abort(404)
    response = current_app.json.response(messages(lang))
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"  # texts only: any site embedding the page may read them
    return response
