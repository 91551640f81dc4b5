"""Quotes: create, read, list, move through the workflow, annotate, revise."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Callable, Mapping

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..db import Database, IdempotencyKey, Quote, QuoteActivity, QuoteCounter, QuoteRevision, User, aware
from ..pricing.model import EligibilityStatus, PriceList
from ..schemas import EstimateRequestSchema
from . import audit
from .errors import Conflict, NotFound, Unprocessable
from .estimates import estimate, estimate_to_dict
from .paging import decode_cursor, encode_cursor

OPEN = ("new", "draft", "sent")
MOVES = {
    "new": {"draft", "sent", "declined"},
    "draft": {"sent", "declined"},
    "sent": {"accepted", "declined", "draft"},
    "accepted": set(),
    "declined": set(),
}
_INPUTS = EstimateRequestSchema()


@dataclass(frozen=True)
class Created:
    """The answer to a creation: stored with an Idempotency-Key for retries."""

    status: int
    body: dict[str, Any]
    location: str | None


def effective_status(quote: Quote, today: date) -> str:
    """A quote still open after its last valid day reads as ``expired``."""
    if quote.status in OPEN and today > quote.valid_until:
        return "expired"
    return quote.status


def _now() -> datetime:
    return datetime.now(UTC)


# --- numbering and idempotency ---------------------------------------------


def _next_number(session: Session, year: int) -> str:
    """The next number of the year; concurrent creators queue on the counter row."""
    dialect = session.get_bind().dialect.name
    make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(make_insert(QuoteCounter).values(year=year, last=0).on_conflict_do_nothing())
    last = session.scalar(
        update(QuoteCounter)
        .where(QuoteCounter.year == year)
        .values(last=QuoteCounter.last + 1)
        .returning(QuoteCounter.last)
    )
    return f"Q-{year}-{last:06d}"


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _replay(session: Session, scope: str, key: str, digest: str) -> Created | None:
    row = session.get(IdempotencyKey, (scope, key))
    if row is None:
        return None
    if row.request_hash != digest:
        raise Conflict(
            "This Idempotency-Key was used with another body; use a new key for a new request.",
            {"Idempotency-Key": ["Reused with another body."]},
        )
    return Created(row.status, row.response["body"], row.response.get("location"))


def idempotent(
    database: Database, scope: str, key: str | None, body: Any, create: Callable[[Session], Created]
) -> Created:
    """Run ``create`` once per (scope, key): a retry answers the first result again."""
    if key is None:
        with database.transaction() as session:
            return create(session)
    digest = request_hash(body)
    try:
        with database.transaction() as session:
            replayed = _replay(session, scope, key, digest)
            if replayed is not None:
                return replayed
            # Claim the key first: a concurrent retry waits here, then fails
            # on the primary key and reads this answer below.
            row = IdempotencyKey(
                scope=scope, key=key, request_hash=digest, status=0, response={}, created_at=_now()
            )
            session.add(row)
            session.flush()
            created = create(session)
            row.status = created.status
            row.response = {"body": created.body, "location": created.location}
            return created
    except IntegrityError:
        with database.reading() as session:
            replayed = _replay(session, scope, key, digest)
        if replayed is None:  # pragma: no cover - the winner's row is committed by now
            raise
        return replayed


# --- creating -----------------------------------------------------------------


def _price(price_list: PriceList, inputs: Mapping[str, Any], today: date):
    result = estimate(price_list, inputs, today)
    if result.eligibility.status is EligibilityStatus.NOT_ELIGIBLE:
        raise Unprocessable(
            "The client is not eligible for this treatment: " + " ".join(result.eligibility.reasons),
            {"client": list(result.eligibility.reasons)},
        )
    return result


def create_quote(
    database: Database,
    price_list: PriceList,
    body: Mapping[str, Any],
    *,
    source: str,
    by: str | None,
    today: date,
    valid_days: int,
    idempotency_key: str | None = None,
) -> Created:
    """Price ``body`` and store it as a new quote (status ``new``)."""
    inputs = {k: body[k] for k in _INPUTS.fields if k in body}
    result = _price(price_list, inputs, today)
    days = body.get("valid_days") or valid_days
    customer = body["customer"]

    def create(session: Session) -> Created:
        now = _now()
        quote = Quote(
            number=_next_number(session, today.year),
            source=source,
            status="new",
            clinic=result.clinic,
            customer_name=customer["name"],
            customer_email=customer.get("email"),
            customer_phone=customer.get("phone"),
            created_by=by,
            created_at=now,
            assigned_to=None,
            follow_up_on=body.get("follow_up_on"),
            notes=body.get("notes"),
            revision=1,
            valid_until=today + timedelta(days=days),
            eligibility_status=result.eligibility.status.value,
            currency=result.currency,
            total=result.total,
        )
        quote.revisions.append(_revision(1, result, inputs, quote.valid_until, now, by))
        text = "Requested on the website." if source == "website" else f"Created by {by}."
        quote.activity.append(QuoteActivity(at=now, by=by, kind="created", text=text))
        session.add(quote)
        session.flush()
        if source == "website":
            answer = {"number": quote.number, "status": quote.status}
        else:
            answer = quote_to_dict(quote, today)
        return Created(201, answer, f"/api/v1/quotes/{quote.number}")

    scope = f"{source}:{by or 'public'}"
    return idempotent(database, scope, idempotency_key, _json(body), create)


def _revision(number: int, result, inputs, valid_until: date, now: datetime, by: str | None) -> QuoteRevision:
    return QuoteRevision(
        revision=number,
        price_list_version=result.price_list_version,
        inputs=_INPUTS.dump(inputs),
        estimate=estimate_to_dict(result),
        valid_until=valid_until,
        created_at=now,
        created_by=by,
    )


def _json(body: Mapping[str, Any]) -> Any:
    return json.loads(json.dumps(body, sort_keys=True, default=str))


# --- reading ----------------------------------------------------------------------


def _load(session: Session, number: str, *, for_update: bool = False) -> Quote:
    stmt = select(Quote).where(Quote.number == number).options(
        selectinload(Quote.revisions), selectinload(Quote.activity)
    )
    if for_update:
        stmt = stmt.with_for_update()
    quote = session.scalars(stmt).first()
    if quote is None:
        raise NotFound(f"No quote {number!r}.")
    return quote


def _customer(quote: Quote) -> dict[str, Any]:
    return {"name": quote.customer_name, "email": quote.customer_email, "phone": quote.customer_phone}


def quote_to_dict(quote: Quote, today: date) -> dict[str, Any]:
    current = quote.revisions[-1]
    return {
        **current.estimate,
        "number": quote.number,
        "revision": quote.revision,
        "status": effective_status(quote, today),
        "source": quote.source,
        "customer": _customer(quote),
        "notes": quote.notes,
        "created_by": quote.created_by,
        "created_at": aware(quote.created_at).isoformat(),
        "valid_until": quote.valid_until.isoformat(),
        "follow_up_on": quote.follow_up_on.isoformat() if quote.follow_up_on else None,
        "assigned_to": quote.assigned_to,
        "activity": [
            {"at": aware(a.at).isoformat(), "by": a.by, "kind": a.kind, "text": a.text}
            for a in quote.activity
        ],
    }


def get_quote(database: Database, number: str, today: date) -> dict[str, Any]:
    with database.reading() as session:
        return quote_to_dict(_load(session, number), today)


def get_revision(database: Database, number: str, revision: int) -> dict[str, Any]:
    with database.reading() as session:
        quote = _load(session, number)
        found = next((r for r in quote.revisions if r.revision == revision), None)
        if found is None:
            raise NotFound(f"Quote {number} has no revision {revision}.")
        return {
            **found.estimate,
            "number": quote.number,
            "revision": found.revision,
            "valid_until": found.valid_until.isoformat(),
            "created_at": aware(found.created_at).isoformat(),
            "created_by": found.created_by,
        }


# --- listing ----------------------------------------------------------------------


def _filtered(filters: Mapping[str, Any], today: date) -> Select:
    stmt = select(Quote)
    status = filters.get("status")
    if status == "expired":
        stmt = stmt.where(Quote.status.in_(OPEN), Quote.valid_until < today)
    elif status in OPEN:
        stmt = stmt.where(Quote.status == status, Quote.valid_until >= today)
    elif status:
        stmt = stmt.where(Quote.status == status)
    if filters.get("clinic"):
        stmt = stmt.where(Quote.clinic == filters["clinic"])
    if filters.get("follow_up_due"):
        stmt = stmt.where(Quote.status.in_(OPEN), Quote.follow_up_on <= filters["follow_up_due"])
    if filters.get("q"):
        pattern = "%" + filters["q"].lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (Quote.customer_name, Quote.customer_email, Quote.customer_phone)
                )
            )
        )
    if filters.get("created_from"):
        stmt = stmt.where(Quote.created_at >= datetime.combine(filters["created_from"], time.min, UTC))
    if filters.get("created_to"):
        stmt = stmt.where(
            Quote.created_at < datetime.combine(filters["created_to"] + timedelta(days=1), time.min, UTC)
        )
    return stmt


def summary(quote: Quote, today: date) -> dict[str, Any]:
    return {
        "number": quote.number,
        "revision": quote.revision,
        "status": effective_status(quote, today),
        "source": quote.source,
        "clinic": quote.clinic,
        "customer": _customer(quote),
        "created_by": quote.created_by,
        "created_at": aware(quote.created_at).isoformat(),
        "valid_until": quote.valid_until.isoformat(),
        "follow_up_on": quote.follow_up_on.isoformat() if quote.follow_up_on else None,
        "assigned_to": quote.assigned_to,
        "currency": quote.currency,
        "total": f"{Decimal(quote.total):.2f}",
        "eligibility": {"status": quote.eligibility_status},
    }


def list_quotes(database: Database, filters: Mapping[str, Any], today: date) -> dict[str, Any]:
    """One page, newest first; the cursor is the last id seen (keyset pagination)."""
    limit = filters.get("limit", 50)
    stmt = _filtered(filters, today)
    if filters.get("cursor"):
        stmt = stmt.where(Quote.id < decode_cursor("q", filters["cursor"]))
    stmt = stmt.order_by(Quote.id.desc()).limit(limit + 1)
    with database.reading() as session:
        rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [summary(q, today) for q in rows],
        "next_cursor": encode_cursor("q", rows[-1].id) if more else None,
    }


# --- changing ----------------------------------------------------------------------


def update_quote(database: Database, number: str, changes: Mapping[str, Any], by: str, today: date) -> dict[str, Any]:
    """PATCH: status (along the workflow), follow-up date, assignee."""
    with database.transaction() as session:
        quote = _load(session, number, for_update=True)
        now = _now()
        if "status" in changes:
            _move(quote, changes["status"], today)
            _status(session, quote, changes["status"], by, now)
        if "assigned_to" in changes and changes["assigned_to"] != quote.assigned_to:
            name = changes["assigned_to"]
            if name is not None and not _active_user(session, name):
                raise Unprocessable(f"No active user {name!r}.", {"assigned_to": [f"No active user {name!r}."]})
            quote.assigned_to = name
            text = f"Assigned to {name}." if name else "Unassigned."
            quote.activity.append(QuoteActivity(at=now, by=by, kind="assignment", text=text))
        if "follow_up_on" in changes and changes["follow_up_on"] != quote.follow_up_on:
            quote.follow_up_on = changes["follow_up_on"]
            when = quote.follow_up_on.isoformat() if quote.follow_up_on else "none"
            quote.activity.append(QuoteActivity(at=now, by=by, kind="follow-up", text=f"Follow-up on {when}."))
        session.flush()
        return quote_to_dict(quote, today)


def _status(session: Session, quote: Quote, target: str, by: str | None, now: datetime) -> None:
    """Change the stored status, with its activity line and audit entry."""
    quote.activity.append(QuoteActivity(at=now, by=by, kind="status", text=f"Status {quote.status} → {target}."))
    audit.record(
        session, actor=by, kind="quote", action="status", subject=quote.number,
        before={"status": quote.status}, after={"status": target},
    )
    quote.status = target


def _move(quote: Quote, target: str, today: date) -> None:
    current = effective_status(quote, today)
    if current == "expired":
        raise Conflict(
            f"Quote {quote.number} expired on {quote.valid_until}; revise it to make it valid again.",
            {"status": ["The quote has expired."]},
        )
    if target not in MOVES[current]:
        allowed = ", ".join(sorted(MOVES[current])) or "none"
        raise Conflict(
            f"A {current} quote cannot become {target} (allowed: {allowed}).",
            {"status": [f"Cannot move from {current} to {target}."]},
        )


def _active_user(session: Session, name: str) -> bool:
    return session.scalar(select(func.count()).select_from(User).where(User.name == name, User.revoked_at.is_(None))) > 0


def add_note(database: Database, number: str, text: str, by: str, today: date) -> dict[str, Any]:
    with database.transaction() as session:
        quote = _load(session, number, for_update=True)
        quote.activity.append(QuoteActivity(at=_now(), by=by, kind="note", text=text))
        session.flush()
        return quote_to_dict(quote, today)


def revise_quote(
    database: Database,
    price_list: PriceList,
    number: str,
    changes: Mapping[str, Any],
    *,
    by: str,
    today: date,
    valid_days: int,
) -> dict[str, Any]:
    """Reprice with today's price list and any changed inputs, as a new revision."""
    with database.transaction() as session:
        quote = _load(session, number, for_update=True)
        if quote.status in ("accepted", "declined"):
            raise Conflict(
                f"Quote {number} is {quote.status}; only open or expired quotes are revised.",
                {"status": [f"The quote is {quote.status}."]},
            )
        inputs = _INPUTS.load(quote.revisions[-1].inputs)
        inputs.update({k: v for k, v in changes.items() if k != "valid_days"})
        result = _price(price_list, inputs, today)
        now = _now()
        quote.revision += 1
        quote.valid_until = today + timedelta(days=changes.get("valid_days") or valid_days)
        quote.revisions.append(_revision(quote.revision, result, inputs, quote.valid_until, now, by))
        quote.clinic, quote.total, quote.currency = result.clinic, result.total, result.currency
        quote.eligibility_status = result.eligibility.status.value
        text = f"Revision {quote.revision} priced with price list version {result.price_list_version}."
        quote.activity.append(QuoteActivity(at=now, by=by, kind="revision", text=text))
        if quote.status == "sent":
            # The customer has not seen the new figures yet.
            _status(session, quote, "draft", by, now)
        session.flush()
        return quote_to_dict(quote, today)


__all__ = [
    "Created",
    "add_note",
    "create_quote",
    "effective_status",
    "get_quote",
    "get_revision",
    "list_quotes",
    "revise_quote",
    "update_quote",
]
