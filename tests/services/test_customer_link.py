"""The customer's link use cases (services/customer_link.py) on a real database: the staff told, concurrency, the hash."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from quoteapi.adapters import clock
from quoteapi.adapters.db import link_store
from quoteapi.adapters.db import models as rows
from quoteapi.domain.acceptance import ACCEPTANCE_VERSION, content_hash
from quoteapi.domain.errors import Invalid, NotFound
from quoteapi.services import customer_link, quotes, users
from quoteapi.services.commands import UpdateQuote

from ..conftest import run_together
from .conftest import create_command, request


def sent_with_link(ctx, **fields) -> tuple[str, str]:
    number = quotes.create_quote(ctx, create_command(request(sessions=3), **fields)).quote.number
    quotes.update_quote(ctx, UpdateQuote(number, "sam", status="sent"))
    with ctx.database.transaction() as session:
        row = session.scalars(select(rows.Quote).where(rows.Quote.number == number)).one()
        return number, link_store.new_link(session, row, "email", "sam", clock.now())


def outbox(ctx) -> list[rows.OutboxMessage]:
    with ctx.database.reading() as session:
        found = list(session.scalars(select(rows.OutboxMessage).order_by(rows.OutboxMessage.id)))
        session.expunge_all()
        return found


@pytest.fixture
def staff(ctx):
    """sam (sales, the quotes' assignee) with an e-mail; lee (sales) without one."""
    users.create_user(ctx, "sam", "sales")
    users.create_user(ctx, "lee", "sales")
    with ctx.database.transaction() as session:
        session.execute(update(rows.User).where(rows.User.name == "sam").values(email="sam@clinic.example"))


def assign(ctx, number: str, name: str) -> None:
    quotes.update_quote(ctx, UpdateQuote(number, "sam", assigned_to=name))


def test_accepting_tells_the_assigned_user(ctx, staff):
    number, token = sent_with_link(ctx)
    assign(ctx, number, "sam")
    view = customer_link.accept(ctx, token, customer_link.Acceptance("Ayşe Yılmaz", True, "192.0.2.1", "UA"))
    assert view.status == "accepted" and view.acceptance["name"] == "Ayşe Yılmaz"
    notices = [m for m in outbox(ctx) if m.kind == "staff-notice"]
    assert [(m.recipient, m.payload["event"], m.payload["number"]) for m in notices] == [
        ("sam@clinic.example", "accepted", number)]


def test_questions_and_declines_tell_the_assigned_user_with_the_text(ctx, staff):
    number, token = sent_with_link(ctx)
    assign(ctx, number, "sam")
    customer_link.ask(ctx, token, "Is parking free?")
    customer_link.decline(ctx, token, "price", "Too much for now")
    events = [(m.payload["event"], m.payload["text"]) for m in outbox(ctx)]
    assert events == [("question", "Is parking free?"), ("declined", "Too much for now")]


def test_two_acceptances_at_once_record_one(ctx):
    number, token = sent_with_link(ctx)
    results = run_together(*(lambda i=i: customer_link.accept(
        ctx, token, customer_link.Acceptance(f"Name {i}", True, None, None)) for i in range(4)))
    names = {r.acceptance["name"] for r in results}
    assert len(names) == 1
    with ctx.database.reading() as session:
        row = session.scalars(select(rows.Quote).where(rows.Quote.number == number)).one()
        assert sum(1 for a in row.activity if a.kind == "accepted") == 1


def test_eight_openings_at_once_are_one_viewed_line(ctx):
    number, token = sent_with_link(ctx)
    run_together(*(lambda: customer_link.open_link(ctx, token) for _ in range(8)))
    with ctx.database.reading() as session:
        row = session.scalars(select(rows.Quote).where(rows.Quote.number == number)).one()
        assert sum(1 for a in row.activity if a.kind == "viewed") == 1


def test_unknown_and_refused_inputs(ctx):
    _number, token = sent_with_link(ctx)
    with pytest.raises(NotFound) as missing:
        customer_link.open_link(ctx, "not-a-token")
    assert missing.value.kind == "link-unknown"
    with pytest.raises(Invalid) as refused:
        customer_link.accept(ctx, token, customer_link.Acceptance("A\nB", True, None, None))
    assert "name" in refused.value.errors
    with pytest.raises(Invalid):
        customer_link.accept(ctx, token, customer_link.Acceptance("Ayşe", True, None, None, wording_version="99"))
    with pytest.raises(Invalid):
        customer_link.ask(ctx, token, "x" * (customer_link.QUESTION_MAX + 1))
    with pytest.raises(Invalid):
        customer_link.decline(ctx, token, "because", None)


def test_the_deposit_follows_the_revisions_percent(ctx):
    _number, token = sent_with_link(ctx)
    assert customer_link.read(ctx, token).deposit is None or customer_link.read(ctx, token).deposit["amount"]
    with ctx.database.transaction() as session:
        session.execute(update(rows.QuoteRevision).values(deposit_percent=Decimal(20)))
    view = customer_link.read(ctx, token)
    assert view.deposit["percent"] == "20"
    assert Decimal(view.deposit["amount"]) == (Decimal(view.estimate["total"]) * Decimal("0.2")).quantize(Decimal("0.01"))


# --- the hash of what was accepted ---------------------------------------------------------------

money = st.decimals(min_value=0, max_value=10**6, places=2).map(lambda d: f"{d:.2f}")
estimates = st.fixed_dictionaries({
    "currency": st.just("TRY"), "sessions": st.integers(1, 12), "subtotal": money, "discount_total": money,
    "net": money, "tax_rate": st.just("0.20"), "tax_total": money, "total": money, "per_session": money,
    "lines": st.lists(st.fixed_dictionaries({"kind": st.sampled_from(["area", "product", "campaign"]),
                                             "code": st.text(max_size=8), "amount": money}), max_size=5),
    "advice": st.lists(st.text(max_size=20), max_size=3),
})


@settings(max_examples=200, deadline=None)
@given(estimates, st.randoms())
def test_the_hash_depends_on_lines_and_totals_only_never_on_key_order(estimate, random):
    keys = list(estimate)
    random.shuffle(keys)
    shuffled = {k: estimate[k] for k in keys}
    assert content_hash(shuffled) == content_hash(estimate)
    assert content_hash({**estimate, "advice": ["other"]}) == content_hash(estimate)  # not a price
    changed = f"{Decimal(estimate['total']) + Decimal('0.01'):.2f}"
    assert content_hash({**estimate, "total": changed}) != content_hash(estimate)
    assert ACCEPTANCE_VERSION == "1"
