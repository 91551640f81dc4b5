"""The public rate limit: one fixed window per client address, counted by the ``limits`` library.

Every request to a public endpoint (api/public.py) costs one ``hit`` on the
storage named by ``QUOTEAPI_RATELIMIT_STORAGE_URI`` (by default the
memory-mapped file of adapters/shared_counters.py, which every worker of the
machine shares; Redis for several machines; ``memory://`` per process),
keyed by the client's address and the scope ``public``
(``LIMITER/<address>/public/<amount>/<multiples>/<period>``). Over the budget
the answer is a 429 problem+json with ``Retry-After``. One direct call of the
library costs a few µs a request, where Flask-Limiter spends some 100-190 µs
resolving which limits apply (docs/performance.md).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import redis
from flask import Blueprint, Flask, Response, current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from redis.backoff import NoBackoff
from redis.retry import Retry
from werkzeug.middleware.proxy_fix import ProxyFix

# Registers the mmap:/// storage scheme (the default: one budget per address
# for all the workers of a machine) before storage_from_string resolves the URI.
from ..adapters.shared_counters import FailureLog, SharedMemoryStorage
from ..domain.text import N_, T, Text
from .errors import problem

log = logging.getLogger(__name__)

SCOPE = "public"
EXTENSION = "quoteapi.public_limit"
# Every storage this worker counts in (the public limit's, the console's sign-in limit's): /readyz checks them.
COUNTER_STORES = "quoteapi.counter_stores"
OFF = ("none", "off", "")


@dataclass(frozen=True)
class PublicLimit:
    """The limits of ``QUOTEAPI_PUBLIC_RATE_LIMIT`` (``120/minute``, or several: ``5/second;120/minute``) and their counters."""

    items: tuple[RateLimitItem, ...]
    storage: Storage
    limiter: FixedWindowRateLimiter
    failures: FailureLog

    @classmethod
    def of(cls, limit: str, storage_uri: str) -> PublicLimit:
        storage = storage_from_string(storage_uri)
        failures = FailureLog(
            log,
            "the rate-limit store failed: public requests are let through unlimited until it works again",
            "the rate-limit store works again: public requests are limited again",
        )
        return cls(tuple(parse_many(limit)), storage, FixedWindowRateLimiter(storage), failures)

    def check(self) -> Response | None:
        """Count this request against its address' budget; the 429 answer when it is spent."""
        # The request itself, not an attribute through Flask's proxy (a miss on the proxy's class costs ~2 µs).
        address = request._get_current_object().remote_addr or "127.0.0.1"
        try:
            if len(self.items) == 1:  # the usual case: one call, nothing built
                allowed = self.limiter.hit(self.items[0], address, SCOPE)
                spent = self.items
            else:
                spent = tuple(item for item in self.items if not self.limiter.hit(item, address, SCOPE))
                allowed = not spent
            if self.failures.failing:
                self.failures.worked()
            if allowed:
                return None
            seconds = max(self._seconds_left(item, address) for item in spent)
        except Exception:
            # A store that fails (Redis down, the counters' file unusable) lets requests through
            # rather than failing them (docs/decisions.md): logged once, and /readyz answers 503.
            self.failures.failed()
            return None
        return too_many(spent[0], seconds)

    def _seconds_left(self, item: RateLimitItem, address: str) -> int:
        reset = self.limiter.get_window_stats(item, address, SCOPE).reset_time
        return max(1, math.ceil(reset - time.time()))


def too_many(limit: RateLimitItem | str, seconds: int) -> Response:
    return problem(
        429,
        T("Too many requests from your address ({limit}); retry in {seconds} s.", limit=budget_text(limit), seconds=seconds),
        headers={"Retry-After": str(seconds)},
    )


# --- The budget in words (issue 31): "6 per 1 minute", in Turkish "1 dakikada 6" -------------------
BUDGETS = {
    "second": N_("{amount} per {multiples} second"),
    "minute": N_("{amount} per {multiples} minute"),
    "hour": N_("{amount} per {multiples} hour"),
    "day": N_("{amount} per {multiples} day"),
    "month": N_("{amount} per {multiples} month"),
    "year": N_("{amount} per {multiples} year"),
}


def budget_text(limit: RateLimitItem | str) -> Text | str:
    """A limit as people say it, in the answer's language (a ``str`` is shown as it is)."""
    if isinstance(limit, str):
        return limit
    template = BUDGETS.get(limit.GRANULARITY.name)
    if template is None:
        return str(limit)
    return T(template, amount=limit.amount, multiples=limit.multiples)


def init_rate_limit(app: Flask) -> None:
    """Read the public limit and open its storage (each gunicorn worker opens its own, after the fork)."""
    limit = app.config["PUBLIC_RATE_LIMIT"]
    enabled = limit.strip().lower() not in OFF
    app.config["RATELIMIT_ENABLED"] = enabled
    app.extensions[EXTENSION] = public = PublicLimit.of(limit, app.config["RATELIMIT_STORAGE_URI"]) if enabled else None
    if public is not None:
        app.extensions.setdefault(COUNTER_STORES, []).append(public.storage)


def limit_blueprint(blueprint: Blueprint) -> None:
    """One budget per client address for every endpoint of ``blueprint``, checked once per request before the view."""

    @blueprint.before_request
    def _public_rate_limit() -> Response | None:
        # A CORS preflight (OPTIONS) is the browser asking, not the page: never counted, never a 429,
        # so the request it precedes gets its answer, a 429 with Retry-After and the CORS headers included.
        if request.method == "OPTIONS":
            return None
        public = current_app._get_current_object().extensions.get(EXTENSION)
        return None if public is None else public.check()


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


def counters_file_works() -> bool:
    """Whether the memory-mapped file of the counters (when they are in one) can be opened, locked and counted in.

    True when there is nothing to ask: no limit of any kind, or counters elsewhere. The
    check opens the file again if it was replaced, so a repaired path is ready at the next call.
    """
    for storage in current_app.extensions.get(COUNTER_STORES, ()):
        if isinstance(storage, SharedMemoryStorage):
            return storage.check()
    return True


def rate_limit_store_answers(timeout: float) -> bool:
    """Whether the Redis holding the shared counters answers a PING within ``timeout`` s.

    True when there is nothing to ask: no limit, or counters that are not in
    Redis (the memory-mapped file is :func:`counters_file_works`' to check). One client per worker, made
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
