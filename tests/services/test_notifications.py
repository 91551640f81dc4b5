"""Staff notifications (api.md revision 3, "Notifications"; issue 29) on a real SQLite database.

Who is told of what, in which language, nothing for a user without an e-mail; the morning
digest's content and count; what the console counts as new.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from quoteapi.adapters import clock
from quoteapi.adapters.db import link_store
from quoteapi.adapters.db import models as rows
from quoteapi.domain.pricing.model import ManualDiscount
from quoteapi.domain.quotes import Customer
from quoteapi.services import approvals, customer_link, digests, news, outbox, quotes, users
from quoteapi.services.commands import DecideApproval, ReviseQuote, UpdateQuote

from ..days import day
from ..smtp_server import SmtpServer
from .conftest import create_command, request

BASE = "https://quotes.example.com"
OVER = ManualDiscount("Friend of the clinic", percent=Decimal("25"))  # above the demo list's limit


def person(ctx, name: str, role: str, email: str | None, language: str | None = None) -> None:
    users.create_user(ctx, name, role, email=email, language=language)


@pytest.fixture
def desk(ctx):
    """ada (admin, English), ayla (admin, no language: the default), eda (admin without e-mail);
    sam (sales, English), selin (sales, Turkish), lee (sales without e-mail)."""
    person(ctx, "ada", "admin", "ada@clinic.example", "en")
    person(ctx, "ayla", "admin", "ayla@clinic.example")
    person(ctx, "eda", "admin", None, "tr")
    person(ctx, "sam", "sales", "sam@clinic.example", "en")
    person(ctx, "selin", "sales", "selin@clinic.example", "tr")
    person(ctx, "lee", "sales", None)


def notices(ctx) -> list[tuple[str, str, str, dict]]:
    """(recipient, language, event, payload) of every staff notice queued, in order."""
    with ctx.database.reading() as session:
        found = session.scalars(select(rows.OutboxMessage).where(rows.OutboxMessage.kind == "staff-notice")
                                .order_by(rows.OutboxMessage.id)).all()
        return [(m.recipient, m.language, m.payload["event"], dict(m.payload)) for m in found]


def clear_outbox(ctx) -> None:
    with ctx.database.transaction() as session:
        session.execute(update(rows.OutboxMessage).values(state="sent"))


def sent_with_link(ctx, by: str = "sam", assigned_to: str | None = "sam", **fields) -> tuple[str, str]:
    number = quotes.create_quote(ctx, create_command(request(sessions=3), by=by, **fields)).quote.number
    quotes.update_quote(ctx, UpdateQuote(number, by, status="sent", assigned_to=assigned_to))
    with ctx.database.transaction() as session:
        row = session.scalars(select(rows.Quote).where(rows.Quote.number == number)).one()
        return number, link_store.new_link(session, row, "email", by, clock.now())


def deliver(ctx) -> list:
    """Deliver everything due to an in-process SMTP server; the messages received."""
    with SmtpServer() as smtp:
        outbox.deliver_due(ctx, outbox.mails.SmtpMailer(outbox.mails.SmtpSettings.from_url(smtp.url, 5.0)),
                           settings=outbox.Settings(public_url=BASE))
    return [r.message for r in smtp.received]


# --- users' language -----------------------------------------------------------------------------


def test_a_users_language_is_kept_changed_and_cleared(ctx):
    person(ctx, "sam", "sales", "sam@clinic.example", "en")
    assert users.get_user(ctx, "sam").language == "en"
    assert users.set_details(ctx, "sam", {"language": "tr"}).language == "tr"
    assert users.set_details(ctx, "sam", {"email": "s@clinic.example"}).language == "tr"  # left out: kept
    assert users.set_details(ctx, "sam", {"language": None}).language is None
    with pytest.raises(users.Invalid) as refused:
        users.set_details(ctx, "sam", {"language": "de"})
    assert "language" in refused.value.errors


# --- notices -------------------------------------------------------------------------------------


def test_a_discount_above_the_limit_tells_the_admins_with_an_e_mail_each_in_their_language(ctx, desk):
    q = quotes.create_quote(ctx, create_command(request(manual_discount=OVER), by="selin")).quote
    assert q.approval.status == "pending"
    told = notices(ctx)
    assert [(to, lang, event) for to, lang, event, _ in told] == [
        ("ada@clinic.example", "en", "approval-requested"),
        ("ayla@clinic.example", ctx.default_language, "approval-requested"),  # no language of her own: the default
    ]
    assert all(p["number"] == q.number and p["by"] == "selin" for *_, p in told)

    # A new revision still above the limit asks again; under the limit it does not.
    clear_outbox(ctx)
    quotes.revise_quote(ctx, ReviseQuote(q.number, "sam", {"sessions": 4}))
    assert [(to, event, p["by"]) for to, _, event, p in notices(ctx)[2:]] == [
        ("ada@clinic.example", "approval-requested", "sam"), ("ayla@clinic.example", "approval-requested", "sam")]
    quotes.revise_quote(ctx, ReviseQuote(q.number, "sam", {"manual_discount": None}))
    assert len(notices(ctx)) == 4


def test_the_decision_goes_to_who_made_the_revision_with_the_note_in_their_language(ctx, desk):
    q = quotes.create_quote(ctx, create_command(request(manual_discount=OVER), by="selin")).quote
    approvals.decide_approval(ctx, DecideApproval(q.number, "ada", "reject", "Too generous"))
    (to, lang, event, payload) = notices(ctx)[-1]
    assert (to, lang, event, payload["decision"], payload["text"], payload["by"]) == (
        "selin@clinic.example", "tr", "approval-decided", "rejected", "Too generous", "ada")

    # sam revises it (still above): the next decision is his, in English.
    quotes.revise_quote(ctx, ReviseQuote(q.number, "sam", {"sessions": 4}))
    approvals.decide_approval(ctx, DecideApproval(q.number, "ayla", "approve"))
    (to, lang, event, payload) = notices(ctx)[-1]
    assert (to, lang, payload["decision"], payload["text"]) == ("sam@clinic.example", "en", "approved", None)

    mails = {m["To"].addresses[0].addr_spec: m for m in deliver(ctx)}
    rejected, approved = mails["selin@clinic.example"], mails["sam@clinic.example"]
    assert q.number in rejected["Subject"] and "reddedildi" in rejected["Subject"]
    text = rejected.get_body(("plain",)).get_content()
    assert "Too generous" in text and "Ayşe Yılmaz" in text and f"{BASE}/desk/quotes/{q.number}" in text
    assert approved["Subject"] == f"The manual discount on quote {q.number} was approved"
    assert approved["Content-Language"] == "en"
    html = approved.get_body(("html",)).get_content()
    assert f'href="{BASE}/desk/quotes/{q.number}"' in html and "Ayşe Yılmaz" in html and "ayla" in html


def test_a_requester_or_admins_without_an_e_mail_get_nothing_and_nothing_fails(ctx):
    person(ctx, "eda", "admin", None)
    person(ctx, "lee", "sales", None)
    q = quotes.create_quote(ctx, create_command(request(manual_discount=OVER), by="lee")).quote
    decided = approvals.decide_approval(ctx, DecideApproval(q.number, "eda", "approve"))
    assert decided.approval.status == "approved"
    assert notices(ctx) == []


def test_the_customers_steps_tell_the_assigned_user_in_their_language_else_every_sales_user(ctx, desk):
    number, token = sent_with_link(ctx, assigned_to="sam")
    customer_link.ask(ctx, token, "Is parking free?")
    customer_link.accept(ctx, token, customer_link.Acceptance("Ayşe Yılmaz", True, None, None))
    assert [(to, lang, event) for to, lang, event, _ in notices(ctx)] == [
        ("sam@clinic.example", "en", "question"), ("sam@clinic.example", "en", "accepted")]

    # Nobody assigned (or the assignee has no e-mail): every sales user with an e-mail, in each one's language.
    other, token = sent_with_link(ctx, by="selin", assigned_to="lee")
    customer_link.decline(ctx, token, "price", "Too much")
    assert [(to, lang, event) for to, lang, event, p in notices(ctx) if p["number"] == other] == [
        ("sam@clinic.example", "en", "declined"), ("selin@clinic.example", "tr", "declined")]

    mails = deliver(ctx)
    accepted = next(m for m in mails if "accepted" in m["Subject"])
    assert accepted["Subject"] == f"Quote {number} was accepted"
    assert "Ayşe Yılmaz" in accepted.get_body(("plain",)).get_content()
    turkish = next(m for m in mails if m["To"].addresses[0].addr_spec == "selin@clinic.example")
    assert turkish["Content-Language"] == "tr" and "reddetti" in turkish.get_body(("plain",)).get_content()


def test_an_undeliverable_quote_mail_tells_the_assignee_in_their_language(ctx, desk):
    from ..smtp_server import Handler

    number, _token = sent_with_link(ctx, assigned_to="sam")
    with ctx.database.transaction() as session:
        row = session.scalars(select(rows.Quote).where(rows.Quote.number == number)).one()
        outbox.outbox_store.enqueue(session, kind="quote", language="tr", recipient="nobody@example.com",
                                    payload={"number": number, "revision": 1, "link": None, "message": None, "by": "sam"},
                                    now=clock.now(), quote=row)
    with SmtpServer(handler=Handler(rcpt_reply="550 5.1.1 {address}: User unknown")) as smtp:
        outbox.deliver_due(ctx, outbox.mails.SmtpMailer(outbox.mails.SmtpSettings.from_url(smtp.url, 5.0)))
    assert [(to, lang, event) for to, lang, event, _ in notices(ctx)] == [("sam@clinic.example", "en", "undeliverable")]


# --- the morning digest --------------------------------------------------------------------------


def shape(ctx, number: str, **values) -> None:
    with ctx.database.transaction() as session:
        session.execute(update(rows.Quote).where(rows.Quote.number == number).values(**values))


def new_quote(ctx, **fields) -> str:
    return quotes.create_quote(ctx, create_command(request(), **fields)).quote.number


def digests_queued(ctx) -> dict[str, rows.OutboxMessage]:
    with ctx.database.reading() as session:
        found = session.scalars(select(rows.OutboxMessage).where(rows.OutboxMessage.kind == "digest")
                                .order_by(rows.OutboxMessage.id)).all()
        session.expunge_all()
        return {m.payload["user"]: m for m in found}


def test_the_digest_lists_each_sales_users_day_in_their_language_and_skips_who_has_nothing(ctx, desk):
    due = new_quote(ctx)
    shape(ctx, due, assigned_to="sam", follow_up_on=day(-2), status="sent")
    due_today = new_quote(ctx)
    shape(ctx, due_today, assigned_to="sam", follow_up_on=day(0), status="draft")
    later = new_quote(ctx)
    shape(ctx, later, assigned_to="sam", follow_up_on=day(1), status="sent")  # not yet
    closed = new_quote(ctx)
    shape(ctx, closed, assigned_to="sam", follow_up_on=day(-1), status="accepted")  # closed: not a follow-up
    expiring = new_quote(ctx)
    shape(ctx, expiring, assigned_to="sam", status="sent", valid_until=day(3))
    far = new_quote(ctx)
    shape(ctx, far, assigned_to="sam", status="sent", valid_until=day(20))
    gone = new_quote(ctx)
    shape(ctx, gone, assigned_to="sam", status="sent", valid_until=day(-1))  # expired already
    request_ = new_quote(ctx, source="website", by=None)
    taken = new_quote(ctx, source="website", by=None)
    shape(ctx, taken, assigned_to="selin")
    opened = new_quote(ctx)
    shape(ctx, opened, assigned_to="sam", status="sent", last_viewed_at=clock.now() - timedelta(hours=2))
    opened_long_ago = new_quote(ctx)
    shape(ctx, opened_long_ago, assigned_to="sam", status="sent", last_viewed_at=clock.now() - timedelta(days=3))

    run = digests.queue_digests(ctx)
    queued = digests_queued(ctx)
    # sam and selin (sales with an e-mail) get one; lee has no e-mail, the admins get none.
    assert (run.queued, run.skipped) == (2, 0) and set(queued) == {"sam", "selin"}
    sam = queued["sam"]
    assert (sam.recipient, sam.language) == ("sam@clinic.example", "en")
    assert [n for n, _ in sam.payload["follow_ups"]] == [due, due_today]
    assert [n for n, _ in sam.payload["expiring"]] == [expiring]
    assert [n for n, _ in sam.payload["requests"]] == [request_]
    assert [n for n, _ in sam.payload["opened"]] == [opened]  # the first digest looks back one day
    assert "Ayşe" not in str(sam.payload)  # numbers and days only: names are read when it is sent
    assert queued["selin"].language == "tr" and [n for n, _ in queued["selin"].payload["requests"]] == [request_]

    mails = {m["To"].addresses[0].addr_spec: m for m in deliver(ctx)}
    english = mails["sam@clinic.example"]
    text = english.get_body(("plain",)).get_content()
    for number in (due, due_today, expiring, request_, opened):
        assert number in text and f"{BASE}/desk/quotes/{number}" in text
    for number in (later, closed, far, gone, taken, opened_long_ago):
        assert number not in text
    assert "Follow-ups due today (2)" in text and "Ayşe Yılmaz" in text
    turkish = mails["selin@clinic.example"]
    assert turkish["Content-Language"] == "tr"
    assert "Kimsenin almadığı yeni web sitesi talepleri (1)" in turkish.get_body(("plain",)).get_content()

    # The same morning again (a second server's timer, a retried run): nobody gets a second digest...
    assert digests.queue_digests(ctx) == digests.DigestRun(0, 0, 2)
    assert deliver(ctx) == []
    # ... unless asked for again (an admin who fixed an address).
    assert digests.queue_digests(ctx, again=True) == digests.DigestRun(2, 0, 0)
    assert sorted(m["To"].addresses[0].addr_spec for m in deliver(ctx)) == ["sam@clinic.example", "selin@clinic.example"]

    # The next morning: only what is new since then. The request is taken: selin has nothing and gets nothing;
    # sam has the follow-up that falls due that day, and not the opened link he was told of.
    shape(ctx, request_, assigned_to="sam")
    shape(ctx, due, follow_up_on=None)
    shape(ctx, due_today, follow_up_on=None)
    shape(ctx, expiring, valid_until=day(30))
    ctx.clock = lambda: day(1)
    run = digests.queue_digests(ctx, now=clock.now() + timedelta(days=1))
    assert (run.queued, run.skipped, run.already) == (1, 1, 0)
    next_morning = digests_queued(ctx)["sam"].payload
    assert [n for n, _ in next_morning["follow_ups"]] == [later] and next_morning["opened"] == []


def test_the_digest_with_no_sales_user_with_an_e_mail_queues_nothing(ctx):
    person(ctx, "lee", "sales", None)
    new_quote(ctx, source="website", by=None)
    assert digests.queue_digests(ctx) == digests.DigestRun(0, 0)
    assert digests_queued(ctx) == {}


# --- what is new in the console ------------------------------------------------------------------


def test_the_console_counts_what_is_new_for_the_user_since_they_last_looked(ctx, desk):
    mine, token = sent_with_link(ctx, assigned_to="sam")
    theirs, other_token = sent_with_link(ctx, by="selin", assigned_to="selin")
    customer_link.ask(ctx, token, "Parking?")
    customer_link.accept(ctx, other_token, customer_link.Acceptance("Ayşe Yılmaz", True, None, None))
    discounted = quotes.create_quote(ctx, create_command(request(manual_discount=OVER), by="sam")).quote.number
    approvals.decide_approval(ctx, DecideApproval(discounted, "ada", "approve", "ok"))
    assert news.count_new(ctx, "sam") == 2 and news.count_new(ctx, "selin") == 1

    found = news.what_is_new(ctx, "sam")
    assert [(i.kind, i.number, i.new) for i in found.items] == [("approved", discounted, True), ("question", mine, True)]
    assert found.items[1].text == "Parking?" and found.items[0].by == "ada"
    assert news.count_new(ctx, "sam") == 0  # looked
    again = news.what_is_new(ctx, "sam")
    assert [i.new for i in again.items] == [False, False] and again.seen_at is not None

    customer_link.accept(ctx, token, customer_link.Acceptance("Ayşe Yılmaz", True, None, None))
    assert news.count_new(ctx, "sam") == 1
    assert news.count_new(ctx, "nobody") == 0
    assert theirs
