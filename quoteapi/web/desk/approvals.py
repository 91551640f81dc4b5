"""Manual discounts waiting for an admin (pricing step 8b): the list, and the decision (role admin).

The list is ``services.quotes.list_quotes`` with the API's filter ``approval=pending``;
a decision is parsed by ``DeskApprovalDecisionSchema`` (``quoteapi.interface``; a note is required to
reject, and the revision the admin saw, a hidden field, always: a stale one is the service's 409) and
made by ``services.approvals.decide_approval``, which writes the activity
line and the audit entry. The console adds no rule of its own.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from ...domain import quotes as workflow
from ...domain.errors import DomainError
from ...interface.commands import decision_command
from ...interface.schemas.fields import flatten_messages
from ...interface.schemas.quotes import DeskApprovalDecisionSchema, QuoteListQuerySchema
from ...services import approvals, quotes
from .common import (
    _, actor, bp, field_errors, flash_error, requires, safe_next, say, services, to_section, user, whole_number,
)

PAGE_SIZE = 20
# The count in the menu reads at most this many (more shows as "200+").
COUNT_LIMIT = 200


def pending_count() -> str:
    """How many manual discounts wait for an admin, for the menu ("" for sales staff)."""
    signed_in = user()
    if signed_in is None or signed_in.role != "admin":
        return ""
    try:
        page = quotes.list_quotes(services(), {"approval": workflow.APPROVAL_PENDING, "limit": COUNT_LIMIT})
    except DomainError:
        return "0"
    return f"{COUNT_LIMIT}+" if page.next_cursor else str(len(page.items))


@bp.context_processor
def approval_helpers() -> dict[str, Any]:
    return {"pending_approvals": pending_count}


@bp.get("/approvals")
@requires("admin")
def approval_list():
    raw = {k: v for k, v in request.args.items() if k == "cursor" and v.strip()}
    errors: dict[str, list[str]] = {}
    page, pending = None, []
    try:
        filters = QuoteListQuerySchema().load({**raw, "approval": workflow.APPROVAL_PENDING, "limit": PAGE_SIZE})
        page = quotes.list_quotes(services(), filters)
        pending = quotes.get_quotes(services(), [q.number for q in page.items])
    except ValidationError as error:
        errors = field_errors(flatten_messages(error.messages))
    except DomainError as error:
        errors = field_errors(error) or {"cursor": [say(error.detail)]}
    limit = None
    try:
        limit = services().price_lists.current().max_manual_discount_percent
    except DomainError:
        pass
    return render_template(
        "desk/approvals.html", pending=pending, errors=errors, limit=limit,
        next_cursor=page.next_cursor if page else None, first=bool(raw.get("cursor")),
    )


@bp.post("/approvals/<string:number>")
@requires("admin")
def decide(number: str):
    """Approve or reject one quote's manual discount; back to where the form was (the list or the quote)."""
    back = safe_next(request.form.get("next")) or url_for("desk.approval_list")
    try:
        body = DeskApprovalDecisionSchema().load(
            {"decision": request.form.get("decision", ""), "note": request.form.get("note", "").strip() or None,
             "revision": whole_number(request.form.get("revision"))}
        )
        approvals.decide_approval(services(), decision_command(number, actor(), body))
    except ValidationError as error:
        for messages in field_errors(flatten_messages(error.messages)).values():
            flash(f"{number}: {' '.join(messages)}", "error")
    except DomainError as error:
        flash_error(error)
    else:
        if body["decision"] == "approve":
            flash(_("The manual discount of {number} is approved: the quote can be sent.", number=number), "info")
        else:
            flash(_("The manual discount of {number} is rejected: the sales staff see your note.", number=number), "info")
    section = back.partition("#")[2]
    # desk-layout: from the quote's page, back to its approval section with the message there.
    return to_section(back, section) if section else redirect(back)
