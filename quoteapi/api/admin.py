"""The admins' API: the price list (whole and per item), its history, the audit log, users."""

from __future__ import annotations

import re
from typing import Callable

from flask import Response, g, request

from .. import spreadsheet
from ..auth import requires
from ..errors import problem
from ..pricing import document
from ..schemas import (
    AuditPageSchema,
    AuditQuerySchema,
    ItemListSchema,
    NewUserSchema,
    PriceListSchema,
    PriceListVersionDocumentSchema,
    PriceListVersionSchema,
    UserCreateSchema,
    UserSchema,
)
from ..services import audit, price_items, price_lists, users
from ..services.errors import PreconditionFailed, PreconditionRequired
from .common import json_response, state
from .openapi import Blueprint

blp = Blueprint(
    "admin",
    __name__,
    url_prefix="/api/v1/admin",
    description="Price tables, their history, the audit log and users, for the admin role. "
    "Changes need If-Match with the ETag you read.",
)

ETAG_HEADERS = {"ETag": {"description": "Send it back as If-Match to change what you read.", "schema": {"type": "string"}}}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "The ETag of what this change is based on.",
}
ETAG_VERSION = re.compile(r'^(?:W/)?"pl-(\d+)"')
SPREADSHEET_TYPES = ("text/csv", "application/yaml")


def quoted(tag: str) -> str:
    return f'"{tag}"'


def accepts(*content_types: str) -> Callable:
    """Let a view take these body types besides JSON (see errors.check_body)."""

    def decorator(view: Callable) -> Callable:
        view.accepts_content_types = content_types
        return view

    return decorator


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


def _document_response(version: int, doc: dict) -> Response:
    """The document as JSON, CSV or YAML, as Accept asks."""
    headers = {"ETag": quoted(price_lists.etag_for(version))}
    chosen = "application/json"
    if request.headers.get("Accept"):
        chosen = request.accept_mimetypes.best_match(["application/json", *SPREADSHEET_TYPES])
    if chosen == "text/csv":
        headers["Content-Disposition"] = f'attachment; filename="price-list-v{version}.csv"'
        return Response(spreadsheet.to_csv(doc), mimetype="text/csv", headers=headers)
    if chosen == "application/yaml":
        return Response(spreadsheet.to_yaml({"version": version, **doc}), mimetype="application/yaml", headers=headers)
    if chosen is None:
        return problem(406, "The price list is available as application/json, text/csv or application/yaml.")
    return json_response({"version": version, **doc}, headers=headers)


# --- The whole document ---------------------------------------------------------


@blp.route("/price-list")
@requires("admin")
@blp.response(200, PriceListSchema, headers=ETAG_HEADERS)
@blp.alt_response(200, description="The same document as CSV or YAML.", content_type="text/csv", success=True)
def get_price_list():
    """The whole current price list with its version and ETag; `Accept: text/csv` or `application/yaml` for a spreadsheet."""
    info, doc = price_lists.get_document(state().database)
    return _document_response(info.version, doc)


@blp.route("/price-list", methods=["PUT"])
@accepts(*SPREADSHEET_TYPES)
@requires("admin")
@blp.arguments(
    PriceListSchema(),
    description="The whole price list; replaces the current one atomically. "
    "Also accepted as `text/csv` (the layout of GET with Accept: text/csv) or `application/yaml`.",
)
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
    info = price_lists.replace(state().database, new_list, expected_version=expected, by=g.principal.name)
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


@blp.route("/price-list/versions/<int(max=2147483647):version>")
@requires("admin")
@blp.response(200, PriceListVersionDocumentSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_version(version: int):
    """The full document of any version."""
    info, doc = price_lists.get_document(state().database, version)
    return json_response(
        {"version": info.version, "created_at": info.created_at.isoformat(), "created_by": info.created_by,
         "summary": info.summary, **doc}
    )


# --- One item at a time -------------------------------------------------------------


def _item_response(kind: price_items.Kind, item: price_items.Item, status: int = 200) -> Response:
    headers = {"ETag": quoted(item.etag)}
    if status == 201:
        headers["Location"] = f"/api/v1/admin/{kind.url}/{item.data['code']}"
    return json_response(item.data, status=status, headers=headers)


def _register_item_views(kind: price_items.Kind) -> None:
    """List, add, read, change and delete for one list of the document."""
    name = kind.key
    schema = kind.schema

    def list_view():
        items, version = price_items.list_items(state().database, kind)
        return json_response({"version": version, "items": items})

    def add_view(body: dict):
        item = price_items.add_item(state().database, kind, body, g.principal.name)
        state().price_lists.invalidate()
        return _item_response(kind, item, 201)

    def get_view(code: str):
        return _item_response(kind, price_items.get_item(state().database, kind, code))

    def patch_view(changes: dict, code: str):
        item = price_items.update_item(
            state().database, kind, code, changes, request.headers.get("If-Match"), g.principal.name
        )
        state().price_lists.invalidate()
        return _item_response(kind, item)

    def delete_view(code: str):
        price_items.delete_item(state().database, kind, code, request.headers.get("If-Match"), g.principal.name)
        state().price_lists.invalidate()
        return Response(status=204)

    for view, verb in ((list_view, "list"), (add_view, "add"), (get_view, "get"), (patch_view, "patch"), (delete_view, "delete")):
        view.__name__ = f"{verb}_{name}"
        view.__qualname__ = view.__name__
    list_view.__doc__ = f"Every {kind.label} of the current price list."
    add_view.__doc__ = f"Add a {kind.label}; the whole price list is checked and a new version stored."
    get_view.__doc__ = f"One {kind.label}, with its ETag."
    patch_view.__doc__ = f"Change fields of a {kind.label} (not its code); needs If-Match."
    delete_view.__doc__ = f"Delete a {kind.label}; needs If-Match. Refused (422) while a campaign names it."

    collection, member = f"/{kind.url}", f"/{kind.url}/<string:code>"
    blp.route(collection)(requires("admin")(blp.response(200, ItemListSchema)(list_view)))
    blp.route(collection, methods=["POST"])(
        requires("admin")(
            blp.arguments(schema())(
                blp.response(201, schema, headers=ETAG_HEADERS)(blp.alt_response(409, response="CONFLICT")(add_view))
            )
        )
    )
    blp.route(member)(
        requires("admin")(blp.response(200, schema, headers=ETAG_HEADERS)(blp.alt_response(404, response="NOT_FOUND")(get_view)))
    )
    patched = blp.alt_response(412, response="PRECONDITION_FAILED")(
        blp.alt_response(428, response="PRECONDITION_REQUIRED")(blp.doc(parameters=[IF_MATCH])(patch_view))
    )
    blp.route(member, methods=["PATCH"])(
        requires("admin")(blp.arguments(schema(partial=True))(blp.response(200, schema, headers=ETAG_HEADERS)(patched)))
    )
    deleted = blp.alt_response(412, response="PRECONDITION_FAILED")(
        blp.alt_response(428, response="PRECONDITION_REQUIRED")(blp.doc(parameters=[IF_MATCH])(delete_view))
    )
    blp.route(member, methods=["DELETE"])(requires("admin")(blp.response(204)(deleted)))


for _kind in price_items.KINDS.values():
    _register_item_views(_kind)


# --- Audit log and users ---------------------------------------------------------------


@blp.route("/audit-log")
@requires("admin")
@blp.arguments(AuditQuerySchema(unknown="exclude"), location="query")
@blp.response(200, AuditPageSchema)
def audit_log(filters: dict):
    """Every change to prices, users and quote statuses, newest first: who, when, before and after."""
    return json_response(audit.entries(state().database, filters))


def _user(info: users.UserInfo) -> dict:
    return {
        "name": info.name,
        "role": info.role,
        "active": info.active,
        "created_at": info.created_at.isoformat(),
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
    }


@blp.route("/users")
@requires("admin")
@blp.response(200, UserSchema(many=True))
def list_users():
    """Every user, active or revoked."""
    return json_response([_user(u) for u in users.list_users(state().database)])


@blp.route("/users", methods=["POST"])
@requires("admin")
@blp.arguments(UserCreateSchema())
@blp.response(201, NewUserSchema)
@blp.alt_response(409, response="CONFLICT")
def create_user(body: dict):
    """Create a user; the answer shows the token, once."""
    token = users.create_user(state().database, body["name"], body["role"], by=g.principal.name)
    info = next(u for u in users.list_users(state().database) if u.name == body["name"])
    return json_response({**_user(info), "token": token}, status=201)


@blp.route("/users/<string:name>", methods=["DELETE"])
@requires("admin")
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
def revoke_user(name: str):
    """Revoke a user's token (the user stays listed, inactive)."""
    users.revoke_user(state().database, name, by=g.principal.name)
    return Response(status=204)
