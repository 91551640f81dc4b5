"""Quotes: the workflow of statuses, and a quote as the use cases hand it out.

A quote is an estimate priced for a named customer and stored for follow-up.
Its stored status moves along ``MOVES``; an open quote past its last valid
day reads as ``expired`` without anything being written.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import quote as quote_text
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .consent import Consent
from .errors import Conflict
from .payments import Payment, balance as _balance, paid_total as _paid_total
from .text import N_, T, Text
from .pricing.model import EligibilityStatus, Estimate, EstimateRequest, ManualDiscount, PriceList
from .pricing.engine import round_money
from .pricing.model import ConcernRequest

OPEN = ("new", "draft", "sent")
CLOSED = ("accepted", "declined")
STORED_STATUSES = OPEN + CLOSED
STATUSES = STORED_STATUSES + ("expired",)
MOVES: dict[str, frozenset[str]] = {
    "new": frozenset({"draft", "sent", "declined"}),
    "draft": frozenset({"sent", "declined"}),
    "sent": frozenset({"accepted", "declined", "draft"}),
    "accepted": frozenset(),
    "declined": frozenset(),
}
SOURCES = ("website", "staff")

# The admin's approval of a manual discount above the price list's limit (pricing-rules step 8b).
APPROVAL_NOT_NEEDED = "not_needed"
APPROVAL_PENDING = "pending"
APPROVAL_APPROVED = "approved"
APPROVAL_REJECTED = "rejected"
APPROVALS = (APPROVAL_NOT_NEEDED, APPROVAL_PENDING, APPROVAL_APPROVED, APPROVAL_REJECTED)
DECISIONS = {"approve": APPROVAL_APPROVED, "reject": APPROVAL_REJECTED}


def effective_status(status: str, valid_until: date, today: date) -> str:
    """A quote still open after its last valid day reads as ``expired``."""
    if status in OPEN and today > valid_until:
        return "expired"
    return status


def check_move(number: str, current: str, target: str, valid_until: date, approval: str = APPROVAL_NOT_NEEDED) -> None:
    """Raise :class:`Conflict` unless a quote whose status reads ``current`` may become ``target``.

    A quote whose manual discount waits for an admin's approval, or was
    rejected, cannot be sent.
    """
    if current == "expired":
        raise Conflict(
            T("Quote {number} expired on {day}; revise it to make it valid again.", number=number, day=valid_until),
            {"status": [T("The quote has expired.")]},
            kind="quote-expired",
        )
    if target not in MOVES[current]:
        allowed = ", ".join(sorted(MOVES[current])) or "none"
        raise Conflict(
            T("A quote that is {current} cannot become {target} (allowed: {allowed}).",
              current=current, target=target, allowed=allowed),
            {"status": [T("Cannot move from {current} to {target}.", current=current, target=target)]},
            kind="status-move",
        )
    if target == "sent" and approval == APPROVAL_PENDING:
        raise Conflict(
            T("Quote {number} cannot be sent: its manual discount is waiting for an admin's approval.", number=number),
            {"status": [T("Waiting for an admin's approval of the manual discount.")]},
            kind="approval-pending",
        )
    if target == "sent" and approval == APPROVAL_REJECTED:
        raise Conflict(
            T("Quote {number} cannot be sent: an admin rejected its manual discount; revise it first.", number=number),
            {"status": [T("The manual discount was rejected; revise the quote.")]},
            kind="approval-rejected",
        )


# --- Sending a quote and declining it (api.md revision 3) ------------------------------

# How a quote reaches the customer: an e-mail from the outbox, a WhatsApp message the sales
# user sends from their own phone, or a link they copy.
CHANNELS = ("email", "whatsapp", "link")

# Why a quote was declined, with the words the desk reads for each.
DECLINE_REASONS = ("price", "timing", "other_clinic", "medical", "no_answer", "other")
DECLINE_REASON_LABELS = {
    "price": N_("The price"),
    "timing": N_("The timing"),
    "other_clinic": N_("Chose another clinic"),
    "medical": N_("Medical reasons"),
    "no_answer": N_("No answer from the customer"),
    "other": N_("Another reason"),
}
# The activity line of a decline with its reason, without and with the words that came with it.
DECLINE_LINES = {
    "price": (N_("Declined because of the price."), N_("Declined because of the price: {note}")),
    "timing": (N_("Declined because of the timing."), N_("Declined because of the timing: {note}")),
    "other_clinic": (N_("Declined: chose another clinic."), N_("Declined: chose another clinic: {note}")),
    "medical": (N_("Declined for medical reasons."), N_("Declined for medical reasons: {note}")),
    "no_answer": (N_("Declined: no answer from the customer."), N_("Declined: no answer from the customer: {note}")),
    "other": (N_("Declined for another reason."), N_("Declined for another reason: {note}")),
}
# The activity line of a send: (first time, again as a reminder).
SENT_LINES = {
    "email": (N_("Sent by e-mail."), N_("Sent again by e-mail (a reminder).")),
    "whatsapp": (N_("Sent by WhatsApp."), N_("Sent again by WhatsApp (a reminder).")),
    "link": (N_("Sent as a link."), N_("Sent again as a link (a reminder).")),
}


def check_send(number: str, current: str, valid_until: date, approval: str = APPROVAL_NOT_NEEDED) -> bool:
    """Raise :class:`Conflict` unless a quote whose status reads ``current`` may be sent; whether it
    was sent already (then this send is a reminder and the status stays ``sent``).

    The rules of a move to ``sent`` (:func:`check_move`: expiry, approval pending or rejected);
    a quote already ``sent`` may be sent again under the same approval rules.
    """
    if current == "sent":
        # The approval's rules alone (draft → sent is a move the workflow allows).
        check_move(number, "draft", "sent", valid_until, approval)
        return True
    check_move(number, current, "sent", valid_until, approval)
    return False


def customer_link(base: str, token: str) -> str:
    """The customer's URL of a link: ``<base>/q/<token>`` (``base``: QUOTEAPI_PUBLIC_URL or the request's host)."""
    return f"{base.rstrip('/')}/q/{token}"


def whatsapp_url(e164: str, text: str) -> str:
    """A ``wa.me`` URL that opens WhatsApp with ``text`` ready to send to ``e164`` (``+905331234567``)."""
    digits = "".join(c for c in e164 if c.isascii() and c.isdigit())
    return f"https://wa.me/{digits}?text={quote_text(text, safe='')}"


def decline_line(reason: str, note: str | None) -> tuple[str, dict[str, Any]]:
    """A decline's activity line (message id, values) for ``reason`` and the words that came with it."""
    plain, with_note = DECLINE_LINES[reason]
    return (with_note, {"note": note}) if note else (plain, {})


def approval_after_pricing(over_limit: bool) -> str:
    """A (re)priced quote needs an admin's approval when its manual discount is above the limit.

    Every new revision above the limit asks again, even if an earlier one was approved.
    """
    return APPROVAL_PENDING if over_limit else APPROVAL_NOT_NEEDED


def check_decision(number: str, approval: str, decision: str) -> str:
    """The approval a decision (``approve`` or ``reject``) leads to; only a pending approval is decided."""
    if approval != APPROVAL_PENDING:
        raise Conflict(
            T("Quote {number} has no manual discount waiting for approval (approval: {approval}).",
              number=number, approval=approval),
            {"decision": [T("Nothing waits for approval.")]},
            kind="approval-not-pending",
        )
    return DECISIONS[decision]


def check_revisable(number: str, status: str) -> None:
    """Only open (or expired) quotes are repriced; accepted and declined ones are final."""
    if status in CLOSED:
        raise Conflict(
            T("Quote {number} is {status}; only open or expired quotes are revised.", number=number, status=status),
            {"status": [T("The quote is {status}.", status=status)]},
            kind="quote-closed",
        )


def status_after_revision(status: str) -> str:
    """A sent quote goes back to draft: the customer has not seen the new figures yet."""
    return "draft" if status == "sent" else status


def start_date_for_revision(start: date | None, today: date) -> date | None:
    """A revision keeps the start date unless it has passed: then the course starts today."""
    return today if start is not None and start < today else start


def format_number(year: int, sequence: int) -> str:
    return f"Q-{year}-{sequence:06d}"


def fingerprint(plain: Any) -> str:
    """What a retry must repeat exactly to reuse an idempotency key: a hash of its request."""
    return hashlib.sha256(json.dumps(plain, sort_keys=True, default=str).encode()).hexdigest()


# --- A quote as the use cases answer it ----------------------------------------


@dataclass(frozen=True, slots=True)
class Customer:
    name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    at: datetime
    by: str | None
    kind: str  # created, note, status, revision, assignment, follow-up or approval
    text: Text | str


@dataclass(frozen=True, slots=True)
class Approval:
    """The admin's approval of a manual discount: ``by``, ``at`` and ``note`` are the decision's."""

    status: str = APPROVAL_NOT_NEEDED
    by: str | None = None
    at: datetime | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Acceptance:
    """What the customer accepted on their link (api.md revision 3): when, the name typed, the
    acceptance wording's version, their address and user agent, the revision, and a SHA-256 of
    that revision's stored lines and totals."""

    at: datetime | None = None
    name: str | None = None
    wording_version: str | None = None
    address: str | None = None
    user_agent: str | None = None
    revision: int | None = None
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Revision:
    """One pricing of a quote, exactly as it was priced."""

    number: str
    revision: int
    inputs: EstimateRequest
    estimate: Estimate
    valid_until: date
    created_at: datetime
    created_by: str | None


@dataclass(frozen=True, slots=True)
class QuoteSummary:
    """A quote in a list: no lines, no activity."""

    number: str
    revision: int
    status: str
    source: str
    clinic: str
    customer: Customer
    created_by: str | None
    created_at: datetime
    valid_until: date
    follow_up_on: date | None
    assigned_to: str | None
    currency: str
    total: Decimal
    eligibility_status: EligibilityStatus
    approval: Approval = Approval()


@dataclass(frozen=True, slots=True)
class Quote:
    """A quote with its current revision's estimate and its activity."""

    number: str
    revision: int
    status: str
    source: str
    customer: Customer
    notes: str | None
    created_by: str | None
    created_at: datetime
    valid_until: date
    follow_up_on: date | None
    assigned_to: str | None
    estimate: Estimate
    activity: tuple[Activity, ...]
    language: str = "tr"
    # A website request's consent: when, and to which wording (None for the desk's quotes).
    consent: Consent | None = None
    approval: Approval = Approval()
    # The current revision's inputs (None when not loaded), e.g. its manual discount.
    inputs: EstimateRequest | None = None
    # The deposit the clinic asked when the current revision was priced (None: no deposit).
    deposit: Deposit | None = None
    # send: why it was declined (DECLINE_REASONS) and the words that came with it; what the
    # customer accepted on the link (None until then).
    decline_reason: str | None = None
    decline_note: str | None = None
    acceptance: Acceptance | None = None
    # --- payments (payments-users) ---
    # Money received or given back, oldest first (domain/payments.py).
    payments: tuple[Payment, ...] = ()
    # --- end payments ---

    @property
    def manual_discount(self) -> ManualDiscount | None:
        """The current revision's manual discount as given (percent or amount, and the reason)."""
        return None if self.inputs is None else self.inputs.manual_discount

    # --- payments (payments-users) ---
    @property
    def paid_total(self) -> Decimal:
        """Σ payments − Σ refunds."""
        return _paid_total(self.payments)

    @property
    def balance(self) -> Decimal:
        """The total less what was paid."""
        return _balance(self.estimate.total, self.paid_total)
    # --- end payments ---

    @property
    def concerns(self) -> tuple[ConcernRequest, ...]:
        """The current revision's skin concerns as given (its estimate's ``suggestion`` says what they suggest)."""
        return () if self.inputs is None else self.inputs.concerns


@dataclass(frozen=True, slots=True)
class Deposit:
    """The deposit a quote asks (api.md "Deposits and payments"): a percentage of the total, and its amount."""

    percent: Decimal
    amount: Decimal


def deposit_of(percent: Decimal | None, total: Decimal) -> Deposit | None:
    """The deposit of ``percent`` on ``total``: ``round(total * percent / 100)``, half up to the cent; None for 0."""
    if not percent:
        return None
    # As the price list writes a percentage: "20", "12.5" (a stored NUMERIC(5, 2) reads back as 20.00).
    return Deposit(Decimal(f"{percent.normalize():f}"), round_money(total * percent / 100))


@dataclass(frozen=True, slots=True)
class QuoteCreated:
    """A creation's result; ``replayed`` when an idempotency key answered an earlier one."""

    quote: Quote
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Difference:
    field: str  # a path into the estimate, e.g. lines.2.amount
    stored: Any
    replayed: Any


@dataclass(frozen=True, slots=True)
class Verification:
    """A stored revision priced again with the same price-list version and dates."""

    differences: tuple[Difference, ...]

    @property
    def matches(self) -> bool:
        return not self.differences

    @classmethod
    def between(cls, stored: Any, replayed: Any) -> "Verification":
        """Compare two estimates in plain form, field by field (what the stored one holds)."""
        found: list[Difference] = []

        def walk(path: str, was: Any, now: Any) -> None:
            if isinstance(was, dict) and isinstance(now, dict):
                for key in was:
                    walk(f"{path}.{key}" if path else key, was[key], now.get(key))
            elif isinstance(was, list) and isinstance(now, list) and len(was) == len(now):
                for i, (a, b) in enumerate(zip(was, now)):
                    walk(f"{path}.{i}", a, b)
            elif was != now:
                found.append(Difference(path, was, now))

        walk("", stored, replayed)
        return cls(tuple(found))


def without_untraced_caps(price_list: PriceList, stored: dict[str, Any]) -> PriceList | None:
    """``price_list`` without the capped campaigns a stored estimate (plain form) shows no trace of; None if none.

    A campaign that reached its ``max_uses`` is not offered, so a revision priced
    then neither applied it nor compared it among its offers. Replaying the
    revision with the version's campaigns would apply it again and report a
    difference that is none: a replay that does not match is tried again
    without those campaigns (only capped ones can have been withheld).
    """
    seen = set(stored.get("applied_campaigns", ()))
    for offer in stored.get("offers", ()):
        seen.update(offer.get("campaigns", ()))
    untraced = {c.code for c in price_list.campaigns if c.max_uses is not None and c.code not in seen}
    if not untraced:
        return None
    # Withheld as used up, as the list offered then had them (a coupon of one reads "used up").
    return replace(price_list, campaigns=tuple(c for c in price_list.campaigns if c.code not in untraced),
                   used_up=tuple(c for c in price_list.campaigns if c.code in untraced))
