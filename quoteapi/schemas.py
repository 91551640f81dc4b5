"""Marshmallow schemas: what clients send and get, declared once.

The API views declare these so that the OpenAPI description is generated; the
CLI parses price-list files with the same schemas, so every path into the
database is checked by the same rules.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from .pricing.engine import MAX_SIZE_CM2
from .pricing.model import BenefitType, EligibilityStatus, LineKind

CODE = r"^[a-z0-9_-]{1,64}$"
CAMPAIGN_CODE = r"^[A-Za-z0-9_-]{1,64}$"
DECIMAL_TEXT = re.compile(r"^\d+(\.\d+)?$")

# Upper bounds that the contract leaves open; they keep every figure well inside
# Decimal's precision (documented in docs/decisions.md).
MAX_MONEY = Decimal("1000000000")
MAX_FACTOR = Decimal("100")


class DecimalString(fields.String):
    """A non-negative decimal written as a JSON string, e.g. ``"1250.00"``.

    Floats are refused: ``0.1`` has no exact binary form, and money must be exact.
    """

    default_error_messages = {
        "invalid_decimal": 'Must be a decimal string such as "12.50".',
        "places": "At most {places} decimals are allowed.",
    }

    def __init__(self, *, places: int, money: bool = False, **kwargs: Any) -> None:
        self.places = places
        self.money = money
        metadata = kwargs.pop("metadata", {})
        metadata.setdefault("pattern", r"^\d+(\.\d{1,%d})?$" % places)
        metadata.setdefault("example", "1250.00" if money else "1.20")
        super().__init__(metadata={"format": "decimal", **metadata}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.make_error("invalid_decimal")
        text = str(value).strip()
        if not DECIMAL_TEXT.match(text):
            raise self.make_error("invalid_decimal")
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already refused it
            raise self.make_error("invalid_decimal") from None
        if -number.as_tuple().exponent > self.places:
            raise self.make_error("places", places=self.places)
        return number

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return f"{value:.2f}" if self.money else str(value)


def Money(**kwargs: Any) -> DecimalString:
    return DecimalString(
        places=2,
        money=True,
        validate=validate.Range(min=0, max=MAX_MONEY, max_inclusive=False),
        **kwargs,
    )


def Percent(**kwargs: Any) -> DecimalString:
    return DecimalString(places=2, validate=validate.Range(min=0, max=100), **kwargs)


def Code(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(CODE, error="Codes are 1-64 of a-z, 0-9, - and _."), **kwargs)


def Name(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=200), **kwargs)


# --- The price-list document ----------------------------------------------


class ClinicSchema(Schema):
    code = Code(required=True)
    name = Name(required=True)
    city = Name(required=True)
    price_factor = DecimalString(
        places=4,
        required=True,
        validate=validate.Range(min=0, min_inclusive=False, max=MAX_FACTOR),
    )
    tax_rate = DecimalString(
        places=4, required=True, validate=validate.Range(min=0, max=1, max_inclusive=False)
    )
    prices_include_tax = fields.Boolean(required=True)


class AreaSchema(Schema):
    code = Code(required=True)
    name = Name(required=True)
    size_cm2 = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=MAX_SIZE_CM2)
    )
    price = Money(required=True)
    extra_cm2_price = Money(required=True)


class ProductSchema(Schema):
    code = Code(required=True)
    name = Name(required=True)
    price = Money(required=True)


class SpecialistLevelSchema(Schema):
    code = Code(required=True)
    name = Name(required=True)
    multiplier = DecimalString(
        places=4, required=True, validate=validate.Range(min=1, max=MAX_FACTOR)
    )


class SessionTierSchema(Schema):
    min_sessions = fields.Integer(strict=True, required=True, validate=validate.Range(min=2, max=24))
    discount_percent = Percent(required=True)


class BenefitSchema(Schema):
    type = fields.Enum(BenefitType, by_value=True, required=True)
    value = DecimalString(
        places=2,
        required=True,
        validate=validate.Range(min=0, max=MAX_MONEY, max_inclusive=False),
        metadata={"description": "A percentage (percent), a money amount (fixed) or a whole number of sessions (free_sessions)."},
    )


class CampaignSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(CAMPAIGN_CODE, error="Codes are 1-64 of A-Z, a-z, 0-9, - and _."),
    )
    name = Name(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    clinics = fields.List(fields.String(), load_default=list)
    min_sessions = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1, max=24))
    required_areas = fields.List(fields.String(), load_default=list)
    coupon = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    stackable = fields.Boolean(load_default=False)
    priority = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=-1_000_000, max=1_000_000))
    benefit = fields.Nested(BenefitSchema, required=True)


class PriceListSchema(Schema):
    """The whole price list, as in ``price-list.md``."""

    version = fields.Integer(
        allow_none=True,
        metadata={"description": "The version number; ignored when sent (If-Match guards a change)."},
    )
    currency = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z]{3}$", error="An ISO 4217 code such as TRY."),
    )
    combination_discount_percent = Percent(required=True)
    session_interval_days = fields.Integer(
        strict=True, load_default=28, validate=validate.Range(min=21, max=28)
    )
    clinics = fields.List(fields.Nested(ClinicSchema), required=True, validate=validate.Length(min=1))
    areas = fields.List(fields.Nested(AreaSchema), required=True, validate=validate.Length(min=1))
    products = fields.List(fields.Nested(ProductSchema), load_default=list)
    specialist_levels = fields.List(
        fields.Nested(SpecialistLevelSchema), required=True, validate=validate.Length(min=1)
    )
    session_tiers = fields.List(fields.Nested(SessionTierSchema), load_default=list)
    campaigns = fields.List(fields.Nested(CampaignSchema), load_default=list)


class PriceListVersionSchema(Schema):
    version = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    created_by = fields.String(allow_none=True)
    summary = fields.String()


# --- Estimates -------------------------------------------------------------


class AreaChoiceSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    size_cm2 = fields.Decimal(
        as_string=True,
        allow_none=True,
        load_default=None,
        places=None,
        allow_nan=False,
        # The range is checked by the engine, so that it is reported with unknown codes.
        metadata={
            "description": "The measured size; defaults to the area's reference size.",
            "exclusiveMinimum": True,
            "minimum": 0,
            "maximum": MAX_SIZE_CM2,
        },
    )


class ClientAnswersSchema(Schema):
    age = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(min=0, max=150))
    pregnant = fields.Boolean(allow_none=True, load_default=None)
    active_skin_infection = fields.Boolean(allow_none=True, load_default=None)
    open_wounds = fields.Boolean(allow_none=True, load_default=None)
    serious_skin_condition = fields.Boolean(allow_none=True, load_default=None)


class EstimateRequestSchema(Schema):
    clinic = fields.String(required=True, validate=validate.Length(min=1, max=64))
    areas = fields.List(
        fields.Nested(AreaChoiceSchema), required=True, validate=validate.Length(min=1, max=50)
    )
    products = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        load_default=list,
        validate=validate.Length(max=50),
    )
    specialist_level = fields.String(required=True, validate=validate.Length(min=1, max=64))
    # 1-24 is checked by the engine, so that it is reported with unknown codes.
    sessions = fields.Integer(strict=True, required=True, metadata={"minimum": 1, "maximum": 24})
    start_date = fields.Date(load_default=None, allow_none=True, metadata={"description": "Defaults to today (the server's local date)."})
    coupon = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    client = fields.Nested(ClientAnswersSchema, load_default=None, allow_none=True)


class LineSchema(Schema):
    kind = fields.Enum(LineKind, by_value=True)
    code = fields.String(allow_none=True)
    description = fields.String()
    quantity = fields.Integer()
    unit_price = DecimalString(places=2, money=True)
    amount = DecimalString(places=2, money=True)


class EligibilitySchema(Schema):
    status = fields.Enum(EligibilityStatus, by_value=True)
    reasons = fields.List(fields.String())


class EstimateSchema(Schema):
    clinic = fields.String()
    currency = fields.String()
    price_list_version = fields.Integer()
    start_date = fields.Date()
    sessions = fields.Integer()
    lines = fields.List(fields.Nested(LineSchema))
    subtotal = DecimalString(places=2, money=True)
    discount_total = DecimalString(places=2, money=True)
    net = DecimalString(places=2, money=True)
    tax_rate = DecimalString(places=4)
    tax_total = DecimalString(places=2, money=True)
    total = DecimalString(places=2, money=True)
    per_session = DecimalString(places=2, money=True)
    applied_campaigns = fields.List(fields.String())
    eligibility = fields.Nested(EligibilitySchema)
    schedule = fields.List(fields.Date())
    advice = fields.List(fields.String())


# --- Catalogue -------------------------------------------------------------


class ClinicSummarySchema(Schema):
    code = fields.String()
    name = fields.String()
    city = fields.String()
    tax_rate = DecimalString(places=4)
    prices_include_tax = fields.Boolean()


class CatalogQuerySchema(Schema):
    clinic = fields.String(required=True, validate=validate.Length(min=1, max=64))


class CatalogAreaSchema(Schema):
    code = fields.String()
    name = fields.String()
    size_cm2 = fields.Integer()
    price = DecimalString(places=2, money=True, metadata={"description": "One session at the reference size, at this clinic."})
    extra_cm2_price = DecimalString(places=2, money=True, metadata={"description": "Per cm2 beyond the reference size, at this clinic, rounded for display."})
    size_priced = fields.Boolean(metadata={"description": "Whether a measured size changes the price."})


class CatalogProductSchema(Schema):
    code = fields.String()
    name = fields.String()
    price = DecimalString(places=2, money=True)


class CatalogCampaignSchema(Schema):
    code = fields.String()
    name = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    clinics = fields.List(fields.String())
    min_sessions = fields.Integer()
    required_areas = fields.List(fields.String())
    stackable = fields.Boolean()
    priority = fields.Integer()
    requires_coupon = fields.Boolean()
    benefit = fields.Nested(BenefitSchema)


class CatalogSchema(Schema):
    clinic = fields.String(metadata={"description": "The clinic's code."})
    clinic_name = fields.String()
    city = fields.String()
    tax_rate = DecimalString(places=4)
    prices_include_tax = fields.Boolean()
    currency = fields.String()
    price_list_version = fields.Integer()
    session_interval_days = fields.Integer()
    combination_discount_percent = DecimalString(places=2)
    areas = fields.List(fields.Nested(CatalogAreaSchema))
    products = fields.List(fields.Nested(CatalogProductSchema))
    specialist_levels = fields.List(fields.Nested(SpecialistLevelSchema))
    session_tiers = fields.List(fields.Nested(SessionTierSchema))
    campaigns = fields.List(fields.Nested(CatalogCampaignSchema))


# --- Errors and health -------------------------------------------------------


class ProblemSchema(Schema):
    """An RFC 9457 problem: every error the API answers has this shape."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Unprocessable Content"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages per field path, e.g. areas.1.code."},
    )


class HealthSchema(Schema):
    status = fields.String()


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested error dict as ``{"areas.1.code": [...]}``."""
    if isinstance(messages, dict):
        out: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            for p, msgs in flatten_messages(value, path).items():
                out.setdefault(p, []).extend(msgs)
        return out
    if isinstance(messages, (list, tuple)) and all(isinstance(m, str) for m in messages):
        return {prefix or "_body": list(messages)}
    if isinstance(messages, (list, tuple)):
        out = {}
        for m in messages:
            for p, msgs in flatten_messages(m, prefix).items():
                out.setdefault(p, []).extend(msgs)
        return out
    return {prefix or "_body": [str(messages)]}


def check(schema: Schema, data: Any) -> dict[str, Any]:
    """Load ``data`` or raise a ValidationError (a convenience for the CLI)."""
    if not isinstance(data, dict):
        raise ValidationError({"_body": ["Must be a JSON object."]})
    return schema.load(data)


# --- Quotes ------------------------------------------------------------------

QUOTE_STATUSES = ("new", "draft", "sent", "accepted", "declined", "expired")
PHONE = r"^\+?[0-9 ()./-]{5,40}$"


class CustomerSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(PHONE, error="A phone number: digits, spaces and + ( ) . / -."),
    )


class StaffCustomerSchema(CustomerSchema):
    @validates_schema
    def email_or_phone(self, data: dict, **kwargs: Any) -> None:
        if not data.get("email") and not data.get("phone"):
            raise ValidationError("Give an email or a phone number.", "email")


class WebsiteCustomerSchema(CustomerSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))


class QuoteCreateSchema(EstimateRequestSchema):
    customer = fields.Nested(StaffCustomerSchema, required=True)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    follow_up_on = fields.Date(load_default=None, allow_none=True)
    valid_days = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=365),
        metadata={"description": "Days the quote stays valid; defaults to QUOTEAPI_QUOTE_VALID_DAYS (30)."},
    )


class QuoteRequestSchema(EstimateRequestSchema):
    customer = fields.Nested(WebsiteCustomerSchema, required=True)
    consent = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error="Consent is required to store the quote."),
        metadata={"description": "Must be true: the customer agrees to be contacted about this quote."},
    )


class QuoteRequestAnswerSchema(Schema):
    number = fields.String()
    status = fields.String()


class ActivitySchema(Schema):
    at = fields.DateTime()
    by = fields.String(allow_none=True)
    kind = fields.String(metadata={"description": "created, note, status, revision, assignment or follow-up"})
    text = fields.String()


class QuoteSchema(EstimateSchema):
    number = fields.String(metadata={"example": "Q-2026-000001"})
    revision = fields.Integer()
    status = fields.String(validate=validate.OneOf(QUOTE_STATUSES))
    source = fields.String(validate=validate.OneOf(("website", "staff")))
    customer = fields.Nested(CustomerSchema)
    notes = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.DateTime()
    valid_until = fields.Date()
    follow_up_on = fields.Date(allow_none=True)
    assigned_to = fields.String(allow_none=True)
    activity = fields.List(fields.Nested(ActivitySchema))


class QuoteRevisionSchema(EstimateSchema):
    number = fields.String()
    revision = fields.Integer()
    valid_until = fields.Date()
    created_at = fields.DateTime()
    created_by = fields.String(allow_none=True)


class EligibilityStatusSchema(Schema):
    status = fields.Enum(EligibilityStatus, by_value=True)


class QuoteSummarySchema(Schema):
    number = fields.String()
    revision = fields.Integer()
    status = fields.String(validate=validate.OneOf(QUOTE_STATUSES))
    source = fields.String()
    clinic = fields.String()
    customer = fields.Nested(CustomerSchema)
    created_by = fields.String(allow_none=True)
    created_at = fields.DateTime()
    valid_until = fields.Date()
    follow_up_on = fields.Date(allow_none=True)
    assigned_to = fields.String(allow_none=True)
    currency = fields.String()
    total = DecimalString(places=2, money=True)
    eligibility = fields.Nested(EligibilityStatusSchema)


class QuotePageSchema(Schema):
    items = fields.List(fields.Nested(QuoteSummarySchema))
    next_cursor = fields.String(allow_none=True)


class QuoteListQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(QUOTE_STATUSES))
    clinic = fields.String(validate=validate.Length(min=1, max=64))
    follow_up_due = fields.Date(metadata={"description": "Open quotes to follow up on or before this date."})
    q = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "Part of the customer's name, email or phone."})
    created_from = fields.Date()
    created_to = fields.Date()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=200))


class QuotePatchSchema(Schema):
    status = fields.String(validate=validate.OneOf(("new", "draft", "sent", "accepted", "declined")))
    follow_up_on = fields.Date(allow_none=True)
    assigned_to = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))


class NoteSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class RevisionChangesSchema(EstimateRequestSchema):
    """Any estimate field to change; the others are kept from the current revision.

    Use it with ``partial=True``: only the fields sent are returned.
    """

    valid_days = fields.Integer(strict=True, load_default=None, allow_none=True, validate=validate.Range(min=1, max=365))

    @post_load(pass_original=True)
    def only_given(self, data: dict, original: Any, **kwargs: Any) -> dict:
        return {key: value for key, value in data.items() if key in original}


# --- Admin ---------------------------------------------------------------------


class PriceListVersionDocumentSchema(PriceListSchema):
    created_at = fields.DateTime()
    created_by = fields.String(allow_none=True)
    summary = fields.String()


class ItemListSchema(Schema):
    version = fields.Integer(metadata={"description": "The price-list version read."})
    items = fields.List(fields.Dict(), metadata={"description": "The items, as in the price-list document."})


class AuditQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(("price_list", "user", "quote")))
    since = fields.AwareDateTime(default_timezone=None, metadata={"description": "ISO 8601 with offset; entries at or after."})
    until = fields.AwareDateTime(default_timezone=None, metadata={"description": "ISO 8601 with offset; entries before."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=200))


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String(allow_none=True)
    kind = fields.String()
    action = fields.String()
    subject = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    next_cursor = fields.String(allow_none=True)


class UserCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._@-]{1,64}$", error="1-64 of A-Z, a-z, 0-9, '.', '_', '@' and '-'."))
    role = fields.String(required=True, validate=validate.OneOf(("sales", "admin")))


class UserSchema(Schema):
    name = fields.String()
    role = fields.String()
    active = fields.Boolean()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class NewUserSchema(UserSchema):
    token = fields.String(metadata={"description": "Shown once: only its hash is stored."})
