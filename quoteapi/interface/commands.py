"""The quote use cases' commands, built from input the schemas loaded: the same for every edge.

What only a request knows comes in as arguments: who acts (``by``), the
``Idempotency-Key`` the API reads from its header (the console sends none),
and the language the request asked for. Nothing here reads a request.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..domain.quotes import Customer
from ..services.commands import (
    UNSET, AddNote, CreateQuote, DecideApproval, Precondition, ReviseQuote, SendQuote, UpdateQuote,
)
from .schemas.estimates import estimate_request, request_fields


def create_command(
    body: Mapping[str, Any],
    *,
    source: str,
    by: str | None,
    idempotency_key: str | None,
    language: str,
    consent_version: str | None = None,
) -> CreateQuote:
    """A quote to create, from a body loaded by ``QuoteCreateSchema`` or ``QuoteRequestSchema``.

    ``language`` is the request's (its code); a ``language`` in the body wins.
    ``consent_version`` is the wording a website visitor agreed to.
    """
    customer = body["customer"]
    return CreateQuote(
        inputs=estimate_request(body),
        customer=Customer(customer["name"], customer.get("email"), customer.get("phone")),
        source=source,
        language=body.get("language") or language,
        by=by,
        notes=body.get("notes"),
        follow_up_on=body.get("follow_up_on"),
        valid_days=body.get("valid_days"),
        idempotency_key=idempotency_key,
        consent_version=consent_version,
    )


def update_command(number: str, by: str, changes: Mapping[str, Any], precondition: Precondition = None) -> UpdateQuote:
    """A change of status, follow-up date or assignee, from ``QuotePatchSchema``; what is not given is kept."""
    return UpdateQuote(
        number,
        by,
        status=changes.get("status", UNSET),
        follow_up_on=changes.get("follow_up_on", UNSET),
        assigned_to=changes.get("assigned_to", UNSET),
        decline_reason=changes.get("decline_reason"),
        decline_note=changes.get("decline_note"),
        precondition=precondition,
    )


def note_command(number: str, by: str, body: Mapping[str, Any], precondition: Precondition = None) -> AddNote:
    """A note, from ``NoteSchema``."""
    return AddNote(number, by, body["text"], precondition)


def revise_command(number: str, by: str, changes: Mapping[str, Any], precondition: Precondition = None) -> ReviseQuote:
    """A new revision, from ``RevisionChangesSchema`` loaded partial: the estimate fields given, and ``valid_days``."""
    return ReviseQuote(number, by, request_fields(changes), changes.get("valid_days"), precondition)


def decision_command(number: str, by: str, body: Mapping[str, Any], precondition: Precondition = None) -> DecideApproval:
    """An admin's decision on a manual discount, from ``ApprovalDecisionSchema``."""
    return DecideApproval(number, by, body["decision"], body.get("note"), body.get("revision"), precondition)


def send_command(number: str, by: str, body: Mapping[str, Any], *, link_base: str,
                 idempotency_key: str | None = None, precondition: Precondition = None) -> SendQuote:
    """A send, from ``SendSchema``; ``link_base`` is where the customer's links live."""
    return SendQuote(number, by, body["channel"], link_base, to=body.get("to"), message=body.get("message"),
                     idempotency_key=idempotency_key, precondition=precondition)
