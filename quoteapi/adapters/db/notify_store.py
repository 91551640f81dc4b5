"""The statements of staff notifications: who gets mail, the morning digest's lists, the console's "new" count.

Each list reads a few indexed columns of ``quotes`` (migration 0013):

- today's follow-ups of a user: ``ix_quotes_assigned_follow_up`` (assigned_to, follow_up_on);
- the quotes expiring this week of a user: ``ix_quotes_assigned_valid_until`` (assigned_to, valid_until);
- new website requests nobody has taken: ``ix_quotes_assigned_valid_until`` with ``assigned_to IS NULL``
  (or ``ix_quotes_status_id`` on status ``new``, whichever the planner finds narrower);
- customers who opened their link since the last digest: ``ix_quotes_assigned_viewed``
  (assigned_to, last_viewed_at);
- the console's "new" items: ``ix_quote_activity_kind_at`` (the customers' acceptances and
  questions since a moment) and ``ix_quotes_approval_at`` (approvals decided since a moment).

Every list is capped (:data:`LIST_LIMIT`): a user reads a few dozen lines, not thousands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from ...domain import quotes as workflow
from . import models as rows

# The most lines of each list read at once.
LIST_LIMIT = 50

Q, R, A, U = rows.Quote, rows.QuoteRevision, rows.QuoteActivity, rows.User


def users_with_email(session: Session) -> Sequence[rows.User]:
    """Every active user with an e-mail address, by id."""
    return session.scalars(
        select(U).where(U.revoked_at.is_(None), U.email.is_not(None), U.email != "").order_by(U.id)
    ).all()


def sales_users_for_digest(session: Session) -> Sequence[rows.User]:
    """The active sales users with an e-mail, by name, locked for their ``digest_at``."""
    return session.scalars(
        select(U).where(U.revoked_at.is_(None), U.role == "sales", U.email.is_not(None), U.email != "")
        .order_by(U.name).with_for_update()
    ).all()


def revision_author(session: Session, quote: rows.Quote) -> str | None:
    """Who made the quote's newest revision (the quote's creator for revision 1)."""
    return session.scalar(
        select(R.created_by).where(R.quote_id == quote.id, R.revision == quote.revision)
    ) or (quote.created_by if quote.revision == 1 else None)


def user_row(session: Session, name: str) -> rows.User | None:
    return session.scalars(select(U).where(U.name == name)).first()


@dataclass(frozen=True)
class Line:
    """One quote in a list: its number, its customer's name and the day or moment the list is about."""

    number: str
    customer_name: str
    when: date | datetime | None
    clinic: str


def _lines(session: Session, statement, when_column) -> list[Line]:
    found = session.execute(
        statement.with_only_columns(Q.number, Q.customer_name, when_column, Q.clinic).limit(LIST_LIMIT + 1)
    ).all()
    return [Line(number, name or "", when, clinic) for number, name, when, clinic in found]


def follow_ups(session: Session, user: str, today: date) -> list[Line]:
    """``user``'s open quotes to follow up today or earlier, the oldest date first."""
    return _lines(session, select(Q).where(
        Q.assigned_to == user, Q.follow_up_on <= today, Q.status.in_(workflow.OPEN),
    ).order_by(Q.follow_up_on, Q.id), Q.follow_up_on)


def expiring(session: Session, user: str, today: date, last_day: date) -> list[Line]:
    """``user``'s open quotes valid until a day from ``today`` to ``last_day``, the soonest first."""
    return _lines(session, select(Q).where(
        Q.assigned_to == user, Q.valid_until >= today, Q.valid_until <= last_day, Q.status.in_(workflow.OPEN),
    ).order_by(Q.valid_until, Q.id), Q.valid_until)


def untaken_requests(session: Session, today: date) -> list[Line]:
    """Website requests still ``new``, valid, that nobody is assigned to, the oldest first."""
    return _lines(session, select(Q).where(
        Q.assigned_to.is_(None), Q.valid_until >= today, Q.status == "new", Q.source == "website",
    ).order_by(Q.id), Q.created_at)


def opened_since(session: Session, user: str, since: datetime) -> list[Line]:
    """``user``'s quotes whose customer opened their link after ``since``, the latest first."""
    return _lines(session, select(Q).where(
        Q.assigned_to == user, Q.last_viewed_at > since,
    ).order_by(Q.last_viewed_at.desc(), Q.id), Q.last_viewed_at)


def customer_names(session: Session, numbers: Sequence[str]) -> dict[str, tuple[str, str]]:
    """``{number: (customer name, clinic)}`` of these quotes."""
    if not numbers:
        return {}
    return {n: (name or "", clinic) for n, name, clinic in
            session.execute(select(Q.number, Q.customer_name, Q.clinic).where(Q.number.in_(list(numbers))))}


def set_digest_at(session: Session, user_id: int, moment: datetime) -> None:
    session.execute(update(U).where(U.id == user_id).values(digest_at=moment).execution_options(synchronize_session=False))


def set_seen_at(session: Session, name: str, moment: datetime) -> None:
    session.execute(update(U).where(U.name == name).values(seen_at=moment).execution_options(synchronize_session=False))


# --- what is new for a user in the console ------------------------------------------------

# The customers' steps on the link that the console counts (activity kinds, written by "customer").
CUSTOMER_KINDS = ("accepted", "question")


@dataclass(frozen=True)
class NewItem:
    """Something that happened to one of a user's quotes: ``accepted``, ``question``, ``approved`` or ``rejected``."""

    kind: str
    at: datetime
    number: str
    customer_name: str
    by: str | None
    text: str | None


def customer_steps(session: Session, user: str, since: datetime, customer: str) -> list[NewItem]:
    """The acceptances and questions on the link since ``since`` on the quotes assigned to ``user``, newest first."""
    found = session.execute(
        select(A.kind, A.at, Q.number, Q.customer_name, A.values)
        .join(Q, Q.id == A.quote_id)
        .where(A.kind.in_(CUSTOMER_KINDS), A.at > since, A.by == customer, Q.assigned_to == user)
        .order_by(A.at.desc(), A.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return [NewItem(kind, at, number, name or "", None, (values or {}).get("text") if kind == "question" else None)
            for kind, at, number, name, values in found]


def approvals_decided(session: Session, user: str, since: datetime) -> list[NewItem]:
    """The approvals decided since ``since`` on the quotes assigned to ``user`` or whose newest revision they made."""
    found = session.execute(
        select(Q.approval, Q.approval_at, Q.number, Q.customer_name, Q.approval_by, Q.approval_note)
        .outerjoin(R, and_(R.quote_id == Q.id, R.revision == Q.revision))
        .where(Q.approval_at > since, Q.approval.in_((workflow.APPROVAL_APPROVED, workflow.APPROVAL_REJECTED)),
               or_(Q.assigned_to == user, R.created_by == user))
        .order_by(Q.approval_at.desc(), Q.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return [NewItem(approval, at, number, name or "", by, note) for approval, at, number, name, by, note in found]
