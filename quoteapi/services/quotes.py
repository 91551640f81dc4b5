"""Quotes: create, read, list, move through the workflow, annotate, revise.

Each use case runs in one transaction and returns :mod:`quoteapi.domain.quotes`
objects; the workflow rules themselves live in the domain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import asdict, dataclass, replace
from functools import cache
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Callable, Iterator, Mapping

from sqlalchemy import Connection, DateTime, Select, bindparam, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..adapters import clock
from ..adapters.db import models as rows
from ..adapters.db import aware
from ..adapters.db.keyset import newest_first
from ..adapters.db.price_list_store import in_force_query
from ..adapters.i18n import language
from ..domain import quotes as workflow
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.pricing.model import EligibilityStatus, Estimate, EstimateRequest, LineKind, PriceList
from ..domain.pricing.plain import estimate_from_plain, estimate_to_plain, request_from_plain, request_to_plain
from ..domain.pricing import price
from ..domain.text import N_, T, Text
from ..domain.consent import Consent
from ..domain.personal_data import answers_erased
from ..domain.quotes import (
    Activity,
    Approval,
    Customer,
    Quote,
    QuoteCreated,
    QuoteSummary,
    Revision,
    Verification,
    without_untraced_caps,
)
from . import audit, price_lists
from .price_list_cache import offered, stored_in_force
from .commands import UNSET, AddNote, CreateQuote, DecideApproval, ReviseQuote, UpdateQuote
from .paging import Page, keyset_page

if TYPE_CHECKING:
    from .context import Context



# --- numbering and idempotency ---------------------------------------------


def _next_number(connection: Connection, year: int) -> tuple[str, int | None]:
    """The next number of the year, and the price-list version in force, in one statement.

    The counter row is created or incremented; it stays locked until the
    transaction ends, so concurrent creators queue here: the caller has only
    its rows' insert and the commit left to do. A transaction that rolls back
    gives its increment back, so numbers stay gap-free (docs/decisions.md).
    """
    statement = _counter_statement(connection.dialect.name)
    last, version = connection.execute(statement, {"year": year, "now": clock.now()}).one()
    return workflow.format_number(year, last), version


@cache
def _counter_statement(dialect: str) -> Any:
    """Built once per dialect (SQLAlchemy then reuses its compiled form and cache key)."""
    make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    in_force = in_force_query(bindparam("now", type_=DateTime(timezone=True))).scalar_subquery()
    table = rows.QuoteCounter.__table__  # the table, not the mapped class: no ORM bulk-insert machinery
    counter = make_insert(table).values(year=bindparam("year"), last=1)
    return counter.on_conflict_do_update(
        index_elements=[table.c.year], set_={"last": table.c.last + 1}
    ).returning(table.c.last, in_force)


_QUOTE, _REVISION, _ACTIVITY = rows.Quote.__table__, rows.QuoteRevision.__table__, rows.QuoteActivity.__table__


def _insert_quote(
    connection: Connection, quote: dict[str, Any], revision: dict[str, Any], activity: list[dict[str, Any]]
) -> None:
    """Insert a new quote's row, its first revision and its activity lines, from their column values;
    on PostgreSQL in one statement. Core statements on the tables: no ORM row objects."""
    children = [(_REVISION, revision), *((_ACTIVITY, line) for line in activity)]
    if connection.dialect.name != "postgresql":  # SQLite: statements are calls in process
        quote_id = connection.execute(insert(_QUOTE).returning(_QUOTE.c.id), quote).scalar_one()
        for table, row in children:
            connection.execute(insert(table), {"quote_id": quote_id, **row})
        return
    shape = (tuple(quote), tuple((table.name, tuple(row)) for table, row in children))
    params = {f"q_{k}": v for k, v in quote.items()}
    for i, (_, row) in enumerate(children):
        params.update({f"c{i}_{k}": v for k, v in row.items()})
    connection.execute(_quote_statement(shape), params).scalar_one()


@cache
def _quote_statement(shape: tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]) -> Any:
    """``WITH new_quote AS (INSERT ... RETURNING id), new_row_0 AS (INSERT ... SELECT id FROM new_quote ...) ...``.

    Built once per shape. Each row's insert selects the quote id from the one
    before it: PostgreSQL runs the data-modifying parts of a WITH in no set
    order, and this chain makes the activity ids follow the order it was written in.
    """
    quote_columns, children = shape
    previous = (
        insert(_QUOTE)
        .values({k: bindparam(f"q_{k}", type_=_QUOTE.c[k].type) for k in quote_columns})
        .returning(_QUOTE.c.id.label("quote_id"))
        .cte("new_quote")
    )
    ctes = [previous]
    for i, (name, columns) in enumerate(children):
        table = _QUOTE.metadata.tables[name]
        chosen = select(previous.c.quote_id, *(bindparam(f"c{i}_{k}", type_=table.c[k].type) for k in columns))
        previous = (
            insert(table).from_select(["quote_id", *columns], chosen).returning(table.c.quote_id).cte(f"new_row_{i}")
        )
        ctes.append(previous)
    return select(previous.c.quote_id).add_cte(*ctes)


def _replayed_number(session: Session, scope: str, key: str, digest: str) -> str | None:
    """The quote an earlier request with this key created, if any."""
    row = session.get(rows.IdempotencyKey, (scope, key))
    if row is None:
        return None
    if row.request_hash != digest:
        raise Conflict(
            T("This Idempotency-Key was used with another body; use a new key for a new request."),
            {"Idempotency-Key": [T("Reused with another body.")]},
            kind="idempotency-key-reused",
        )
    # Rows written before the quote number was stored kept the whole answer.
    return row.response.get("number") or row.response["body"]["number"]


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


# --- creating -----------------------------------------------------------------


def _price(price_list: PriceList, inputs: EstimateRequest, today: date) -> Estimate:
    result = price(price_list, inputs, today)
    if result.eligibility.status is EligibilityStatus.NOT_ELIGIBLE:
        raise Invalid(
            T("The client is not eligible for this treatment: {reasons}", reasons=result.eligibility.reasons),
            {"client": list(result.eligibility.reasons)},
        )
    return result


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
        number, in_force = _next_number(connection, today.year)
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
        }
        revision = _revision_values(1, result, cmd.inputs, valid_until, now, cmd.by, today, cmd.language)
        if cmd.source == "website":
            activity = [_activity_values(now, cmd.by, "created", N_("Requested on the website."))]
        else:
            activity = [_activity_values(now, cmd.by, "created", N_("Created by {name}."), name=cmd.by)]
        approval, line, entry = _approval_after_pricing(workflow.APPROVAL_NOT_NEEDED, result, price_list, 1)
        quote["approval"] = approval
        if line is not None:
            quote.update(approval_by=None, approval_at=None, approval_note=None)
            activity.append(_activity_values(now, cmd.by, "approval", line[0], **line[1]))
        _insert_quote(connection, quote, revision, activity)
        if entry is not None:  # written after the rows, as before (the session's flush at the commit)
            action, before_entry, after_entry = entry
            audit.record(session(), actor=cmd.by, kind="quote", action=action, subject=number,
                         before=before_entry, after=after_entry)
        new = Quote(
            number=number,
            revision=1,
            status=workflow.effective_status("new", valid_until, today),
            source=cmd.source,
            customer=Customer(customer.name, customer.email, customer.phone),
            notes=cmd.notes,
            created_by=cmd.by,
            created_at=now,
            valid_until=valid_until,
            follow_up_on=cmd.follow_up_on,
            assigned_to=None,
            estimate=estimate_from_plain(revision["estimate"]),
            language=cmd.language,
            consent=Consent(now, cmd.consent_version) if cmd.consent_version else None,
            approval=Approval(approval),
            inputs=request_from_plain(revision["inputs"]),
            # Text(...) is T(...): a string literal inside T( ) would be extracted as a message id.
            activity=tuple(Activity(a["at"], a["by"], a["kind"], Text(a["text"], a["values"])) for a in activity),
        )
        return Created(new, stored_estimate=revision["estimate"])

    if cmd.idempotency_key is None:
        with ctx.database.writing() as writing:
            return create(writing.connection, writing.session)
    scope = f"{cmd.source}:{cmd.by or 'public'}"
    digest = _fingerprint(cmd)
    try:
        with ctx.database.transaction() as session:
            number = _replayed_number(session, scope, cmd.idempotency_key, digest)
            if number is not None:
                return QuoteCreated(_quote(_load(session, number), today), replayed=True)
            # Claim the key first: a concurrent retry waits here, then fails
            # on the primary key and reads this quote below.
            claim = rows.IdempotencyKey(
                scope=scope, key=cmd.idempotency_key, request_hash=digest, status=0, response={}, created_at=clock.now()
            )
            session.add(claim)
            session.flush()
            # The transaction's connection, for Core statements.
            created = create(session.connection(), lambda: session)
            claim.status, claim.response = 1, {"number": created.quote.number}
            return created
    except IntegrityError:
        with ctx.database.reading() as session:
            number = _replayed_number(session, scope, cmd.idempotency_key, digest)
            if number is None:  # pragma: no cover - the winner's row is committed by now
                raise
            return QuoteCreated(_quote(_load(session, number), today), replayed=True)


def _revision_values(
    number: int, result: Estimate, inputs: EstimateRequest, valid_until: date, now: datetime, by: str | None,
    today: date, language_code: str,
) -> dict[str, Any]:
    """A revision's column values. It keeps its estimate as the customer reads it: its texts in the quote's language."""
    return {
        "revision": number,
        "price_list_version": result.price_list_version,
        "inputs": request_to_plain(inputs),
        "estimate": estimate_to_plain(result, language(language_code)),
        "priced_on": today,
        "valid_until": valid_until,
        "created_at": now,
        "created_by": by,
    }


# --- reading ----------------------------------------------------------------------


def with_history() -> Select:
    """Quotes with their revisions and activity (two more statements, one for all the quotes read)."""
    return select(rows.Quote).options(selectinload(rows.Quote.revisions), selectinload(rows.Quote.activity))


def _load(session: Session, number: str, *, for_update: bool = False) -> rows.Quote:
    stmt = with_history().where(rows.Quote.number == number)
    if for_update:
        stmt = stmt.with_for_update()
    quote = session.scalars(stmt).first()
    if quote is None:
        raise NotFound(T("No quote {number}.", number=repr(number)))
    return quote


def _activity(at: datetime, by: str | None, kind: str, msgid: str, **values: Any) -> rows.QuoteActivity:
    """An activity line, kept as its message id and values so that each reader sees it in their language."""
    return rows.QuoteActivity(at=at, by=by, kind=kind, text=msgid, values=values)


def _activity_values(at: datetime, by: str | None, kind: str, msgid: str, **values: Any) -> dict[str, Any]:
    """An activity line's column values (for a Core insert), as :func:`_activity` sets them."""
    return {"at": at, "by": by, "kind": kind, "text": msgid, "values": values}


def _manual_line_amount(result: Estimate) -> Decimal:
    """The manual discount of an estimate as a positive figure (0.00 without one)."""
    return -sum((line.amount for line in result.lines if line.kind is LineKind.MANUAL_DISCOUNT), Decimal("0.00"))


def _approval_after_pricing(
    before: str, result: Estimate, price_list: PriceList, revision: int
) -> tuple[str, tuple[str, dict[str, Any]] | None, tuple[str, dict[str, Any], dict[str, Any]] | None]:
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


def _price_approval(session: Session, quote: rows.Quote, result: Estimate, price_list: PriceList, by: str | None,
                    now: datetime) -> None:
    """After repricing: ask an admin's approval for a manual discount above the limit, or drop the need for one."""
    before = quote.approval or workflow.APPROVAL_NOT_NEEDED
    after, line, entry = _approval_after_pricing(before, result, price_list, quote.revision)
    quote.approval = after
    if line is None:
        return
    quote.approval_by, quote.approval_at, quote.approval_note = None, None, None
    quote.activity.append(_activity(now, by, "approval", line[0], **line[1]))
    action, before_entry, after_entry = entry
    audit.record(session, actor=by, kind="quote", action=action, subject=quote.number,
                 before=before_entry, after=after_entry)


def _approval(row: rows.Quote) -> Approval:
    return Approval(row.approval or workflow.APPROVAL_NOT_NEEDED, row.approval_by, aware(row.approval_at),
                    row.approval_note)


def _customer(row: rows.Quote) -> Customer:
    return Customer(row.customer_name, row.customer_email, row.customer_phone)


def _quote(row: rows.Quote, today: date) -> Quote:
    return Quote(
        number=row.number,
        revision=row.revision,
        status=workflow.effective_status(row.status, row.valid_until, today),
        source=row.source,
        customer=_customer(row),
        notes=row.notes,
        created_by=row.created_by,
        created_at=aware(row.created_at),
        valid_until=row.valid_until,
        follow_up_on=row.follow_up_on,
        assigned_to=row.assigned_to,
        estimate=estimate_from_plain(row.revisions[-1].estimate),
        language=row.language,
        consent=Consent(aware(row.consent_at), row.consent_version) if row.consent_version else None,
        approval=_approval(row),
        inputs=request_from_plain(row.revisions[-1].inputs),
        activity=tuple(
            Activity(aware(a.at), a.by, a.kind, a.text if a.values is None else T(a.text, **a.values)) for a in row.activity
        ),
    )


def get_quote(ctx: Context, number: str) -> Quote:
    with ctx.database.reading() as session:
        return _quote(_load(session, number), ctx.today())


def get_quotes(ctx: Context, numbers: list[str]) -> list[Quote]:
    """Several quotes in full, in the order of ``numbers`` (those not found left out), in three statements."""
    if not numbers:
        return []
    with ctx.database.reading() as session:
        found = session.scalars(with_history().where(rows.Quote.number.in_(numbers))).all()
        by_number = {quote.number: quote for quote in found}
        today = ctx.today()
        return [_quote(by_number[number], today) for number in numbers if number in by_number]


def _stored_revision(quote: rows.Quote, revision: int) -> rows.QuoteRevision:
    found = next((r for r in quote.revisions if r.revision == revision), None)
    if found is None:
        raise NotFound(T("Quote {number} has no revision {revision}.", number=quote.number, revision=revision))
    return found


def revision_of(number: str, row: rows.QuoteRevision) -> Revision:
    """A stored revision as the use cases hand it out, exactly as it was priced."""
    return Revision(
        number=number,
        revision=row.revision,
        inputs=request_from_plain(row.inputs),
        estimate=estimate_from_plain(row.estimate),
        valid_until=row.valid_until,
        created_at=aware(row.created_at),
        created_by=row.created_by,
    )


def get_revision(ctx: Context, number: str, revision: int) -> Revision:
    with ctx.database.reading() as session:
        quote = _load(session, number)
        return revision_of(quote.number, _stored_revision(quote, revision))


# --- listing ----------------------------------------------------------------------


def _filtered(filters: Mapping[str, Any], today: date) -> Select:
    Q = rows.Quote
    stmt = select(Q)
    status = filters.get("status")
    if status == "expired":
        stmt = stmt.where(Q.status.in_(workflow.OPEN), Q.valid_until < today)
    elif status in workflow.OPEN:
        stmt = stmt.where(Q.status == status, Q.valid_until >= today)
    elif status:
        stmt = stmt.where(Q.status == status)
    if filters.get("clinic"):
        stmt = stmt.where(Q.clinic == filters["clinic"])
    if filters.get("approval"):
        stmt = stmt.where(Q.approval == filters["approval"])
        if filters["approval"] == workflow.APPROVAL_PENDING:
            # A decision is wanted only while the quote can still be sent: not once it is
            # declined or expired (revising it asks again).
            stmt = stmt.where(Q.status.in_(workflow.OPEN), Q.valid_until >= today)
    if filters.get("follow_up_due"):
        stmt = stmt.where(Q.status.in_(workflow.OPEN), Q.follow_up_on <= filters["follow_up_due"])
    if filters.get("q"):
        pattern = "%" + filters["q"].lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (Q.customer_name, Q.customer_email, Q.customer_phone)
                )
            )
        )
    if filters.get("created_from"):
        stmt = stmt.where(Q.created_at >= clock.start_of(filters["created_from"]))
    if filters.get("created_to"):
        stmt = stmt.where(Q.created_at < clock.start_of(filters["created_to"] + timedelta(days=1)))
    return stmt


def _summary(row: rows.Quote, today: date) -> QuoteSummary:
    return QuoteSummary(
        number=row.number,
        revision=row.revision,
        status=workflow.effective_status(row.status, row.valid_until, today),
        source=row.source,
        clinic=row.clinic,
        customer=_customer(row),
        created_by=row.created_by,
        created_at=aware(row.created_at),
        valid_until=row.valid_until,
        follow_up_on=row.follow_up_on,
        assigned_to=row.assigned_to,
        currency=row.currency,
        total=Decimal(row.total),
        eligibility_status=EligibilityStatus(row.eligibility_status),
        approval=_approval(row),
    )


def list_quotes(ctx: Context, filters: Mapping[str, Any]) -> Page[QuoteSummary]:
    """One page, newest first; the cursor is the last id seen (keyset pagination).

    ``filters``: status, approval, clinic, follow_up_due, q, created_from, created_to, limit, cursor.
    """
    today = ctx.today()
    with ctx.database.reading() as session:
        return keyset_page(
            "q", filters, lambda before, count: newest_first(session, _filtered(filters, today), rows.Quote.id, before, count),
            lambda row: _summary(row, today),
        )


# --- changing ----------------------------------------------------------------------


def update_quote(ctx: Context, cmd: UpdateQuote) -> Quote:
    """Move the status along the workflow, set the follow-up date or the assignee."""
    today = ctx.today()
    # The worker's copy, before the transaction; an acceptance checks it is still in force in it.
    cached = ctx.price_lists.in_force() if cmd.status == "accepted" else None
    with ctx.database.transaction() as session:
        quote = _load(session, cmd.number, for_update=True)
        now = clock.now()
        if cmd.status is not UNSET:
            current = workflow.effective_status(quote.status, quote.valid_until, today)
            workflow.check_move(quote.number, current, cmd.status, quote.valid_until, quote.approval)
            if cmd.status == "accepted":
                _count_campaign_uses(ctx, session, quote, stored_in_force(session, cached))
            _set_status(session, quote, cmd.status, cmd.by, now)
        if cmd.assigned_to is not UNSET and cmd.assigned_to != quote.assigned_to:
            name = cmd.assigned_to
            if name is not None and not _active_user(session, name):
                raise Invalid(T("No active user {name}.", name=repr(name)), {"assigned_to": [T("No active user {name}.", name=repr(name))]})
            quote.assigned_to = name
            if name:
                quote.activity.append(_activity(now, cmd.by, "assignment", N_("Assigned to {name}."), name=name))
            else:
                quote.activity.append(_activity(now, cmd.by, "assignment", N_("Unassigned.")))
        if cmd.follow_up_on is not UNSET and cmd.follow_up_on != quote.follow_up_on:
            quote.follow_up_on = cmd.follow_up_on
            if quote.follow_up_on:
                quote.activity.append(
                    _activity(now, cmd.by, "follow-up", N_("Follow-up on {day}."), day=quote.follow_up_on.isoformat())
                )
            else:
                quote.activity.append(_activity(now, cmd.by, "follow-up", N_("No follow-up date.")))
        session.flush()
        return _quote(quote, today)


@cache
def _use_statement(dialect: str) -> Any:
    """One acceptance counted on a campaign below its cap, in one statement: the row created at 1
    or incremented where ``uses < cap``; it returns a row only when it counted."""
    make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = rows.CampaignUses.__table__
    counted = make_insert(table).values(code=bindparam("code"), uses=1)
    return counted.on_conflict_do_update(
        index_elements=[table.c.code], set_={"uses": table.c.uses + 1}, where=table.c.uses < bindparam("cap")
    ).returning(table.c.uses)


def _count_campaign_uses(ctx: Context, session: Session, quote: rows.Quote, in_force: PriceList) -> None:
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
    connection = session.connection()
    statement = _use_statement(connection.dialect.name)
    for code in sorted(set(applied) & set(caps)):
        # A cap of 0 has nothing to give (the statement would create the row at 1).
        if caps[code] < 1 or connection.execute(statement, {"code": code, "cap": caps[code]}).first() is None:
            raise Conflict(
                T("Campaign {code} has been used up (at most {max_uses} accepted quotes); revise the quote to price "
                  "it without the campaign, then accept it.", code=code, max_uses=caps[code]),
                {"status": [T("Campaign {code} has been used up; revise the quote first.", code=code)]},
                kind="campaign-used-up",
            )


def _set_status(session: Session, quote: rows.Quote, target: str, by: str | None, now: datetime) -> None:
    """Change the stored status, with its activity line and audit entry."""
    quote.activity.append(_activity(now, by, "status", N_("Status {before} → {after}."), before=quote.status, after=target))
    audit.record(
        session, actor=by, kind="quote", action="status", subject=quote.number,
        before={"status": quote.status}, after={"status": target},
    )
    quote.status = target


def _active_user(session: Session, name: str) -> bool:
    User = rows.User
    return session.scalar(select(func.count()).select_from(User).where(User.name == name, User.revoked_at.is_(None))) > 0


def add_note(ctx: Context, cmd: AddNote) -> Quote:
    with ctx.database.transaction() as session:
        quote = _load(session, cmd.number, for_update=True)
        quote.activity.append(rows.QuoteActivity(at=clock.now(), by=cmd.by, kind="note", text=cmd.text))
        session.flush()
        return _quote(quote, ctx.today())


def revise_quote(ctx: Context, cmd: ReviseQuote) -> Quote:
    """Reprice with today's price list and any changed inputs, as a new revision."""
    today = ctx.today()
    cached = ctx.price_lists.in_force()  # the worker's copy; the version in force is asked in the transaction
    with ctx.database.transaction() as session:
        quote = _load(session, cmd.number, for_update=True)
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
        quote.revisions.append(
            rows.QuoteRevision(
                **_revision_values(quote.revision, result, inputs, quote.valid_until, now, cmd.by, today, quote.language)
            )
        )
        quote.clinic, quote.total, quote.currency = result.clinic, result.total, result.currency
        quote.eligibility_status = result.eligibility.status.value
        quote.activity.append(
            _activity(now, cmd.by, "revision", N_("Revision {revision} priced with price list version {version}."),
                      revision=quote.revision, version=result.price_list_version)
        )
        _price_approval(session, quote, result, price_list, cmd.by, now)
        after = workflow.status_after_revision(quote.status)
        if after != quote.status:
            _set_status(session, quote, after, cmd.by, now)
        session.flush()
        return _quote(quote, today)


def decide_approval(ctx: Context, cmd: DecideApproval) -> Quote:
    """An admin approves or rejects the manual discount of a quote waiting for approval."""
    with ctx.database.transaction() as session:
        quote = _load(session, cmd.number, for_update=True)
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
                quote.activity.append(_activity(now, cmd.by, "approval", N_("Manual discount approved: {note}"), note=note))
            else:
                quote.activity.append(_activity(now, cmd.by, "approval", N_("Manual discount approved.")))
        else:
            quote.activity.append(_activity(now, cmd.by, "approval", N_("Manual discount rejected: {note}"), note=note))
        audit.record(
            session, actor=cmd.by, kind="quote", action="approval", subject=quote.number,
            before={"approval": before},
            after={"approval": after, "revision": quote.revision, "note": note},
        )
        session.flush()
        return _quote(quote, ctx.today())


# --- verifying ----------------------------------------------------------------------


def _replay(ctx: Context, stored: rows.QuoteRevision, language_code: str,
            price_lists_by_version: dict[int, PriceList]) -> Verification:
    version = stored.price_list_version
    if version not in price_lists_by_version:
        price_lists_by_version[version] = price_lists.price_list_of(ctx, version)
    # The stored start date, not today's: a replay prices what was priced then.
    inputs = replace(request_from_plain(stored.inputs), start_date=date.fromisoformat(stored.estimate["start_date"]))
    stored_estimate = stored.estimate
    if answers_erased(stored.inputs):
        # The client's answers were erased: their eligibility cannot be replayed; every figure still is.
        stored_estimate = {key: value for key, value in stored_estimate.items() if key != "eligibility"}

    def replay(price_list: PriceList) -> Verification:
        return Verification.between(stored_estimate, estimate_to_plain(price(price_list, inputs), language(language_code)))

    price_list = price_lists_by_version[version]
    verification = replay(price_list)
    if not verification.matches:
        # Priced while a capped campaign was used up (and so not offered)?
        without = without_untraced_caps(price_list, stored_estimate)
        if without is not None and (again := replay(without)).matches:
            return again
    return verification


def verify_revision(ctx: Context, number: str, revision: int) -> Verification:
    """Price a stored revision's inputs again with its price-list version and dates; compare every figure."""
    with ctx.database.reading() as session:
        quote = _load(session, number)
        return _replay(ctx, _stored_revision(quote, revision), quote.language, {})


def verify_all(ctx: Context, batch: int = 500) -> Iterator[tuple[str, int, Verification]]:
    """Every stored revision, replayed: ``(number, revision, verification)``, oldest first."""
    cache: dict[int, PriceList] = {}
    last = 0
    while True:
        with ctx.database.reading() as session:
            found = session.execute(
                select(rows.QuoteRevision, rows.Quote.number, rows.Quote.language)
                .join(rows.Quote, rows.Quote.id == rows.QuoteRevision.quote_id)
                .where(rows.QuoteRevision.id > last)
                .order_by(rows.QuoteRevision.id)
                .limit(batch)
            ).all()
        if not found:
            return
        for stored, number, language_code in found:
            yield number, stored.revision, _replay(ctx, stored, language_code, cache)
        last = found[-1][0].id
