"""The sales desk's quotes."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from ..adapters import documents
from ..domain.errors import Invalid
from ..domain.quotes import QuoteCreated
from ..domain.text import T
from ..interface import i18n
from ..interface.commands import (
    create_command, decision_command, note_command, revise_command, send_command, update_command,
)
from ..interface.schemas.quotes import (
    ApprovalDecisionSchema,
    NewQuoteAnswer,
    NoteSchema,
    QuoteCreateSchema,
    QuoteListQuerySchema,
    QuotePageSchema,
    QuotePatchSchema,
    QuoteRevisionSchema,
    QuoteSchema,
    RevisionChangesSchema,
    SendSchema,
    SentQuoteSchema,
    VerificationSchema,
)
from ..services import approvals, quote_documents, quotes, sending, verification
from ..interface.paths import public_base_url
from .auth import current_user
from .errors import problem
from .etags import answering_quote, quote_precondition, with_quote_etag
from .openapi import Blueprint
from .responses import NEXT_LINK, next_page_headers, services

blp = Blueprint(
    "quotes",
    __name__,
    url_prefix="/api/v1",
    description="Quotes for follow-up, for the roles sales and admin.",
)

IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "A retry with the same key and body answers the first result and stores nothing; another body is a 409.",
}
LOCATION = {"Location": {"description": "The quote.", "schema": {"type": "string"}}}
REPLAYED = {
    "Idempotent-Replayed": {
        "description": "true when this answers an earlier request with the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


# --- Integrators (issue 31): ETags, If-Match, the quote's own language ----------------------
# Every answer that is a quote's JSON goes through ``answering_quote`` (its language, its ETag);
# every write of a quote hands an optional If-Match to its use case (``quote_precondition``), which checks
# it on the quote it has locked (412 when stale).

blp.after_request(with_quote_etag)
QUOTE_ETAG = {"ETag": {"description": "The quote's ETag: send it as If-Match with a write of the quote.", "schema": {"type": "string"}}}
OPTIONAL_IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "Optional, honoured: the quote's ETag as read; a stale one is a 412 (stale-version) and nothing changes.",
}


# --- end of the integrators' block -----------------------------------------------------------


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    if len(key) > 255:
        raise Invalid(T("Idempotency-Key is at most 255 characters."), {"Idempotency-Key": [T("Too long.")]})
    return key


def created_answer(created: QuoteCreated) -> Any:
    """What QuoteSchema dumps for a creation: the quote, and a new quote's estimate as stored, which
    is its answer's estimate (no second plain form); a replay's quote as read."""
    stored = getattr(created, "stored_estimate", None)
    return created.quote if stored is None else NewQuoteAnswer(created.quote, stored)


def quote_location(number: str) -> str:
    return f"/api/v1/quotes/{number}"


def created_headers(created: QuoteCreated) -> dict[str, str]:
    """Location of the quote; ``Idempotent-Replayed: true`` when a retry answered an earlier creation."""
    headers = {"Location": quote_location(created.quote.number)}
    if created.replayed:
        headers["Idempotent-Replayed"] = "true"
    return headers


@blp.route("/quotes", methods=["POST"])
@blp.requires("sales")
@blp.arguments(QuoteCreateSchema())
@blp.response(201, QuoteSchema, headers={**LOCATION, **REPLAYED, **QUOTE_ETAG})
@blp.alt_response(409, response="CONFLICT")
@blp.doc(parameters=[IDEMPOTENCY_KEY])
def create_quote(body: dict):
    """Price an estimate for a named customer and store it as a quote."""
    command = create_command(body, source="staff", by=current_user().name, idempotency_key=idempotency_key(),
                             language=i18n.current().code)
    created = quotes.create_quote(services(), command)
    answering_quote(created.quote)
    return created_answer(created), created_headers(created)


@blp.route("/quotes")
@blp.requires("sales")
@blp.arguments(QuoteListQuerySchema(unknown="exclude"), location="query")
@blp.response(200, QuotePageSchema, headers=NEXT_LINK)
def list_quotes(filters: dict):
    """Quotes newest first, filtered; pass `next_cursor` as `cursor` for the next page (or follow `Link: rel="next"`)."""
    page = quotes.list_quotes(services(), filters)
    return page, next_page_headers(page.next_cursor)


@blp.route("/quotes/<string:number>")
@blp.requires("sales")
@blp.response(200, QuoteSchema, headers=QUOTE_ETAG)
@blp.alt_response(304, description="Not modified: the ETag sent in If-None-Match is current.")
@blp.alt_response(404, response="NOT_FOUND")
def get_quote(number: str):
    """One quote with its current revision, status and activity, in the quote's language, with its ETag."""
    return answering_quote(quotes.get_quote(services(), number))


@blp.route("/quotes/<string:number>", methods=["PATCH"])
@blp.requires("sales")
@blp.arguments(QuotePatchSchema())
@blp.response(200, QuoteSchema, headers=QUOTE_ETAG)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.doc(parameters=[OPTIONAL_IF_MATCH])
def patch_quote(changes: dict, number: str):
    """Move the status along the workflow, set the follow-up date or the assignee (If-Match honoured)."""
    if not changes:
        nothing = T("Send at least one of status, follow_up_on and assigned_to.")
        raise Invalid(nothing, {"_body": [nothing]})
    command = update_command(number, current_user().name, changes, precondition=quote_precondition())
    return answering_quote(quotes.update_quote(services(), command))


@blp.route("/quotes/<string:number>/notes", methods=["POST"])
@blp.requires("sales")
@blp.arguments(NoteSchema())
@blp.response(201, QuoteSchema, headers={**LOCATION, **QUOTE_ETAG})
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.doc(parameters=[OPTIONAL_IF_MATCH])
def add_note(body: dict, number: str):
    """Add a note to the quote's activity (If-Match honoured)."""
    quote = quotes.add_note(services(), note_command(number, current_user().name, body, precondition=quote_precondition()))
    return answering_quote(quote), {"Location": quote_location(number)}


@blp.route("/quotes/<string:number>/revisions", methods=["POST"])
@blp.requires("sales")
# Partial at the top only: an area sent still needs its code.
@blp.arguments(RevisionChangesSchema(partial=tuple(RevisionChangesSchema._declared_fields)))
@blp.response(201, QuoteSchema, headers={**LOCATION, **QUOTE_ETAG})
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.doc(parameters=[OPTIONAL_IF_MATCH])
def revise_quote(changes: dict, number: str):
    """Reprice with today's price list (and any changed estimate fields) as a new revision (If-Match honoured)."""
    command = revise_command(number, current_user().name, changes, precondition=quote_precondition())
    quote = quotes.revise_quote(services(), command)
    return answering_quote(quote), {"Location": f"{quote_location(number)}/revisions/{quote.revision}"}


@blp.route("/quotes/<string:number>/approval", methods=["POST"])
@blp.requires("admin")
@blp.arguments(ApprovalDecisionSchema())
@blp.response(200, QuoteSchema, headers=QUOTE_ETAG)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.doc(parameters=[OPTIONAL_IF_MATCH])
def decide_approval(body: dict, number: str):
    """Approve or reject the manual discount of a quote waiting for an admin's approval (409 when none waits;
    If-Match honoured)."""
    command = decision_command(number, current_user().name, body, precondition=quote_precondition())
    return answering_quote(approvals.decide_approval(services(), command))


@blp.route("/quotes/<string:number>/revisions/<int(max=2147483647):revision>")
@blp.requires("sales")
@blp.response(200, QuoteRevisionSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_revision(number: str, revision: int):
    """An earlier (or the current) revision, exactly as it was priced (in the quote's language)."""
    found = quotes.get_revision(services(), number, revision)
    i18n.speak(quotes.get_quote(services(), number).language)
    return found


@blp.route("/quotes/<string:number>/revisions/<int(max=2147483647):revision>/verify")
@blp.requires("sales")
@blp.response(200, VerificationSchema)
@blp.alt_response(404, response="NOT_FOUND")
def verify_revision(number: str, revision: int):
    """Price the revision's stored inputs again with its stored price-list version and dates; compare every figure."""
    return verification.verify_revision(services(), number, revision)


@blp.route("/quotes/<string:number>/document")
@blp.requires("sales")
@blp.response(200, description="The quote as a PDF.", content_type="application/pdf")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(406, response="NOT_ACCEPTABLE")
def get_document(number: str):
    """The quote to send the customer, as a PDF in the quote's language. (`Accept: text/html` still answers
    the printable page, for the clients written before `getDocumentPage`; new clients call that.)"""
    chosen = "application/pdf"
    if request.headers.get("Accept"):
        chosen = request.accept_mimetypes.best_match(["application/pdf", "text/html"])
    if chosen is None:
        return problem(406, T("This document is available as application/pdf or text/html."))
    return _document(number, chosen)


@blp.route("/quotes/<string:number>/document.html")
@blp.requires("sales")
@blp.response(200, description="The quote as a printable HTML page.", content_type="text/html")
@blp.alt_response(404, response="NOT_FOUND")
def get_document_page(number: str):
    """The quote to send the customer, as a printable HTML page in the quote's language."""
    return _document(number, "text/html")


def _document(number: str, chosen: str):
    quote = quotes.get_quote(services(), number)
    i18n.speak(quote.language)  # Content-Language: the document's, not the request's
    html = quote_documents.quote_html(services(), quote)
    if chosen == "text/html":
        return current_app.response_class(
            html, mimetype="text/html",
            headers={**documents.PRIVATE_HEADERS, "Content-Security-Policy": documents.HTML_POLICY},
        )
    response = current_app.response_class(documents.render_pdf(html), mimetype="application/pdf",
                                          headers=documents.PRIVATE_HEADERS)
    response.headers["Content-Disposition"] = f'inline; filename="{documents.file_name(quote)}.pdf"'
    return response


# --- sending (send): the customer's link, e-mail and WhatsApp ------------------------------------


@blp.route("/quotes/<string:number>/send", methods=["POST"])
@blp.requires("sales")
@blp.arguments(SendSchema())
@blp.response(200, SentQuoteSchema, headers=REPLAYED)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.doc(parameters=[IDEMPOTENCY_KEY, OPTIONAL_IF_MATCH])
def send_quote(body: dict, number: str):
    """Send the quote to its customer by e-mail (through the outbox), WhatsApp (a `wa.me` URL to open) or as a
    link to copy. Moves it to `sent` with the rules of that move (409 saying why); a `sent` quote may be sent
    again (a reminder). Each send makes a new customer link."""
    command = send_command(number, current_user().name, body, link_base=public_base_url(),
                           idempotency_key=idempotency_key(), precondition=quote_precondition())
    sent = sending.send_quote(services(), command)
    i18n.speak(sent.quote.language)  # the quote's own language, as its other answers
    return sent, ({"Idempotent-Replayed": "true"} if sent.replayed else {})


@blp.route("/quotes/<string:number>/link", methods=["DELETE"])
@blp.requires("sales")
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
def revoke_link(number: str):
    """Revoke every customer link of the quote: they stop working at once; the next send makes a new one."""
    sending.revoke_links(services(), number, current_user().name)
