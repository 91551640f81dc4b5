"""The sales desk's quotes, and the website's quote requests."""

from __future__ import annotations

from flask import current_app, g, request

from ..auth import requires
from ..documents import render_quote
from ..errors import problem
from ..schemas import (
    NoteSchema,
    QuoteCreateSchema,
    QuoteListQuerySchema,
    QuotePageSchema,
    QuotePatchSchema,
    QuoteRevisionSchema,
    QuoteSchema,
    RevisionChangesSchema,
)
from ..services import quotes
from ..services.errors import Unprocessable
from .common import json_response, state, today
from .openapi import Blueprint

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
LOCATION = {"Location": {"description": "The new quote.", "schema": {"type": "string"}}}


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    if len(key) > 255:
        raise Unprocessable("Idempotency-Key is at most 255 characters.", {"Idempotency-Key": ["Too long."]})
    return key


def valid_days() -> int:
    return current_app.config["QUOTE_VALID_DAYS"]


def _created(created: quotes.Created):
    headers = {"Location": created.location} if created.location else {}
    return json_response(created.body, status=created.status, headers=headers)


@blp.route("/quotes", methods=["POST"])
@requires("sales")
@blp.arguments(QuoteCreateSchema())
@blp.response(201, QuoteSchema, headers=LOCATION)
@blp.alt_response(409, response="CONFLICT")
@blp.doc(parameters=[IDEMPOTENCY_KEY])
def create_quote(body: dict):
    """Price an estimate for a named customer and store it as a quote."""
    return _created(
        quotes.create_quote(
            state().database,
            state().price_lists.current(),
            body,
            source="staff",
            by=g.principal.name,
            today=today(),
            valid_days=valid_days(),
            idempotency_key=idempotency_key(),
        )
    )


@blp.route("/quotes")
@requires("sales")
@blp.arguments(QuoteListQuerySchema(unknown="exclude"), location="query")
@blp.response(200, QuotePageSchema)
def list_quotes(filters: dict):
    """Quotes newest first, filtered; pass `next_cursor` as `cursor` for the next page."""
    return json_response(quotes.list_quotes(state().database, filters, today()))


@blp.route("/quotes/<string:number>")
@requires("sales")
@blp.response(200, QuoteSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_quote(number: str):
    """One quote with its current revision, status and activity."""
    return json_response(quotes.get_quote(state().database, number, today()))


@blp.route("/quotes/<string:number>", methods=["PATCH"])
@requires("sales")
@blp.arguments(QuotePatchSchema())
@blp.response(200, QuoteSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def patch_quote(changes: dict, number: str):
    """Move the status along the workflow, set the follow-up date or the assignee."""
    return json_response(quotes.update_quote(state().database, number, changes, g.principal.name, today()))


@blp.route("/quotes/<string:number>/notes", methods=["POST"])
@requires("sales")
@blp.arguments(NoteSchema())
@blp.response(201, QuoteSchema)
@blp.alt_response(404, response="NOT_FOUND")
def add_note(body: dict, number: str):
    """Add a note to the quote's activity."""
    return json_response(
        quotes.add_note(state().database, number, body["text"], g.principal.name, today()), status=201
    )


@blp.route("/quotes/<string:number>/revisions", methods=["POST"])
@requires("sales")
@blp.arguments(RevisionChangesSchema(partial=True))
@blp.response(201, QuoteSchema, headers=LOCATION)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def revise_quote(changes: dict, number: str):
    """Reprice with today's price list (and any changed estimate fields) as a new revision."""
    quote = quotes.revise_quote(
        state().database,
        state().price_lists.current(),
        number,
        changes,
        by=g.principal.name,
        today=today(),
        valid_days=valid_days(),
    )
    location = f"/api/v1/quotes/{number}/revisions/{quote['revision']}"
    return json_response(quote, status=201, headers={"Location": location})


@blp.route("/quotes/<string:number>/revisions/<int(max=2147483647):revision>")
@requires("sales")
@blp.response(200, QuoteRevisionSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_revision(number: str, revision: int):
    """An earlier (or the current) revision, exactly as it was priced."""
    return json_response(quotes.get_revision(state().database, number, revision))


@blp.route("/quotes/<string:number>/document")
@requires("sales")
@blp.response(
    200,
    description="The quote as a PDF (default) or a printable HTML page, chosen by Accept.",
    content_type="application/pdf",
)
@blp.alt_response(200, description="A printable page.", content_type="text/html", success=True)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(406, response="NOT_ACCEPTABLE")
def get_document(number: str):
    """The quote to send the customer: PDF by default, `Accept: text/html` for a page."""
    chosen = "application/pdf"
    if request.headers.get("Accept"):
        chosen = request.accept_mimetypes.best_match(["application/pdf", "text/html"])
    if chosen is None:
        return problem(406, "This document is available as application/pdf or text/html.")
    quote = quotes.get_quote(state().database, number, today())
    price_list = state().price_lists.current()
    return render_quote(quote, price_list, chosen, current_app.config["DOCUMENT_LOCALE"])
