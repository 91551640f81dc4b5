"""Bearer-token authentication and role checks for the views."""

from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import current_app, g, request
from flask_smorest import Blueprint

from .errors import problem
from .services.users import Principal, authenticate

BEARER = "bearerAuth"
# Only lends its documentation decorators to the views of every blueprint.
_DOC = Blueprint("auth-doc", __name__)


def current_principal() -> Principal | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return authenticate(current_app.extensions["quoteapi"].database, token.strip())


def requires(role: str) -> Callable:
    """Refuse the view without a valid token (401) or with too small a role (403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                missing = "Authorization" not in request.headers
                return problem(
                    401,
                    "Send Authorization: Bearer <token>." if missing else "The token is not valid or was revoked.",
                    headers={"WWW-Authenticate": 'Bearer realm="quoteapi"'},
                )
            if not principal.can(role):
                return problem(403, f"This needs the {role} role; you are {principal.role}.")
            g.principal = principal
            return view(*args, **kwargs)

        documented = _DOC.doc(security=[{BEARER: []}])(wrapper)
        documented = _DOC.alt_response(401, response="UNAUTHORIZED")(documented)
        return _DOC.alt_response(403, response="FORBIDDEN")(documented)

    return decorator
