"""ETags and If-Match: how a client proves which version a change is based on."""

from __future__ import annotations

import hashlib
import re
from typing import Any, Callable

import orjson
from flask import Response, g, request

from ..domain.errors import StaleVersion, VersionRequired
from ..domain.text import T
from ..interface import i18n

# A version's ETag: "pl-N" for JSON, "pl-N-csv" and "pl-N-yaml" for its other representations.
PRICE_LIST_TAG = re.compile(r'^"pl-(\d+)(?:-(?:csv|yaml))?"$')
ANY = "*"


def quoted(tag: str) -> str:
    return f'"{tag}"'


def price_list_tag(version: int, representation: str | None = None) -> str:
    """A price-list version's ETag; CSV and YAML, being other bytes, have their own."""
    return quoted(f"pl-{version}" + (f"-{representation}" if representation else ""))


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def if_match_tags() -> frozenset[str] | None:
    """The strong tags If-Match names, unquoted (``*`` stays ``*``); None without the header.

    RFC 9110 compares If-Match strongly: a weak tag (``W/"..."``) matches nothing.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    return frozenset(tag.strip('"') for tag in _tags(header) if not tag.startswith("W/"))


def not_modified(etag: str) -> bool:
    """Whether If-None-Match names ``etag`` (a quoted tag): the client's copy is current (weak comparison)."""
    header = request.headers.get("If-None-Match", "")
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in _tags(header))


def expected_price_list_version() -> int | None:
    """The version If-Match names (None for ``*``); 428 without it, 412 when it names no version."""
    tags = if_match_tags()
    if tags is None:
        raise VersionRequired(T("Send If-Match with the ETag from GET /api/v1/admin/price-list."))
    if ANY in tags:
        return None
    header = request.headers["If-Match"].strip()
    match = next((m for m in (PRICE_LIST_TAG.match(tag) for tag in _tags(header)) if m), None)
    if match is None:
        raise StaleVersion(T("If-Match {header} names no price-list version; GET the price list for its ETag.", header=header))
    return int(match.group(1))


# --- Quotes (issue 31): an ETag per quote, If-Match honoured by its writes --------------------
#
# A quote's ETag is a hash of its JSON answer (in the quote's own language, as every quote
# answer is): strong, it changes with anything the answer shows. If-Match is optional on the
# writes of a quote (the clients written before keep working); when sent, it must name the
# current ETag (or ``*``): 412 ``stale-version`` otherwise.

QUOTE_ANSWER = "quoteapi.quote_answer"


def tag_of_body(body: bytes) -> str:
    return quoted("q-" + hashlib.sha256(body).hexdigest()[:32])


def quote_etag(quote: Any) -> str:
    """The ETag a quote's JSON answer carries now (the same bytes as the answer: see :func:`with_quote_etag`)."""
    from flask import current_app

    from ..interface.schemas.quotes import QuoteSchema

    with i18n.speaking(quote.language):
        body = orjson.dumps(QuoteSchema().dump(quote), default=current_app.json.default)
    return tag_of_body(body)


def answering_quote(quote: Any) -> Any:
    """Mark this answer as the quote's JSON: in the quote's language, with its ETag (set after the view)."""
    i18n.speak(quote.language)
    g.setdefault(QUOTE_ANSWER, True)
    return quote


def with_quote_etag(response: Response) -> Response:
    """After a view that called :func:`answering_quote`: the ETag of the bytes sent; 304 for a GET whose
    If-None-Match names it."""
    if not g.get(QUOTE_ANSWER) or response.status_code not in (200, 201) or response.mimetype != "application/json":
        return response
    etag = tag_of_body(response.get_data())
    response.headers["ETag"] = etag
    if request.method == "GET" and response.status_code == 200 and not_modified(etag):
        response.status_code = 304
        response.set_data(b"")
    return response


def quote_precondition() -> Callable[[Any], None] | None:
    """If-Match on a write of a quote, for the use case to check on the quote it has locked (services/commands.py
    Precondition): None without it or with ``*`` (an unknown quote is still a 404); else a check that raises
    412 unless it names the quote's ETag as it reads in the write's own transaction."""
    tags = if_match_tags()
    if tags is None or ANY in tags:
        return None
    header = request.headers["If-Match"].strip()

    def check(quote: Any) -> None:
        if quote_etag(quote).strip('"') not in tags:
            raise StaleVersion(
                T("If-Match {header} is not the quote's current ETag; GET the quote again.", header=header),
                {"If-Match": [T("Stale; GET the quote for its ETag.")]},
            )

    return check
