"""The approval of manual discounts (pricing step 8b) as use cases, on a real SQLite database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from quoteapi.adapters.db import AuditEntry
from quoteapi.domain.errors import Conflict
from quoteapi.domain.pricing.model import LineKind, ManualDiscount
from quoteapi.services import approvals, quotes, verification
from quoteapi.services.commands import DecideApproval, ReviseQuote, UpdateQuote

from .conftest import create_command, request


def create(ctx, manual: ManualDiscount | None):
    return quotes.create_quote(ctx, create_command(request(manual_discount=manual))).quote


def test_over_the_limit_waits_and_a_decision_is_recorded(ctx):
    q = create(ctx, ManualDiscount("Friend", percent=Decimal("25")))
    assert q.approval.status == "pending" and q.manual_discount == ManualDiscount("Friend", percent=Decimal("25"))
    (line,) = [line for line in q.estimate.lines if line.kind is LineKind.MANUAL_DISCOUNT]
    with pytest.raises(Conflict) as refused:
        quotes.update_quote(ctx, UpdateQuote(q.number, "sam", status="sent"))
    assert refused.value.kind == "approval-pending"

    decided = approvals.decide_approval(ctx, DecideApproval(q.number, "ada", "approve", "ok"))
    assert (decided.approval.status, decided.approval.by, decided.approval.note) == ("approved", "ada", "ok")
    assert decided.approval.at is not None
    assert [a.kind for a in decided.activity] == ["created", "approval", "approval"]
    with pytest.raises(Conflict) as again:
        approvals.decide_approval(ctx, DecideApproval(q.number, "ada", "reject", "no"))
    assert again.value.kind == "approval-not-pending"
    assert quotes.update_quote(ctx, UpdateQuote(q.number, "sam", status="sent")).status == "sent"

    with ctx.database.reading() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.subject == q.number).order_by(AuditEntry.id))]
    assert actions == ["approval-requested", "approval", "status"]


def test_no_discount_or_one_under_the_limit_needs_nothing(ctx):
    assert create(ctx, None).approval.status == "not_needed"
    small = create(ctx, ManualDiscount("Small", amount=Decimal("1.00")))
    assert small.approval.status == "not_needed"
    with pytest.raises(Conflict):
        approvals.decide_approval(ctx, DecideApproval(small.number, "ada", "approve"))


def test_a_revision_without_the_field_keeps_it_and_none_removes_it(ctx):
    q = create(ctx, ManualDiscount("Big", percent=Decimal("50")))
    kept = quotes.revise_quote(ctx, ReviseQuote(q.number, "sam", {"sessions": 2}))
    assert kept.manual_discount == q.manual_discount and kept.approval.status == "pending"
    removed = quotes.revise_quote(ctx, ReviseQuote(q.number, "sam", {"manual_discount": None}))
    assert removed.manual_discount is None and removed.approval.status == "not_needed"
    assert not [line for line in removed.estimate.lines if line.kind is LineKind.MANUAL_DISCOUNT]
    assert verification.verify_revision(ctx, q.number, 1).matches and verification.verify_revision(ctx, q.number, 2).matches
