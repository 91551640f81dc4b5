"""The arguments parser of the project's Blueprint (its ``ARGUMENTS_PARSER``).

flask-smorest's ``Blueprint.arguments`` documents a schema and hands the view to
its parser's ``use_args``. webargs' own ``use_args`` calls ``parse`` on every
request, which resolves again, each time, what cannot change between two
requests: the schema (a class, a dict, a callable), the location's loader, the
``unknown`` setting, the list of validators. :class:`ArgumentsParser` is
webargs' parser (with the project's body rules, :class:`~.bodies.BodyParser`)
whose ``use_args`` resolves all of that once, when the view is decorated, and
whose ``parse`` is the same reading, resolved at the call. A request then costs
the location's loader and ``schema.load``; what webargs does around them (the
``pre_load`` hook, the validators, an error namespaced by its location and
handed to the parser's error handler) happens as webargs does it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

import marshmallow as ma
from flask import request
from marshmallow import ValidationError
from marshmallow.utils import missing

from .bodies import BodyParser

# What ``unknown`` may be set to (on the parser or per use): marshmallow's three and None (the schema's own).
UNKNOWN_SETTINGS = (ma.RAISE, ma.EXCLUDE, ma.INCLUDE, None)
# ``unknown`` not given: the parser's setting if it has one, else webargs' default for the location.
NOT_GIVEN: Any = object()

Reader = Callable[[Any], Any]


class ArgumentsParser(BodyParser):
    """webargs' parser for flask-smorest's ``arguments``, its per-request work resolved once (see the module's doc)."""

    def get_default_request(self) -> Any:
        """The request itself rather than Flask's proxy: the loaders read several of its attributes."""
        return request._get_current_object()

    def reader(
        self,
        argmap: Any,
        *,
        location: str | None = None,
        unknown: Any = NOT_GIVEN,
        validate: Callable | list[Callable] | None = None,
        error_status_code: int | None = None,
        error_headers: Mapping[str, str] | None = None,
    ) -> Reader:
        """The function of a request that ``parse`` would be for these arguments, everything but the request resolved."""
        location = location or self.location
        if isinstance(argmap, Mapping):
            schema = self.schema_class.from_dict(dict(argmap))()
        elif isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            schema = argmap()
        elif isinstance(argmap, ma.Schema):
            schema = argmap
        else:
            raise TypeError(f"arguments are read by a Schema (or its class, or a dict of fields), not {argmap!r}")
        loader = self.__location_map__.get(location)
        if loader is None:
            raise ValueError(f"Invalid location argument: {location}")
        load_location = getattr(self, loader) if isinstance(loader, str) else loader
        if unknown is NOT_GIVEN:
            unknown = self.unknown if self.unknown in UNKNOWN_SETTINGS else self.DEFAULT_UNKNOWN_BY_LOCATION.get(location)
        load = functools.partial(schema.load, unknown=unknown) if unknown else schema.load
        validators = [validate] if callable(validate) else list(validate or ())
        pre_load = self.pre_load

        def read(req: Any) -> Any:
            try:
                data = load_location(req, schema)
                data = load(pre_load({} if data is missing else data, schema=schema, req=req, location=location))
                for validator in validators:
                    if validator(data) is False:
                        raise ValidationError(self.DEFAULT_VALIDATION_MESSAGE, data=data)
            except ValidationError as error:
                # As webargs files them: {"json": {"field": [...]}}, then its error handler (a 422 by default).
                error.messages = {location: error.messages}
                handle = self.error_callback or self.handle_error
                handle(error, req, schema, error_status_code=error_status_code, error_headers=error_headers)
                raise ValueError("the parser's error handler did not raise") from error
            return data

        return read

    def parse(self, argmap: Any, req: Any = None, *, location: str | None = None, unknown: Any = NOT_GIVEN,
              validate: Callable | list[Callable] | None = None, error_status_code: int | None = None,
              error_headers: Mapping[str, str] | None = None) -> Any:
        """webargs' ``parse``, as :meth:`reader` reads."""
        read = self.reader(argmap, location=location, unknown=unknown, validate=validate,
                           error_status_code=error_status_code, error_headers=error_headers)
        return read(req if req is not None else self.get_default_request())

    def use_args(self, argmap: Any, req: Any = None, *, location: str | None = None, unknown: Any = NOT_GIVEN,
                 as_kwargs: bool = False, arg_name: str | None = None, validate: Callable | list[Callable] | None = None,
                 error_status_code: int | None = None, error_headers: Mapping[str, str] | None = None) -> Callable:
        """webargs' ``use_args``: the view gets what :meth:`reader` read, as a positional argument after
        those it was called with, as keyword arguments (``as_kwargs``) or as one (``arg_name``)."""
        if arg_name is not None and as_kwargs:
            raise ValueError("arg_name and as_kwargs are mutually exclusive")
        read = self.reader(argmap, location=location, unknown=unknown, validate=validate,
                           error_status_code=error_status_code, error_headers=error_headers)
        if arg_name is None and not as_kwargs and not self.USE_ARGS_POSITIONAL:
            arg_name = self.get_default_arg_name(location or self.location, argmap)
        current_request = self.get_default_request if req is None else (lambda: req)

        def decorator(view: Callable) -> Callable:
            if inspect.iscoroutinefunction(view):
                raise TypeError(f"{view.__qualname__}: the project's views are synchronous")
            if as_kwargs:
                def parsing(*args: Any, **kwargs: Any) -> Any:
                    kwargs.update(read(current_request()))
                    return view(*args, **kwargs)
            elif arg_name:
                def parsing(*args: Any, **kwargs: Any) -> Any:
                    kwargs[arg_name] = read(current_request())
                    return view(*args, **kwargs)
            else:
                def parsing(*args: Any, **kwargs: Any) -> Any:
                    return view(*args, read(current_request()), **kwargs)
            return functools.wraps(view)(parsing)

        return decorator
