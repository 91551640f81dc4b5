"""The admins' API: the price-list document, guarded by ETag/If-Match."""

from __future__ import annotations

import re

from flask import g, request
from flask_smorest import Blueprint

from ..auth import requires
from ..pricing import document
from ..schemas import PriceListSchema, PriceListVersionSchema
from ..services import price_lists
from ..services.errors import PreconditionFailed, PreconditionRequired
from .common import json_response, state

blp = Blueprint(
    "admin",
    __name__,
    url_prefix="/api/v1/admin",
    description="Price tables, for the admin role. Changes need If-Match with the ETag you read.",
)

ETAG_HEADERS = {"ETag": {"description": "The version read; send it back as If-Match.", "schema": {"type": "string"}}}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "The ETag of the version this change is based on.",
}


ETAG_VERSION = re.compile(r'^(?:W/)?"pl-(\d+)"')


def quoted(tag: str) -> str:
    return f'"{tag}"'


def expected_version() -> int | None:
    """The version If-Match names: 428 without it, 412 when it names none."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired("Send If-Match with the ETag from GET /api/v1/admin/price-list.")
    if header == "*":
        current = price_lists.current_version(state().database)
        return current.version if current else None
    match = ETAG_VERSION.search(header)
    if match is None:
        raise PreconditionFailed(f"If-Match {header} names no price-list version; GET the price list for its ETag.")
    return int(match.group(1))


@blp.route("/price-list")
@requires("admin")
@blp.response(200, PriceListSchema, headers=ETAG_HEADERS)
def get_price_list():
    """The whole current price list, with its version and ETag."""
    info, doc = price_lists.get_document(state().database)
    return json_response({"version": info.version, **doc}, headers={"ETag": quoted(price_lists.etag_for(info.version))})


@blp.route("/price-list", methods=["PUT"])
@requires("admin")
@blp.arguments(PriceListSchema, description="The whole price list; replaces the current one atomically.")
@blp.response(200, PriceListSchema, headers=ETAG_HEADERS)
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.alt_response(428, response="PRECONDITION_REQUIRED")
@blp.doc(parameters=[IF_MATCH])
def put_price_list(body: dict):
    """Replace the whole price list; every accepted change is a new version."""
    expected = expected_version()
    body.pop("version", None)
    new_list = document.from_dict(body)
    document.check(new_list)
    info = price_lists.replace(
        state().database, new_list, expected_version=expected, by=g.principal.name
    )
    state().price_lists.invalidate()
    return json_response(
        {"version": info.version, **document.to_dict(new_list)},
        headers={"ETag": quoted(price_lists.etag_for(info.version))},
    )


@blp.route("/price-list/versions")
@requires("admin")
@blp.response(200, PriceListVersionSchema(many=True))
def list_versions():
    """Every version, newest first: when, by whom, and what changed."""
    return price_lists.list_versions(state().database)
