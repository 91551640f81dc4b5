"""The customer's link (api.md revision 3, "The customer's link"): open, accept, ask, decline, ask again.

Each use case finds the quote by its link's token (``adapters/db/link_store.find``)
and runs in one transaction. A token nobody was given is :class:`NotFound`; a
token that no longer works (revoked, erased, 30 days past the quote's
validity) is a :class:`NotFound` of kind ``link-gone``: the page says so and
how to reach the clinic. Nothing here answers the quote's ``notes``, its
activity, its manual discount's reason or anything of another customer: a
:class:`CustomerQuote` holds only what the customer's page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ..adapters import clock, documents
from ..adapters.db import customer_store, link_store
from ..adapters.db import models as rows
from ..adapters.db import quote_store as store
from ..adapters.db.database import aware
from ..adapters.i18n import language
from ..domain import quotes as workflow
from ..domain.acceptance import (
    ACCEPTANCE_VERSION,
    ACCEPTANCE_WORDINGS,
    DECLINE_REASONS,
    NAME_MAX,
    content_hash,
)
from ..domain.characters import refused_character
from ..domain.consent import CONSENT_VERSION
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.pricing.model import PriceList
from ..domain.pricing.plain import request_from_plain
from ..domain.quotes import Customer, Quote
from ..domain.text import N_, T
from . import notices
from .commands import CreateQuote
from .price_list_cache import stored_in_force
from .quotes import count_campaign_uses, set_status, create_quote, record_decline

if TYPE_CHECKING:
    from .context import Context

# Who the activity and the audit log name for what the customer did through the link.
CUSTOMER = "customer"
QUESTION_MAX = 2000
USER_AGENT_MAX = 300


@dataclass(frozen=True, slots=True)
class ClinicContact:
    code: str
    name: Any  # a Name (rendered in the page's language) or the code
    city: Any
    address: str | None
    phone: str | None
    email: str | None
    bank_holder: str | None
    bank_name: str | None
    iban: str | None


@dataclass(frozen=True, slots=True)
class CustomerQuote:
    """What the customer's page shows of a quote: its current revision, the clinic's contacts, the deposit."""

    number: str
    revision: int
    status: str  # as it reads today: expired when open past its validity
    language: str
    customer_name: str
    valid_until: date
    estimate: Mapping[str, Any]  # the current revision's stored estimate (plain form), as priced
    clinic: ClinicContact
    deposit: Mapping[str, str] | None  # {"percent", "amount"}, or None when the clinic asks none
    acceptance: Mapping[str, Any] | None
    decline_reason: str | None
    can_accept: bool  # sent, not expired, nothing waiting for an admin


def _link(session: Session, token: str, today: date, *, for_update: bool = False) -> rows.Quote:
    quote, works = link_store.find(session, token, today, for_update=for_update)
    if quote is None:
        raise NotFound(T("This link does not open any quote."), kind="link-unknown")
    if not works:
        raise NotFound(T("This link no longer works."), kind="link-gone")
    return quote


def _field(holder: Any, name: str) -> Any:
    if holder is None:
        return None
    if isinstance(holder, Mapping):
        return holder.get(name)
    return getattr(holder, name, None)


def clinic_contact(price_list: PriceList, code: str) -> ClinicContact:
    """The clinic's contacts and bank account as the list in force says (pl-v3 adds them; until then None)."""
    clinic = price_list.clinic_by_code.get(code)
    if clinic is None:
        return ClinicContact(code, code, "", None, None, None, None, None, None)
    bank = getattr(clinic, "bank_account", None)
    return ClinicContact(
        code=code,
        name=price_list.name_of(clinic),
        city=price_list.name_of(clinic, "city"),
        address=getattr(clinic, "address", None),
        phone=getattr(clinic, "phone", None),
        email=getattr(clinic, "email", None),
        bank_holder=_field(bank, "holder"),
        bank_name=_field(bank, "bank"),
        iban=_field(bank, "iban"),
    )


def deposit_of(revision: rows.QuoteRevision) -> Mapping[str, str] | None:
    """The deposit of a revision: ``round(total * percent / 100)`` to the cent (api.md), None when none is asked.

    From the revision's stored ``deposit_percent`` (migration 0010); the quote answer's
    ``deposit`` (pl-v3) is the same figure.
    """
    percent = None if revision.deposit_percent is None else Decimal(revision.deposit_percent)
    found = workflow.deposit_of(percent, Decimal(revision.estimate["total"]))
    return None if found is None else {"percent": f"{found.percent:f}", "amount": f"{found.amount:.2f}"}


def _plain_without_reason(plain: Mapping[str, Any], code: str | None) -> dict[str, Any]:
    """A stored estimate (plain form) with the manual discount's line as the customer's documents name it."""
    return {**plain, "lines": documents.customer_lines(list(plain.get("lines") or ()), language(code if code in ("tr", "en") else "tr"),
                                                       plain.get("currency") or "TRY")}


def _without_notes(quote: Quote) -> Quote:
    """The quote for the customer's document: no notes, no activity (the document names the manual
    discount's line without staff's reason: ``documents.customer_lines``)."""
    return replace(quote, notes=None, activity=(), inputs=None)


def _view(row: rows.Quote, newest: rows.QuoteRevision, price_list: PriceList, today: date) -> CustomerQuote:
    """What the page shows, from the quote's row and its current revision's (no activity read, no estimate parsed)."""
    status = workflow.effective_status(row.status, row.valid_until, today)
    return CustomerQuote(
        number=row.number,
        revision=row.revision,
        status=status,
        language=row.language or "tr",
        customer_name=row.customer_name,
        valid_until=row.valid_until,
        estimate=_plain_without_reason(newest.estimate, row.language),
        clinic=clinic_contact(price_list, row.clinic),
        deposit=deposit_of(newest),
        acceptance=row.acceptance,
        decline_reason=row.decline_reason,
        can_accept=status == "sent" and row.approval not in (workflow.APPROVAL_PENDING, workflow.APPROVAL_REJECTED),
    )


def _current_view(session: Session, row: rows.Quote, price_list: PriceList, today: date) -> CustomerQuote:
    return _view(row, customer_store.current_revision(session, row), price_list, today)


def read(ctx: Context, token: str) -> CustomerQuote:
    """The quote a working link opens, without marking it viewed (the document, the calendar file)."""
    with ctx.database.reading() as session:
        return _current_view(session, _link(session, token, ctx.today()), ctx.price_lists.current(), ctx.today())


def clinic_of_gone_link(ctx: Context, token: str) -> ClinicContact | None:
    """How to reach the clinic of a link that no longer works (nothing of the quote or its customer); None for no link."""
    with ctx.database.reading() as session:
        quote, _works = link_store.find(session, token, ctx.today())
        return None if quote is None else clinic_contact(ctx.price_lists.current(), quote.clinic)


def document(ctx: Context, token: str) -> Quote:
    """The quote a working link opens, for its document: without notes, activity or the manual discount's reason."""
    today = ctx.today()
    with ctx.database.reading() as session:
        return _without_notes(store.quote_of(_link(session, token, today), today))


def open_link(ctx: Context, token: str) -> CustomerQuote:
    """The quote a working link opens; the opening is an activity line ``viewed``, at most one an hour per quote.

    The page is read without a write; only an opening more than an hour after the
    last one marks the quote, in a short transaction of its own whose guarded
    UPDATE lets one of two simultaneous openings through.
    """
    today = ctx.today()
    with ctx.database.reading() as session:
        row = _link(session, token, today)
        view = _current_view(session, row, ctx.price_lists.current(), today)
        quote_id, last = row.id, row.last_viewed_at
    now = clock.now()
    if last is None or aware(last) <= now - customer_store.VIEWED_EVERY:
        with ctx.database.transaction() as session:
            if customer_store.mark_viewed(session, quote_id, now):
                session.add(rows.QuoteActivity(
                    quote_id=quote_id, **store.activity_values(now, CUSTOMER, "viewed", N_("The customer opened the quote."))
                ))
    return view


def _clean_text(text: str | None, field: str, limit: int, *, required: bool, lines: bool) -> str | None:
    value = (text or "").strip()
    if not value:
        if required:
            raise Invalid(T("Please fill in this field."), {field: [T("Please fill in this field.")]})
        return None
    if len(value) > limit:
        message = T("At most {count} characters.", count=limit)
        raise Invalid(message, {field: [message]})
    if refused_character(value, lines=lines) is not None:
        message = T("This text holds a control character or an invisible text-direction character; remove it.")
        raise Invalid(message, {field: [message]})
    return value


@dataclass(frozen=True, slots=True)
class Acceptance:
    """What an acceptance asks: the name as typed, the ticked wording's version, where it came from."""

    name: str
    ticked: bool
    address: str | None
    user_agent: str | None
    wording_version: str = ACCEPTANCE_VERSION


def accept(ctx: Context, token: str, acceptance: Acceptance) -> CustomerQuote:
    """Accept the quote the link opens: the checks of a staff move, in this transaction, and the record kept.

    Allowed when the quote is ``sent``, not expired, its approval is not pending
    or rejected, and every capped campaign on it still has a use left (counted
    here, as a staff acceptance counts it). The quote keeps ``acceptance``: when,
    the name typed, the wording's version, the client's address and user agent,
    the revision, and the SHA-256 of that revision's stored lines and totals.
    A second submit of an accepted quote changes nothing and answers it as it is.
    """
    errors: dict[str, list[Any]] = {}
    try:
        name = _clean_text(acceptance.name, "name", NAME_MAX, required=True, lines=False)
    except Invalid as error:
        errors.update(error.errors)
        name = None
    if not acceptance.ticked:
        errors["agree"] = [T("Please tick the sentence to accept the quote.")]
    if acceptance.wording_version not in ACCEPTANCE_WORDINGS:
        errors["agree"] = [T("This wording is no longer shown; reload the page.")]
    today = ctx.today()
    cached = ctx.price_lists.in_force()
    with ctx.database.transaction() as session:
        row = _link(session, token, today, for_update=True)
        if row.status == "accepted":  # a second submit (or the desk accepted it meanwhile): the same confirmation
            return _view(row, row.revisions[-1], ctx.price_lists.current(), today)
        if errors:
            raise Invalid(T("Please check the form."), errors)
        current = workflow.effective_status(row.status, row.valid_until, today)
        if row.approval in (workflow.APPROVAL_PENDING, workflow.APPROVAL_REJECTED):
            raise Conflict(
                T("This quote is being reviewed by the clinic and cannot be accepted yet; the clinic will send it again."),
                kind="approval-pending" if row.approval == workflow.APPROVAL_PENDING else "approval-rejected",
            )
        if current == "expired":
            raise Conflict(T("This quote expired on {day} and can no longer be accepted; you can ask for a new one below.",
                             day=row.valid_until), kind="quote-expired")
        if current != "sent":
            raise Conflict(T("This quote cannot be accepted now; please contact the clinic."), kind="status-move")
        # The checks of a staff move to accepted, in this transaction.
        workflow.check_move(row.number, current, "accepted", row.valid_until, row.approval)
        try:
            count_campaign_uses(session, row, stored_in_force(session, cached))
        except Conflict as error:
            if error.kind != "campaign-used-up":
                raise
            raise Conflict(T("A campaign on this quote has been used up, so it cannot be accepted as it is; the clinic "
                             "will send you a new quote. You can also ask a question below."),
                           kind="campaign-used-up") from None
        now = clock.now()
        newest = row.revisions[-1]
        row.acceptance = {
            "at": now.isoformat(),
            "name": name,
            "wording_version": acceptance.wording_version,
            "address": (acceptance.address or "")[:64] or None,
            "user_agent": (acceptance.user_agent or "")[:USER_AGENT_MAX] or None,
            "revision": newest.revision,
            "sha256": content_hash(newest.estimate),
        }
        set_status(session, row, "accepted", CUSTOMER, now)
        store.add_activity(row, now, CUSTOMER, "accepted", N_("The customer accepted revision {revision} online as {name}."),
                           revision=newest.revision, name=name)
        notices.notify_staff(session, row, "accepted", now, default_language=ctx.default_language)
        session.flush()
        return _view(row, row.revisions[-1], ctx.price_lists.current(), today)


def ask(ctx: Context, token: str, text: str | None) -> CustomerQuote:
    """The customer's question: a note in the activity, the follow-up set to today, the assigned user told."""
    question = _clean_text(text, "text", QUESTION_MAX, required=True, lines=True)
    today = ctx.today()
    with ctx.database.transaction() as session:
        row = _link(session, token, today, for_update=True)
        now = clock.now()
        store.add_activity(row, now, CUSTOMER, "question", N_("The customer asks: {text}"), text=question)
        if row.follow_up_on != today:
            row.follow_up_on = today
            store.add_activity(row, now, CUSTOMER, "follow-up", N_("Follow-up on {day}."), day=today.isoformat())
        notices.notify_staff(session, row, "question", now, text=question, default_language=ctx.default_language)
        session.flush()
        return _view(row, row.revisions[-1], ctx.price_lists.current(), today)


def decline(ctx: Context, token: str, reason: str | None, text: str | None) -> CustomerQuote:
    """The customer declines, with one of the reasons and an optional text; an already declined quote stays as it is."""
    if reason not in DECLINE_REASONS:
        message = T("Please choose a reason.")
        raise Invalid(message, {"reason": [message]})
    note = _clean_text(text, "text", QUESTION_MAX, required=False, lines=True)
    today = ctx.today()
    with ctx.database.transaction() as session:
        row = _link(session, token, today, for_update=True)
        if row.status == "declined":
            return _view(row, row.revisions[-1], ctx.price_lists.current(), today)
        current = workflow.effective_status(row.status, row.valid_until, today)
        if current == "expired":
            raise Conflict(T("This quote has expired; there is nothing to decline."), kind="quote-expired")
        workflow.check_move(row.number, current, "declined", row.valid_until, row.approval)
        now = clock.now()
        record_decline(session, row, reason, note, CUSTOMER, now)  # the desk's decline, its activity and audit
        notices.notify_staff(session, row, "declined", now, text=note, default_language=ctx.default_language)
        session.flush()
        return _view(row, row.revisions[-1], ctx.price_lists.current(), today)


def ask_again(ctx: Context, token: str, consent: bool) -> str:
    """An expired quote's customer asks for a new one: a website quote request for the same course; its number.

    The request is the expired revision's inputs without its manual discount (the
    desk decides that again) and with no start date (the course starts when the new
    quote says), for the same customer, in the quote's language, made through the
    quote-request use case. A second click makes no second request (an idempotency key per revision).
    """
    if not consent:
        message = T("Please tick the sentence to agree.")
        raise Invalid(message, {"consent": [message]})
    today = ctx.today()
    with ctx.database.reading() as session:
        row = _link(session, token, today)
        if workflow.effective_status(row.status, row.valid_until, today) != "expired":
            raise Conflict(T("This quote is still valid; there is no need to ask for a new one."), kind="quote-valid")
        inputs = request_from_plain(row.revisions[-1].inputs)
        customer = Customer(row.customer_name, row.customer_email, row.customer_phone)
        key = f"renew-{row.number}-r{row.revision}"
        language = row.language or "tr"
    created = create_quote(ctx, CreateQuote(
        inputs=replace(inputs, manual_discount=None, start_date=None),
        customer=customer, source="website", language=language, by=None,
        idempotency_key=key, consent_version=CONSENT_VERSION,
    ))
    return created.quote.number


def sessions(view: CustomerQuote) -> list[date]:
    """The planned session days of the quote's current revision."""
    return [date.fromisoformat(d) for d in view.estimate.get("schedule") or ()]


def expired_since(view: CustomerQuote, today: date) -> timedelta:
    return today - view.valid_until
