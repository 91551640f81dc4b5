"""ETags and If-Match: how a client proves which version a change is based on."""

from __future__ import annotations

import re

from flask import request

from ..domain.errors import StaleVersion, VersionRequired
from ..domain.text import T

PRICE_LIST_TAG = re.compile(r'^(?:W/)?"pl-(\d+)"')
ANY = "*"


def quoted(tag: str) -> str:
    return f'"{tag}"'


def price_list_tag(version: int) -> str:
    return quoted(f"pl-{version}")


def if_match_tags() -> frozenset[str] | None:
    """The tags If-Match names, unquoted (``*`` stays ``*``); None without the header."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    return frozenset(tag.strip().removeprefix("W/").strip('"') for tag in header.split(","))


def expected_price_list_version() -> int | None:
    """The version If-Match names (None for ``*``); 428 without it, 412 when it names no version."""
    tags = if_match_tags()
    if tags is None:
        raise VersionRequired(T("Send If-Match with the ETag from GET /api/v1/admin/price-list."))
    if ANY in tags:
        return None
    header = request.headers["If-Match"].strip()
    match = PRICE_LIST_TAG.search(header)
    if match is None:
        raise StaleVersion(T("If-Match {header} names no price-list version; GET the price list for its ETag.", header=header))
    return int(match.group(1))
