"""Quotes: create, read, list, move through the workflow, annotate, revise.

Each use case runs in one transaction and returns :mod:`quoteapi.domain.quotes`
objects; the workflow rules themselves live in the domain, the statements and
the mapping of a stored quote in :mod:`quoteapi.adapters.db.quote_store`. An
admin's approval of a manual discount is in :mod:`.approvals`, the replay of a
stored revision in :mod:`.verification`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Mapping

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..adapters import clock
from ..adapters.db import models as rows
from ..adapters.db import quote_store as store
from ..adapters.i18n import language
from ..domain import quotes as workflow
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.pricing import price
from ..domain.pricing.model import EligibilityStatus, Estimate, EstimateRequest, PriceList
from ..domain.pricing.plain import estimate_to_plain, request_from_plain, request_to_plain
from ..domain.quotes import Quote, QuoteCreated, QuoteSummary, Revision
from ..domain.text import N_, T
from . import approvals, audit, notices
from .commands import UNSET, AddNote, CreateQuote, ReviseQuote, UpdateQuote
from .paging import Page, keyset_page
from .price_list_cache import offered, stored_in_force

if TYPE_CHECKING:
    from .context import Context


def _fingerprint(cmd: CreateQuote) -> str:
    return workflow.fingerprint(
        {
            "inputs": request_to_plain(cmd.inputs),
            "customer": asdict(cmd.customer),
            "notes": cmd.notes,
            "follow_up_on": cmd.follow_up_on,
            "valid_days": cmd.valid_days,
        }
    )


def _replayed_number(session: Session, scope: str, key: str, digest: str) -> str | None:
    """The quote an earlier request with this key created, if any."""
    found = store.find_key(session, scope, key)
    if found is None:
        return None
    if found[0] != digest:
        raise Conflict(
            T("This Idempotency-Key was used with another body; use a new key for a new request."),
            {"Idempotency-Key": [T("Reused with another body.")]},
            kind="idempotency-key-reused",
        )
    return found[1]


def _price(price_list: PriceList, inputs: EstimateRequest, today: date) -> Estimate:
    result = price(price_list, inputs, today)
    if result.eligibility.status is EligibilityStatus.NOT_ELIGIBLE:
        raise Invalid(
            T("The client is not eligible for this treatment: {reasons}", reasons=result.eligibility.reasons),
            {"client": list(result.eligibility.reasons)},
        )
    return result


# --- creating -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Created(QuoteCreated):
    """A creation's result with the new quote's estimate in its plain form as stored (``stored_estimate``;
    None for a replay).

    A stored estimate's texts are written out already (in the quote's language), so its
    plain form is also what the quote's answer shows, in any language: the answer can reuse
    it rather than write ``quote.estimate`` out again (tests/api/test_quotes.py checks they are equal).
    """

    stored_estimate: Mapping[str, Any] | None = None


def create_quote(ctx: Context, cmd: CreateQuote) -> QuoteCreated:
    """Price the inputs and store them as a new quote (status ``new``).

    With an idempotency key, the first request creates the quote and every
    retry with the same key and request answers that quote again.

    One transaction, few round trips (docs/performance.md): the number and
    the price-list version in force in one statement (a worker whose copy of the
    list is older prices again), then the rows in one more (PostgreSQL), then
    the commit; creators queue on the year's counter only for those. The
    rows are Core inserts of their column values (no ORM row objects; without an
    idempotency key, no ORM session either unless a stale list or an approval needs
    one), and the answer is built from the values written, not read back.
    """
    today = ctx.today()
    price_list = ctx.price_lists.current()
    result = _price(price_list, cmd.inputs, today)
    days = cmd.valid_days or ctx.quote_valid_days

    def create(connection: Connection, session: Callable[[], Session]) -> Created:
        nonlocal result, price_list
        number, in_force = store.next_number(connection, today.year)
        if in_force != result.price_list_version:
            # A stored quote uses the version in force as the database holds it, not a worker's
            # cached copy: that version, read in this transaction (no second connection).
            if in_force is None:
                raise NotFound(T("No price list has been loaded yet (run `quoteapi seed-demo`)."))
            price_list = ctx.price_lists.version_in(session(), in_force)
            result = _price(price_list, cmd.inputs, today)
        now = clock.now()
        valid_until = today + timedelta(days=days)
        customer = cmd.customer
        quote = {
            "number": number,
            "source": cmd.source,
            "status": "new",
            "clinic": result.clinic,
            "customer_name": customer.name,
            "customer_email": customer.email,
            "customer_phone": customer.phone,
            "created_by": cmd.by,
            "created_at": now,
            "assigned_to": None,
            "follow_up_on": cmd.follow_up_on,
            "notes": cmd.notes,
            "revision": 1,
            "valid_until": valid_until,
            "eligibility_status": result.eligibility.status.value,
            "currency": result.currency,
            "total": result.total,
            "language": cmd.language,
            "consent_at": now if cmd.consent_version else None,
            "consent_version": cmd.consent_version,
            "created_on": clock.local_date(now),  # reports
            **_discount_values(result, cmd.by),  # reports
        }
        revision = _revision_values(1, result, cmd.inputs, valid_until, now, cmd.by, today, cmd.language,
                                    price_list=price_list)
        if cmd.source == "website":
            activity = [store.activity_values(now, cmd.by, "created", N_("Requested on the website."))]
        else:
            activity = [store.activity_values(now, cmd.by, "created", N_("Created by {name}."), name=cmd.by)]
        approval, line, entry = approvals.after_pricing(workflow.APPROVAL_NOT_NEEDED, result, price_list, 1)
        quote["approval"] = approval
        if line is not None:
            quote.update(approval_by=None, approval_at=None, approval_note=None)
            activity.append(store.activity_values(now, cmd.by, "approval", line[0], **line[1]))
        store.insert_quote(connection, quote, revision, activity, facets=_facets(result, cmd.inputs))
        if entry is not None:  # the audit entry after the rows, in the same transaction
            action, before_entry, after_entry = entry
            audit.record(session(), actor=cmd.by, kind="quote", action=action, subject=number,
                         before=before_entry, after=after_entry)
        if approval == workflow.APPROVAL_PENDING:  # the admins with an e-mail are told, in the same transaction
            notices.approval_requested(session(), store.load(session(), number), cmd.by, now, ctx.default_language)
        return Created(store.written_quote(quote, revision, activity, today), stored_estimate=revision["estimate"])

    if cmd.idempotency_key is None:
        with ctx.database.writing() as writing:
            return create(writing.connection, writing.session)
    scope = f"{cmd.source}:{cmd.by or 'public'}"
    digest = _fingerprint(cmd)
    try:
        with ctx.database.transaction() as session:
            number = _replayed_number(session, scope, cmd.idempotency_key, digest)
            if number is not None:
                return QuoteCreated(store.quote_of(store.load(session, number), today), replayed=True)
            # Claim the key first: a concurrent retry waits here, then fails
            # on the primary key and reads this quote below.
            claim = store.claim_key(session, scope, cmd.idempotency_key, digest)
            # The transaction's connection, for Core statements.
            created = create(session.connection(), lambda: session)
            store.settle_key(claim, created.quote.number)
            return created
    except IntegrityError:
        with ctx.database.reading() as session:
            number = _replayed_number(session, scope, cmd.idempotency_key, digest)
            if number is None:  # pragma: no cover - the winner's row is committed by now
                raise
            return QuoteCreated(store.quote_of(store.load(session, number), today), replayed=True)


# --- reports: what the pipeline report reads, kept with the quote (migration 0014) ---


def _discount_values(result: Estimate, by: str | None) -> dict[str, Any]:
    """The newest revision's manual discount (positive; None without one) and who priced it."""
    discount = approvals.manual_discount_amount(result)
    return {"manual_discount": discount, "discount_by": by} if discount is not None else \
        {"manual_discount": None, "discount_by": None}


def _facets(result: Estimate, inputs: EstimateRequest) -> store.Facets:
    """The newest revision's area codes and applied campaigns."""
    return store.Facets(areas=tuple(a.code for a in inputs.areas), campaigns=tuple(result.applied_campaigns))


# --- end reports ---


def _revision_values(
    number: int, result: Estimate, inputs: EstimateRequest, valid_until: date, now: datetime, by: str | None,
    today: date, language_code: str, *, price_list: PriceList | None = None,
) -> dict[str, Any]:
    """A revision's column values. It keeps its estimate as the customer reads it: its texts in the quote's language.

    With the list it was priced with (``price_list``), also the deposit its clinic asks (null: none).
    """
    if inputs.sessions is None:  # left out with concerns: the number priced (the suggestion's recommended) is kept
        inputs = replace(inputs, sessions=result.sessions)
    return {
        "revision": number,
        "price_list_version": result.price_list_version,
        "inputs": request_to_plain(inputs),
        "estimate": estimate_to_plain(result, language(language_code)),
        "priced_on": today,
        "valid_until": valid_until,
        "created_at": now,
        "created_by": by,
        "deposit_percent": _deposit_percent(price_list, result.clinic),
    }


def _deposit_percent(price_list: PriceList | None, clinic_code: str):
    """The clinic's ``deposit_percent`` in the list a revision is priced with; None when it asks none."""
    clinic = None if price_list is None else price_list.clinic_by_code.get(clinic_code)
    percent = getattr(clinic, "deposit_percent", None)
    return percent if percent else None


# --- reading ----------------------------------------------------------------------


def get_quote(ctx: Context, number: str) -> Quote:
    with ctx.database.reading() as session:
        return store.quote_of(store.load(session, number), ctx.today())


def get_quotes(ctx: Context, numbers: list[str]) -> list[Quote]:
    """Several quotes in full, in the order of ``numbers`` (those not found left out), in three statements."""
    if not numbers:
        return []
    with ctx.database.reading() as session:
        today = ctx.today()
        return [store.quote_of(row, today) for row in store.load_many(session, numbers)]


def same_customer(ctx: Context, number: str, count: int = 200) -> list[Quote]:
    """The quote ``number`` and every other quote of its customer (by e-mail or phone), newest first."""
    today = ctx.today()
    with ctx.database.reading() as session:
        quote = store.load(session, number)
        return [store.quote_of(row, today) for row in store.same_customer(session, quote, count)]


def get_revision(ctx: Context, number: str, revision: int) -> Revision:
    with ctx.database.reading() as session:
        quote = store.load(session, number)
        return store.revision_of(quote.number, store.stored_revision(quote, revision))


def list_quotes(ctx: Context, filters: Mapping[str, Any]) -> Page[QuoteSummary]:
    """One page, newest first; the cursor is the last id seen (keyset pagination).

    ``filters``: status, approval, clinic, follow_up_due, q, created_from, created_to, limit, cursor.
    """
    today = ctx.today()
    with ctx.database.reading() as session:
        return keyset_page(
            "q", filters, lambda before, count: store.page(session, filters, today, before, count),
            lambda row: store.summary_of(row, today),
        )


def untaken_requests(ctx: Context, limit: int = 100) -> list[QuoteSummary]:
    """The website's requests nobody has taken up yet (no assignee, no staff action), newest first: Today's list."""
    today = ctx.today()
    with ctx.database.reading() as session:
        return [store.summary_of(row, today) for row in store.untaken_requests(session, today, limit)]


# --- changing ----------------------------------------------------------------------


def update_quote(ctx: Context, cmd: UpdateQuote) -> Quote:
    """Move the status along the workflow, set the follow-up date or the assignee."""
    today = ctx.today()
    # The worker's copy, before the transaction; an acceptance checks it is still in force in it.
    cached = ctx.price_lists.in_force() if cmd.status == "accepted" else None
    with ctx.database.transaction() as session:
        quote = store.locked(session, cmd.number, cmd.precondition, today)
        now = clock.now()
        if cmd.status is not UNSET:
            current = workflow.effective_status(quote.status, quote.valid_until, today)
            workflow.check_move(quote.number, current, cmd.status, quote.valid_until, quote.approval)
            if cmd.status == "accepted":
                count_campaign_uses(session, quote, stored_in_force(session, cached))
            if cmd.status == "declined":
                record_decline(session, quote, cmd.decline_reason, cmd.decline_note, cmd.by, now)
            else:
                set_status(session, quote, cmd.status, cmd.by, now)
        if cmd.assigned_to is not UNSET and cmd.assigned_to != quote.assigned_to:
            name = cmd.assigned_to
            if name is not None and not store.active_user(session, name):
                raise Invalid(T("No active user {name}.", name=repr(name)), {"assigned_to": [T("No active user {name}.", name=repr(name))]})
            quote.assigned_to = name
            if name:
                store.add_activity(quote, now, cmd.by, "assignment", N_("Assigned to {name}."), name=name)
            else:
                store.add_activity(quote, now, cmd.by, "assignment", N_("Unassigned."))
        if cmd.follow_up_on is not UNSET and cmd.follow_up_on != quote.follow_up_on:
            quote.follow_up_on = cmd.follow_up_on
            if quote.follow_up_on:
                store.add_activity(quote, now, cmd.by, "follow-up", N_("Follow-up on {day}."),
                                   day=quote.follow_up_on.isoformat())
            else:
                store.add_activity(quote, now, cmd.by, "follow-up", N_("No follow-up date."))
        session.flush()
        return store.quote_of(quote, today)


def count_campaign_uses(session: Session, quote: rows.Quote, in_force: PriceList) -> None:
    """Count an acceptance on each capped campaign of the newest revision, within the status change's transaction.

    A campaign capped by ``max_uses`` in the list in force (``in_force``, read in this
    transaction) gets one guarded increment (``uses < max_uses``); none left is a
    :class:`Conflict`, and the whole acceptance is rolled back. Concurrent acceptances
    queue on the campaign's row, so the count never passes the cap.
    """
    applied = quote.revisions[-1].estimate.get("applied_campaigns") or []
    if not applied:
        return
    caps = {c.code: c.max_uses for c in in_force.campaigns if c.max_uses is not None}
    for code in sorted(set(applied) & set(caps)):
        if not store.count_campaign_use(session, code, caps[code]):
            raise Conflict(
                T("Campaign {code} has been used up (at most {max_uses} accepted quotes); revise the quote to price "
                  "it without the campaign, then accept it.", code=code, max_uses=caps[code]),
                {"status": [T("Campaign {code} has been used up; revise the quote first.", code=code)]},
                kind="campaign-used-up",
            )


def set_status(session: Session, quote: rows.Quote, target: str, by: str | None, now: datetime,
                details: Mapping[str, Any] | None = None) -> None:
    """Change the stored status, with its activity line and audit entry (``details``: more of the change
    for the entry's ``after``, e.g. a decline's reason)."""
    store.add_activity(quote, now, by, "status", N_("Status {before} → {after}."), before=quote.status, after=target)
    audit.record(
        session, actor=by, kind="quote", action="status", subject=quote.number,
        before={"status": quote.status}, after={"status": target, **(details or {})},
    )
    quote.status = target
    if target == "accepted":  # reports: the median days to acceptance
        quote.accepted_at = now


def record_decline(session: Session, quote: rows.Quote, reason: str | None, note: str | None, by: str | None,
                   now: datetime) -> None:
    """Move ``quote`` (already checked) to ``declined`` with its reason and note: stored on the quote, in
    the activity (the reason's words) and in the status change's audit entry (``reason``, ``note``).

    For every decline, the desk's (PATCH) and the customer's (on the link).
    """
    details = {"reason": reason, "note": note} if reason or note else None
    set_status(session, quote, "declined", by, now, details)
    quote.decline_reason, quote.decline_note = reason, note
    if reason:
        msgid, values = workflow.decline_line(reason, note)
        store.add_activity(quote, now, by, "decline", msgid, **values)
    elif note:
        store.add_activity(quote, now, by, "decline", N_("Declined: {note}"), note=note)


def add_note(ctx: Context, cmd: AddNote) -> Quote:
    today = ctx.today()
    with ctx.database.transaction() as session:
        quote = store.locked(session, cmd.number, cmd.precondition, today)
        store.add_note(quote, clock.now(), cmd.by, cmd.text)
        session.flush()
        return store.quote_of(quote, today)


def revise_quote(ctx: Context, cmd: ReviseQuote) -> Quote:
    """Reprice with today's price list and any changed inputs, as a new revision."""
    today = ctx.today()
    cached = ctx.price_lists.in_force()  # the worker's copy; the version in force is asked in the transaction
    with ctx.database.transaction() as session:
        quote = store.locked(session, cmd.number, cmd.precondition, today)
        workflow.check_revisable(quote.number, quote.status)
        # As offered now (used-up campaigns left out), on this transaction's connection: no second one.
        price_list = offered(stored_in_force(session, cached), session)
        inputs = replace(request_from_plain(quote.revisions[-1].inputs), **cmd.changes)
        if "start_date" not in cmd.changes:
            inputs = replace(inputs, start_date=workflow.start_date_for_revision(inputs.start_date, today))
        result = _price(price_list, inputs, today)
        now = clock.now()
        quote.revision += 1
        quote.valid_until = today + timedelta(days=cmd.valid_days or ctx.quote_valid_days)
        store.add_revision(
            quote, _revision_values(quote.revision, result, inputs, quote.valid_until, now, cmd.by, today, quote.language,
                                    price_list=price_list)
        )
        quote.clinic, quote.total, quote.currency = result.clinic, result.total, result.currency
        quote.eligibility_status = result.eligibility.status.value
        for column, value in _discount_values(result, cmd.by).items():  # reports
            setattr(quote, column, value)
        store.set_facets(quote, _facets(result, inputs))  # reports
        store.add_activity(quote, now, cmd.by, "revision", N_("Revision {revision} priced with price list version {version}."),
                           revision=quote.revision, version=result.price_list_version)
        approvals.price_approval(session, quote, result, price_list, cmd.by, now, default_language=ctx.default_language)
        after = workflow.status_after_revision(quote.status)
        if after != quote.status:
            set_status(session, quote, after, cmd.by, now)
        session.flush()
        return store.quote_of(quote, today)
