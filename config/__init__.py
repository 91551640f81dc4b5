"""Settings classes, read from the environment when the app is created.

Nothing here raises at import: a bad value is reported by :func:`load` with
the variable's name, when ``create_app`` asks for it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

PREFIX = "QUOTEAPI_"
INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def gunicorn_workers() -> int:
    """gunicorn's worker processes: ``QUOTEAPI_WORKERS``, else one per core and one more.

    Not gunicorn's usual 2 x cores + 1: the public path is CPU work, and every
    process beyond the cores evicts the others' caches. On 2 cores, 3 workers
    served 20-30 % more estimates than 5, with as many quotes
    (docs/performance.md, "Worker processes").
    """
    return int(os.environ.get("QUOTEAPI_WORKERS") or (os.cpu_count() or 1) + 1)


class ConfigError(ValueError):
    """An environment variable holds a value the app cannot use."""


class BaseConfig:
    """Defaults that work with no settings at all."""

    DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'quoteapi.sqlite3'}"
    CORS_ORIGINS: tuple[str, ...] = ()
    PUBLIC_RATE_LIMIT = "120/minute"
    # One memory-mapped file every worker of this machine shares (quoteapi/adapters/shared_counters.py):
    # the public limit is one budget per address, not one per worker. redis://host:6379 shares it
    # between machines; memory:// is per process.
    RATELIMIT_STORAGE_URI = f"mmap:///{INSTANCE_DIR / 'ratelimits.bin'}"
    QUOTE_VALID_DAYS = 30
    # The language of answers that ask for none (Accept-Language, ?lang=): tr or en.
    DEFAULT_LANGUAGE = "tr"
    # How often a worker asks the database whether the price list changed.
    PRICE_LIST_CHECK_SECONDS = 1.0
    # Request bodies above this size get a 413 (a price list is ~10 KiB).
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Seconds to get a database connection (or a pooled one's ping answered),
    # and seconds one statement may run: past them a request gets a 503.
    DB_CONNECT_TIMEOUT = 2.0
    DB_STATEMENT_TIMEOUT = 5.0
    # How many proxies (nginx: 1) stand in front of gunicorn and append to
    # X-Forwarded-For / set X-Forwarded-Proto and -Port. 0: those headers are
    # ignored and the client address is the TCP peer (quoteapi/api/limits.py).
    PROXY_HOPS = 0
    # Retention (`quoteapi maintenance`, daily): idempotency keys are deleted after
    # this many hours; website requests nobody took further lose their personal
    # data this many days after they were last touched.
    IDEMPOTENCY_TTL_HOURS = 48
    RETENTION_DAYS = 730
    TESTING = False
    LOG_LEVEL = "INFO"
    # The staff console (/desk). SECRET_KEY signs its session cookies; unset, one is generated
    # once and kept in SECRET_KEY_FILE (instance/secret_key), which every worker then reads.
    SECRET_KEY: str | None = None
    SECRET_KEY_FILE = str(INSTANCE_DIR / "secret_key")
    # The session cookie: HttpOnly always, SameSite=Lax, Secure (HTTPS only) in production.
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "quoteapi_desk"
    # A console session ends after this many seconds without a request (a working day and a half).
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    # Failed console sign-ins allowed per client address and user name (the `limits` library syntax, e.g. `5/minute`).
    SIGN_IN_RATE_LIMIT = "5/minute"
    # Failed console sign-ins allowed per client address, whatever the names tried.
    SIGN_IN_ADDRESS_RATE_LIMIT = "20/minute"
    # Where the customers' links live (``<PUBLIC_URL>/q/<token>``), e.g. https://quotes.example.com;
    # unset: the host the sending request came to (behind a proxy: set this, or PROXY_HOPS).
    PUBLIC_URL: str | None = None
    # Mail (api.md revision 3, "Sending a quote"): smtp://user:pass@host:587?starttls=true or
    # smtps://user:pass@host:465. Unset: each message is written as an .eml file under
    # MAIL_DIRECTORY (instance/outbox/), so that `make run` needs no mail server.
    MAIL_URL: str | None = None
    MAIL_FROM = "quoteapi@localhost"
    MAIL_DIRECTORY = str(INSTANCE_DIR / "outbox")
    # Seconds an SMTP connection, or one command on it, may take before the try counts as failed (retried).
    MAIL_TIMEOUT = 10.0
    # How often `quoteapi outbox run` looks for messages that are due.
    OUTBOX_POLL_SECONDS = 2.0
    # The waits after each temporary failure to deliver (seconds); after the last, the message has failed.
    OUTBOX_RETRY_SECONDS = (30.0, 120.0, 600.0, 1800.0, 7200.0, 21600.0)
    # The customer's link pages (/q/<token>): requests per client address, and links that open
    # nothing (unknown tokens) per client address (quoteapi/web/customer.py). "none" switches one off.
    LINK_RATE_LIMIT = "60/minute"
    LINK_MISS_RATE_LIMIT = "20/hour"


class DevelopmentConfig(BaseConfig):
    pass


class ProductionConfig(BaseConfig):
    # Behind TLS (nginx): the console's cookie is never sent over plain HTTP.
    SESSION_COOKIE_SECURE = True


class TestingConfig(BaseConfig):
    TESTING = True
    PRICE_LIST_CHECK_SECONDS = 0.0
    PUBLIC_RATE_LIMIT = "none"
    # Each test app counts on its own, never in the instance folder's file.
    RATELIMIT_STORAGE_URI = "memory://"
    SECRET_KEY = "testing only, not a secret"


ENVIRONMENTS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a whole number, not {raw!r}") from None


def _float(name: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a number, not {raw!r}") from None


def _seconds(name: str, raw: str) -> float:
    value = _float(name, raw)
    if not 0 < value < float("inf"):
        raise ConfigError(f"{PREFIX}{name} must be a number of seconds above 0, not {raw!r}")
    return value


def _seconds_list(name: str, raw: str) -> tuple[float, ...]:
    """Comma-separated waits in seconds, each above 0: ``30,120,600``."""
    return tuple(_seconds(name, part) for part in raw.split(",")) if raw.strip() else ()


LANGUAGES = ("tr", "en")


def _language(name: str, raw: str) -> str:
    code = raw.strip().lower()
    if code not in LANGUAGES:
        raise ConfigError(f"{PREFIX}{name} must be one of {', '.join(LANGUAGES)}, not {raw!r}")
    return code


def _bool(name: str, raw: str) -> bool:
    text = raw.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{PREFIX}{name} must be true or false, not {raw!r}")


def _public_url(name: str, raw: str) -> str:
    url = raw.strip().rstrip("/")
    scheme, _, rest = url.partition("://")
    if scheme not in ("http", "https") or not rest or any(c.isspace() or ord(c) < 32 for c in url) \
            or "?" in url or "#" in url:
        raise ConfigError(f"{PREFIX}{name} must be an http(s) URL without query or fragment, such as "
                          f"https://quotes.example.com, not {raw!r}")
    return url


MAIL_SCHEMES = ("smtp", "smtps")


def _mail_url(name: str, raw: str) -> str:
    """``smtp://user:pass@host:587?starttls=true`` or ``smtps://user:pass@host:465``, checked, kept as written."""
    from urllib.parse import parse_qs, urlsplit

    url = raw.strip()
    shown = f"{PREFIX}{name} must be smtp://[user:password@]host[:port][?starttls=true] or smtps://..."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ConfigError(f"{shown} (the port is not a number from 1 to 65535)") from None
    if parts.scheme not in MAIL_SCHEMES or not parts.hostname:
        raise ConfigError(f"{shown}; the scheme or the host is missing") from None
    if port == 0:
        raise ConfigError(f"{shown} (the port is not a number from 1 to 65535)")
    for key, values in parse_qs(parts.query, keep_blank_values=True).items():
        if key != "starttls":
            raise ConfigError(f"{shown}; {key!r} is not a setting of the mail URL")
        _bool(name + " starttls", values[-1])
    return url


def _mail_from(name: str, raw: str) -> str:
    """One address (``clinic@example.com`` or ``Clinic <clinic@example.com>``), with no line break in it."""
    from email.utils import parseaddr

    text = raw.strip()
    address = parseaddr(text)[1]
    if any(c in text for c in "\r\n") or "@" not in address or address.startswith("@") or address.endswith("@"):
        raise ConfigError(f"{PREFIX}{name} must be an e-mail address such as quoteapi@clinic.example, not {raw!r}")
    return text


def _origins(name: str, raw: str) -> tuple[str, ...]:
    return tuple(o.strip() for o in raw.split(",") if o.strip())


PARSERS = {
    "DATABASE_URL": lambda n, v: v,
    "CORS_ORIGINS": _origins,
    "PUBLIC_RATE_LIMIT": lambda n, v: v.strip(),
    "RATELIMIT_STORAGE_URI": lambda n, v: v,
    "QUOTE_VALID_DAYS": _int,
    "PRICE_LIST_CHECK_SECONDS": _float,
    "MAX_CONTENT_LENGTH": _int,
    "DB_CONNECT_TIMEOUT": _seconds,
    "DB_STATEMENT_TIMEOUT": _seconds,
    "PROXY_HOPS": _int,
    "IDEMPOTENCY_TTL_HOURS": _int,
    "RETENTION_DAYS": _int,
    "LOG_LEVEL": lambda n, v: v.upper(),
    "DEFAULT_LANGUAGE": _language,
    "SECRET_KEY": lambda n, v: v,
    "SECRET_KEY_FILE": lambda n, v: v,
    "SESSION_COOKIE_SECURE": lambda n, v: _bool(n, v),
    "SIGN_IN_RATE_LIMIT": lambda n, v: v.strip(),
    "SIGN_IN_ADDRESS_RATE_LIMIT": lambda n, v: v.strip(),
    "PUBLIC_URL": _public_url,
    "MAIL_URL": _mail_url,
    "MAIL_FROM": _mail_from,
    "MAIL_DIRECTORY": lambda n, v: v,
    "MAIL_TIMEOUT": _seconds,
    "OUTBOX_POLL_SECONDS": _seconds,
    "OUTBOX_RETRY_SECONDS": _seconds_list,
    "LINK_RATE_LIMIT": lambda n, v: v.strip(),
    "LINK_MISS_RATE_LIMIT": lambda n, v: v.strip(),
}


def load(environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The settings for one app: class defaults, then ``QUOTEAPI_*``, then overrides."""
    environ = os.environ if environ is None else environ
    env_name = environ.get(f"{PREFIX}ENV", "development")
    try:
        cls = ENVIRONMENTS[env_name]
    except KeyError:
        raise ConfigError(f"{PREFIX}ENV must be one of {sorted(ENVIRONMENTS)}, not {env_name!r}") from None
    settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
    for name, parse in PARSERS.items():
        raw = environ.get(PREFIX + name)
        if raw is not None and raw != "":
            settings[name] = parse(name, raw)
    if settings["QUOTE_VALID_DAYS"] < 1:
        raise ConfigError(f"{PREFIX}QUOTE_VALID_DAYS must be at least 1")
    if settings["PROXY_HOPS"] < 0:
        raise ConfigError(f"{PREFIX}PROXY_HOPS must be 0 or more (the proxies in front of gunicorn)")
    for name in ("IDEMPOTENCY_TTL_HOURS", "RETENTION_DAYS"):
        if settings[name] < 1:
            raise ConfigError(f"{PREFIX}{name} must be at least 1")
    settings.update(overrides or {})
    return settings
