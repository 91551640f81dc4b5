"""The admins' items, audit log and users."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_dump, validate

from ...domain.text import N_
from ...services.audit import KINDS
from ...services.users import ROLES
from .fields import Flattened, Integer, Text


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


class UserCreateSchema(Schema):
    name = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._@-]{1,64}$", error=N_("1-64 of A-Z, a-z, 0-9, '.', '_', '@' and '-'.")))
    role = Text(required=True, validate=validate.OneOf(ROLES))


class UserSchema(Schema):
    name = Text()
    role = Text()
    active = fields.Boolean()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class NewUserSchema(UserSchema):
    token = Text(metadata={"description": "Shown once: only its hash is stored."})

    @pre_dump
    def with_user(self, new_user: Any, **kwargs: Any) -> Flattened:
        return Flattened(new_user, "user")
