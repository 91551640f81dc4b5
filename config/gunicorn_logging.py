"""Gunicorn's logger for quoteapi: access-log lines without personal data in query strings.

The staff search (`GET /api/v1/quotes?q=Ayşe`) and the personal-data export
(`GET /api/v1/admin/customers?email=...`) carry a name, an e-mail address or a
phone number in the URL. The access log keeps every query parameter's name,
but only the values of the parameters listed in ``KEEP`` (none of which can
hold personal data); any other value is written as ``[redacted]``. The
Referer loses its query string for the same reason (an embedding site's page
may carry one). Every value in a line has its control characters escaped
(``\x0a``), so that no header or path can start a log line of its own.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from gunicorn.glogging import Logger

# The domain alone (no Flask, no app): quoteapi imports its app factory only when asked for it.
from quoteapi.domain.characters import escape_controls

# Query parameters whose values name nobody: filters, paging, languages, formats.
KEEP = frozenset({
    "status", "clinic", "follow_up_due", "created_from", "created_to", "limit", "cursor", "lang", "kind",
    "since", "until", "format",
})
REDACTED = "[redacted]"
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_.\-\[\]]{1,64}$")
def redact_query(query: str) -> str:
    """A query string with every value outside ``KEEP`` replaced by ``[redacted]``."""
    if not query:
        return query
    kept = []
    for pair in query.split("&"):
        name, has_value, _ = pair.partition("=")
        if unquote_plus(name) in KEEP:
            kept.append(pair)
        elif _PLAIN_NAME.match(name):
            kept.append(f"{name}={REDACTED}" if has_value else name)
        elif pair:
            kept.append(REDACTED)  # a parameter name that could itself be a name or an address
    return "&".join(kept)


def redact_uri(uri: str) -> str:
    path, has_query, query = uri.partition("?")
    return f"{path}?{redact_query(query)}" if has_query else path


class PrivateAccessLogger(Logger):
    """Gunicorn's logger, writing request lines and referers without personal query values."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        uri = redact_uri(environ.get("RAW_URI", ""))
        query = redact_query(environ.get("QUERY_STRING", ""))
        referer = environ.get("HTTP_REFERER", "-").partition("?")[0]
        atoms["r"] = f"{environ['REQUEST_METHOD']} {uri} {environ['SERVER_PROTOCOL']}"
        atoms["q"] = query
        atoms["f"] = referer
        # The same values under the names a custom access_log_format could use.
        for key, value in (("{raw_uri}e", uri), ("{request_uri}e", uri), ("{query_string}e", query),
                           ("{http_referer}e", referer), ("{referer}i", referer)):
            if key in atoms:
                atoms[key] = value
        return {key: escape_controls(value) if isinstance(value, str) else value for key, value in atoms.items()}
