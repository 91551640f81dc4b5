"""A schema's load compiled from its own declaration: the same result, a fraction of the work.

marshmallow's ``Schema.load`` is general: hooks, partial loads, error
collection for every field, per-call options. For the bodies of the public
path (an estimate is loaded on every request), :class:`CompiledLoad` builds,
once per schema instance, a loader from the schema's own fields that handles
the common case directly:

- strings, strict integers and strict booleans are checked by type (a text
  also for the characters it may not hold) and then by the field's own
  validators; other leaf fields (dates, decimals, e-mail addresses, trimmed
  text) call the field's own ``deserialize``;
- nested schemas and lists are walked the same way, missing fields get their
  ``load_default``, unknown keys are refused as the schema refuses them.

The moment anything is not plainly valid (a wrong type, a failed validator,
a missing required field, an unknown key), the compiled loader gives up and
the schema's own ``load`` runs, so every error message, and every value the
compiled path does not know, comes from marshmallow itself. There is one
declaration of what a valid body is: the schema (which the OpenAPI
description is generated from); a property test checks that both loads give
the same result (tests/unit/test_compiled_schema.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow.utils import missing

from ...domain.characters import LINES_REFUSED, ONE_LINE_REFUSED
from .fields import Integer, StrictBoolean, Text


class Fallback(Exception):
    """The compiled loader cannot decide: the schema's own load must."""


Loader = Callable[[Any], Any]


def _leaf(field: fields.Field, name: str) -> Loader:
    validate = field._validate if field.validators else None
    kind = type(field)
    if field.pre_load or field.post_load:
        kind = None  # the field's own deserialize applies them
    refused = None
    if kind is fields.String or kind is Text:
        expected: type | None = str
        if kind is Text:  # a control or bidi character: marshmallow's load names it
            refused = (LINES_REFUSED if field.lines else ONE_LINE_REFUSED).search
    elif (kind is fields.Integer or kind is Integer) and field.strict:
        expected = int  # type(True) is bool, not int: booleans fall back
    elif kind is StrictBoolean:
        expected = bool
    else:
        expected = None

    if expected is not None:
        def load(value: Any) -> Any:
            if type(value) is not expected:
                raise Fallback
            if refused is not None and refused(value) is not None:
                raise Fallback
            if validate is not None:
                try:
                    validate(value)
                except ValidationError:
                    raise Fallback from None
            return value

        return load

    deserialize = field.deserialize

    def load_with_field(value: Any) -> Any:
        try:
            return deserialize(value, name, None)
        except ValidationError:
            raise Fallback from None

    return load_with_field


def _checked(result: Any, validate: Callable[[Any], Any] | None) -> Any:
    """``result``, once the field's own validators accept it; otherwise marshmallow's load answers."""
    if validate is not None:
        try:
            validate(result)
        except ValidationError:
            raise Fallback from None
    return result


def _value(field: fields.Field, name: str) -> Loader:
    """The loader of a present, non-null value of ``field``."""
    if type(field) is fields.Nested:
        inner = None if field.many else compile_schema(field.schema)
        validate = field._validate if field.validators else None
        if field.many or inner is None or field.unknown is not None or field.pre_load or field.post_load:
            return _leaf(field, name)

        def load_nested(value: Any) -> Any:
            return _checked(inner(value), validate)

        return load_nested
    if type(field) is fields.List and not (field.pre_load or field.post_load):
        item = _present(field.inner, name)
        validate = field._validate if field.validators else None

        def load_list(value: Any) -> Any:
            if type(value) is not list:
                raise Fallback
            return _checked([item(v) for v in value], validate)

        return load_list
    return _leaf(field, name)


def _present(field: fields.Field, name: str) -> Loader:
    """The loader of a value that is there (it may be null)."""
    load = _value(field, name)
    allow_none = field.allow_none

    def load_present(value: Any) -> Any:
        if value is None:
            if allow_none:
                return None
            raise Fallback
        return load(value)

    return load_present


def compile_schema(schema: Schema) -> Loader | None:
    """A loader for ``schema`` (a dict in, the loaded dict out, :class:`Fallback` when unsure), or None.

    None when the schema uses what the compiled path does not follow: hooks,
    unknown keys other than refused, keys or attributes renamed, dump-only
    fields, partial loading, many.
    """
    if any(schema._hooks.values()) or schema.unknown != RAISE or schema.many or schema.partial:
        return None
    plan = []
    for name, field in schema.load_fields.items():
        if field.data_key not in (None, name) or field.attribute not in (None, name):
            return None
        default = field.load_default
        plan.append((name, field.required, default, _present(field, name)))
    if any(f.dump_only for f in schema.fields.values()):
        return None
    known = frozenset(name for name, *_ in plan)

    def load(data: Any) -> dict[str, Any]:
        if type(data) is not dict or not known.issuperset(data):
            raise Fallback
        result: dict[str, Any] = {}
        for name, required, default, present in plan:
            value = data.get(name, missing)
            if value is missing:
                if required:
                    raise Fallback
                if default is not missing:
                    result[name] = default() if callable(default) else default
                continue
            result[name] = present(value)
        return result

    return load


class CompiledLoad:
    """A schema mixin: ``load`` tries the loader compiled from the schema first (see the module's doc)."""

    def load(self, data: Any, *, many: bool | None = None, partial: Any = None, unknown: str | None = None) -> Any:
        if many is None and partial is None and unknown in (None, self.unknown):
            compiled = self.__dict__.get("_compiled_load", missing)
            if compiled is missing:
                compiled = self.__dict__["_compiled_load"] = compile_schema(self)
            if compiled is not None:
                try:
                    return compiled(data)
                except Fallback:
                    pass
        return super().load(data, many=many, partial=partial, unknown=unknown)
