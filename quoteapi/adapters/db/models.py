"""The tables, as SQLAlchemy 2.0 typed mappings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    LargeBinary,
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints, so that migrations can refer to them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class PriceListVersion(Base):
    """One accepted state of the whole price list; versions are kept forever."""

    __tablename__ = "price_list_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="")
    # When it takes effect (its creation, unless it was scheduled); the list in force at a
    # moment is the newest version, not cancelled, whose effective_from is not later.
    effective_from: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # A scheduled version withdrawn before it took effect.
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    # The version in force it was prepared against, and the change itself (to lay it again
    # on top of a fix of today's list made while it waited).
    base_version: Mapped[int | None] = mapped_column(Integer)
    patch: Mapped[Any] = mapped_column(JSON, nullable=True)


class User(Base):
    """A person or script holding a bearer token; only the token's hash is kept."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A slow salted hash of the staff console password (None: no console sign-in).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Shown to customers as the person who prepared a quote, and where their mail goes.
    full_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    # The language of their mail: tr or en (None: the default language).
    language: Mapped[str | None] = mapped_column(String(2))
    # When their last morning digest was queued, and when they last looked at what is new
    # for them in the console.
    digest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# What the pipeline report reads of each quote (reports; adapters/db/report_store.py).
REPORT_COLUMNS = (
    "id", "clinic", "source", "status", "valid_until", "currency", "total", "decline_reason", "assigned_to",
    "manual_discount", "discount_by", "paid", "created_at", "accepted_at",
)


class Quote(Base):
    """A customer's quote; its figures live in its revisions and never change."""

    __tablename__ = "quotes"
    __table_args__ = (
        # The listing pages newest first (by id) within each filter.
        Index("ix_quotes_status_id", "status", "id"),
        Index("ix_quotes_clinic_id", "clinic", "id"),
        Index("ix_quotes_follow_up_on", "follow_up_on"),
        Index("ix_quotes_created_at", "created_at"),
        # Staff notifications (migration 0013, adapters/db/notify_store.py): one user's follow-ups, quotes
        # expiring and links opened for the morning digest; approvals decided for the console's "new" count.
        Index("ix_quotes_assigned_follow_up", "assigned_to", "follow_up_on"),
        Index("ix_quotes_assigned_valid_until", "assigned_to", "valid_until"),
        Index("ix_quotes_assigned_viewed", "assigned_to", "last_viewed_at"),
        Index("ix_quotes_approval_at", "approval_at"),
        # The discounts waiting for an admin, newest first: the count in every admin's console menu
        # (migration 0016; without it, the newest-first walk read the whole table when none waits).
        Index("ix_quotes_approval_id", "approval", "id"),
        # The pipeline report (reports): its date range on the clinics' date of creation; on PostgreSQL
        # with every column the report reads, so that it is an index-only scan of the range.
        Index("ix_quotes_created_on", "created_on", postgresql_include=list(REPORT_COLUMNS)),
        # One person's quotes (export, erasure) by the keys of their e-mail address and phone number.
        Index("ix_quotes_customer_email_key", "customer_email_key"),
        Index("ix_quotes_customer_phone_key", "customer_phone_key"),
        # The quote list's search (a substring of search_key) on PostgreSQL: a trigram index
        # (pg_trgm) serves LIKE '%...%'. SQLite, the small embedded database, reads the column.
        Index(
            "ix_quotes_search_key", "search_key",
            postgresql_using="gin", postgresql_ops={"search_key": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    clinic: Mapped[str] = mapped_column(String(64))
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_email: Mapped[str | None] = mapped_column(String(254))
    customer_phone: Mapped[str | None] = mapped_column(String(40))
    # The e-mail address and the phone number as looked up (domain/personal_data.py email_key,
    # phone_key): written with them in Python, never worked out by SQL, so that both databases
    # find what Python finds.
    customer_email_key: Mapped[str | None] = mapped_column(Text)
    customer_phone_key: Mapped[str | None] = mapped_column(Text)
    # What the quote list's search looks in (domain/personal_data.py search_key): the number,
    # the name and the e-mail folded (no case, no accents, Turkish i's as one), the phone's E.164 digits.
    search_key: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assigned_to: Mapped[str | None] = mapped_column(String(64))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    # Copied from the newest revision, so the listing filters without a join.
    revision: Mapped[int] = mapped_column(Integer)
    valid_until: Mapped[date] = mapped_column(Date)
    eligibility_status: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    # The language of its texts and documents: tr or en.
    language: Mapped[str] = mapped_column(String(2), server_default="tr")
    # A website request's consent: when, and which wording (quoteapi/domain/consent.py).
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_version: Mapped[str | None] = mapped_column(String(16))
    # When its personal data was erased (on request, or by the retention rules).
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A manual discount above the list's limit waits for an admin: not_needed, pending,
    # approved or rejected, with who decided, when and why.
    approval: Mapped[str] = mapped_column(String(16), server_default="not_needed")
    approval_by: Mapped[str | None] = mapped_column(String(64))
    approval_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approval_note: Mapped[str | None] = mapped_column(Text)
    # Why it was declined (price, timing, other_clinic, medical, no_answer, other) and the
    # words that came with it.
    decline_reason: Mapped[str | None] = mapped_column(String(16))
    decline_note: Mapped[str | None] = mapped_column(Text)
    # What the customer accepted on the link: when, the name typed, the wording's version,
    # the client address and user agent, the revision and a SHA-256 of its lines and totals.
    acceptance: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # When the customer last opened the link (an activity line at most once an hour).
    last_viewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # --- reports: what the pipeline report reads, kept with the quote by the use cases that change it ---
    # The clinics' date of created_at (adapters/clock.local_date), the report's date filter and months/weeks.
    created_on: Mapped[date | None] = mapped_column(Date)
    # When it moved to accepted (by the desk or the customer).
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The newest revision's manual discount as a positive amount (null: none), and who priced it.
    manual_discount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    discount_by: Mapped[str | None] = mapped_column(String(64))
    # Payments net of refunds (services/payments.py writes it with each payment; null: none yet).
    paid: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    # The newest revision's area codes and applied campaigns, sorted, joined by commas (null: none):
    # the report's group_by=area / campaign groups the quotes by these sets and counts each set in
    # each of its codes (adapters/db/report_store.py; migration 0016).
    area_codes: Mapped[str | None] = mapped_column(Text)
    campaign_codes: Mapped[str | None] = mapped_column(Text)
    # --- end reports ---

    revisions: Mapped[list["QuoteRevision"]] = relationship(
        back_populates="quote", order_by="QuoteRevision.revision", cascade="all, delete-orphan"
    )
    activity: Mapped[list["QuoteActivity"]] = relationship(
        back_populates="quote", order_by="QuoteActivity.id", cascade="all, delete-orphan"
    )
    # Money received or given back (payments-users): kept on erasure, only its reference scrubbed.
    payments: Mapped[list["Payment"]] = relationship(order_by="Payment.id", cascade="all, delete-orphan")


class QuoteRevision(Base):
    """One pricing of a quote: its inputs and the estimate exactly as answered."""

    __tablename__ = "quote_revisions"
    __table_args__ = (UniqueConstraint("quote_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"))
    revision: Mapped[int] = mapped_column(Integer)
    price_list_version: Mapped[int] = mapped_column(Integer)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    estimate: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The day it was priced (null on revisions stored before migration 0004).
    priced_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(64))
    # The clinic's deposit_percent in the list it was priced with (null: no deposit asked).
    deposit_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))

    quote: Mapped[Quote] = relationship(back_populates="revisions")


class QuoteActivity(Base):
    """A note or a status change on a quote, with who and when."""

    __tablename__ = "quote_activity"
    # The customers' acceptances and questions since a moment (the console's "new" count; migration 0013).
    __table_args__ = (Index("ix_quote_activity_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    # A message id with {placeholders} when ``values`` is set (shown in the reader's
    # language); otherwise the text as written (a note).
    text: Mapped[str] = mapped_column(Text)
    values: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    quote: Mapped[Quote] = relationship(back_populates="activity")


class QuoteCounter(Base):
    """The last quote number given out in a year; numbers are never reused."""

    __tablename__ = "quote_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class CampaignUses(Base):
    """How many accepted quotes carry a campaign; acceptances update it with a guarded UPDATE."""

    __tablename__ = "campaign_uses"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    uses: Mapped[int] = mapped_column(Integer, server_default="0")


class IdempotencyKey(Base):
    """The first answer to a POST made with an Idempotency-Key."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(128), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One change to prices, users or quote statuses: who, when, what, before, after.

    Rows are only ever inserted; an erasure of personal data alone rewrites the
    before and after of the entries about the quotes it erases.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_kind_id", "kind", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)


class ConsoleSession(Base):
    """One sign-in to the staff console: its cookie holds a random token, only the token's hash is kept here.

    Signing out deletes the row, so a copy of the cookie is worth nothing
    afterwards; a row past ``expires_at`` is refused and swept out at the next sign-in.
    """

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class QuoteLink(Base):
    """A customer's link to a quote: only the SHA-256 of its random token is kept.

    Each send makes a new link; every link of a quote works until the quote's validity
    ended 30 days ago, the customer's data is erased, or staff revoke the quote's links.
    """

    __tablename__ = "quote_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Payment(Base):
    """Money received for an accepted quote (or given back): books, kept on erasure."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    method: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(64))


class OutboxMessage(Base):
    """A message to send, stored in the transaction of the change that caused it.

    The sender (``quoteapi outbox run``) renders and delivers it outside any request:
    ``pending`` until delivered (``sent``), retried with backoff on a temporary failure,
    ``failed`` on a permanent one or when the retries are used up, ``dropped`` when the
    customer's data is erased before it left.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id"), index=True)
    recipient: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    # What the message says, as the values its template needs (never the rendered mail).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class SentDocument(Base):
    """The quote's PDF as it was sent (made when the quote was sent, before the send's transaction).

    The outbox's quote e-mail names it in its payload (``"document": id``) and the sender attaches
    these bytes instead of making the PDF again; a reminder of an unchanged quote reuses it (same
    revision, language and SHA-256 of the HTML it was made from). Personal data: an erasure deletes
    the quote's documents; retention deletes those not used (``used_at``) since its cutoff.
    """

    __tablename__ = "sent_documents"
    __table_args__ = (Index("ix_sent_documents_quote_hash", "quote_id", "html_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"))
    revision: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(2))
    html_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The last send that used it (its creation, or a reminder's): retention counts from here.
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
