"""The sales desk: today's work, the quote list, one quote, a new quote (role sales and above).

Input is parsed with the API's schemas (``quoteapi.interface``) and handed to
the same use cases as ``/api/v1/quotes``: the console has no rules of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Mapping

from flask import current_app, flash, redirect, render_template, request, session, url_for
from marshmallow import ValidationError, fields
from werkzeug.datastructures import MultiDict

from ...adapters import clock, documents, phones
from ...adapters.figures import readable
from ...adapters.i18n import day_text, money_text
from ...domain import quotes as workflow
from ...domain.errors import Conflict, DomainError, StaleVersion
from ...domain.pricing.plain import concerns_to_plain, estimate_to_plain, manual_discount_to_plain
from ...domain.text import N_, T
from ...interface.answers import json_response
from ...interface.commands import create_command, note_command, revise_command, send_command, update_command
from ...interface.errors import status_of
from ...interface.i18n import current
from ...interface.paths import public_base_url
from ...interface.schemas.estimates import EstimateRequestSchema, ManualDiscountSchema, estimate_request
from ...interface.schemas.fields import flatten_messages
from ...interface.schemas.quotes import (
    NoteSchema,
    QuoteCreateSchema,
    QuoteListQuerySchema,
    QuotePatchSchema,
    RevisionChangesSchema,
    SendSchema,
)
from ...interface.schemas.payments import PaymentCreateSchema
from ...services import estimates, payments, quote_documents, quotes, sending, users
from . import words
from .common import (
    _, actor, bp, field_errors, flash_error, flash_section, requires, say, services, to_section, typed_decimal,
    whole_number,
)

ANSWERS = ("pregnant", "active_skin_infection", "open_wounds", "serious_skin_condition")
PAGE_SIZE = 25


# --- helpers for the templates ---------------------------------------------------------


def money(value, currency: str = "TRY") -> str:
    return money_text(value, currency, current().code)


def day(value) -> str:
    """A day as people read it: ``7 Aralık 2026`` (desk-words: the long form everywhere in the console)."""
    if isinstance(value, datetime):
        value = clock.local_date(value)
    return "" if value is None else day_text(value, current().code)


def number(value: Decimal | None) -> str:
    """A decimal without trailing zeros, as typed: 12.5, 10 (never 1E+1)."""
    return "" if value is None else f"{value.normalize():f}"


@bp.context_processor
def sales_helpers() -> dict[str, Any]:
    return {"money": money, "day": day, "status_label": status_label, "eligibility_label": eligibility_label,
            "approval_label": approval_label, "number": number}


def approval_label(status: str) -> str:
    labels = {
        "not_needed": _("not needed"), "pending": _("waiting for an admin"), "approved": _("approved"),
        "rejected": _("rejected"),
    }
    return labels.get(status, status)


def eligibility_label(status: str) -> str:
    labels = {
        "unknown": _("not asked"), "eligible": _("eligible"), "needs_doctor_review": _("needs a doctor's review"),
        "postpone": _("postpone"), "not_eligible": _("not eligible"),
    }
    return labels.get(status, status)


def status_label(status: str) -> str:
    labels = {
        "new": _("new"), "draft": _("draft"), "sent": _("sent"), "accepted": _("accepted"),
        "declined": _("declined"), "expired": _("expired"),
    }
    return labels.get(status, status)


def _int_or_text(raw: str | None) -> Any:
    text = (raw or "").strip()
    if text == "":
        return None
    number = whole_number(text)
    return text if number is None else number


def _answer(raw: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(raw or "")


DISCOUNT_KINDS = ("percent", "amount")


def manual_discount(form: Mapping[str, str]) -> tuple[bool, dict[str, str] | None]:
    """(given, value): the form's manual discount as the API's body names it.

    Nothing typed is "not given" (a revision keeps its discount); the "remove" box
    gives None. A number is read the page's way or the API's (12,5 and 1.000,50 on a
    Turkish page; "%12,5" too); anything else is left for the API's schema to refuse.
    """
    if form.get("discount_remove"):
        return True, None
    value = (form.get("discount_value") or "").strip()
    reason = (form.get("discount_reason") or "").strip()
    if not value and not reason:
        return False, None
    kind = form.get("discount_kind") if form.get("discount_kind") in DISCOUNT_KINDS else "percent"
    if kind == "percent":
        value = value.strip("%").strip()
    return True, {kind: typed_decimal(value) if value else value, "reason": reason}


def estimate_body(form: MultiDict, *, partial: bool = False) -> dict[str, Any]:
    """The estimate fields of a console form, as the API's JSON body names them.

    With ``partial`` (a revision) only the fields given are returned. The pickers'
    hidden markers (``areas_given``, ``products_given``, ``client_given``,
    _estimate_fields.html) say that a box left unticked means "none", not "keep".
    """
    body: dict[str, Any] = {}
    given, discount = manual_discount(form)
    if given:
        body["manual_discount"] = discount
    for name in ("clinic", "specialist_level"):
        value = form.get(name, "").strip()
        if value or not partial:
            body[name] = value
    sessions = _int_or_text(form.get("sessions"))
    if sessions is not None or not partial:
        body["sessions"] = sessions
    start = form.get("start_date", "").strip()
    if start or not partial:
        body["start_date"] = start or None
    coupon = form.get("coupon", "").strip()
    if coupon or not partial:
        body["coupon"] = coupon or None
    codes = form.getlist("area")
    if codes or not partial or form.get("areas_given"):
        body["areas"] = [{"code": code, "size_cm2": _size(form.get(f"size-{code}"))} for code in codes]
    products = form.getlist("product")
    if products or not partial or form.get("products_given"):
        body["products"] = products
    answers = {name: _answer(form.get(name)) for name in ANSWERS}
    age = _int_or_text(form.get("age"))
    if age is not None or any(v is not None for v in answers.values()):
        body["client"] = {"age": age, **answers}
    elif not partial or form.get("client_given"):
        body["client"] = None
    return body


def _size(typed: str | None) -> str | None:
    """An area's size as typed (1.800 or 1800,5 on a Turkish page, 1800.5 in both); empty: the area's own."""
    text = (typed or "").strip()
    return typed_decimal(text) if text else None


# --- Errors in words, next to their fields ------------------------------------------------------

# What a form's fields are called, by the API's path (anything else is said without a name).
FIELD_WORDS = {
    "clinic": N_("Clinic"), "specialist_level": N_("Specialist level"), "sessions": N_("Sessions"), "start_date": N_("Start date"),
    "coupon": N_("Coupon"), "areas": N_("Areas"), "products": N_("Products"), "concerns": N_("Skin concerns"),
    "client": N_("The client's answers"), "client.age": N_("Age"), "client.pregnant": N_("Pregnant or breastfeeding"),
    "client.active_skin_infection": N_("Active skin infection"), "client.open_wounds": N_("Open wounds"),
    "client.serious_skin_condition": N_("Serious skin condition"), "manual_discount": N_("Manual discount"),
    "valid_days": N_("Valid for days"), "customer": N_("Customer"), "customer.name": N_("Name"), "customer.email": N_("Email"),
    "customer.phone": N_("Phone"), "follow_up_on": N_("Follow-up date"), "notes": N_("Notes"), "language": N_("Language of the quote"),
}


def _picked(path: str, form: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """("area"|"product", its code, the rest of the path) of a path into the areas or products sent."""
    parts = path.split(".")
    kind = {"areas": "area", "products": "product"}.get(parts[0])
    if kind is None or len(parts) < 2 or not parts[1].isdigit():
        return None
    sent = form.getlist(kind) if hasattr(form, "getlist") else []
    i = int(parts[1])
    if i >= len(sent) or not isinstance(sent[i], str):
        return None
    return kind, sent[i], ".".join(parts[2:])


def _names(kind: str) -> dict[str, str]:
    try:
        return {code: name for code, name, *_rest in _choices()[f"{kind}s"]}
    except DomainError:
        return {}


def placed_errors(errors: Mapping[str, list[str]], form: Mapping[str, Any]) -> dict[str, list[str]]:
    """Messages by where the form shows them: "area-face" for ``areas.0.size_cm2`` when face was the
    first area ticked, "product-numbing-cream" for ``products.1``, "concerns" for ``concerns.0.code``,
    "client.age", "manual_discount.percent", "sessions" as they are (_estimate_fields.html)."""
    placed: dict[str, list[str]] = {}
    for path, messages in errors.items():
        key = path
        picked = _picked(path, form)
        if picked is not None:
            kind, code, _rest = picked
            key = f"{kind}-{code}" if code in _names(kind) else f"{kind}s"
        elif path.startswith(("areas.", "products.")):
            key = path.split(".")[0]
        elif path.startswith("concerns"):
            key = "concerns"
        placed.setdefault(key, []).extend(messages)
    return placed


def worded_errors(errors: Mapping[str, list[str]], form: Mapping[str, Any]) -> list[str]:
    """Each message with its field's name in the page's words ("Back (acne scars), size: Must be ..."),
    never the API's path; a message of no field alone."""
    out = []
    for path, messages in errors.items():
        picked = _picked(path, form)
        label = None
        if picked is not None:
            kind, code, rest = picked
            name = _names(kind).get(code)
            if name is not None:
                label = _("{area}, size", area=name) if rest == "size_cm2" else name
        if label is None:
            head = path if path in FIELD_WORDS else path.split(".")[0]
            label = _(FIELD_WORDS[head]) if head in FIELD_WORDS else None
        text = " ".join(messages)
        out.append(_("{field}: {message}", field=label, message=text) if label else text)
    return out


def _schema_errors(error: ValidationError) -> dict[str, list[str]]:
    return field_errors(flatten_messages(error.messages))


def _choices() -> dict[str, Any]:
    """The price list's options for the estimate forms, named in the page's language."""
    price_list = services().price_lists.current()
    code = current().code
    return {
        "clinics": [(c.code, price_list.name_of(c).in_language(code)) for c in price_list.clinics],
        "areas": [(a.code, price_list.name_of(a).in_language(code), a.size_cm2) for a in price_list.areas],
        "products": [(p.code, price_list.name_of(p).in_language(code)) for p in price_list.products],
        "levels": [(s.code, price_list.name_of(s).in_language(code)) for s in price_list.specialist_levels],
        "currency": price_list.currency,
    }


def _clinic_names() -> dict[str, str]:
    """Clinic names for the lists; codes alone while no price list is loaded."""
    try:
        return {code: name for code, name in _choices()["clinics"]}
    except DomainError:
        return {}


# --- Today ------------------------------------------------------------------------------


@bp.get("")
@bp.get("/")
@requires("sales")
def today():
    ctx = services()
    day_today = ctx.today()
    due = quotes.list_quotes(ctx, {"follow_up_due": day_today, "limit": 100}).items
    new = quotes.untaken_requests(ctx, limit=100)  # not assigned, no staff action yet
    week_end = day_today + timedelta(days=7)
    expiring = []
    for status in workflow.OPEN:
        expiring += [
            q for q in quotes.list_quotes(ctx, {"status": status, "limit": 200}).items if q.valid_until <= week_end
        ]
    expiring.sort(key=lambda q: (q.valid_until, q.number))
    return render_template(
        "desk/today.html", due=due, new=new, expiring=expiring, today=day_today, week_end=week_end,
        clinics=_clinic_names(),
    )


# --- The list ---------------------------------------------------------------------------


@bp.get("/quotes")
@requires("sales")
def quote_list():
    raw = {k: v for k, v in request.args.items() if k != "lang" and v.strip()}
    errors: dict[str, list[str]] = {}
    page = None
    try:
        filters = QuoteListQuerySchema(unknown="exclude").load({**raw, "limit": raw.get("limit", PAGE_SIZE)})
        page = quotes.list_quotes(services(), filters)
    except ValidationError as error:
        errors = _schema_errors(error)
    except DomainError as error:
        errors = field_errors(error) or {"cursor": [say(error.detail)]}
    next_args = None
    if page is not None and page.next_cursor:
        next_args = {**{k: v for k, v in raw.items() if k != "cursor"}, "cursor": page.next_cursor}
    first_args = {k: v for k, v in raw.items() if k != "cursor"} if raw.get("cursor") else None
    return render_template(
        "desk/quotes.html", page=page, errors=errors, filters=raw, statuses=workflow.STATUSES, approvals=workflow.APPROVALS,
        clinics=_clinic_names(), next_args=next_args, first_args=first_args,
    )


# --- One quote --------------------------------------------------------------------------


def _compared(number: str, latest: int) -> tuple[Any, Any]:
    """The two revisions shown side by side: ?a=&b= or the last two."""
    if latest < 2:
        return None, None

    def pick(name: str, default: int) -> int:
        raw = request.args.get(name, "")
        chosen = whole_number(raw)
        return chosen if chosen is not None and 1 <= chosen <= latest else default

    a, b = pick("a", latest - 1), pick("b", latest)
    ctx = services()
    return quotes.get_revision(ctx, number, a), quotes.get_revision(ctx, number, b)


@bp.get("/quotes/<string:number>")
@requires("sales")
def quote_page(number: str):
    return _quote_page(number)


def _quote_page(number: str, *, status: int = 200, **extra: Any):
    """One quote's page; ``extra`` for a panel's form shown again with its errors (e.g. payments)."""
    ctx = services()
    quote = quotes.get_quote(ctx, number)
    left, right = _compared(number, quote.revision)
    moves = [] if quote.status == "expired" else sorted(workflow.MOVES.get(quote.status, ()))
    staff = [u.name for u in users.list_users(ctx) if u.active]
    current_inputs = quotes.get_revision(ctx, number, quote.revision).inputs
    return render_template(
        "desk/quote.html", quote=quote, left=left, right=right, moves=moves, staff=staff,
        flash_at=flash_section(_sections(quote)), clinic=_clinic_of(quote.estimate.clinic),
        revisable=quote.status not in workflow.CLOSED, inputs=current_inputs, choices=_choices(),
        revisions=range(1, quote.revision + 1), blocked=_blocked_moves(quote, moves),
        discount_line=next((line for line in quote.estimate.lines if line.kind.value == "manual_discount"), None),
        discount_limit=_discount_limit(),
        **_payments_panel(ctx, quote, extra),  # payments-users
        **_revision_panel(ctx, quote, current_inputs, extra),  # revision-editor
    ), status


def _sections(quote) -> frozenset[str]:
    """The quote page's sections (anchors) a save may come back to: those it shows now."""
    present = {"customer", "work", "notes", "plan", "links", "lines", "activity"}
    if quote.status in workflow.OPEN:
        present.add("send")
    if quote.status not in workflow.CLOSED:
        present.add("revise-section")
    if quote.status == "accepted":
        present.add("payments")
    if quote.manual_discount or quote.approval.status != "not_needed":
        present.add("approval")
    return frozenset(present)


def _clinic_of(code: str) -> dict[str, Any]:
    """The quote's clinic as the page shows it: its name in the page's language, address and phone when the
    price list has them (the code alone for a clinic no longer on the list)."""
    try:
        price_list = services().price_lists.current()
    except DomainError:
        return {"code": code, "name": code, "address": None, "phone": None}
    for clinic in price_list.clinics:
        if clinic.code == code:
            return {"code": code, "name": price_list.name_of(clinic).in_language(current().code),
                    "address": clinic.address, "phone": phones.for_people(clinic.phone), "tel": clinic.phone}
    return {"code": code, "name": code, "address": None, "phone": None}


def _blocked_moves(quote, moves) -> dict[str, str]:
    """The moves the workflow offers but the domain refuses now (e.g. "sent" while an approval is
    pending), with the domain's own reason: shown disabled, never hidden without a word."""
    blocked = {}
    for target in moves:
        try:
            workflow.check_move(quote.number, quote.status, target, quote.valid_until, quote.approval.status)
        except Conflict as error:
            reasons = (error.errors or {}).get("status") or [error.detail]
            blocked[target] = say(reasons[0])
    return blocked


def _discount_limit() -> str | None:
    """The price list's max_manual_discount_percent, as a number to show; None without a price list."""
    try:
        return number(services().price_lists.current().max_manual_discount_percent)
    except DomainError:
        return None


def _back(number: str, section: str = "work"):
    """Back to the quote's page at ``section`` (its anchor), where the save's messages are shown."""
    return to_section(url_for("desk.quote_page", number=number), section)


@bp.post("/quotes/<string:number>/status")
@requires("sales")
def move_quote(number: str):
    target = request.form.get("status", "")
    try:
        changes = QuotePatchSchema().load({"status": target})
        quotes.update_quote(services(), update_command(number, actor(), changes))
    except ValidationError as error:
        flash(" ".join(m for ms in _schema_errors(error).values() for m in ms), "error")
    except DomainError as error:
        flash_error(error)
    else:
        flash(_("Status is now {status}.", status=status_label(target)), "info")
    return _back(number)


@bp.post("/quotes/<string:number>/notes")
@requires("sales")
def note_quote(number: str):
    try:
        body = NoteSchema().load({"text": request.form.get("text", "")})
        quotes.add_note(services(), note_command(number, actor(), body))
    except ValidationError as error:
        flash(" ".join(m for ms in _schema_errors(error).values() for m in ms), "error")
    except DomainError as error:
        flash_error(error)
    else:
        flash(_("Note added."), "info")
    return _back(number, "notes")


@bp.post("/quotes/<string:number>/plan")
@requires("sales")
def plan_quote(number: str):
    """The follow-up date and the assignee."""
    raw = {
        "follow_up_on": request.form.get("follow_up_on", "").strip() or None,
        "assigned_to": request.form.get("assigned_to", "").strip() or None,
    }
    try:
        changes = QuotePatchSchema().load(raw)
        quotes.update_quote(services(), update_command(number, actor(), changes))
    except ValidationError as error:
        flash(" ".join(m for ms in _schema_errors(error).values() for m in ms), "error")
    except DomainError as error:
        flash_error(error)
    else:
        flash(_("Follow-up and assignee saved."), "info")
    return _back(number, "plan")


# --- A revision (revision-editor) ---------------------------------------------------------------


def revision_form(inputs, today) -> MultiDict:
    """The revision form filled with a revision's inputs, as the new-quote form would post them.

    The start date is the one a revision made today keeps (a date passed is today,
    ``workflow.start_date_for_revision``); sessions left to the skin concerns stay empty.
    """
    start = workflow.start_date_for_revision(inputs.start_date, today)
    pairs: list[tuple[str, str]] = [
        ("clinic", inputs.clinic), ("specialist_level", inputs.specialist_level),
        ("sessions", "" if inputs.sessions is None else str(inputs.sessions)),
        ("start_date", start.isoformat() if start else ""), ("coupon", inputs.coupon or ""),
    ]
    for area in inputs.areas:
        pairs += [("area", area.code), (f"size-{area.code}", number(area.size_cm2))]
    pairs += [("product", code) for code in inputs.products]
    client = inputs.client
    if client is not None:
        pairs.append(("age", "" if client.age is None else str(client.age)))
        for name in ANSWERS:
            pairs.append((name, {True: "yes", False: "no"}.get(getattr(client, name), "")))
    return MultiDict(pairs)


def _concern_names() -> dict[str, str]:
    """The skin concerns' names in the page's language (codes alone while no price list is loaded)."""
    try:
        price_list = services().price_lists.current()
    except DomainError:
        return {}
    return {c.code: price_list.name_of(c).in_language(current().code) for c in price_list.concerns}


def _revision_panel(ctx, quote, inputs, extra: Mapping[str, Any]) -> dict[str, Any]:
    """What the quote page's revision form shows: the current revision's inputs (or what was posted, with
    its errors), the revision it was filled from, and what a revision keeps that the form does not show
    (the skin concerns, the manual discount while its fields are empty), for the live price."""
    posted = extra.get("revision_post")
    errors = extra.get("revision_errors") or {}
    form = posted if posted is not None else revision_form(inputs, ctx.today())
    names = _concern_names() if inputs.concerns else {}
    return {
        "answers": ANSWERS,
        "revision_post": form,
        "revision_errors": placed_errors(errors, form),
        "revision_summary": worded_errors(errors, form),
        "revision_message": extra.get("revision_message"),
        "revision_base": extra.get("revision_base") or quote.revision,
        "kept_concerns": concerns_to_plain(inputs.concerns),
        "kept_concern_names": [names.get(c.code, c.code) for c in inputs.concerns],
        "kept_discount": None if inputs.manual_discount is None else manual_discount_to_plain(inputs.manual_discount),
        "gone": _gone(quote, inputs),
    }


def _gone(quote, inputs) -> list[str]:
    """What the current revision has that the price list in force no longer offers (the form cannot
    show it, so the new revision goes without it): named as the quote's lines name it."""
    try:
        choices = _choices()
    except DomainError:
        return []
    named = {(line.kind.value, line.code): say(line.description).split(",")[0] for line in quote.estimate.lines}
    offered = {kind: {c[0] for c in choices[kind]} for kind in ("clinics", "levels", "areas", "products")}
    gone = [c for c in (inputs.clinic,) if c not in offered["clinics"]]
    gone += [c for c in (inputs.specialist_level,) if c not in offered["levels"]]
    gone += [named.get(("area", a.code), a.code) for a in inputs.areas if a.code not in offered["areas"]]
    gone += [named.get(("product", p), p) for p in inputs.products if p not in offered["products"]]
    return gone


# The fields of the revision form, by the API's names (errors about anything else are no field's).
REVISION_FIELDS = frozenset(
    ("clinic", "specialist_level", "sessions", "start_date", "coupon", "areas", "products", "client", "concerns",
     "manual_discount", "valid_days")
)


def _revision_body(form: MultiDict, inputs) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The revision's body from the form: the whole form (the pickers' markers) names every field, a
    form without them (the console's older one) only those it changes; and errors a body cannot carry.

    Sessions left empty are the skin concerns' recommended number (the API's rule: ``concerns`` sent
    without ``sessions``); without concerns, a number is needed.
    """
    whole = bool(form.get("areas_given"))
    body = estimate_body(form, partial=not whole)
    errors: dict[str, list[str]] = {}
    if whole and body.get("sessions") is None:
        del body["sessions"]
        if inputs.concerns:
            body["concerns"] = concerns_to_plain(inputs.concerns)
        else:
            errors["sessions"] = [_("Give a number of sessions, or a skin concern to suggest one.")]
    valid_days = _int_or_text(form.get("valid_days"))
    if valid_days is not None:
        body["valid_days"] = valid_days
    return body, errors


@bp.post("/quotes/<string:number>/revisions")
@requires("sales")
def revise(number: str):
    """A new revision from the quote page's form, through the API's use case (POST .../revisions).

    The form names the revision it was filled from: when another was priced meanwhile, nothing is
    saved and the form comes back with what was typed, to be saved again knowingly (as If-Match).
    """
    ctx = services()
    form = request.form
    based_on = whole_number(form.get("revision"))

    def priced_meanwhile(revision: int) -> Any:
        message = _("Revision {revision} was priced while you were editing; its lines are above. What you typed is "
                    "kept below: save again to price it over that revision.", revision=revision)
        return _quote_page(number, status=409, revision_post=form, revision_message=message, revision_base=revision)

    def same_revision(quote: Any) -> None:  # checked again by the use case, on the quote it has locked
        if based_on is not None and based_on != quote.revision and quote.status not in workflow.CLOSED:
            raise StaleVersion(T("Revision {revision} was priced while you were editing.", revision=quote.revision))

    current_quote = quotes.get_quote(ctx, number)
    try:
        same_revision(current_quote)
    except StaleVersion:
        return priced_meanwhile(current_quote.revision)
    inputs = quotes.get_revision(ctx, number, current_quote.revision).inputs
    body, errors = _revision_body(form, inputs)
    message = _("The revision was not saved: some fields need attention; see the revision form.")
    try:
        changes = RevisionChangesSchema(partial=tuple(RevisionChangesSchema._declared_fields)).load(body)
    except ValidationError as error:
        errors = {**_schema_errors(error), **errors}
    if errors:
        return _quote_page(number, status=422, revision_post=form, revision_errors=errors, revision_message=message)
    try:
        quote = quotes.revise_quote(ctx, revise_command(number, actor(), changes, precondition=same_revision))
    except StaleVersion:
        return priced_meanwhile(quotes.get_quote(ctx, number).revision)
    except DomainError as error:
        errors = field_errors(error)
        if not errors or any(path.split(".")[0] not in REVISION_FIELDS for path in errors):
            flash_error(error)  # not about the form's fields (e.g. the quote was accepted meanwhile)
            return _back(number, "revise-section")
        return _quote_page(number, status=status_of(error), revision_post=form, revision_errors=errors,
                           revision_message=message)
    flash(_("Revision {revision} priced.", revision=quote.revision), "info")
    return _back(number, "lines")  # desk-layout: the new lines and totals


@bp.get("/quotes/<string:number>/document")
@requires("sales")
def quote_document(number: str):
    """The quote as the customer gets it (the API's document adapter), PDF or ``?format=html``."""
    ctx = services()
    quote = quotes.get_quote(ctx, number)
    html = quote_documents.quote_html(ctx, quote)
    if request.args.get("format") == "html":
        response = current_app.response_class(html, mimetype="text/html")
        # The document's own styles are inline: it gets its own policy.
        response.headers["Content-Security-Policy"] = documents.HTML_POLICY
        return response
    response = current_app.response_class(documents.render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{documents.file_name(quote)}.pdf"'
    return response


# --- A new quote ------------------------------------------------------------------------


def _create_body(form: MultiDict) -> dict[str, Any]:
    body = estimate_body(form)
    customer = {"name": form.get("customer_name", "").strip()}
    for field in ("email", "phone"):
        value = form.get(f"customer_{field}", "").strip()
        customer[field] = value or None
    body["customer"] = customer
    body["notes"] = form.get("notes", "").strip() or None
    body["follow_up_on"] = form.get("follow_up_on", "").strip() or None
    body["valid_days"] = _int_or_text(form.get("valid_days"))
    language = form.get("language", "").strip()
    if language:
        body["language"] = language
    return body


@bp.route("/quotes/new", methods=["GET", "POST"])
@requires("sales")
def new_quote():
    errors: dict[str, list[str]] = {}
    message = None
    form: MultiDict = request.form if request.method == "POST" else MultiDict()
    if request.method == "POST":
        try:
            body = QuoteCreateSchema().load(_create_body(request.form))
            command = create_command(body, source="staff", by=actor(), idempotency_key=None, language=current().code)
            created = quotes.create_quote(services(), command)
        except ValidationError as error:
            errors = _schema_errors(error)
        except DomainError as error:
            errors = field_errors(error)
            message = say(error.detail)
        else:
            flash(_("Quote {number} created.", number=created.quote.number), "info")
            return redirect(url_for("desk.quote_page", number=created.quote.number))
        message = message or _("Some fields need attention; see below.")
    status = 422 if errors or message else 200
    return render_template(
        "desk/new_quote.html", choices=_choices(), form=form, errors=placed_errors(errors, form),
        summary=worded_errors(errors, form), message=message,
        answers=ANSWERS, today=services().today(), discount_limit=_discount_limit(),
        discount_kinds=DISCOUNT_KINDS,
    ), status


# --- The live price ---------------------------------------------------------------------


class PreviewSchema(EstimateRequestSchema):
    """The public estimate request with the manual discount, which only the staff may give."""

    manual_discount = fields.Nested(ManualDiscountSchema, allow_none=True)


@bp.post("/estimate")
@requires("sales")
def estimate_preview():
    """The new-quote form's live price, manual discount included (JSON; session and CSRF header).

    The public ``POST /api/v1/estimates`` refuses ``manual_discount``: this is the same
    engine (``services.estimates.estimate``) behind the console's sign-in. It also says
    whether the discount is above the list's limit (the quote will wait for an admin).
    """
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return json_response({"detail": _("Send the form as a JSON object."), "errors": {}}, 400)
    try:
        result = estimates.estimate(services(), estimate_request(PreviewSchema().load(data)))
    except ValidationError as error:
        errors = _schema_errors(error)
        return json_response({"detail": _("Some fields need attention; see below."), "errors": errors,
                              "messages": worded_errors(errors, _picks(data))}, 422)
    except DomainError as error:
        errors = field_errors(error)
        return json_response({"detail": say(error.detail), "errors": errors,
                              "messages": worded_errors(errors, _picks(data)) or [say(error.detail)]}, status_of(error))
    plain = estimate_to_plain(result, current())
    # desk-words: the lines' figures as the page writes them ("Uzman: Dermatolog (×1,4)", "%20"), not the API's.
    for line in plain["lines"]:
        line["description"] = readable(line["description"], current().code, plain["currency"])
    plain["approval_needed"] = result.manual_discount_over_limit
    # The figures as the saved quote's page prints them (adapters.i18n.money_text), so that live and saved match.
    code = current().code
    plain["total_text"] = money_text(result.total, result.currency, code)
    for line, shown in zip(result.lines, plain["lines"]):
        shown["amount_text"] = money_text(line.amount, result.currency, code)
    return json_response(plain)


def _picks(data: Mapping[str, Any]) -> MultiDict:
    """The areas and products of a JSON body as a form names them (for worded_errors)."""
    areas = data.get("areas") if isinstance(data.get("areas"), list) else []
    products = data.get("products") if isinstance(data.get("products"), list) else []
    return MultiDict([("area", a.get("code") if isinstance(a, dict) else None) for a in areas]
                     + [("product", p) for p in products])


# --- Sending to the customer, the customer's links, declining with a reason (send) -------------

# The link (and WhatsApp URL) of the send just made, shown once on the quote's page: the token is
# never stored, so it is handed to the next page in the (signed, HttpOnly) session cookie.
SENT_LINK = "sent_link"


def send_panel(quote) -> dict[str, Any]:
    """What the quote page's "Send" panel shows: whether it can send now (else the domain's reason),
    the decline reasons, and the link of the send just made (once)."""
    blocked = None
    shown = quote.status in workflow.OPEN
    if shown:
        try:
            workflow.check_send(quote.number, quote.status, quote.valid_until, quote.approval.status)
        except Conflict as error:
            reasons = (error.errors or {}).get("status") or [error.detail]
            blocked = say(reasons[0])
    sent = session.get(SENT_LINK)
    if isinstance(sent, dict) and sent.get("number") == quote.number:
        session.pop(SENT_LINK, None)
    else:
        sent = None
    return {
        "shown": shown, "blocked": blocked, "again": quote.status == "sent", "sent": sent,
        "reasons": [(code, _(workflow.DECLINE_REASON_LABELS[code])) for code in workflow.DECLINE_REASONS],
        "declinable": quote.status != "expired" and "declined" in workflow.MOVES.get(quote.status, ()),
        "reason_label": _(workflow.DECLINE_REASON_LABELS[quote.decline_reason])
        if quote.decline_reason in workflow.DECLINE_REASON_LABELS else None,
    }


@bp.context_processor
def sending_helpers() -> dict[str, Any]:
    return {"send_panel": send_panel}


def _flash_schema_errors(error: ValidationError) -> None:
    for path, messages in _schema_errors(error).items():
        flash(words.error_line(path, messages), "error")


@bp.post("/quotes/<string:number>/send")
@requires("sales")
def send_quote(number: str):
    """Send by e-mail (the outbox), prepare a WhatsApp message (opened from the page), or make a link to copy."""
    channel = request.form.get("channel", "")
    raw: dict[str, Any] = {"channel": channel, "message": request.form.get("message", "").strip() or None}
    if channel == "email":
        raw["to"] = request.form.get("to", "").strip() or None
    try:
        body = SendSchema().load(raw)
        sent = sending.send_quote(services(), send_command(number, actor(), body, link_base=public_base_url()))
    except ValidationError as error:
        _flash_schema_errors(error)
    except DomainError as error:
        flash_error(error)
    else:
        session[SENT_LINK] = {"number": number, "channel": sent.channel, "link": sent.link,
                              "whatsapp_url": sent.whatsapp_url}
        done = {
            "email": _("The e-mail is on its way to {address}.", address=body.get("to") or sent.quote.customer.email),
            "whatsapp": _("The WhatsApp message is ready: open WhatsApp to send it."),
            "link": _("A new link is ready to copy."),
        }
        flash(done[sent.channel], "info")
    return _back(number, "send")


@bp.post("/quotes/<string:number>/link/revoke")
@requires("sales")
def revoke_link(number: str):
    try:
        revoked = sending.revoke_links(services(), number, actor())
    except DomainError as error:
        flash_error(error)
    else:
        flash(_("The customer's links no longer work; the next send makes a new one.") if revoked
              else _("There was no working link to revoke."), "info")
    return _back(number, "links")


@bp.post("/quotes/<string:number>/decline")
@requires("sales")
def decline_quote(number: str):
    raw = {
        "status": "declined",
        "decline_reason": request.form.get("decline_reason", "").strip() or None,
        "decline_note": request.form.get("decline_note", "").strip() or None,
    }
    try:
        changes = QuotePatchSchema().load(raw)
        quotes.update_quote(services(), update_command(number, actor(), changes))
    except ValidationError as error:
        _flash_schema_errors(error)
    except DomainError as error:
        flash_error(error)
    else:
        flash(_("Status is now {status}.", status=status_label("declined")), "info")
    return _back(number, "links")


# --- Payments (payments-users) ------------------------------------------------------------


def _payments_panel(ctx, quote, extra: Mapping[str, Any]) -> dict[str, Any]:
    """What the quote page's "Payments" panel shows: an accepted quote's account, the form's values and errors."""
    account = payments.account(ctx, quote.number) if quote.status == "accepted" else None
    return {
        "account": account,
        "payment_form": extra.get("payment_form") or {"kind": "payment", "method": "bank_transfer",
                                                      "received_on": ctx.today().isoformat()},
        "payment_errors": extra.get("payment_errors") or {},
        "payment_kinds": PAYMENT_KINDS, "payment_methods": PAYMENT_METHODS,
        "payment_kind_label": payment_kind_label, "payment_method_label": payment_method_label,
    }


PAYMENT_KINDS = ("payment", "refund")
PAYMENT_METHODS = ("bank_transfer", "card", "cash")


def payment_kind_label(kind: str) -> str:
    return {"payment": _("payment"), "refund": _("refund")}.get(kind, kind)


def payment_method_label(method: str) -> str:
    return {"bank_transfer": _("bank transfer"), "card": _("card"), "cash": _("cash")}.get(method, method)


@bp.post("/quotes/<string:number>/payments")
@requires("sales")
def record_payment(number: str):
    form = {name: request.form.get(name, "") for name in ("kind", "amount", "method", "received_on", "reference")}
    body = {**form, "amount": typed_decimal(form["amount"]), "reference": form["reference"].strip() or None}
    try:
        loaded = PaymentCreateSchema().load(body)
        recorded = payments.record_payment(services(), payments.RecordPayment(number=number, by=actor(), **loaded))
    except ValidationError as error:
        return _quote_page(number, status=422, payment_form=form, payment_errors=_schema_errors(error))
    except DomainError as error:
        errors = field_errors(error)
        if not errors or set(errors) - {"amount", "received_on", "kind", "method", "reference"}:
            flash_error(error)
            return _back(number, "payments")
        return _quote_page(number, status=status_of(error), payment_form=form, payment_errors=errors)
    label = payment_kind_label(recorded.payment.kind)
    flash(_("The {kind} of {amount} is recorded.", kind=label, amount=money(recorded.payment.amount)), "info")
    return _back(number, "payments")
