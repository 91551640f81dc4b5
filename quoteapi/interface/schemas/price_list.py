"""The price-list document of price-list.md, and its versions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_dump, pre_dump, validate, validates_schema

from ...adapters.phones import e164
from ...domain.price_list import iban as ibans
from ...domain.price_list.codec import benefit_value_text
from ...domain.price_list.rules import DEPOSIT_NEEDS_ACCOUNT
from ...domain.pricing.engine import MAX_SIZE_CM2
from ...domain.pricing.model import Benefit, BenefitType
from ...domain.text import LANGUAGES, N_
from ...services.price_items import Item
from ...services.price_lists import StoredDocument
from ..i18n import Message
from .fields import (
    CAMPAIGN_CODE, Code, Day, DecimalString, Flattened, Integer, MAX_FACTOR, MAX_MONEY, Money, Name, Percent,
    StrictBoolean, Text, Trimmed,
)
from .fields import Email


class NameTranslationSchema(Schema):
    name = Name()


class ClinicTranslationSchema(NameTranslationSchema):
    city = Name()


class TranslationsField(fields.Dict):
    """An item's names in other languages: ``{"en": {"name": "Full face"}}`` (document version 2)."""

    def __init__(self, schema: type[Schema] = NameTranslationSchema, **kwargs) -> None:
        kwargs.setdefault("load_default", dict)
        kwargs.setdefault(
            "metadata", {"description": "Names in the other languages, by language; a missing one falls back to `name`."}
        )
        super().__init__(keys=Text(validate=validate.OneOf(LANGUAGES)), values=fields.Nested(schema), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, tuple):  # the model's form
            value = {language: dict(names) for language, names in value}
        return super()._serialize(value, attr, obj, **kwargs)


class ItemSchema(Schema):
    """An item of the document; an answer leaves out what a version-1 item would not have."""

    OPTIONAL = ("translations", "max_uses", "address", "phone", "email", "bank_account")

    @post_dump
    def leave_out_defaults(self, data, **kwargs):
        for name in self.OPTIONAL:
            if name in data and not data[name]:
                del data[name]
        return data


# --- Document version 3: a clinic's phone in E.164, its bank account ----------------------------------


class ClinicPhone(Trimmed):
    """A phone number as people write it (Turkish numbers without +90 too), stored in E.164: ``+902121234567``."""

    default_error_messages = {
        "phone": N_("A phone number such as +90 212 123 45 67 (it is stored as +902121234567)."),
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            return None
        number = e164(text) if len(text) <= 40 and text.isascii() else None
        if number is None:
            raise self.make_error("phone")
        return number


class Iban(Trimmed):
    """An IBAN, read with spaces and in lower case, stored compact (``TR330006100519786457841326``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).update(
            description="Checked (the country's length and form, the mod-97 check digits); stored without spaces.",
            example="TR330006100519786457841326",
        )
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = ibans.compact(super()._deserialize(value, attr, data, **kwargs))
        found = ibans.problem(text)
        if found is not None:
            raise ValidationError(found.msgid)
        return text


class WholeNested(fields.Nested):
    """A nested object that is always given whole, also in a PATCH (``partial`` stops here)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, partial: Any = None, **kwargs: Any) -> Any:
        return super()._deserialize(value, attr, data, partial=None, **kwargs)


class BankAccountSchema(Schema):
    holder = Name(required=True)
    bank = Name(required=True)
    iban = Iban(required=True)


class ClinicSchema(ItemSchema):
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
    prices_include_tax = StrictBoolean(required=True)
    address = Trimmed(load_default=None, allow_none=True, validate=validate.Length(max=300),
                      metadata={"description": "Shown to website visitors (optional)."})
    phone = ClinicPhone(load_default=None, allow_none=True, metadata={
        "description": "E.164, e.g. `+902121234567` (optional); written as people write it (`0212 123 45 67`, "
                       "`+90 212 123 45 67`), it is stored in E.164. Shown on the documents, e-mails and pages."})
    # Document version 3: the clinic's e-mail, its deposit and the account the deposit is paid to.
    email = Email(load_default=None, allow_none=True, validate=validate.Length(max=254), metadata={
        "description": "Shown on the documents, the e-mails and the customer's page (optional)."})
    deposit_percent = Percent(load_default=Decimal(0), metadata={
        "description": "The deposit asked to book the first session, as a percentage of the quote's total "
                       "(default `\"0\"`: none). Above 0 it needs `bank_account`.", "example": "20"})
    bank_account = WholeNested(BankAccountSchema, load_default=None, allow_none=True, metadata={
        "description": "Where the deposit is paid (optional); a PATCH gives it whole (holder, bank and iban)."})
    translations = TranslationsField(ClinicTranslationSchema)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def deposit_needs_account(self, data: dict, original: Any, partial: Any = None, **kwargs: Any) -> None:
        """A whole clinic asking a deposit names an account (a PATCH's part of one: the list's rules, once merged).

        Checked beside the fields' own problems, so that a 422 names every bad field at once;
        an account that was given but is not valid has its own problems, not this one.
        """
        if partial or not data.get("deposit_percent") or not isinstance(original, dict):
            return
        if original.get("bank_account") is None:
            raise ValidationError(DEPOSIT_NEEDS_ACCOUNT.msgid, "bank_account")

    @post_dump
    def leave_out_no_deposit(self, data, **kwargs):
        """``deposit_percent`` only when a deposit is asked, as the document's plain form has it."""
        if "deposit_percent" in data and (data["deposit_percent"] is None or not Decimal(data["deposit_percent"])):
            del data["deposit_percent"]
        return data


class AreaSchema(ItemSchema):
    code = Code(required=True)
    name = Name(required=True)
    size_cm2 = Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=MAX_SIZE_CM2)
    )
    price = Money(required=True)
    extra_cm2_price = Money(required=True)
    translations = TranslationsField()


class ProductSchema(ItemSchema):
    code = Code(required=True)
    name = Name(required=True)
    price = Money(required=True)
    translations = TranslationsField()


class SpecialistLevelSchema(ItemSchema):
    code = Code(required=True)
    name = Name(required=True)
    multiplier = DecimalString(
        places=4, required=True, validate=validate.Range(min=1, max=MAX_FACTOR)
    )
    translations = TranslationsField()


class SessionTierSchema(Schema):
    min_sessions = Integer(strict=True, required=True, validate=validate.Range(min=2, max=24))
    discount_percent = Percent(required=True)


class BenefitValue(DecimalString):
    """A benefit's value, written as the document writes it (money, whole sessions, a percentage)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None or obj is None:  # obj is None when apispec writes the range
            return super()._serialize(value, attr, obj, **kwargs)
        if isinstance(obj, dict):  # a loaded document rather than the model
            obj = Benefit(BenefitType(obj["type"]), Decimal(obj["value"]))
        return benefit_value_text(obj)


class BenefitSchema(Schema):
    type = fields.Enum(BenefitType, by_value=True, required=True)
    value = BenefitValue(
        places=2,
        required=True,
        validate=validate.Range(min=0, max=MAX_MONEY, max_inclusive=False),
        metadata={"description": "A percentage (percent), a money amount (fixed) or a whole number of sessions (free_sessions)."},
    )


class CampaignSchema(ItemSchema):
    code = Text(
        required=True,
        validate=validate.Regexp(CAMPAIGN_CODE, error=N_("Codes are 1-64 of A-Z, a-z, 0-9, - and _.")),
    )
    name = Name(required=True)
    starts_on = Day(required=True)
    ends_on = Day(required=True)
    clinics = fields.List(Text(), load_default=list)
    min_sessions = Integer(strict=True, load_default=1, validate=validate.Range(min=1, max=24))
    required_areas = fields.List(Text(), load_default=list)
    coupon = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    stackable = StrictBoolean(load_default=False)
    priority = Integer(strict=True, load_default=0, validate=validate.Range(min=-1_000_000, max=1_000_000))
    benefit = fields.Nested(BenefitSchema, required=True)
    max_uses = Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.Range(min=1, max=1_000_000_000),
        metadata={"description": "How many accepted quotes may carry it; null for no limit."},
    )
    translations = TranslationsField()


# --- Skin concerns (document version 3) ------------------------------------------------------


class CourseRangeSchema(Schema):
    """The course the clinics suggest at one severity: `1 <= sessions_min <= recommended <= sessions_max <= 24`."""

    sessions_min = Integer(strict=True, required=True, validate=validate.Range(min=1, max=24))
    sessions_max = Integer(strict=True, required=True, validate=validate.Range(min=1, max=24))
    recommended = Integer(strict=True, required=True, validate=validate.Range(min=1, max=24))


class SeveritiesSchema(Schema):
    """All three severities are required."""

    mild = fields.Nested(CourseRangeSchema, required=True)
    moderate = fields.Nested(CourseRangeSchema, required=True)
    pronounced = fields.Nested(CourseRangeSchema, required=True)


class ConcernSchema(ItemSchema):
    """A skin concern the estimator asks about, with the course suggested at each severity."""

    code = Code(required=True)
    name = Name(required=True)
    products = fields.List(Code(), load_default=list, validate=validate.Length(max=50), metadata={
        "description": "Products suggested with it (codes of `products`), shown preselected."})
    maintenance_per_year = Integer(strict=True, load_default=1, validate=validate.Range(min=0, max=4), metadata={
        "description": "Maintenance sessions a year after the course."})
    severities = fields.Nested(SeveritiesSchema, required=True)
    translations = TranslationsField()


class StoredDocumentAnswer(Schema):
    """An answer that carries a stored version's document (``services.price_lists.StoredDocument``).

    The document is answered in its stored plain form, as it is: the codec's
    (``domain/price_list/codec.py``), which equals :class:`PriceListSchema`'s
    dump (tests/api/test_serialisers.py). The version's own fields (its number,
    when, by whom, its state, a write's warnings) are dumped by this schema,
    :attr:`BEFORE` the document and :attr:`AFTER` it. Anything else (a domain
    price list, a dict, options) is dumped by marshmallow alone.
    """

    BEFORE: tuple[str, ...] = ("version",)
    AFTER: tuple[str, ...] = ()

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        if type(obj) is not StoredDocument or many or self.many or self.only or self.exclude:
            return super().dump(obj, many=many)
        before, after = _version_fields(type(self))
        answer = {**before.dump(obj.info), **obj.document}
        if after is not None:
            answer.update(after.dump(obj.info))
        return answer


@cache
def _version_fields(schema: type[StoredDocumentAnswer]) -> tuple[Schema, Schema | None]:
    """The schema's fields that are the version's, not its document's: those before it, those after it."""
    return schema(only=schema.BEFORE), schema(only=schema.AFTER) if schema.AFTER else None


# The schema of each list of the document, by its kind's URL (``services.price_items.KINDS``):
# the API's per-item endpoints and the console's price tables parse items with it.
ITEM_SCHEMAS: dict[str, type[ItemSchema]] = {
    "clinics": ClinicSchema,
    "areas": AreaSchema,
    "products": ProductSchema,
    "specialist-levels": SpecialistLevelSchema,
    "campaigns": CampaignSchema,
    "concerns": ConcernSchema,
}


class PriceListSchema(StoredDocumentAnswer):
    """The whole price list, as in ``price-list.md``."""

    version = Integer(
        allow_none=True,
        metadata={"description": "The version number; ignored when sent (If-Match guards a change)."},
    )
    language = Text(
        load_default="tr", validate=validate.OneOf(LANGUAGES),
        metadata={"description": "The language of every `name` (document version 2)."},
    )
    currency = Text(
        required=True,
        validate=validate.Regexp(r"^[A-Z]{3}$", error=N_("An ISO 4217 code such as TRY.")),
    )
    combination_discount_percent = Percent(required=True)
    max_manual_discount_percent = Percent(
        load_default="10",
        metadata={"description": "The largest manual discount sales may give without an admin's approval."},
    )
    session_interval_days = Integer(
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
    concerns = fields.List(fields.Nested(ConcernSchema), load_default=list, metadata={
        "description": "The skin concerns the estimator asks about (document version 3)."})


VERSION_STATES = ("current", "scheduled", "superseded", "cancelled")


class PriceListVersionSchema(Schema):
    """When a version was stored, by whom, what changed, when it takes effect and its state now."""

    version = Integer(required=True)
    created_at = fields.DateTime(required=True)
    created_by = Text(allow_none=True)
    summary = Text()
    effective_from = fields.DateTime(metadata={"description": "When it takes (or took) effect."})
    state = Text(validate=validate.OneOf(VERSION_STATES))
    cancelled_at = fields.DateTime(allow_none=True)
    cancelled_by = Text(allow_none=True)
    base_version = Integer(allow_none=True, metadata={
        "description": "The version it was laid on (for a scheduled version: the list just before it takes effect)."
    })


class PriceListVersionDocumentSchema(PriceListSchema):
    """A version's record (as the versions list has it), then its document."""

    BEFORE = ("version", "created_at", "created_by", "summary", "effective_from", "state", "cancelled_at",
              "cancelled_by", "base_version")

    created_at = fields.DateTime()
    created_by = Text(allow_none=True)
    summary = Text()
    effective_from = fields.DateTime()
    state = Text(validate=validate.OneOf(VERSION_STATES))
    cancelled_at = fields.DateTime(allow_none=True)
    cancelled_by = Text(allow_none=True)
    base_version = Integer(allow_none=True)




# --- Writes: scheduling, dry runs, warnings ------------------------------------------------------


class WriteQuerySchema(Schema):
    """The query of every price-list write (whole list or one item)."""

    dry_run = fields.Boolean(
        load_default=False,
        metadata={"description": "`true`: check the change and answer what it would do (200, a DryRun); store nothing."},
    )
    effective_from = fields.AwareDateTime(
        load_default=None, format="iso", default_timezone=None,
        validate=validate.Range(min=datetime(2000, 1, 1, tzinfo=UTC), max=datetime(9000, 1, 1, tzinfo=UTC)),
        metadata={"description": "Schedule the change: a future timestamp with its offset "
                                 "(`2027-01-01T00:00:00+03:00`). Without it the change takes effect at once."},
    )


class WarningSchema(Schema):
    code = Text(metadata={"description": "Stable, e.g. `campaign-makes-longer-course-cheaper`."})
    path = Text(metadata={"description": "Where in the document, e.g. `campaigns.4`."})
    message = Message()


class PriceListWriteSchema(PriceListSchema):
    """The stored document with its version, its state (`current` or `scheduled`) and the write's warnings."""

    AFTER = ("effective_from", "state", "warnings")

    effective_from = fields.DateTime(metadata={"description": "When it takes (or took) effect."})
    state = Text(validate=validate.OneOf(("current", "scheduled")))
    warnings = fields.List(fields.Nested(WarningSchema), metadata={
        "description": "What the list does that is allowed but worth a second look; the change was stored all the same."
    })


class ChangeSchema(Schema):
    path = Text()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)

    @pre_dump
    def from_triple(self, change: Any, **kwargs: Any) -> Any:
        """A plan's change is a triple (path, before, after)."""
        if isinstance(change, tuple):
            path, before, after = change
            return {"path": path, "before": before, "after": after}
        return change


class QuoteChangeSchema(Schema):
    number = Text()
    clinic = Text()
    total_before = DecimalString(places=2)
    total_after = DecimalString(places=2)
    difference = DecimalString(places=2, signed=True)


class UnpricedSchema(Schema):
    number = Text()
    reason = Message()


class AreaPriceSchema(Schema):
    clinic = Text()
    area = Text()
    before = DecimalString(places=2, allow_none=True)
    after = DecimalString(places=2, allow_none=True)
    changed = fields.Boolean()


# The impact's figures are money the engine rounded to the cent: written with their two decimals.
class ImpactSchema(Schema):
    open_quotes = Integer(metadata={"description": "Open quotes (new, draft or sent, not expired) repriced."})
    dearer = Integer()
    cheaper = Integer()
    unchanged = Integer()
    difference_total = DecimalString(places=2, signed=True, metadata={"description": "The sum of (revised total - total now)."})
    largest_changes = fields.List(fields.Nested(QuoteChangeSchema), metadata={"description": "The 20 largest, by size."})
    unpriced_count = Integer(metadata={"description": "Open quotes the new list cannot price (a revision would be refused)."})
    unpriced = fields.List(fields.Nested(UnpricedSchema), metadata={"description": "The first 20 of them, with why."})
    catalog = fields.List(fields.Nested(AreaPriceSchema), metadata={
        "description": "Each area's one-session price at each clinic (price × the clinic's factor), before and after."
    })


class DryRunSchema(Schema):
    """What a write would do (`?dry_run=true`); nothing was stored."""

    dry_run = fields.Boolean(dump_default=True)
    valid = fields.Boolean(metadata={"description": "Whether the change would be accepted."})
    errors = fields.Dict(keys=Text(), values=fields.List(Message()), metadata={
        "description": "Every problem, by field path, as a 422 (or a 409 for a clash with a scheduled version) would list them."
    })
    warnings = fields.List(fields.Nested(WarningSchema))
    summary = Text(metadata={"description": "The change in one line, as the versions list would show it."})
    changes = fields.List(fields.Nested(ChangeSchema))
    version = Integer(allow_none=True, metadata={"description": "The number the version would get (null: nothing would change)."})
    effective_from = fields.DateTime(allow_none=True)
    state = Text(validate=validate.OneOf(("current", "scheduled")))
    impact = fields.Nested(ImpactSchema, allow_none=True, metadata={"description": "Null when the change is not valid."})

    @pre_dump
    def with_plan(self, dry_run: Any, **kwargs: Any) -> Any:
        """A use case's ``DryRun``: its plan's fields beside its impact."""
        return Flattened(dry_run, "plan") if hasattr(dry_run, "plan") else dry_run


class ItemAnswer(Schema):
    """An item as the per-item endpoints answer it (``services.price_items.Item``).

    The item as stored, in the document's plain form, which is what the item's
    schema dumps (tests/api/test_serialisers.py); then what the answer adds,
    dumped by this schema: a campaign's ``uses``, a write's ``warnings`` and,
    for a scheduled write, ``state``. Anything else is dumped by marshmallow alone.
    """

    ADDED = ("uses", "warnings", "state")

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        if type(obj) is not Item or many or self.many or self.only or self.exclude:
            return super().dump(obj, many=many)
        added: dict[str, Any] = {}
        if obj.uses is not None:
            added["uses"] = obj.uses
        if obj.warnings:
            added["warnings"] = obj.warnings
        if obj.state == "scheduled":
            added["state"] = obj.state
        return {**obj.data, **_added_fields(type(self)).dump(added)} if added else dict(obj.data)


@cache
def _added_fields(schema: type[ItemAnswer]) -> Schema:
    return schema(only=[name for name in schema.ADDED if name in schema._declared_fields])


def item_answer_schema(schema: type[Schema]) -> type[Schema]:
    """An item as the per-item endpoints answer it (:class:`ItemAnswer`): the document's item, plus (for a
    campaign) its ``uses``, and after a write its ``warnings`` and, for a scheduled one, ``state``."""
    extra: dict = {
        "warnings": fields.List(fields.Nested(WarningSchema), dump_only=True, metadata={
            "description": "After a write: what the list does that is allowed but worth a second look."}),
        "state": Text(dump_only=True, validate=validate.OneOf(("scheduled",)), metadata={
            "description": "`scheduled` after a write with effective_from: the item as the scheduled version has it."}),
    }
    if schema is CampaignSchema:
        extra["uses"] = Integer(dump_only=True, metadata={
            "description": "Accepted quotes carrying it so far (not part of the document)."})
    name = schema.__name__.removesuffix("Schema") + "AnswerSchema"
    return type(name, (ItemAnswer, schema), extra)
