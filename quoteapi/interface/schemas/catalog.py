"""The clinics and one clinic's catalogue, as the website form reads them."""

from __future__ import annotations

from marshmallow import Schema, fields, post_dump, validate

from ..i18n import Sentence
from .fields import DecimalString, Integer, Text
from .price_list import BenefitSchema, SessionTierSchema, SeveritiesSchema


class ClinicSummarySchema(Schema):
    code = Text()
    name = Sentence(metadata={"description": "In the answer's language."})
    city = Sentence()
    tax_rate = DecimalString(places=4)
    prices_include_tax = fields.Boolean()
    address = Text(metadata={"description": "Only when the price list gives one."})
    phone = Text(metadata={"description": "Only when the price list gives one."})

    @post_dump
    def leave_out_missing_contacts(self, data, **kwargs):
        for name in ("address", "phone"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class CatalogQuerySchema(Schema):
    clinic = Text(required=True, validate=validate.Length(min=1, max=64))


class CatalogAreaSchema(Schema):
    code = Text()
    name = Sentence()
    size_cm2 = Integer()
    price = DecimalString(places=2, money=True, metadata={"description": "One session at the reference size, at this clinic."})
    extra_cm2_price = DecimalString(places=2, money=True, metadata={"description": "Per cm2 beyond the reference size, at this clinic, rounded for display."})
    size_priced = fields.Boolean(metadata={"description": "Whether a measured size changes the price."})


class CatalogProductSchema(Schema):
    code = Text()
    name = Sentence()
    price = DecimalString(places=2, money=True)


class CatalogLevelSchema(Schema):
    code = Text()
    name = Sentence()
    multiplier = DecimalString(places=4)


class CatalogCampaignSchema(Schema):
    code = Text()
    name = Sentence()
    starts_on = fields.Date()
    ends_on = fields.Date()
    clinics = fields.List(Text())
    min_sessions = Integer()
    required_areas = fields.List(Text())
    stackable = fields.Boolean()
    priority = Integer()
    requires_coupon = fields.Boolean()
    benefit = fields.Nested(BenefitSchema)


class CatalogConcernSchema(Schema):
    """A skin concern the estimator asks about (document version 3)."""

    code = Text()
    name = Sentence()
    products = fields.List(Text(), metadata={"description": "Products suggested with it."})
    maintenance_per_year = Integer()
    severities = fields.Nested(SeveritiesSchema, metadata={"description": "The course suggested at each severity."})


class CatalogSchema(Schema):
    clinic = Text(attribute="clinic.code", metadata={"description": "The clinic's code."})
    clinic_name = Sentence(attribute="clinic.name")
    city = Sentence(attribute="clinic.city")
    tax_rate = DecimalString(places=4, attribute="clinic.tax_rate")
    prices_include_tax = fields.Boolean(attribute="clinic.prices_include_tax")
    currency = Text()
    price_list_version = Integer()
    session_interval_days = Integer()
    combination_discount_percent = DecimalString(places=2)
    areas = fields.List(fields.Nested(CatalogAreaSchema))
    products = fields.List(fields.Nested(CatalogProductSchema))
    specialist_levels = fields.List(fields.Nested(CatalogLevelSchema))
    session_tiers = fields.List(fields.Nested(SessionTierSchema))
    campaigns = fields.List(fields.Nested(CatalogCampaignSchema))
    concerns = fields.List(fields.Nested(CatalogConcernSchema), metadata={
        "description": "The skin concerns the estimator asks about, with their names and severities."})


