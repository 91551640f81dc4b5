"""What the estimator sends to be priced, and the estimate it gets."""

from __future__ import annotations

from typing import Any, Mapping

from marshmallow import Schema, ValidationError, fields, post_dump, validate, validates_schema

from ...domain.pricing.engine import MAX_SIZE_CM2
from ...domain.pricing.model import (
    SEVERITIES, AreaRequest, ClientAnswers, ConcernRequest, CouponStatus, EligibilityStatus, EstimateRequest, LineKind,
    ManualDiscount,
)
from ...domain.pricing.suggestion import MAX_CONCERNS
from ...domain.text import N_
from ..i18n import Sentence
from .compiled import CompiledLoad
from .fields import AsciiDecimal, Day, DecimalString, Integer, Money, Percent, StrictBoolean, Text, Trimmed

MAX_REASON_LENGTH = 500
# What marshmallow says of a required field left out: sessions, when no concerns are given.
SESSIONS_MISSING = "Missing data for required field."



class AreaChoiceSchema(Schema):
    code = Text(required=True, validate=validate.Length(min=1, max=64))
    size_cm2 = AsciiDecimal(
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
    age = Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(min=0, max=150))
    pregnant = StrictBoolean(allow_none=True, load_default=None)
    active_skin_infection = StrictBoolean(allow_none=True, load_default=None)
    open_wounds = StrictBoolean(allow_none=True, load_default=None)
    serious_skin_condition = StrictBoolean(allow_none=True, load_default=None)


class ManualDiscountSchema(Schema):
    """Pricing step 8b: exactly one of `percent` and `amount`, with the reason (stored quotes only)."""

    percent = Percent(metadata={"description": "Of what is left after the campaigns (0-100, at most 2 decimals)."})
    amount = Money(metadata={"description": "Off what is left after the campaigns; capped so that the net stays >= 0."})
    reason = Trimmed(required=True, validate=validate.Length(min=1, max=MAX_REASON_LENGTH))

    @validates_schema
    def one_of(self, data: dict, **kwargs: Any) -> None:
        if ("percent" in data) == ("amount" in data):
            raise ValidationError(N_("Give either percent or amount."), "_schema")

    @post_dump
    def the_one_given(self, data: dict, **kwargs: Any) -> dict:
        return {key: value for key, value in data.items() if value is not None}


def require_sessions(loaded: dict, data: Any = None) -> dict:
    """A whole body loaded: ``sessions`` is required unless ``concerns`` is given (marshmallow's own message)."""
    if loaded.get("sessions") is None and not loaded.get("concerns"):
        raise ValidationError({"sessions": [SESSIONS_MISSING]}, data=data, valid_data=loaded)
    return loaded


class ConcernChoiceSchema(Schema):
    """A skin concern the customer wants to improve (a code of the catalogue's `concerns`) and how marked it is."""

    code = Text(required=True, validate=validate.Length(min=1, max=64))
    severity = Text(required=True, validate=validate.OneOf(SEVERITIES))


class EstimateRequestSchema(CompiledLoad, Schema):
    # Loaded on every public request: compiled from these fields (see compiled.py).

    clinic = Text(required=True, validate=validate.Length(min=1, max=64))
    areas = fields.List(
        fields.Nested(AreaChoiceSchema), required=True,
        validate=[validate.Length(min=1, error=N_("Choose at least one area.")), validate.Length(max=50)],
    )
    products = fields.List(
        Text(validate=validate.Length(min=1, max=64)),
        load_default=list,
        validate=validate.Length(max=50),
    )
    specialist_level = Text(required=True, validate=validate.Length(min=1, max=64))
    # 1-24 is checked by the engine, so that it is reported with unknown codes; so is a missing
    # number without concerns (then it is the suggestion's recommended number).
    sessions = Integer(strict=True, metadata={
        "minimum": 1, "maximum": 24,
        "description": "Required unless `concerns` is given: then, when left out, the suggestion's `recommended`.",
    })
    start_date = Day(
        load_default=None, allow_none=True,
        metadata={"description": "Defaults to today (the server's local date); today up to 365 days ahead."},
    )
    coupon = Text(load_default=None, allow_none=True, validate=validate.Length(max=64))
    client = fields.Nested(ClientAnswersSchema, load_default=None, allow_none=True)
    concerns = fields.List(
        fields.Nested(ConcernChoiceSchema), load_default=list, validate=validate.Length(max=MAX_CONCERNS),
        metadata={"description": "Up to 3 skin concerns: the answer then has a `suggestion` (api.md revision 3)."},
    )

    def load(self, data: Any, *, many: bool | None = None, partial: Any = None, unknown: str | None = None) -> Any:
        """The schema's load, with ``sessions`` required unless ``concerns`` is given.

        Not a ``validates_schema`` hook, which would keep the compiled load from
        ever running (compiled.py): a body without sessions and concerns is
        answered as when ``sessions`` was simply required, every other problem with it.
        """
        whole = not (many or self.many or partial or self.partial)
        try:
            loaded = super().load(data, many=many, partial=partial, unknown=unknown)
        except ValidationError as exc:
            if whole and type(data) is dict and "sessions" not in data and not data.get("concerns") \
                    and isinstance(exc.messages, dict) and "sessions" not in exc.messages:
                raise ValidationError(self._with_sessions_missing(exc.messages), data=exc.data,
                                      valid_data=exc.valid_data) from None
            raise
        return require_sessions(loaded, data) if whole else loaded

    def _with_sessions_missing(self, messages: dict) -> dict:
        """``messages`` and the missing ``sessions``, in the order marshmallow names fields (as declared)."""
        order = {name: i for i, name in enumerate(self.load_fields)}
        merged = {**messages, "sessions": [SESSIONS_MISSING]}
        return dict(sorted(merged.items(), key=lambda item: order.get(item[0], len(order))))


class LineSchema(Schema):
    kind = fields.Enum(LineKind, by_value=True)
    code = Text(allow_none=True)
    description = Sentence()
    quantity = Integer()
    unit_price = DecimalString(places=2, money=True, signed=True, metadata={"description": "Negative on a discount line."})
    amount = DecimalString(places=2, money=True, signed=True, metadata={"description": "Negative on a discount line."})
    basis = Sentence(metadata={"description": "How the figures came about, e.g. `(5500.00 + 300 cm² × 2.50) × 1.20`."})


class EligibilitySchema(Schema):
    status = fields.Enum(EligibilityStatus, by_value=True)
    reasons = fields.List(Sentence())


class OfferSchema(Schema):
    """One candidate of pricing step 8: the stacked campaigns, or one campaign alone."""

    campaigns = fields.List(Text())
    discount = DecimalString(places=2, money=True)
    chosen = fields.Boolean()


class CouponSchema(Schema):
    """What became of the coupon the estimate gave."""

    code = Text(metadata={"description": "As given."})
    status = fields.Enum(CouponStatus, by_value=True)
    reason = Sentence()


class HintSchema(Schema):
    """A longer course that costs at least 1 % less per session."""

    sessions = Integer()
    total = DecimalString(places=2, money=True)
    per_session = DecimalString(places=2, money=True)
    text = Sentence()


class SuggestedConcernSchema(Schema):
    code = Text()
    severity = Text(validate=validate.OneOf(SEVERITIES))
    name = Sentence(metadata={"description": "In the answer's language."})


class SuggestionSchema(Schema):
    """The course suggested for the skin concerns given; the specialist decides after a skin analysis."""

    concerns = fields.List(fields.Nested(SuggestedConcernSchema))
    sessions_min = Integer(metadata={"description": "The largest of the concerns'."})
    sessions_max = Integer(metadata={"description": "The largest of the concerns'."})
    recommended = Integer(metadata={"description": "The largest of the concerns'."})
    interval_days = Integer(metadata={"description": "Days between sessions (the price list's `session_interval_days`)."})
    products = fields.List(Text(), metadata={"description": "The concerns' products together, in price-list order."})
    maintenance_per_year = Integer()
    within = fields.Boolean(metadata={"description": "Whether the sessions priced are between sessions_min and sessions_max."})
    text = Sentence(metadata={"description": "The suggestion in words; says that the specialist decides after a skin analysis."})


class EstimateSchema(Schema):
    clinic = Text()
    currency = Text()
    price_list_version = Integer()
    start_date = fields.Date()
    sessions = Integer()
    lines = fields.List(fields.Nested(LineSchema))
    subtotal = DecimalString(places=2, money=True)
    discount_total = DecimalString(places=2, money=True)
    net = DecimalString(places=2, money=True)
    tax_rate = DecimalString(places=4)
    tax_total = DecimalString(places=2, money=True)
    total = DecimalString(places=2, money=True)
    per_session = DecimalString(places=2, money=True)
    applied_campaigns = fields.List(Text())
    eligibility = fields.Nested(EligibilitySchema)
    schedule = fields.List(fields.Date())
    advice = fields.List(Sentence())
    offers = fields.List(fields.Nested(OfferSchema))
    coupon = fields.Nested(CouponSchema, allow_none=True, metadata={"description": "null when no coupon was given."})
    hints = fields.List(fields.Nested(HintSchema))
    suggestion = fields.Nested(SuggestionSchema, allow_none=True, metadata={
        "description": "The course suggested for `concerns`; null without concerns."})




def request_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The estimate fields of a loaded body, as :class:`EstimateRequest` takes them (only those given)."""
    out: dict[str, Any] = {}
    for name in ("clinic", "specialist_level", "sessions", "start_date"):
        if name in data:
            out[name] = data[name]
    if "areas" in data:
        out["areas"] = tuple(AreaRequest(a["code"], a.get("size_cm2")) for a in data["areas"])
    if "products" in data:
        out["products"] = tuple(data["products"] or ())
    if "coupon" in data:
        out["coupon"] = data["coupon"] or None
    if "client" in data:
        out["client"] = None if data["client"] is None else ClientAnswers(**data["client"])
    if "concerns" in data:
        out["concerns"] = tuple(ConcernRequest(c["code"], c["severity"]) for c in data["concerns"] or ())
        if "sessions" not in data and out["concerns"]:  # a revision changing the concerns only: their recommended number
            out["sessions"] = None
    if "manual_discount" in data:
        manual = data["manual_discount"]
        out["manual_discount"] = None if manual is None else ManualDiscount(
            reason=manual["reason"], percent=manual.get("percent"), amount=manual.get("amount"),
        )
    return out


def estimate_request(data: Mapping[str, Any]) -> EstimateRequest:
    """The engine's request from a body loaded by :class:`EstimateRequestSchema`."""
    return EstimateRequest(**{"sessions": None, **request_fields(data)})  # sessions left out with concerns
