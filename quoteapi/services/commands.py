"""The typed requests of the use cases that change quotes.

The edges (HTTP API, CLI, console) build these from what they parsed; the
use cases never see a request body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Mapping

from ..domain.pricing.model import EstimateRequest
from ..domain.quotes import Customer, Quote

# What a write of a quote expects of it, checked by the use case on the quote as it reads under the
# transaction's lock, before changing anything: an edge's If-Match (the ETag of the quote's JSON), the
# console form's revision. It raises (a DomainError) to refuse; None: nothing expected.
Precondition = Callable[[Quote], None] | None


class _Unset:
    """A field a partial change leaves as it is."""

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


@dataclass(frozen=True)
class CreateQuote:
    inputs: EstimateRequest
    customer: Customer
    source: str  # "staff" or "website"
    language: str = "tr"  # of its texts and documents
    by: str | None = None
    notes: str | None = None
    follow_up_on: date | None = None
    valid_days: int | None = None
    idempotency_key: str | None = None
    # The wording a website visitor agreed to (quoteapi/domain/consent.py); None from the desk.
    consent_version: str | None = None


@dataclass(frozen=True)
class UpdateQuote:
    """A partial change: fields left UNSET are kept."""

    number: str
    by: str
    status: Any = UNSET
    follow_up_on: Any = UNSET
    assigned_to: Any = UNSET
    # send: with status "declined", why (domain/quotes.py DECLINE_REASONS) and the words that came with it.
    decline_reason: str | None = None
    decline_note: str | None = None
    precondition: Precondition = None


@dataclass(frozen=True)
class ReviseQuote:
    """Reprice a quote; ``changes`` are fields of :class:`EstimateRequest` to change."""

    number: str
    by: str
    changes: Mapping[str, Any] = field(default_factory=dict)
    valid_days: int | None = None
    precondition: Precondition = None


@dataclass(frozen=True)
class AddNote:
    number: str
    by: str
    text: str
    precondition: Precondition = None


@dataclass(frozen=True)
class DecideApproval:
    """An admin's decision on a manual discount waiting for approval."""

    number: str
    by: str
    decision: str  # "approve" or "reject"
    note: str | None = None
    # The revision the admin looked at: a decision on a quote revised since is refused.
    revision: int | None = None
    precondition: Precondition = None


# --- sending (send) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SendQuote:
    """Send a quote to its customer by ``channel`` (email, whatsapp or link).

    ``link_base`` is where the customer's link lives (QUOTEAPI_PUBLIC_URL or the request's
    host URL): the link is ``<link_base>/q/<token>``. ``to`` overrides the customer's
    e-mail address (email only); ``message`` is the sales user's personal note.
    """

    number: str
    by: str
    channel: str
    link_base: str
    to: str | None = None
    message: str | None = None
    idempotency_key: str | None = None
    precondition: Precondition = None
