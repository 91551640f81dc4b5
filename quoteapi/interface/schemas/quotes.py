"""Quotes: what the desk and the website send, and what they get back."""

from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, pre_dump, validate, validates_schema

from ...domain.quotes import APPROVALS, CHANNELS, DECISIONS, DECLINE_REASONS, SOURCES, STATUSES, STORED_STATUSES, Quote
from ...domain.text import LANGUAGES, N_
from ...domain.pricing.model import Estimate
from ...domain.pricing.plain import concerns_to_plain, estimate_to_plain
from ..i18n import Sentence, render
from ..i18n import current as current_language
from .estimates import EligibilitySchema, EstimateRequestSchema, EstimateSchema, ManualDiscountSchema
from .payments import PaymentSchema, SignedMoney  # payments-users
from .estimates import ConcernChoiceSchema
from .fields import (
    Day, DecimalString, Email, Flattened, FreeText, Integer, Name, PHONE, StrictBoolean, Text, Trimmed,
)


QUOTE_STATUSES = STATUSES


class CustomerSchema(Schema):
    name = Name(required=True)
    email = Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    phone = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(PHONE, error=N_("A phone number: digits, spaces and + ( ) . / -.")),
    )


class StaffCustomerSchema(CustomerSchema):
    @validates_schema
    def email_or_phone(self, data: dict, **kwargs: Any) -> None:
        if not data.get("email") and not data.get("phone"):
            raise ValidationError(N_("Give an email or a phone number."), "email")


class WebsiteCustomerSchema(CustomerSchema):
    email = Email(required=True, validate=validate.Length(max=254))


MANUAL_DISCOUNT_DESCRIPTION = (
    "Pricing step 8b, for stored quotes only: one negative line. Above the price list's "
    "`max_manual_discount_percent` the quote needs an admin's approval before it can be sent."
)


def manual_discount_field(description: str) -> fields.Nested:
    """The one declaration of a quote's manual discount (may be null); ``description`` says what it does where it is."""
    return fields.Nested(ManualDiscountSchema, allow_none=True, metadata={"description": description})


class QuoteCreateSchema(EstimateRequestSchema):
    manual_discount = manual_discount_field(MANUAL_DISCOUNT_DESCRIPTION)
    language = Text(
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "The language of the quote's texts and document; default: the request's."},
    )
    customer = fields.Nested(StaffCustomerSchema, required=True)
    notes = Trimmed(lines=True, load_default=None, allow_none=True, validate=validate.Length(max=5000))
    follow_up_on = Day(load_default=None, allow_none=True)
    valid_days = Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=365),
        metadata={"description": "Days the quote stays valid; defaults to QUOTEAPI_QUOTE_VALID_DAYS (30)."},
    )


class QuoteRequestSchema(EstimateRequestSchema):
    customer = fields.Nested(WebsiteCustomerSchema, required=True)
    consent = StrictBoolean(
        required=True,
        validate=validate.Equal(True, error=N_("Consent is required to store the quote.")),
        metadata={"description": "Must be true: the customer agrees to be contacted about this quote."},
    )


class QuoteRequestAnswerSchema(Schema):
    number = Text()
    status = Text()


class ConsentWordingSchema(Schema):
    """The consent sentence word for word, in each language the estimator speaks."""

    tr = Text()
    en = Text()


class ConsentSchema(Schema):
    """A website visitor's consent: when it was given, and to which wording."""

    given_at = fields.DateTime()
    version = Text(metadata={"description": "The version of the consent sentence the estimator showed."})
    wording = fields.Nested(ConsentWordingSchema, allow_none=True)

    @pre_dump
    def with_wording(self, consent: Any, **kwargs: Any) -> dict[str, Any]:
        wording = consent.wording
        return {"given_at": consent.given_at, "version": consent.version,
                "wording": None if wording is None else dict(wording.wording)}


class ApprovalSchema(Schema):
    """An admin's approval of the manual discount; `by`, `at` and `note` are the decision's (null until decided)."""

    status = Text(validate=validate.OneOf(APPROVALS))
    by = Text(allow_none=True)
    at = fields.DateTime(allow_none=True)
    note = Text(allow_none=True)


class ApprovalDecisionSchema(Schema):
    decision = Text(required=True, validate=validate.OneOf(tuple(DECISIONS)))
    note = Trimmed(
        lines=True, load_default=None, allow_none=True, validate=validate.Length(max=2000),
        metadata={"description": "Optional to approve; required to reject (the sales staff read it)."},
    )
    revision = Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=2147483647),
        metadata={"description": "The revision the decision is about (the one the admin looked at); 409 if the "
                                 "quote was revised since. Send it: without it the decision lands on whatever "
                                 "revision is current when it arrives. Optional only because the API contract's "
                                 "body is `decision` and `note`."},
    )

    @validates_schema
    def note_to_reject(self, data: dict, **kwargs: Any) -> None:
        if data.get("decision") == "reject" and not data.get("note"):
            raise ValidationError(N_("Say why the discount is rejected."), "note")


class DeskApprovalDecisionSchema(ApprovalDecisionSchema):
    """The console's decision form: it always names the revision the admin saw (a hidden field)."""

    revision = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=2147483647),
        error_messages={"required": N_("Reload the page: the form does not say which revision you looked at."),
                        "null": N_("Reload the page: the form does not say which revision you looked at.")},
    )


class ActivitySchema(Schema):
    at = fields.DateTime()
    by = Text(allow_none=True)
    kind = Text(
        metadata={"description": "created, note, status, revision, assignment, follow-up, approval, erasure or payment"}
    )
    text = Sentence()


class DepositSchema(Schema):
    """The deposit the clinic asks to book the first session (api.md "Deposits and payments")."""

    percent = DecimalString(places=2, metadata={"description": "The clinic's `deposit_percent` when the quote "
                                                               "was priced.", "example": "20"})
    amount = DecimalString(places=2, money=True, metadata={"description": "round(total × percent / 100), half up "
                                                                          "to the cent."})
class AcceptanceSchema(Schema):
    """What the customer accepted on their link: when, the name they typed, the acceptance wording's
    version, their address and user agent, the revision, and a SHA-256 of its stored lines and totals."""

    at = fields.DateTime(allow_none=True)
    name = Text(allow_none=True)
    wording_version = Text(allow_none=True)
    address = Text(allow_none=True)
    user_agent = Text(allow_none=True)
    revision = Integer(allow_none=True)
    sha256 = Text(allow_none=True)


class QuoteSchema(EstimateSchema):
    """A quote: its current revision's estimate, with the quote's own fields beside it."""

    number = Text(metadata={"example": "Q-2026-000001"})
    revision = Integer()
    status = Text(validate=validate.OneOf(QUOTE_STATUSES))
    source = Text(validate=validate.OneOf(SOURCES))
    customer = fields.Nested(CustomerSchema)
    notes = Text(allow_none=True)
    created_by = Text(allow_none=True)
    created_at = fields.DateTime()
    valid_until = fields.Date()
    follow_up_on = fields.Date(allow_none=True)
    assigned_to = Text(allow_none=True)
    activity = fields.List(fields.Nested(ActivitySchema))
    language = Text(validate=validate.OneOf(LANGUAGES), metadata={"description": "Of its texts and document."})
    consent = fields.Nested(
        ConsentSchema, allow_none=True, metadata={"description": "A website request's consent; null for the desk's quotes."}
    )
    approval = fields.Nested(ApprovalSchema)
    manual_discount = manual_discount_field("The current revision's manual discount as given; null without one.")
    deposit = fields.Nested(DepositSchema, allow_none=True, metadata={
        "description": "The deposit the clinic asks, to be paid by bank transfer with the quote's number as the "
                       "reference; null when the clinic asks none."})
    # send: a decline's reason and words; what the customer accepted on the link.
    decline_reason = Text(allow_none=True, validate=validate.OneOf(DECLINE_REASONS),
                          metadata={"description": "Why it was declined; null unless declined with a reason."})
    decline_note = Text(allow_none=True, metadata={"description": "The words that came with the decline."})
    acceptance = fields.Nested(AcceptanceSchema, allow_none=True,
                               metadata={"description": "What the customer accepted on their link; null until then."})
    # --- payments-users ---
    payments = fields.List(fields.Nested(PaymentSchema), metadata={"description": "Payments and refunds, oldest first."})
    paid_total = SignedMoney(metadata={"description": "Σ payments − Σ refunds."})
    balance = SignedMoney(metadata={"description": "total − paid_total."})
    # --- end payments-users ---
    concerns = fields.List(fields.Nested(ConcernChoiceSchema), metadata={
        "description": "The current revision's skin concerns as given (empty without); `suggestion` says what they suggest."})

    @pre_dump
    def with_estimate(self, quote: Any, **kwargs: Any) -> Flattened:
        return Flattened(quote, "estimate")

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """The estimate's fields from its plain form, the quote's own through marshmallow.

        The plain form is what :class:`EstimateSchema` dumps (tests/api/test_serialisers.py
        checks it), built without marshmallow's machinery: a quote's estimate is the larger
        part of its answer. Anything unusual (a subclass, options, a quote with an attribute
        of an estimate field's name) is dumped by marshmallow alone.
        """
        # A quote just created comes with its estimate's plain form as stored (NewQuoteAnswer): its
        # texts are written out already, so it is what estimate_to_plain would give again in any language.
        plain = None
        if type(obj) is NewQuoteAnswer:
            obj, plain = obj.quote, obj.stored_estimate
        estimate = getattr(obj, "estimate", None)
        if (
            type(self) is not QuoteSchema or many or self.many or self.only or self.exclude
            or not isinstance(estimate, Estimate)
            # A domain Quote has slots only, none of an estimate field's name (_QUOTE_SHADOWS): no need to look.
            or ((type(obj) is not Quote or _QUOTE_SHADOWS) and any(hasattr(obj, name) for name in _ESTIMATE_FIELDS))
        ):
            return super().dump(obj, many=many)
        own = _own_fields(obj) if _PLAIN_OWN_FIELDS else _quote_fields().dump(obj)
        if plain is None:
            plain = estimate_to_plain(estimate, current_language())
        return {**plain, **own}


_ESTIMATE_FIELDS = tuple(EstimateSchema._declared_fields)
# Whether the domain Quote (slots, no instance dictionary) has anything of an estimate field's name.
_QUOTE_SHADOWS = not hasattr(Quote, "__slots__") or any(hasattr(Quote, name) for name in _ESTIMATE_FIELDS)


class NewQuoteAnswer:
    """A quote just created (its attributes are the quote's), with ``stored_estimate``: its estimate's
    plain form as the creation stored it, which :meth:`QuoteSchema.dump` answers as it is."""

    __slots__ = ("quote", "stored_estimate")

    def __init__(self, quote: Any, stored_estimate: Any) -> None:
        self.quote, self.stored_estimate = quote, stored_estimate

    def __getattr__(self, name: str) -> Any:
        return getattr(self.quote, name)


@cache
def _quote_fields() -> QuoteSchema:
    """The quote's own fields of :class:`QuoteSchema` (its estimate's left out)."""
    return QuoteSchema(only=[name for name in QuoteSchema._declared_fields if name not in _ESTIMATE_FIELDS])


def _moment(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _own_fields(quote: Any) -> dict[str, Any]:
    """The quote's own fields as marshmallow dumps them (``_quote_fields``), built directly.

    marshmallow's machinery for these few fields cost more CPU than the whole
    estimate's plain form beside them (docs/performance.md). tests/api/test_quotes.py checks this
    against marshmallow's dump for desk and website quotes, with and without a
    manual discount; a field added to the schema and not here turns this off
    (``_PLAIN_OWN_FIELDS``), so marshmallow dumps it.
    """
    customer, consent, approval, discount = quote.customer, quote.consent, quote.approval, quote.manual_discount
    if consent is not None:
        wording = consent.wording
        consent = {
            "given_at": _moment(consent.given_at),
            "version": consent.version,
            "wording": None if wording is None else {
                language: text for language, text in dict(wording.wording).items() if language in _WORDING_LANGUAGES
            },
        }
    return {
        "number": quote.number,
        "revision": quote.revision,
        "status": quote.status,
        "source": quote.source,
        "customer": {"name": customer.name, "email": customer.email, "phone": customer.phone},
        "notes": quote.notes,
        "created_by": quote.created_by,
        "created_at": _moment(quote.created_at),
        "valid_until": _moment(quote.valid_until),
        "follow_up_on": _moment(quote.follow_up_on),
        "assigned_to": quote.assigned_to,
        "activity": [
            {"at": _moment(a.at), "by": a.by, "kind": a.kind, "text": render(a.text)} for a in quote.activity
        ],
        "language": quote.language,
        "consent": consent,
        "approval": {"status": approval.status, "by": approval.by, "at": _moment(approval.at), "note": approval.note},
        # Rare (a manual discount given), and its numbers have formats of their own: marshmallow's.
        "manual_discount": None if discount is None else _MANUAL_DISCOUNT.dump(discount),
        "deposit": _deposit(quote.deposit),
        # send
        "decline_reason": quote.decline_reason,
        "decline_note": quote.decline_note,
        "acceptance": None if quote.acceptance is None else _acceptance(quote.acceptance),
        # --- payments-users ---
        **_payment_fields(quote),
        # --- end payments-users ---
        "concerns": concerns_to_plain(quote.concerns),
    }


def _acceptance(acceptance: Any) -> dict[str, Any]:
    return {
        "at": _moment(acceptance.at), "name": acceptance.name, "wording_version": acceptance.wording_version,
        "address": acceptance.address, "user_agent": acceptance.user_agent, "revision": acceptance.revision,
        "sha256": acceptance.sha256,
    }


def _deposit(deposit: Any) -> dict[str, str] | None:
    """:class:`DepositSchema`'s dump, built directly."""
    return None if deposit is None else {"percent": str(deposit.percent), "amount": f"{deposit.amount:.2f}"}


# --- payments-users ---
def _payment_fields(quote: Any) -> dict[str, Any]:
    """The quote's payments, paid total and balance as PaymentSchema and SignedMoney dump them."""
    return {
        "payments": [
            {"id": p.id, "kind": p.kind, "amount": f"{p.amount:.2f}", "method": p.method,
             "received_on": p.received_on.isoformat(), "reference": p.reference, "created_at": _moment(p.created_at),
             "created_by": p.created_by}
            for p in quote.payments
        ],
        "paid_total": f"{quote.paid_total:.2f}",
        "balance": f"{quote.balance:.2f}",
    }
# --- end payments-users ---


_MANUAL_DISCOUNT = ManualDiscountSchema()
_WORDING_LANGUAGES = tuple(ConsentWordingSchema._declared_fields)
# What _own_fields writes: the quote's own fields of QuoteSchema, as declared there.
_PLAIN_OWN_FIELDS = (
    ("number", "revision", "status", "source", "customer", "notes", "created_by", "created_at", "valid_until",
     "follow_up_on", "assigned_to", "activity", "language", "consent", "approval", "manual_discount",
     "deposit", "decline_reason", "decline_note", "acceptance", "payments", "paid_total", "balance", "concerns")
    == tuple(name for name in QuoteSchema._declared_fields if name not in _ESTIMATE_FIELDS)
    and tuple(CustomerSchema._declared_fields) == ("name", "email", "phone")
    and tuple(ActivitySchema._declared_fields) == ("at", "by", "kind", "text")
    and tuple(ApprovalSchema._declared_fields) == ("status", "by", "at", "note")
    and tuple(ConsentSchema._declared_fields) == ("given_at", "version", "wording")
    and tuple(DepositSchema._declared_fields) == ("percent", "amount")
    and tuple(AcceptanceSchema._declared_fields)
    == ("at", "name", "wording_version", "address", "user_agent", "revision", "sha256")
    # --- payments-users ---
    and tuple(PaymentSchema._declared_fields)
    == ("id", "kind", "amount", "method", "received_on", "reference", "created_at", "created_by")
    # --- end payments-users ---
    and tuple(ConcernChoiceSchema._declared_fields) == ("code", "severity")
)


class QuoteRevisionSchema(EstimateSchema):
    number = Text()
    revision = Integer()
    valid_until = fields.Date()
    created_at = fields.DateTime()
    created_by = Text(allow_none=True)

    @pre_dump
    def with_estimate(self, revision: Any, **kwargs: Any) -> Flattened:
        return Flattened(revision, "estimate")


class QuoteSummarySchema(Schema):
    number = Text()
    revision = Integer()
    status = Text(validate=validate.OneOf(QUOTE_STATUSES))
    source = Text()
    clinic = Text()
    customer = fields.Nested(CustomerSchema)
    created_by = Text(allow_none=True)
    created_at = fields.DateTime()
    valid_until = fields.Date()
    follow_up_on = fields.Date(allow_none=True)
    assigned_to = Text(allow_none=True)
    currency = Text()
    total = DecimalString(places=2, money=True)
    # The estimate's Eligibility, of which a summary carries the status only: one
    # component and one status enum in the description (a component of its own named
    # EligibilityStatus clashed with the enum that generators name Eligibility.status).
    eligibility = fields.Nested(EligibilitySchema)
    approval = fields.Nested(ApprovalSchema)

    @pre_dump
    def with_eligibility(self, summary: Any, **kwargs: Any) -> dict[str, Any]:
        return {name: getattr(summary, name) for name in self.fields if name != "eligibility"} | {
            "eligibility": {"status": summary.eligibility_status}
        }


class QuotePageSchema(Schema):
    items = fields.List(fields.Nested(QuoteSummarySchema))
    next_cursor = Text(allow_none=True)


class QuoteListQuerySchema(Schema):
    status = Text(validate=validate.OneOf(QUOTE_STATUSES))
    approval = Text(
        validate=validate.OneOf(APPROVALS), metadata={"description": "E.g. `pending`: the discounts waiting for an admin (on quotes that can still be "
                                                            "sent: not declined, not expired)."}
    )
    clinic = Text(validate=validate.Length(min=1, max=64))
    follow_up_due = Day(metadata={"description": "Open quotes to follow up on or before this date."})
    q = Text(validate=validate.Length(min=1, max=200), metadata={"description": "Part of the customer's name, email or phone."})
    created_from = Day()
    created_to = Day()
    # --- payments-users ---
    deposit_due = fields.Boolean(
        truthy={"true"}, falsy={"false"},
        metadata={"description": "`true`: accepted quotes whose deposit is not yet paid in full (paid_total below the "
                                 "deposit); `false`: every other quote."},
    )
    # --- end payments-users ---
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = Text(validate=validate.Length(max=200))


class QuotePatchSchema(Schema):
    status = Text(validate=validate.OneOf(STORED_STATUSES))
    follow_up_on = Day(allow_none=True)
    assigned_to = Text(allow_none=True, validate=validate.Length(min=1, max=64))
    # send: a decline's reason and words (with status "declined" only).
    decline_reason = Text(
        allow_none=True, validate=validate.OneOf(DECLINE_REASONS),
        metadata={"description": "Why the quote is declined; only with `status: declined`."},
    )
    decline_note = Trimmed(
        lines=True, allow_none=True, validate=validate.Length(max=2000),
        metadata={"description": "The words that came with the decline; only with `status: declined`."},
    )

    @validates_schema
    def decline_only_with_declined(self, data: dict, **kwargs: Any) -> None:
        if data.get("status") == "declined":
            return
        for name in ("decline_reason", "decline_note"):
            if data.get(name) is not None and data.get(name) != "":
                raise ValidationError(N_("Only with status declined."), name)

    @post_load
    def empty_note_is_none(self, data: dict, **kwargs: Any) -> dict:
        if "decline_note" in data and not data["decline_note"]:
            data["decline_note"] = None
        return data


class NoteSchema(Schema):
    text = FreeText(5000, required=True)


class RevisionChangesSchema(EstimateRequestSchema):
    """Any estimate field to change; the others are kept from the current revision.

    Use it with ``partial=True``: only the fields sent are returned.
    """

    valid_days = Integer(strict=True, load_default=None, allow_none=True, validate=validate.Range(min=1, max=365))
    manual_discount = manual_discount_field("Replaces the current one; null removes it; left out, it is kept.")

    @post_load(pass_original=True)
    def only_given(self, data: dict, original: Any, **kwargs: Any) -> dict:
        return {key: value for key, value in data.items() if key in original}




class DifferenceSchema(Schema):
    field = Text(metadata={"description": "A path into the estimate, e.g. `lines.2.amount`."})
    stored = fields.Raw(allow_none=True)
    replayed = fields.Raw(allow_none=True)


class VerificationSchema(Schema):
    """A stored revision priced again with its price-list version and dates."""

    matches = fields.Boolean()
    differences = fields.List(fields.Nested(DifferenceSchema))


# --- sending (send) -------------------------------------------------------------------------


class SendSchema(Schema):
    """`POST /api/v1/quotes/{number}/send`: how, to which address (e-mail only), with which note."""

    channel = Text(
        required=True, validate=validate.OneOf(CHANNELS),
        metadata={"description": "email: the outbox mails it; whatsapp: answers a `whatsapp_url` for the sales "
                                 "user's own WhatsApp; link: answers the link to copy."},
    )
    to = Email(
        load_default=None, allow_none=True, validate=validate.Length(max=254),
        metadata={"description": "An e-mail address instead of the customer's (channel email only)."},
    )
    message = Trimmed(
        lines=True, load_default=None, allow_none=True, validate=validate.Length(max=1000),
        metadata={"description": "A personal note put above the quote in the e-mail or WhatsApp message "
                                 "(line breaks allowed, no other control characters)."},
    )

    @validates_schema
    def to_for_email(self, data: dict, **kwargs: Any) -> None:
        if data.get("to") and data.get("channel") != "email":
            raise ValidationError(N_("An address is only for channel email."), "to")

    @post_load
    def empty_message_is_none(self, data: dict, **kwargs: Any) -> dict:
        data["message"] = data.get("message") or None
        return data


class SentQuoteSchema(QuoteSchema):
    """A quote just sent: the quote (now `sent`), its new customer link, and for WhatsApp the URL to open."""

    link = Text(metadata={"description": "The customer's link: `<QUOTEAPI_PUBLIC_URL or host>/q/<token>`.",
                          "example": "https://quotes.example.com/q/3q2-7Xk..."})
    whatsapp_url = Text(
        allow_none=True,
        metadata={"description": "channel whatsapp: `https://wa.me/<E.164 digits>?text=...` (the message and the "
                                 "link in the quote's language) for the sales user to open; null otherwise."},
    )

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """The quote as :class:`QuoteSchema` dumps it (its fast path), with the link and the WhatsApp URL."""
        return {**_QUOTE_SCHEMA.dump(obj.quote), "link": obj.link, "whatsapp_url": obj.whatsapp_url}


_QUOTE_SCHEMA = QuoteSchema()
