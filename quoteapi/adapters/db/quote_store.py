"""The quote store: every statement on quotes, their revisions and activity, the year's counters,
the idempotency keys and the campaigns' uses, and the one mapping of a stored quote to the
domain's :class:`~quoteapi.domain.quotes.Quote`.

The use cases (services/quotes.py, approvals.py, verification.py, personal_data.py,
price_changes.py) hold no SQL: they call these functions in their transaction and change
the rows they are handed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from sqlalchemy import (
    BigInteger, ColumnElement, Connection, DateTime, Select, and_, bindparam, case, cast, delete, func, insert, or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from .. import clock
from ...domain import quotes as workflow
from ...domain.consent import Consent
from ...domain.errors import NotFound
from ...domain.personal_data import NEVER_TAKEN_FURTHER, Person, email_key, phone_key, search_key, search_terms
from ...domain.pricing.model import EligibilityStatus
from ...domain.pricing.plain import estimate_from_plain, request_from_plain
from ...domain.payments import Payment
from ...domain.quotes import Acceptance, Activity, Approval, Customer, Deposit, Quote, QuoteSummary, Revision, deposit_of
from ...domain.text import T
from . import models as rows
from .database import Database, aware
from .keyset import in_id_order, newest_first
from .price_list_store import in_force_query

_QUOTE, _REVISION, _ACTIVITY = rows.Quote.__table__, rows.QuoteRevision.__table__, rows.QuoteActivity.__table__


# --- a new quote --------------------------------------------------------------------------


def next_number(connection: Connection, year: int) -> tuple[str, int | None]:
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


class Facets(NamedTuple):
    """The newest revision's area codes and applied campaigns (``quotes.area_codes``, ``campaign_codes``: reports)."""

    areas: tuple[str, ...] = ()
    campaigns: tuple[str, ...] = ()

    def columns(self) -> dict[str, str | None]:
        """The quote's columns: each set of codes sorted and joined by commas, null when empty."""
        return {"area_codes": ",".join(sorted(set(self.areas))) or None,
                "campaign_codes": ",".join(sorted(set(self.campaigns))) or None}


def set_facets(quote: rows.Quote, facets: Facets) -> None:
    """Keep the newest revision's areas and campaigns on the quote (reports)."""
    for column, value in facets.columns().items():
        setattr(quote, column, value)


def insert_quote(
    connection: Connection, quote: dict[str, Any], revision: dict[str, Any], activity: list[dict[str, Any]],
    facets: Facets | None = None,
) -> None:
    """Insert a new quote's row (with its areas and campaigns, for the reports), its first revision and its
    activity lines, from their column values; on PostgreSQL in one statement. Core statements on the tables: no
    ORM row objects.

    The customer's e-mail address and phone number are stored with their look-up keys.
    """
    quote = {**quote, **(facets or Facets()).columns(), "customer_email_key": email_key(quote.get("customer_email")),
             "customer_phone_key": phone_key(quote.get("customer_phone")),
             "search_key": search_key(quote["number"], quote.get("customer_name"), quote.get("customer_email"),
                                      quote.get("customer_phone"))}
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


def activity_values(at: datetime, by: str | None, kind: str, msgid: str, **values: Any) -> dict[str, Any]:
    """An activity line's column values (for :func:`insert_quote`), as :func:`add_activity` stores them."""
    return {"at": at, "by": by, "kind": kind, "text": msgid, "values": values}


# --- idempotency keys ---------------------------------------------------------------------


def _number_in(response: Mapping[str, Any]) -> str | None:
    # Rows written before the quote number was stored kept the whole answer.
    return response.get("number") or (response.get("body") or {}).get("number")


def _names(numbers: Sequence[str]) -> ColumnElement[bool]:
    """Idempotency keys whose answer names one of these quotes (as :func:`_number_in` reads it)."""
    K = rows.IdempotencyKey
    return or_(K.response["number"].as_string().in_(numbers), K.response[("body", "number")].as_string().in_(numbers))


def find_key(session: Session, scope: str, key: str) -> tuple[str, str | None] | None:
    """The request hash an idempotency key was first used with and the quote it created; None for a new key."""
    row = session.get(rows.IdempotencyKey, (scope, key))
    return None if row is None else (row.request_hash, _number_in(row.response))


def claim_key(session: Session, scope: str, key: str, digest: str) -> rows.IdempotencyKey:
    """Insert the key's row now: a concurrent request with the same key waits on it, then fails."""
    claim = rows.IdempotencyKey(scope=scope, key=key, request_hash=digest, status=0, response={}, created_at=clock.now())
    session.add(claim)
    session.flush()
    return claim


def settle_key(claim: rows.IdempotencyKey, number: str) -> None:
    """The claimed key now answers the quote ``number``."""
    claim.status, claim.response = 1, {"number": number}


def forget_keys_of(session: Session, numbers: Sequence[str]) -> None:
    """Delete the idempotency keys that created these quotes."""
    session.execute(delete(rows.IdempotencyKey).where(_names(numbers)).execution_options(synchronize_session=False))


def forget_keys_before(session: Session, cutoff: datetime) -> int:
    """Delete the idempotency keys made before ``cutoff``; how many."""
    K = rows.IdempotencyKey
    statement = delete(K).where(K.created_at < cutoff).execution_options(synchronize_session=False)
    return session.execute(statement).rowcount or 0


# --- reading ------------------------------------------------------------------------------


def _with_history() -> Select:
    """Quotes with their revisions, activity and payments (three more statements, one each for all the quotes read)."""
    return select(rows.Quote).options(
        selectinload(rows.Quote.revisions), selectinload(rows.Quote.activity),
        selectinload(rows.Quote.payments),  # payments-users
    )


def load(session: Session, number: str, *, for_update: bool = False) -> rows.Quote:
    """A quote's row with its revisions and activity; :class:`NotFound` without one."""
    statement = _with_history().where(rows.Quote.number == number)
    if for_update:
        statement = statement.with_for_update()
    quote = session.scalars(statement).first()
    if quote is None:
        raise NotFound(T("No quote {number}.", number=repr(number)))
    return quote


def load_many(session: Session, numbers: Sequence[str]) -> list[rows.Quote]:
    """Several quotes' rows in the order of ``numbers`` (those not found left out), in three statements."""
    found = {q.number: q for q in session.scalars(_with_history().where(rows.Quote.number.in_(numbers)))}
    return [found[number] for number in numbers if number in found]


def stored_revision(quote: rows.Quote, revision: int) -> rows.QuoteRevision:
    found = next((r for r in quote.revisions if r.revision == revision), None)
    if found is None:
        raise NotFound(T("Quote {number} has no revision {revision}.", number=quote.number, revision=revision))
    return found


def revisions(database: Database, batch: int) -> Iterator[tuple[rows.QuoteRevision, str, str]]:
    """Every stored revision with its quote's number and language, oldest first, ``batch`` at a time."""
    R, Q = rows.QuoteRevision, rows.Quote
    statement = select(R.id, R, Q.number, Q.language).join(Q, Q.id == R.quote_id)
    for _, revision, number, language_code in in_id_order(database, statement, batch):
        yield revision, number, language_code


def open_quotes(database: Database, today: date, batch: int) -> Iterator[tuple[str, str, Decimal, dict[str, Any]]]:
    """Every open quote (new, draft or sent, not expired): number, clinic, total and newest revision's inputs."""
    Q, R = rows.Quote, rows.QuoteRevision
    statement = (
        select(Q.id, Q.number, Q.clinic, Q.total, R.inputs)
        .join(R, (R.quote_id == Q.id) & (R.revision == Q.revision))
        .where(Q.status.in_(workflow.OPEN), Q.valid_until >= today)
    )
    for _, number, clinic, total, inputs in in_id_order(database, statement, batch):
        yield number, clinic, total, inputs


# --- the listing --------------------------------------------------------------------------


def page(session: Session, filters: Mapping[str, Any], today: date, before: int | None, count: int) -> list[rows.Quote]:
    """Up to ``count`` quotes that pass ``filters``, newest first, below the id ``before``."""
    return newest_first(session, search_statement(filters, today), rows.Quote.id, before, count)


def search_statement(filters: Mapping[str, Any], today: date) -> Select:
    """The quotes that pass ``filters`` (status, approval, clinic, follow_up_due, q, created_from, created_to,
    deposit_due)."""
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
        # The folded search key, worked out in Python for both databases (a trigram index on PostgreSQL).
        stmt = stmt.where(or_(*(Q.search_key.like(_containing(term), escape="\\") for term in sorted(search_terms(filters["q"])))))
    # --- payments-users: accepted quotes whose deposit is not yet paid ---
    if filters.get("deposit_due") is not None:
        stmt = stmt.where(_deposit_due() if filters["deposit_due"] else ~_deposit_due())
    # --- end payments-users ---
    if filters.get("created_from"):
        stmt = stmt.where(Q.created_at >= clock.start_of(filters["created_from"]))
    if filters.get("created_to"):
        stmt = stmt.where(Q.created_at < clock.start_of(filters["created_to"] + timedelta(days=1)))
    return stmt


def untaken_requests(session: Session, today: date, count: int) -> list[rows.Quote]:
    """Up to ``count`` website requests nobody has taken up, newest first: still ``new`` and valid, with no
    assignee and no line of activity by a staff member (a note, an assignment, a revision, a move, a send).
    The website's own lines (the request, the customer's link) have no ``by``."""
    Q, A = rows.Quote, rows.QuoteActivity
    by_staff = select(A.id).where(A.quote_id == Q.id, A.by.is_not(None)).exists()
    statement = select(Q).where(
        Q.source == "website", Q.status == "new", Q.valid_until >= today, Q.assigned_to.is_(None), ~by_staff,
    )
    return list(session.scalars(statement.order_by(Q.id.desc()).limit(count)))


def _containing(term: str) -> str:
    """A LIKE pattern for ``term`` anywhere, its wildcards taken literally."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# --- changing -----------------------------------------------------------------------------


def add_activity(quote: rows.Quote, at: datetime, by: str | None, kind: str, msgid: str, **values: Any) -> None:
    """An activity line, kept as its message id and values so that each reader sees it in their language."""
    quote.activity.append(rows.QuoteActivity(at=at, by=by, kind=kind, text=msgid, values=values))


def add_note(quote: rows.Quote, at: datetime, by: str | None, text: str) -> None:
    """A note, kept as the desk wrote it."""
    quote.activity.append(rows.QuoteActivity(at=at, by=by, kind="note", text=text))


def add_revision(quote: rows.Quote, values: Mapping[str, Any]) -> None:
    """A new revision from its column values."""
    quote.revisions.append(rows.QuoteRevision(**values))


def active_user(session: Session, name: str) -> bool:
    User = rows.User
    return session.scalar(select(func.count()).select_from(User).where(User.name == name, User.revoked_at.is_(None))) > 0


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


def count_campaign_use(session: Session, code: str, cap: int) -> bool:
    """Count one acceptance on campaign ``code`` if it has fewer than ``cap``; whether it counted.

    Concurrent acceptances queue on the campaign's row, so the count never passes the cap.
    """
    if cap < 1:  # nothing to give (the statement would create the row at 1)
        return False
    connection = session.connection()
    return connection.execute(_use_statement(connection.dialect.name), {"code": code, "cap": cap}).first() is not None


# --- one person's quotes (personal data) ------------------------------------------------


def of_person(session: Session, person: Person, *, for_update: bool = False) -> Sequence[rows.Quote]:
    """Every quote that names ``person`` (by e-mail, else by phone), oldest first, with its history.

    Compared by their keys (stored by :func:`insert_quote`), worked out in Python on both sides.
    """
    Q = rows.Quote
    if person.email is not None:
        column, key = Q.customer_email_key, email_key(person.email)
    else:
        column, key = Q.customer_phone_key, phone_key(person.phone)
    if key is None:  # nothing to look for (never "IS NULL": that is every quote without one)
        return []
    whose = column == key
    statement = _with_history().where(whose).order_by(Q.id)
    return session.scalars(statement.with_for_update() if for_update else statement).all()


def same_customer(session: Session, quote: rows.Quote, count: int) -> Sequence[rows.Quote]:
    """Up to ``count`` quotes of ``quote``'s customer (the same e-mail or phone key, itself included),
    newest first, with their history: the console's customer card."""
    Q = rows.Quote
    keys = [column == key for column, key in ((Q.customer_email_key, quote.customer_email_key),
                                               (Q.customer_phone_key, quote.customer_phone_key)) if key]
    whose = or_(Q.id == quote.id, *keys)
    return session.scalars(_with_history().where(whose).order_by(Q.id.desc()).limit(count)).all()


def stale_requests(session: Session, today: date, cutoff: datetime, count: int) -> Sequence[rows.Quote]:
    """Up to ``count`` website requests nobody took further, untouched since before ``cutoff`` and not
    erased yet, oldest first, locked for the erasure."""
    Q, A = rows.Quote, rows.QuoteActivity
    touched_since = select(A.id).where(A.quote_id == Q.id, A.at >= cutoff).exists()
    statement = (
        _with_history()
        .where(
            Q.source == "website",
            Q.erased_at.is_(None),
            Q.created_at < cutoff,
            ~touched_since,
            or_(Q.status.in_(NEVER_TAKEN_FURTHER), and_(Q.status.in_(workflow.OPEN), Q.valid_until < today)),
        )
        .order_by(Q.id)
    )
    return session.scalars(statement.limit(count).with_for_update()).all()


def audit_entries_about(session: Session, numbers: Iterable[str]) -> Iterable[rows.AuditEntry]:
    A = rows.AuditEntry
    return session.scalars(select(A).where(A.subject.in_(list(numbers))))


# --- rows as the domain's objects ---------------------------------------------------------


class _Written:
    """Column values just written, read as a row's attributes (a column not written is None)."""

    def __init__(self, values: Mapping[str, Any], **more: Any) -> None:
        self.__dict__.update(values, **more)

    def __getattr__(self, name: str) -> None:
        return None


def written_quote(quote: dict[str, Any], revision: dict[str, Any], activity: list[dict[str, Any]], today: date) -> Quote:
    """The quote whose column values :func:`insert_quote` has just written, as :func:`quote_of` reads it back."""
    row = _Written(quote, revisions=[_Written(revision)], activity=[_Written(line) for line in activity])
    return quote_of(row, today)


def locked(session: Session, number: str, precondition: Callable[[Quote], None] | None, today: date) -> rows.Quote:
    """The quote's row, locked for this transaction (PostgreSQL: FOR UPDATE; SQLite: its writer's
    transaction), once ``precondition`` (services/commands.py Precondition) accepts the quote as it reads
    now: a write that expects a state (If-Match) cannot pass on a state that another write replaces before
    this one commits."""
    quote = load(session, number, for_update=True)
    if precondition is not None:
        precondition(quote_of(quote, today))
    return quote


def quote_of(row: rows.Quote, today: date) -> Quote:
    """A stored quote (with its revisions and activity) as the use cases hand it out."""
    newest = row.revisions[-1]
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
        estimate=estimate_from_plain(newest.estimate),
        language=row.language,
        consent=Consent(aware(row.consent_at), row.consent_version) if row.consent_version else None,
        approval=_approval(row),
        inputs=request_from_plain(newest.inputs),
        decline_reason=row.decline_reason,
        decline_note=row.decline_note,
        acceptance=acceptance_of(row.acceptance),
        activity=tuple(
            Activity(aware(a.at), a.by, a.kind, a.text if a.values is None else T(a.text, **a.values)) for a in row.activity
        ),
        deposit=_deposit(newest),
        payments=tuple(payment_of(p) for p in (row.payments or ())),  # payments-users
    )


def _deposit(revision: rows.QuoteRevision) -> Deposit | None:
    """The deposit of a stored revision (its clinic's ``deposit_percent`` when it was priced) on its total."""
    percent = revision.deposit_percent
    return None if percent is None else deposit_of(Decimal(percent), Decimal(revision.estimate["total"]))


def summary_of(row: rows.Quote, today: date) -> QuoteSummary:
    """A quote's row as the listing shows it."""
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


def acceptance_of(stored: Mapping[str, Any] | None) -> Acceptance | None:
    """The stored acceptance record (JSON: ``at`` an ISO 8601 moment) as the domain's :class:`Acceptance`."""
    if not stored:
        return None
    at = stored.get("at")
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at)
        except ValueError:
            at = None
    revision = stored.get("revision")
    return Acceptance(
        at=aware(at) if isinstance(at, datetime) else None,
        name=stored.get("name"),
        wording_version=stored.get("wording_version"),
        address=stored.get("address"),
        user_agent=stored.get("user_agent"),
        revision=revision if isinstance(revision, int) else None,
        sha256=stored.get("sha256"),
    )


def _approval(row: rows.Quote) -> Approval:
    return Approval(row.approval or workflow.APPROVAL_NOT_NEEDED, row.approval_by, aware(row.approval_at),
                    row.approval_note)


def _customer(row: rows.Quote) -> Customer:
    return Customer(row.customer_name, row.customer_email, row.customer_phone)


def full_name_of(session: Session, user_name: str | None) -> str | None:
    """A user's full name (users.full_name) by their user name; None when there is none to show."""
    if not user_name:
        return None
    return session.scalar(select(rows.User.full_name).where(rows.User.name == user_name))
# --- sending (send): idempotency keys that keep their whole answer ---------------------------


def find_key_answer(session: Session, scope: str, key: str) -> tuple[str, dict[str, Any]] | None:
    """The request hash an idempotency key was first used with and the answer it kept; None for a new key."""
    row = session.get(rows.IdempotencyKey, (scope, key))
    return None if row is None else (row.request_hash, dict(row.response or {}))


def settle_key_answer(claim: rows.IdempotencyKey, answer: Mapping[str, Any]) -> None:
    """The claimed key now answers ``answer`` (which names its quote as ``number``, for erasure)."""
    claim.status, claim.response = 1, dict(answer)
# --- payments (payments-users) ------------------------------------------------------------
#
# Money in cents as whole numbers in SQL: SQLite keeps NUMERIC as a float, so a sum or a
# rounding of amounts there is not exact; ROUND(x * 100) of a 2-place amount is, and the
# integer arithmetic below is the same on SQLite and PostgreSQL (division truncates, and
# every operand is non-negative, so it floors).


def _cents(column: Any) -> ColumnElement:
    return cast(func.round(column * 100), BigInteger)


def paid_cents() -> ColumnElement:
    """A correlated subquery: Σ payments − Σ refunds of the quote, in cents (0 without any)."""
    P, Q = rows.Payment, rows.Quote
    signed = case((P.kind == "refund", -_cents(P.amount)), else_=_cents(P.amount))
    return select(func.coalesce(func.sum(signed), 0)).where(P.quote_id == Q.id).scalar_subquery()


def _deposit_due() -> ColumnElement[bool]:
    """Accepted, the newest revision asks a deposit, and less than it has been paid.

    The deposit is round-half-up(total × percent / 100) to the cent
    (domain/payments.py ``deposit_amount``): in cents, (total¢ × percent·100 + 5000) div 10000.
    """
    Q, R = rows.Quote, rows.QuoteRevision
    percent = select(R.deposit_percent).where(R.quote_id == Q.id, R.revision == Q.revision).scalar_subquery()
    deposit = (_cents(Q.total) * _cents(percent) + 5000) // 10000
    return and_(Q.status == "accepted", percent.is_not(None), paid_cents() < deposit)


def payment_of(row: rows.Payment) -> Payment:
    return Payment(
        id=row.id, kind=row.kind, amount=Decimal(row.amount).quantize(Decimal("0.01")), method=row.method,
        received_on=row.received_on, reference=row.reference, created_at=aware(row.created_at),
        created_by=row.created_by,
    )


def add_payment(session: Session, quote: rows.Quote, values: Mapping[str, Any]) -> rows.Payment:
    """A new payment row of ``quote`` (locked by the caller), flushed so that it has its id."""
    payment = rows.Payment(**values)
    quote.payments.append(payment)
    session.flush()
    return payment


def deposit_percent(quote: rows.Quote) -> Decimal | None:
    """The deposit percent the newest revision was priced with (None: no deposit asked)."""
    newest = quote.revisions[-1]
    value = getattr(newest, "deposit_percent", None)
    return None if value is None else Decimal(value)


def find_payment(quote: rows.Quote, payment_id: int) -> rows.Payment:
    found = next((p for p in quote.payments if p.id == payment_id), None)
    if found is None:
        raise NotFound(T("Quote {number} has no payment {id}.", number=quote.number, id=payment_id))
    return found
