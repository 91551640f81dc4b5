"""ETags and If-Match: how a client proves which version a change is based on."""

from __future__ import annotations

import re

from flask import request

from ..domain.errors import StaleVersion, VersionRequired
from ..domain.text import T

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
