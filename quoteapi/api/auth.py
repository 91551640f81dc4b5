"""Bearer-token authentication and role checks for the views."""

from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import g, request

from ..services import users
from ..domain.text import T
from ..services.users import Principal
from .errors import problem
from .responses import services

BEARER = "bearerAuth"


def _principal_from_header() -> Principal | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return users.authenticate(services(), token.strip())


def current_user() -> Principal:
    """Who is calling (set by :func:`requires` before the view runs)."""
    return g._quoteapi_principal


def requires(role: str) -> Callable:
    """Refuse the view without a valid token (401) or with too small a role (403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = _principal_from_header()
            if principal is None:
                missing = "Authorization" not in request.headers
                return problem(
                    401,
                    T("Send Authorization: Bearer <token>.") if missing else T("The token is not valid or was revoked."),
                    headers={"WWW-Authenticate": 'Bearer realm="quoteapi"'},
                )
            if not principal.can(role):
                return problem(403, T("This needs the {role} role; you are {yours}.", role=role, yours=principal.role))
            g._quoteapi_principal = principal
            return view(*args, **kwargs)

        return wrapper

    return decorator
