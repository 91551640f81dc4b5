"""What is new for the signed-in user (issue 29): the count in the menu, and the "New" page.

Approvals decided on their quotes, customers who accepted or asked on the quotes assigned to
them, since they last opened the page (``services.news``); opening it marks them seen.
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from ...domain.errors import DomainError
from ...services import news
from .common import _, bp, requires, services, user


def new_count() -> str:
    """How many things are new for the signed-in user, for the menu ("" when signed out)."""
    signed_in = user()
    if signed_in is None:
        return ""
    try:
        return str(news.count_new(services(), signed_in.name))
    except DomainError:
        return "0"


def news_label(kind: str) -> str:
    labels = {
        "accepted": _("The customer accepted"), "question": _("The customer asked"),
        "approved": _("Manual discount approved"), "rejected": _("Manual discount rejected"),
    }
    return labels.get(kind, kind)


@bp.context_processor
def news_helpers() -> dict[str, Any]:
    return {"new_count": new_count, "news_label": news_label}


@bp.get("/new")
@requires("sales")
def news_page():
    signed_in = user()
    assert signed_in is not None
    found = news.what_is_new(services(), signed_in.name)
    return render_template("desk/news.html", news=found, window_days=news.WINDOW.days)
