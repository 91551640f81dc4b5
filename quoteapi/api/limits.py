"""The public rate limit: one Flask-Limiter, bound to each app in ``create_app``."""

from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# Only the public endpoints carry a limit (see api/public.py); staff and
# admin calls are authenticated and never share the public budget.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def public_rate_limit() -> str:
    return current_app.config["PUBLIC_RATE_LIMIT"]
