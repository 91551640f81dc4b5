"""The admins' items, audit log and users."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_dump, pre_load, validate

from ...domain.text import N_
from ...services.audit import KINDS
from ...services.users import ROLES, USER_LANGUAGES
from .fields import Email, Flattened, Integer, Text, Trimmed


class ItemListSchema(Schema):
    version = Integer(metadata={"description": "The price-list version read."})
    items = fields.List(fields.Dict(), metadata={"description": "The items, as in the price-list document."})

    @pre_dump
    def with_uses(self, found: Any, **kwargs: Any) -> Any:
        """A list of ``services.price_items.ItemList``: each campaign with its ``uses`` (accepted quotes so far)."""
        uses = getattr(found, "uses", None)
        if uses is None:
            return found
        return {"version": found.version, "items": [{**item, "uses": uses[item["code"]]} for item in found.items]}


class AuditQuerySchema(Schema):
    kind = Text(validate=validate.OneOf(KINDS))
    since = fields.AwareDateTime(default_timezone=None, metadata={"description": "ISO 8601 with offset; entries at or after."})
    until = fields.AwareDateTime(default_timezone=None, metadata={"description": "ISO 8601 with offset; entries before."})
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = Text(validate=validate.Length(max=200))


class AuditEntrySchema(Schema):
    id = Integer()
    at = fields.DateTime()
    actor = Text(allow_none=True)
    kind = Text()
    action = Text()
    subject = Text()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    next_cursor = Text(allow_none=True)


class UserDetailsSchema(Schema):
    """A user's optional full name, e-mail and language (the API's PATCH, the CLI's ``users set``, the console's form):
    null or blank clears one; a field left out is kept."""

    full_name = Trimmed(
        allow_none=True, validate=validate.Length(max=200),
        metadata={"description": "Shown to customers as the person who prepared a quote."},
    )
    email = Email(
        allow_none=True, validate=validate.Length(max=254),
        metadata={"description": "Where their notices go; the Reply-To of the quotes they send."},
    )
    language = Text(
        allow_none=True, validate=validate.OneOf(USER_LANGUAGES),
        metadata={"description": "The language of their notices and digest: `tr` or `en`; null: the default language."},
    )

    @pre_load
    def blank_is_none(self, data: Any, **kwargs: Any) -> Any:
        """A blank e-mail or language (an emptied form field, ``--email ""``) clears it rather than failing."""
        if isinstance(data, dict):
            for name in ("email", "language"):
                if isinstance(data.get(name), str) and not data[name].strip():
                    data = {**data, name: None}
        return data


class UserCreateSchema(UserDetailsSchema):
    name = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._@-]{1,64}$", error=N_("1-64 of A-Z, a-z, 0-9, '.', '_', '@' and '-'.")))
    role = Text(required=True, validate=validate.OneOf(ROLES))


class UserSchema(Schema):
    name = Text()
    role = Text()
    active = fields.Boolean()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    full_name = Text(allow_none=True)
    email = Text(allow_none=True)
    language = Text(allow_none=True, metadata={"description": "`tr`, `en`, or null: the default language."})


class NewUserSchema(UserSchema):
    token = Text(metadata={"description": "Shown once: only its hash is stored."})

    @pre_dump
    def with_user(self, new_user: Any, **kwargs: Any) -> Flattened:
        return Flattened(new_user, "user")
