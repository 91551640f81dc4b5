"""Manual discounts above the price list's limit: asking an admin's approval, and the admin's decision.

A (re)pricing asks again whenever the newest revision's discount is above the
limit (:func:`after_pricing`); an admin approves or rejects it
(:func:`decide_approval`). The rules of the states are in :mod:`quoteapi.domain.quotes`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ..adapters import clock
from ..adapters.db import models as rows
from ..adapters.db import quote_store
from ..domain import quotes as workflow
from ..domain.errors import Conflict
from ..domain.pricing.model import Estimate, LineKind, PriceList
from ..domain.quotes import Quote
from ..domain.text import N_, T
from . import audit, notices
from .commands import DecideApproval

if TYPE_CHECKING:
    from .context import Context

# What a pricing has to say about the approval: the activity line (message id, values) and the
# audit entry (action, before, after); None when there is nothing to say.
Line = tuple[str, dict[str, Any]]
Entry = tuple[str, dict[str, Any], dict[str, Any]]


def _manual_line_amount(result: Estimate) -> Decimal:
    """The manual discount of an estimate as a positive figure (0.00 without one)."""
    return -sum((line.amount for line in result.lines if line.kind is LineKind.MANUAL_DISCOUNT), Decimal("0.00"))


def manual_discount_amount(result: Estimate) -> Decimal | None:
    """The estimate's manual discount as a positive figure; None when it has none (reports)."""
    if not any(line.kind is LineKind.MANUAL_DISCOUNT for line in result.lines):
        return None
    return _manual_line_amount(result)


def after_pricing(before: str, result: Estimate, price_list: PriceList, revision: int) -> tuple[str, Line | None, Entry | None]:
    """The approval after (re)pricing and, when there is anything to say, the activity line
    (message id, values) and the audit entry (action, before, after) that say it.

    Every new revision above the limit asks again, even when an earlier one was approved.
    """
    after = workflow.approval_after_pricing(result.manual_discount_over_limit)
    if after == workflow.APPROVAL_NOT_NEEDED and before == workflow.APPROVAL_NOT_NEEDED:
        return after, None, None
    if after == workflow.APPROVAL_PENDING:
        discount = _manual_line_amount(result)
        limit = f"{price_list.max_manual_discount_percent.normalize():f}"
        line = (
            N_("Manual discount of {amount} is above the limit of {limit} percent: an admin's approval is requested."),
            {"amount": f"{discount:.2f}", "limit": limit},
        )
        entry = (
            "approval-requested", {"approval": before},
            {"approval": after, "revision": revision, "discount": f"{discount:.2f}",
             "base": f"{result.manual_discount_base:.2f}", "limit_percent": limit},
        )
        return after, line, entry
    line = (N_("The manual discount no longer needs an approval."), {})
    return after, line, ("approval-not-needed", {"approval": before}, {"approval": after, "revision": revision})


def price_approval(session: Session, quote: rows.Quote, result: Estimate, price_list: PriceList, by: str | None,
                   now: datetime, *, default_language: str = "tr") -> None:
    """After repricing: ask an admin's approval for a manual discount above the limit (the admins with an
    e-mail are told, in this transaction), or drop the need for one."""
    before = quote.approval or workflow.APPROVAL_NOT_NEEDED
    after, line, entry = after_pricing(before, result, price_list, quote.revision)
    quote.approval = after
    if line is None:
        return
    quote.approval_by, quote.approval_at, quote.approval_note = None, None, None
    quote_store.add_activity(quote, now, by, "approval", line[0], **line[1])
    action, before_entry, after_entry = entry
    audit.record(session, actor=by, kind="quote", action=action, subject=quote.number,
                 before=before_entry, after=after_entry)
    if after == workflow.APPROVAL_PENDING:
        notices.approval_requested(session, quote, by, now, default_language)


def decide_approval(ctx: Context, cmd: DecideApproval) -> Quote:
    """An admin approves or rejects the manual discount of a quote waiting for approval."""
    with ctx.database.transaction() as session:
        quote = quote_store.locked(session, cmd.number, cmd.precondition, ctx.today())
        before = quote.approval or workflow.APPROVAL_NOT_NEEDED
        if cmd.revision is not None and cmd.revision != quote.revision:
            raise Conflict(
                T("Quote {number} was revised (now revision {revision}) since you looked at it; "
                  "look at its discount again before deciding.", number=quote.number, revision=quote.revision),
                {"revision": [T("The quote has a newer revision.")]},
                kind="approval-revised",
            )
        after = workflow.check_decision(quote.number, before, cmd.decision)
        now = clock.now()
        note = cmd.note or None
        quote.approval, quote.approval_by, quote.approval_at, quote.approval_note = after, cmd.by, now, note
        if after == workflow.APPROVAL_APPROVED:
            if note:
                quote_store.add_activity(quote, now, cmd.by, "approval", N_("Manual discount approved: {note}"), note=note)
            else:
                quote_store.add_activity(quote, now, cmd.by, "approval", N_("Manual discount approved."))
        else:
            quote_store.add_activity(quote, now, cmd.by, "approval", N_("Manual discount rejected: {note}"), note=note)
        # The user who made the revision that needed it learns the decision, in this transaction.
        notices.approval_decided(session, quote, after, note, cmd.by, now, ctx.default_language)
        audit.record(
            session, actor=cmd.by, kind="quote", action="approval", subject=quote.number,
            before={"approval": before},
            after={"approval": after, "revision": quote.revision, "note": note},
        )
        session.flush()
        return quote_store.quote_of(quote, ctx.today())
