"""The admins' API: the price list (whole and per item), its history, the audit log, users."""

from __future__ import annotations

from flask import Response, request
from marshmallow import Schema

from ..adapters import spreadsheets
from ..domain import price_list as document
from ..domain.text import T
from ..services import audit, price_items, price_lists, users
from ..services.price_items import KINDS, Kind
from .auth import current_user
from .bodies import CSV, JSON, YAML
from .errors import problem
from .etags import expected_price_list_version, if_match_tags, not_modified, price_list_tag, quoted
from .openapi import Blueprint
from .responses import json_response, services
from .schemas.admin import AuditPageSchema, AuditQuerySchema, ItemListSchema, NewUserSchema, UserCreateSchema, UserSchema
from .schemas.price_list import (
    AreaSchema,
    CampaignSchema,
    ClinicSchema,
    PriceListSchema,
    PriceListVersionDocumentSchema,
    PriceListVersionSchema,
    ProductSchema,
    SpecialistLevelSchema,
)

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


class PriceListBodySchema(PriceListSchema):
    """The whole price list as a PUT sends it: JSON, or the same document as CSV or YAML."""

    BODY_TYPES = (JSON, CSV, YAML)


def _document_response(version: int, doc: dict) -> Response:
    """The document as JSON, CSV or YAML, as Accept asks; each representation has its own ETag."""
    chosen = JSON
    if request.headers.get("Accept"):
        chosen = request.accept_mimetypes.best_match([JSON, CSV, YAML])
    if chosen is None:
        return problem(406, T("The price list is available as application/json, text/csv or application/yaml."))
    etag = price_list_tag(version, {JSON: None, CSV: "csv", YAML: "yaml"}[chosen])
    headers = {"ETag": etag, "Vary": "Accept"}
    if not_modified(etag):
        return Response(status=304, headers=headers)
    if chosen == CSV:
        headers["Content-Disposition"] = f'attachment; filename="price-list-v{version}.csv"'
        return Response(spreadsheets.to_csv(doc), mimetype=CSV, headers=headers)
    if chosen == YAML:
        return Response(spreadsheets.to_yaml({"version": version, **doc}), mimetype=YAML, headers=headers)
    # The stored plain document equals PriceListSchema's dump (a test checks it).
    return json_response({"version": version, **doc}, headers=headers)


# --- The whole document ---------------------------------------------------------


@blp.route("/price-list")
@blp.requires("admin")
@blp.response(200, PriceListSchema, headers=ETAG_HEADERS)
@blp.alt_response(200, description="The same document as CSV or YAML.", content_type=CSV, success=True)
def get_price_list():
    """The whole current price list with its version and ETag; `Accept: text/csv` or `application/yaml` for a spreadsheet."""
    stored = price_lists.get_document(services())
    return _document_response(stored.info.version, stored.document)


@blp.route("/price-list", methods=["PUT"])
@blp.requires("admin")
@blp.arguments(
    PriceListBodySchema(),
    description="The whole price list; replaces the current one atomically. "
    "Also accepted as `text/csv` (the layout of GET with Accept: text/csv) or `application/yaml`.",
)
@blp.response(200, PriceListSchema, headers=ETAG_HEADERS)
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.alt_response(428, response="PRECONDITION_REQUIRED")
@blp.doc(parameters=[IF_MATCH])
def put_price_list(body: dict):
    """Replace the whole price list; every accepted change is a new version."""
    expected = expected_price_list_version()
    body.pop("version", None)
    new_list = document.from_plain(body)
    info = price_lists.replace_price_list(
        services(),
        new_list,
        expected_version=price_lists.ANY_VERSION if expected is None else expected,
        by=current_user().name,
    )
    return json_response({"version": info.version, **document.to_plain(new_list)}, headers={"ETag": price_list_tag(info.version)})


@blp.route("/price-list/versions")
@blp.requires("admin")
@blp.response(200, PriceListVersionSchema(many=True))
def list_price_list_versions():
    """Every version, newest first: when, by whom, and what changed."""
    return price_lists.list_versions(services())


@blp.route("/price-list/versions/<int(max=2147483647):version>")
@blp.requires("admin")
@blp.response(200, PriceListVersionDocumentSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_price_list_version(version: int):
    """The full document of any version."""
    stored = price_lists.get_document(services(), version)
    info = stored.info
    return json_response(
        {"version": info.version, "created_at": info.created_at.isoformat(), "created_by": info.created_by,
         "summary": info.summary, **stored.document}
    )


# --- One item at a time -------------------------------------------------------------


def _item_response(kind: Kind, item: price_items.Item, status: int = 200) -> Response:
    headers = {"ETag": quoted(item.etag)}
    if status == 200 and request.method == "GET" and not_modified(headers["ETag"]):
        return Response(status=304, headers=headers)
    if status == 201:
        headers["Location"] = f"/api/v1/admin/{kind.url}/{item.data['code']}"
    # Items are stored in the document's plain form, which is what their schema dumps.
    return json_response(item.data, status=status, headers=headers)


def item_endpoints(kind: Kind, schema: type[Schema]) -> None:
    """List, add, read, change and delete for one list of the document, at /{kind.url}."""
    name = kind.key

    def list_items():
        found = price_items.list_items(services(), kind)
        return json_response({"version": found.version, "items": found.items})

    def add_item(body: dict):
        return _item_response(kind, price_items.add_item(services(), kind, body, current_user().name), 201)

    def get_item(code: str):
        return _item_response(kind, price_items.get_item(services(), kind, code))

    def patch_item(changes: dict, code: str):
        tags = if_match_tags()
        return _item_response(kind, price_items.update_item(services(), kind, code, changes, tags, current_user().name))

    def delete_item(code: str):
        tags = if_match_tags()
        price_items.delete_item(services(), kind, code, tags, current_user().name)
        return Response(status=204)

    # The view names become the operationIds: listAdminAreas, patchAdminArea, ...
    singular = name.removesuffix("s")
    for view, verb, noun in (
        (list_items, "list", name), (add_item, "add", singular), (get_item, "get", singular),
        (patch_item, "patch", singular), (delete_item, "delete", singular),
    ):
        view.__name__ = view.__qualname__ = f"{verb}_admin_{noun}"
    list_items.__doc__ = f"Every {kind.label} of the current price list."
    add_item.__doc__ = f"Add a {kind.label}; the whole price list is checked and a new version stored."
    get_item.__doc__ = f"One {kind.label}, with its ETag."
    patch_item.__doc__ = f"Change fields of a {kind.label} (not its code); needs If-Match."
    delete_item.__doc__ = f"Delete a {kind.label}; needs If-Match. Refused (422) while a campaign names it."

    collection, member = f"/{kind.url}", f"/{kind.url}/<string:code>"
    blp.route(collection)(blp.requires("admin")(blp.response(200, ItemListSchema)(list_items)))
    blp.route(collection, methods=["POST"])(
        blp.requires("admin")(
            blp.arguments(schema())(
                blp.response(201, schema, headers=ETAG_HEADERS)(blp.alt_response(409, response="CONFLICT")(add_item))
            )
        )
    )
    blp.route(member)(
        blp.requires("admin")(
            blp.response(200, schema, headers=ETAG_HEADERS)(blp.alt_response(404, response="NOT_FOUND")(get_item))
        )
    )
    patched = blp.alt_response(412, response="PRECONDITION_FAILED")(
        blp.alt_response(428, response="PRECONDITION_REQUIRED")(blp.doc(parameters=[IF_MATCH])(patch_item))
    )
    blp.route(member, methods=["PATCH"])(
        blp.requires("admin")(blp.arguments(schema(partial=True))(blp.response(200, schema, headers=ETAG_HEADERS)(patched)))
    )
    deleted = blp.alt_response(412, response="PRECONDITION_FAILED")(
        blp.alt_response(428, response="PRECONDITION_REQUIRED")(blp.doc(parameters=[IF_MATCH])(delete_item))
    )
    blp.route(member, methods=["DELETE"])(blp.requires("admin")(blp.response(204)(deleted)))


item_endpoints(KINDS["clinics"], ClinicSchema)
item_endpoints(KINDS["areas"], AreaSchema)
item_endpoints(KINDS["products"], ProductSchema)
item_endpoints(KINDS["specialist-levels"], SpecialistLevelSchema)
item_endpoints(KINDS["campaigns"], CampaignSchema)


# --- Audit log and users ---------------------------------------------------------------


@blp.route("/audit-log")
@blp.requires("admin")
@blp.arguments(AuditQuerySchema(unknown="exclude"), location="query")
@blp.response(200, AuditPageSchema)
def list_audit_entries(filters: dict):
    """Every change to prices, users and quote statuses, newest first: who, when, before and after."""
    return audit.entries(services(), filters)


@blp.route("/users")
@blp.requires("admin")
@blp.response(200, UserSchema(many=True))
def list_users():
    """Every user, active or revoked."""
    return users.list_users(services())


@blp.route("/users", methods=["POST"])
@blp.requires("admin")
@blp.arguments(UserCreateSchema())
@blp.response(201, NewUserSchema)
@blp.alt_response(409, response="CONFLICT")
def create_user(body: dict):
    """Create a user; the answer shows the token, once."""
    return users.create_user(services(), body["name"], body["role"], by=current_user().name)


@blp.route("/users/<string:name>", methods=["DELETE"])
@blp.requires("admin")
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
def revoke_user(name: str):
    """Revoke a user's token (the user stays listed, inactive)."""
    users.revoke_user(services(), name, by=current_user().name)
    return Response(status=204)
