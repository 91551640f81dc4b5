"""The public rate limit: one Flask-Limiter, bound to each app in ``create_app``."""

from __future__ import annotations

import redis
from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from redis.backoff import NoBackoff
from redis.retry import Retry
from werkzeug.middleware.proxy_fix import ProxyFix

# Registers the sqlite:/// storage scheme (the default: one budget per address
# for all the workers of a machine) before Limiter.init_app resolves the URI.
from ..adapters.rate_limits import SQLiteStorage  # noqa: F401

# Only the public endpoints carry a limit (see api/public.py); staff and
# admin calls are authenticated and never share the public budget.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def public_rate_limit() -> str:
    return current_app.config["PUBLIC_RATE_LIMIT"]


def trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the ``QUOTEAPI_PROXY_HOPS`` proxies in front of gunicorn.

    With 0 (the default) every ``X-Forwarded-*`` header is ignored: the
    address is the TCP peer's, so nobody picks their own. With ``n``, the
    address is the n-th from the right of ``X-Forwarded-For`` (each proxy
    appends the address it saw; with nginx, n = 1 is the one nginx appended),
    and the scheme and port come from ``X-Forwarded-Proto`` and
    ``X-Forwarded-Port``. ``X-Forwarded-Host`` and ``-Prefix`` stay ignored:
    nginx passes the Host itself, and the app lives at the root.
    """
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=hops, x_prefix=0)


# The storage URIs of one Redis server (Sentinel and cluster URIs are not pinged).
_REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")


def rate_limit_store_answers(timeout: float) -> bool:
    """Whether the Redis holding the shared counters answers a PING within ``timeout`` s.

    True when there is nothing to ask: no limit, or counters that are not in
    Redis (a SQLite file or memory never go away). One client per worker, made
    on first use, with no retry, so a stopped Redis is a quick False and a
    restarted one is a True at the next call.
    """
    app = current_app
    uri = app.config["RATELIMIT_STORAGE_URI"]
    if not app.config.get("RATELIMIT_ENABLED", True) or not uri.startswith(_REDIS_SCHEMES):
        return True
    client = app.extensions.get("quoteapi.ratelimit_redis")
    if client is None:
        client = redis.Redis.from_url(
            uri.replace("redis+unix://", "unix://", 1),
            socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0),
        )
        app.extensions["quoteapi.ratelimit_redis"] = client
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
