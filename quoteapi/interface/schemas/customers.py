"""Personal data: whom an export or an erasure is about, everything stored about them, what an erasure did."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_dump, validate, validates_schema

from ...domain.personal_data import phone_digits
from ...domain.text import N_
from ..i18n import Sentence
from .estimates import ClientAnswersSchema
from .fields import Email, Flattened, Integer, Text
from .quotes import PHONE, QuoteRevisionSchema, QuoteSchema


class _Identifier(Schema):
    """One e-mail address or one phone number, not both."""

    email = Email(validate=validate.Length(max=254), metadata={"description": "Compared trimmed, without regard to case (`İ` and `I` are `i`)."})
    phone = Text(
        validate=validate.Regexp(PHONE, error=N_("A phone number: digits, spaces and + ( ) . / -.")),
        metadata={"description": "Compared as one number however written: `+90 (532) 765-43-21`, "
                                 "`0090 532 765 43 21` and `0532 765 43 21` are one."},
    )

    @validates_schema
    def one_identifier(self, data: dict, **kwargs: Any) -> None:
        if ("email" in data) == ("phone" in data):
            raise ValidationError(N_("Give an email or a phone number, not both."), "_schema")
        if "phone" in data and len(phone_digits(data["phone"])) < 5:
            raise ValidationError(N_("At least 5 digits."), "phone")


class CustomerQuerySchema(_Identifier):
    """Whose data to export: `?email=` or `?phone=`."""


class ErasureRequestSchema(_Identifier):
    """Whose data to erase: `{"email": ...}` or `{"phone": ...}`."""


class PersonSchema(Schema):
    email = Text(allow_none=True)
    phone = Text(allow_none=True)


class InputAreaSchema(Schema):
    code = Text()
    size_cm2 = fields.Float(allow_none=True, metadata={"description": "The measured size; null: the reference size."})


class InputsSchema(Schema):
    """What a revision was priced from, as the estimate request gave it (the client's health answers included)."""

    clinic = Text()
    areas = fields.List(fields.Nested(InputAreaSchema))
    products = fields.List(Text())
    specialist_level = Text()
    sessions = Integer()
    start_date = fields.Date(allow_none=True)
    coupon = Text(allow_none=True)
    client = fields.Nested(ClientAnswersSchema, allow_none=True, metadata={"description": "null: not answered, or erased."})


class CustomerRevisionSchema(QuoteRevisionSchema):
    """A revision exactly as priced, with the inputs it was priced from."""

    inputs = fields.Nested(InputsSchema)


class CustomerLinkSchema(Schema):
    """A customer's link given out to the quote (the token itself is never stored)."""

    channel = Text(metadata={"description": "How it was given: `email`, `whatsapp` or `link`."})
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True, metadata={"description": "When it stopped working by revocation or erasure."})


class CustomerMessageSchema(Schema):
    """A message of the outbox to the person about the quote: the quote's e-mail (notices to staff are not theirs)."""

    kind = Text(metadata={"description": "`quote`: the quote's e-mail."})
    state = Text(metadata={"description": "`pending`, `sending`, `sent`, `failed` or `dropped` (erased before it left)."})
    recipient = Text(allow_none=True, metadata={"description": "null once the person's data is erased."})
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    attempts = Integer()


class CustomerDocumentSchema(Schema):
    """The quote's PDF as it was sent to the person (stored, attached to the e-mail; deleted by an erasure)."""

    revision = Integer()
    language = Text()
    html_sha256 = Text(metadata={"description": "SHA-256 of the HTML the PDF was made from."})
    size = Integer(metadata={"description": "The PDF's size in bytes."})
    created_at = fields.DateTime()


class CustomerQuoteSchema(QuoteSchema):
    """One of the person's quotes: as the desk reads it, with every revision and its inputs."""

    revisions = fields.List(fields.Nested(CustomerRevisionSchema))
    erased_at = fields.DateTime(allow_none=True, metadata={"description": "When its personal data was erased."})
    links = fields.List(fields.Nested(CustomerLinkSchema), metadata={"description": "The links given out to it."})
    messages = fields.List(fields.Nested(CustomerMessageSchema), metadata={"description": "The e-mail sent to the person about it."})
    documents = fields.List(fields.Nested(CustomerDocumentSchema), metadata={"description": "Its PDFs as sent to the person."})

    @pre_dump
    def with_estimate(self, customer_quote: Any, **kwargs: Any) -> Flattened:
        return Flattened(Flattened(customer_quote, "quote"), "estimate")


class CustomerDataSchema(Schema):
    """Everything stored about one person."""

    person = fields.Nested(PersonSchema, metadata={"description": "Whom the export is about, as asked."})
    quotes = fields.List(fields.Nested(CustomerQuoteSchema))


class ErasureSchema(Schema):
    quotes_changed = Integer(metadata={"description": "0 when nobody matched, or when erasing again."})
    numbers = fields.List(Text(), metadata={"description": "The quotes whose personal data was erased."})
    detail = Sentence()
