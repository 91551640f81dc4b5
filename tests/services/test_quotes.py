"""The quote use cases (quoteapi.services.quotes) on a real SQLite database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from quoteapi.adapters.db import AuditEntry, IdempotencyKey, Quote, QuoteCounter, QuoteRevision
from quoteapi.domain.errors import Conflict, Invalid, NotFound
from quoteapi.domain.pricing.model import ClientAnswers, EligibilityStatus
from quoteapi.domain.quotes import Customer
from quoteapi.services import estimates, quotes, users
from quoteapi.services.commands import AddNote, ReviseQuote, UpdateQuote

from .conftest import CUSTOMER, TODAY, count, create_command, request


def create(ctx, **fields) -> str:
    return quotes.create_quote(ctx, create_command(**fields)).quote.number


def move(ctx, number: str, status: str, by: str = "sam"):
    return quotes.update_quote(ctx, UpdateQuote(number, by, status=status))


# --- creating -----------------------------------------------------------------------


def test_create_quote_stores_a_new_quote_numbered_in_the_year(ctx):
    inputs = request(areas=("face", "neck"), sessions=3, products=("hyaluronic-acid",))
    created = quotes.create_quote(ctx, create_command(inputs, notes="Prefers mornings.", follow_up_on=TODAY + timedelta(days=7)))
    q = created.quote
    assert created.replayed is False
    assert q.number == f"Q-{TODAY.year}-000001"
    assert q.status == "new" and q.revision == 1 and q.source == "staff"
    assert q.customer == CUSTOMER and q.created_by == "sam" and q.assigned_to is None
    assert q.notes == "Prefers mornings." and q.follow_up_on == TODAY + timedelta(days=7)
    assert q.valid_until == TODAY + timedelta(days=ctx.quote_valid_days)
    assert [a.kind for a in q.activity] == ["created"] and q.activity[0].by == "sam"
    # The stored estimate is the one the price list gives today.
    expected = estimates.estimate(ctx, inputs)
    assert q.estimate.total == expected.total > 0
    assert q.estimate.price_list_version == 1 and q.estimate.start_date == TODAY
    assert q.estimate.applied_campaigns == ("WINTER-RENEWAL",)
    assert [line.amount for line in q.estimate.lines] == [line.amount for line in expected.lines]
    assert count(ctx, Quote) == 1 and count(ctx, QuoteRevision) == 1


def test_a_stored_quote_reads_back_as_it_was_answered(ctx):
    q = quotes.create_quote(ctx, create_command(valid_days=7)).quote
    assert quotes.get_quote(ctx, q.number) == q
    assert q.valid_until == TODAY + timedelta(days=7)
    revision = quotes.get_revision(ctx, q.number, 1)
    assert revision.inputs == request()  # as given: no start date means "today" when priced
    assert revision.estimate == q.estimate


def test_several_quotes_read_in_the_order_asked_and_the_unknown_left_out(ctx):
    first, second = create(ctx), create(ctx, valid_days=7)
    assert quotes.get_quotes(ctx, [second, f"Q-{TODAY.year}-999999", first]) == [
        quotes.get_quote(ctx, second), quotes.get_quote(ctx, first)
    ]
    assert quotes.get_quotes(ctx, []) == []


def test_numbers_follow_each_other_and_website_quotes_have_no_creator(ctx):
    first = create(ctx)
    web = quotes.create_quote(ctx, create_command(source="website", by=None)).quote
    assert (first, web.number) == (f"Q-{TODAY.year}-000001", f"Q-{TODAY.year}-000002")
    assert web.source == "website" and web.created_by is None
    assert str(web.activity[0].text) == "Requested on the website."


def test_unknown_quotes_and_revisions_are_not_found(ctx):
    number = create(ctx)
    with pytest.raises(NotFound):
        quotes.get_quote(ctx, f"Q-{TODAY.year}-999999")
    with pytest.raises(NotFound):
        quotes.get_revision(ctx, number, 2)


# --- idempotency --------------------------------------------------------------------


def test_the_same_key_and_command_replays_the_first_quote(ctx):
    cmd = create_command(idempotency_key="retry-1")
    first = quotes.create_quote(ctx, cmd)
    again = quotes.create_quote(ctx, cmd)
    assert first.replayed is False and again.replayed is True
    assert again.quote == first.quote
    assert count(ctx, Quote) == 1 and count(ctx, IdempotencyKey) == 1
    # The counter was not advanced by the replay.
    assert create(ctx) == f"Q-{TODAY.year}-000002"


def test_the_same_key_with_another_command_is_a_conflict(ctx):
    quotes.create_quote(ctx, create_command(idempotency_key="retry-1"))
    for changed in (
        create_command(request(sessions=2), idempotency_key="retry-1"),
        create_command(customer=Customer("Someone Else"), idempotency_key="retry-1"),
        create_command(notes="another note", idempotency_key="retry-1"),
    ):
        with pytest.raises(Conflict) as caught:
            quotes.create_quote(ctx, changed)
        assert list(caught.value.errors) == ["Idempotency-Key"]
    assert count(ctx, Quote) == 1


def test_a_key_belongs_to_whoever_sent_it(ctx):
    mine = quotes.create_quote(ctx, create_command(idempotency_key="k"))
    theirs = quotes.create_quote(ctx, create_command(by="ada", idempotency_key="k"))
    website = quotes.create_quote(ctx, create_command(source="website", by=None, idempotency_key="k"))
    assert not theirs.replayed and not website.replayed
    assert len({mine.quote.number, theirs.quote.number, website.quote.number}) == 3
    assert count(ctx, Quote) == 3


# --- eligibility --------------------------------------------------------------------


def test_a_client_who_is_not_eligible_gets_no_quote(ctx):
    minor = request(client=ClientAnswers(age=16))
    with pytest.raises(Invalid) as caught:
        quotes.create_quote(ctx, create_command(minor, idempotency_key="minor"))
    assert list(caught.value.errors) == ["client"]
    assert len(caught.value.errors["client"]) == 1  # the age is the one reason
    assert count(ctx, Quote) == 0 and count(ctx, IdempotencyKey) == 0 and count(ctx, QuoteCounter) == 0
    # No number was used up.
    assert create(ctx) == f"Q-{TODAY.year}-000001"


def test_a_pregnant_client_is_quoted_with_treatment_postponed(ctx):
    # Pregnancy postpones the treatment; it does not refuse the quote (only NOT_ELIGIBLE does).
    q = quotes.create_quote(ctx, create_command(request(client=ClientAnswers(age=34, pregnant=True)))).quote
    assert q.estimate.eligibility.status is EligibilityStatus.POSTPONE
    assert len(q.estimate.eligibility.reasons) == 1 and q.estimate.eligibility.reasons[0]
    assert count(ctx, Quote) == 1


# --- the workflow -------------------------------------------------------------------


def test_a_quote_moves_along_the_workflow(ctx):
    number = create(ctx)
    assert move(ctx, number, "draft").status == "draft"
    assert move(ctx, number, "sent").status == "sent"
    accepted = move(ctx, number, "accepted", by="ada")
    assert accepted.status == "accepted"
    status_lines = [a for a in accepted.activity if a.kind == "status"]
    assert [str(a.text) for a in status_lines] == ["Status new → draft.", "Status draft → sent.", "Status sent → accepted."]
    assert status_lines[-1].by == "ada"
    assert quotes.get_quote(ctx, number).status == "accepted"
    with ctx.database.reading() as session:
        audited = [(e.before, e.after) for e in session.query(AuditEntry).filter_by(kind="quote").order_by(AuditEntry.id)]
    assert audited[-1] == ({"status": "sent"}, {"status": "accepted"}) and len(audited) == 3


@pytest.mark.parametrize(
    ("path", "refused"),
    [((), "accepted"), (("sent", "accepted"), "draft"), (("declined",), "sent"), (("draft",), "new")],
)
def test_a_move_the_workflow_forbids_changes_nothing(ctx, path, refused):
    number = create(ctx)
    for status in path:
        move(ctx, number, status)
    before = quotes.get_quote(ctx, number)
    with pytest.raises(Conflict) as caught:
        move(ctx, number, refused)
    assert list(caught.value.errors) == ["status"]
    assert quotes.get_quote(ctx, number) == before


def test_a_refused_change_rolls_back_what_came_before_it(ctx):
    number = create(ctx)
    before = quotes.get_quote(ctx, number)
    # The status move is valid and applied first; the unknown assignee then fails the whole change.
    with pytest.raises(Invalid) as caught:
        quotes.update_quote(ctx, UpdateQuote(number, "sam", status="sent", assigned_to="nobody"))
    assert list(caught.value.errors) == ["assigned_to"]
    assert quotes.get_quote(ctx, number) == before
    with ctx.database.reading() as session:
        assert session.query(AuditEntry).filter_by(kind="quote").count() == 0


def test_assignment_and_follow_up_are_recorded(ctx):
    users.create_user(ctx, "sara", "sales")
    number = create(ctx)
    q = quotes.update_quote(ctx, UpdateQuote(number, "sam", assigned_to="sara", follow_up_on=TODAY + timedelta(days=3)))
    assert q.assigned_to == "sara" and q.follow_up_on == TODAY + timedelta(days=3) and q.status == "new"
    assert [(a.kind, str(a.text)) for a in q.activity[1:]] == [
        ("assignment", "Assigned to sara."),
        ("follow-up", f"Follow-up on {(TODAY + timedelta(days=3)).isoformat()}."),
    ]
    # The same values again change nothing and add no activity.
    again = quotes.update_quote(ctx, UpdateQuote(number, "sam", assigned_to="sara", follow_up_on=TODAY + timedelta(days=3)))
    assert again.activity == q.activity
    # Only active users can be assigned; anyone can be unassigned.
    users.create_user(ctx, "tom", "sales")
    users.revoke_user(ctx, "tom")
    with pytest.raises(Invalid) as caught:
        quotes.update_quote(ctx, UpdateQuote(number, "sam", assigned_to="tom"))
    assert list(caught.value.errors) == ["assigned_to"]
    assert quotes.update_quote(ctx, UpdateQuote(number, "sam", assigned_to=None)).assigned_to is None


def test_an_open_quote_past_its_last_day_expires_and_cannot_move(ctx):
    number = create(ctx, valid_days=5)
    ctx.clock = lambda: TODAY + timedelta(days=5)
    assert quotes.get_quote(ctx, number).status == "new"  # the last valid day
    ctx.clock = lambda: TODAY + timedelta(days=6)
    assert quotes.get_quote(ctx, number).status == "expired"
    with pytest.raises(Conflict) as caught:
        move(ctx, number, "sent")
    assert list(caught.value.errors) == ["status"]
    assert [q.number for q in quotes.list_quotes(ctx, {"status": "expired"}).items] == [number]
    assert quotes.list_quotes(ctx, {"status": "new"}).items == []


# --- revising and notes -------------------------------------------------------------


def test_revise_makes_revision_two_with_the_changes(ctx):
    number = create(ctx)
    q = quotes.revise_quote(ctx, ReviseQuote(number, "ada", changes={"sessions": 3}))
    assert q.revision == 2 and q.status == "new"
    assert q.estimate.sessions == 3 and q.estimate.applied_campaigns == ("WINTER-RENEWAL",)
    assert q.activity[-1].kind == "revision" and q.activity[-1].by == "ada"
    first, second = quotes.get_revision(ctx, number, 1), quotes.get_revision(ctx, number, 2)
    assert first.estimate.sessions == 1 and first.estimate.applied_campaigns == ()
    assert second.inputs.sessions == 3 and second.inputs.areas == first.inputs.areas
    assert second.estimate == q.estimate and second.created_by == "ada"
    assert count(ctx, QuoteRevision) == 2


def test_revising_a_sent_quote_takes_it_back_to_draft(ctx):
    number = create(ctx)
    move(ctx, number, "sent")
    q = quotes.revise_quote(ctx, ReviseQuote(number, "sam"))
    assert q.revision == 2 and q.status == "draft"
    assert [a.kind for a in q.activity][-2:] == ["revision", "status"]
    assert str(q.activity[-1].text) == "Status sent → draft."


def test_revising_an_expired_quote_makes_it_valid_again(ctx):
    number = create(ctx, valid_days=5)
    ctx.clock = lambda: TODAY + timedelta(days=10)
    q = quotes.revise_quote(ctx, ReviseQuote(number, "sam", valid_days=20))
    assert q.status == "new" and q.valid_until == TODAY + timedelta(days=30)
    assert q.estimate.start_date == TODAY + timedelta(days=10)  # the passed start date moved to today


@pytest.mark.parametrize("closed", ["accepted", "declined"])
def test_closed_quotes_are_not_revised(ctx, closed):
    number = create(ctx)
    move(ctx, number, "sent")
    move(ctx, number, closed)
    before = quotes.get_quote(ctx, number)
    with pytest.raises(Conflict) as caught:
        quotes.revise_quote(ctx, ReviseQuote(number, "sam", changes={"sessions": 2}))
    assert list(caught.value.errors) == ["status"]
    assert quotes.get_quote(ctx, number) == before and count(ctx, QuoteRevision) == 1


def test_a_revision_that_makes_the_client_ineligible_stores_nothing(ctx):
    number = create(ctx)
    before = quotes.get_quote(ctx, number)
    with pytest.raises(Invalid):
        quotes.revise_quote(ctx, ReviseQuote(number, "sam", changes={"client": ClientAnswers(age=15)}))
    assert quotes.get_quote(ctx, number) == before and count(ctx, QuoteRevision) == 1


def test_add_note(ctx):
    number = create(ctx)
    q = quotes.add_note(ctx, AddNote(number, "sam", "Called back; wants Saturday."))
    assert (q.activity[-1].kind, q.activity[-1].by, str(q.activity[-1].text)) == ("note", "sam", "Called back; wants Saturday.")
    assert quotes.get_quote(ctx, number).activity == q.activity
    assert q.status == "new" and q.revision == 1


# --- listing ------------------------------------------------------------------------


def test_list_quotes_pages_newest_first_with_a_cursor(ctx):
    numbers = [create(ctx, customer=Customer(f"Customer {i}", f"c{i}@example.com")) for i in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        page = quotes.list_quotes(ctx, {"limit": 2, **({"cursor": cursor} if cursor else {})})
        pages += 1
        assert len(page.items) <= 2
        seen += [q.number for q in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(reversed(numbers))
    summary = quotes.list_quotes(ctx, {"limit": 1}).items[0]
    assert summary.customer.name == "Customer 4" and summary.total > Decimal(0)
    assert summary.eligibility_status is EligibilityStatus.UNKNOWN


def test_list_quotes_filters(ctx):
    a = create(ctx, customer=Customer("Deniz Kaya", "deniz@example.com"))
    b = create(ctx, inputs=request(clinic="ank-cankaya"), customer=Customer("Mehmet Öz", phone="+90 312 555 44 33"))
    move(ctx, b, "sent")
    assert [q.number for q in quotes.list_quotes(ctx, {"status": "sent"}).items] == [b]
    assert [q.number for q in quotes.list_quotes(ctx, {"clinic": "ist-kadikoy"}).items] == [a]
    assert [q.number for q in quotes.list_quotes(ctx, {"q": "KAYA"}).items] == [a]
    assert [q.number for q in quotes.list_quotes(ctx, {"q": "312 555"}).items] == [b]
    assert quotes.list_quotes(ctx, {"q": "%"}).items == []  # wildcards are searched for literally


def test_a_cursor_not_given_out_is_invalid(ctx):
    create(ctx)
    with pytest.raises(Invalid) as caught:
        quotes.list_quotes(ctx, {"cursor": "not-a-cursor"})
    assert list(caught.value.errors) == ["cursor"]
