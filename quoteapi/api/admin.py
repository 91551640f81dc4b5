"""The admins' API: the price list (whole and per item), its history, the audit log, users."""

from __future__ import annotations

from dataclasses import replace

from flask import Response, request
from marshmallow import Schema, fields
from werkzeug.exceptions import UnprocessableEntity

from ..adapters import spreadsheets
from ..domain import price_list as document
from ..domain.errors import Invalid
from ..domain.text import T
from ..interface.answers import json_response
from ..interface.schemas.admin import AuditPageSchema, AuditQuerySchema, ItemListSchema, NewUserSchema, UserCreateSchema, UserDetailsSchema, UserSchema
from ..interface.schemas.price_list import (
    ITEM_SCHEMAS,
    DryRunSchema,
    PriceListSchema,
    PriceListVersionDocumentSchema,
    PriceListVersionSchema,
    PriceListWriteSchema,
    WriteQuerySchema,
    item_answer_schema,
)
from ..services import audit, price_changes, price_items, price_lists, users
from ..services.price_changes import DryRun
from ..services.price_items import KINDS, Kind
from ..services.price_lists import StoredDocument
from .auth import current_user
from .bodies import CSV, JSON, YAML, in_request_terms
from .errors import _field_errors, handle_http_exception, problem
from .etags import expected_price_list_version, if_match_tags, not_modified, price_list_tag, quoted
from .openapi import Blueprint
from .responses import NEXT_LINK, next_page_headers, services

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
# flask-smorest lets a view's own list of parameters replace those its query schema documents:
# the writes that name If-Match list the query's parameters again (WriteQuerySchema parses them).
WRITE_QUERY = [
    {"in": "query", "name": "dry_run", "required": False, "schema": {"type": "boolean", "default": False},
     "description": "`true`: check the change and answer what it would do (200, a DryRun); store nothing."},
    {"in": "query", "name": "effective_from", "required": False, "schema": {"type": "string", "format": "date-time"},
     "description": "Schedule the change: a future timestamp with its offset (`2027-01-01T00:00:00+03:00`)."},
]


class PriceListBodySchema(PriceListSchema):
    """The whole price list as a PUT sends it: JSON, or the same document as CSV or YAML."""

    BODY_TYPES = (JSON, CSV, YAML)


def _document_response(stored: StoredDocument):
    """The document as JSON, CSV or YAML, as Accept asks; each representation has its own ETag."""
    version, doc = stored.info.version, stored.document
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
    return stored, headers


# --- The whole document ---------------------------------------------------------


@blp.route("/price-list")
@blp.requires("admin")
@blp.response(200, PriceListSchema, headers=ETAG_HEADERS)
@blp.alt_response(200, description="The same document as CSV or YAML.", content_type=CSV, success=True)
def get_price_list():
    """The whole current price list with its version and ETag; `Accept: text/csv` or `application/yaml` for a spreadsheet."""
    return _document_response(price_lists.get_document(services()))


@blp.route("/price-list", methods=["PUT"])
@blp.requires("admin")
@blp.arguments(
    PriceListBodySchema(),
    description="The whole price list; replaces the current one atomically. "
    "Also accepted as `text/csv` (the layout of GET with Accept: text/csv) or `application/yaml`.",
)
@blp.arguments(WriteQuerySchema(unknown="exclude"), location="query", as_kwargs=True)
@blp.response(200, PriceListWriteSchema, headers=ETAG_HEADERS,
              description="The stored version; with `dry_run=true`, a DryRun instead (nothing stored).")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.alt_response(428, response="PRECONDITION_REQUIRED")
@blp.doc(parameters=[IF_MATCH, *WRITE_QUERY])
def put_price_list(body: dict, dry_run: bool = False, effective_from=None):
    """Replace the whole price list; every accepted change is a new version (or a scheduled one, with
    `effective_from`); `dry_run=true` answers what it would do and stores nothing."""
    expected = expected_price_list_version()
    body.pop("version", None)
    new_list = document.from_plain(body)
    outcome = price_lists.replace_price_list(
        services(),
        new_list,
        expected_version=price_lists.ANY_VERSION if expected is None else expected,
        by=current_user().name,
        effective_from=effective_from,
        dry_run=dry_run,
    )
    if dry_run:
        return dry_run_response(price_changes.preview(services(), outcome))
    # The stored document, with what the write found (its warnings) and its state.
    stored = replace(price_lists.get_document(services(), outcome.version), info=outcome)
    in_force = outcome.version if outcome.state == "current" else price_lists.current_version(services()).version
    return stored, {"ETag": price_list_tag(in_force)}


def dry_run_response(dry: DryRun) -> Response:
    """A dry run's answer (DryRunSchema), a CSV body's problems named by row and cell.

    Not the view's own 200 schema (that is the write's answer): dumped here.
    """
    plan = replace(dry.plan, errors=in_request_terms(dry.plan.errors))
    return json_response(DryRunSchema().dump(replace(dry, plan=plan)))


def _is_dry_run() -> bool:
    return request.method in ("POST", "PUT", "PATCH", "DELETE") and request.args.get("dry_run") in fields.Boolean.truthy


@blp.errorhandler(UnprocessableEntity)
def field_problems_of_a_dry_run(error: UnprocessableEntity):
    """A dry run answers field problems as data (200, valid false), like the whole-list rules; a write, 422."""
    data = getattr(error, "data", None) or {}
    if not _is_dry_run() or "messages" not in data or "query" in data["messages"]:
        return handle_http_exception(error)
    scheduled = bool(request.args.get("effective_from"))
    return json_response(DryRunSchema().dump({
        "valid": False, "errors": _field_errors(data["messages"]), "warnings": [], "summary": "",
        "changes": [], "version": None, "effective_from": None, "state": "scheduled" if scheduled else "current",
        "impact": None,
    }))


@blp.route("/price-list/versions")
@blp.requires("admin")
@blp.response(200, PriceListVersionSchema(many=True))
def list_price_list_versions():
    """Every version, newest first: when, by whom, what changed, when it takes effect and its state."""
    return price_lists.list_versions(services())


@blp.route("/price-list/versions/<int(max=2147483647):version>")
@blp.requires("admin")
@blp.response(200, PriceListVersionDocumentSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_price_list_version(version: int):
    """The full document of any version; for a scheduled one, what it will contain when it takes effect."""
    return price_lists.get_document(services(), version)


@blp.route("/price-list/versions/<int(max=2147483647):version>", methods=["DELETE"])
@blp.requires("admin")
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def cancel_price_list_version(version: int):
    """Cancel a scheduled version (409 once it is in force, or cancelled already); like every DELETE it answers
    204, and `GET .../versions/{n}` shows it `cancelled`, with who and when."""
    price_lists.cancel_version(services(), version, current_user().name)
    return Response(status=204)


# --- One item at a time -------------------------------------------------------------


def _item_response(kind: Kind, item: price_items.Item, status: int = 200):
    """The item (its answer schema dumps it: see ``ItemAnswer``) with its ETag; 304 when the client has it."""
    headers = {"ETag": quoted(item.etag)}
    if status == 200 and request.method == "GET" and not_modified(headers["ETag"]):
        return Response(status=304, headers=headers)
    if status == 201:
        headers["Location"] = f"/api/v1/admin/{kind.url}/{item.data['code']}"
    if item.state == "scheduled":
        # The item as the scheduled version will have it; the ETag to change it today is the one GET answers.
        del headers["ETag"]
    return item, status, headers


DRY_RUN_ANSWER = {"description": "With `dry_run=true`: what the change would do; nothing was stored."}


def item_endpoints(kind: Kind, schema: type[Schema]) -> None:
    """List, add, read, change and delete for one list of the document, at /{kind.url}."""
    name = kind.key

    def list_items():
        return price_items.list_items(services(), kind)

    def add_item(body: dict, dry_run: bool = False, effective_from=None):
        outcome = price_items.add_item(
            services(), kind, body, current_user().name, effective_from=effective_from, dry_run=dry_run
        )
        if isinstance(outcome, DryRun):
            return dry_run_response(outcome)
        return _item_response(kind, outcome, 201)

    def get_item(code: str):
        return _item_response(kind, price_items.get_item(services(), kind, code))

    def patch_item(changes: dict, code: str, dry_run: bool = False, effective_from=None):
        tags = if_match_tags()
        outcome = price_items.update_item(
            services(), kind, code, changes, tags, current_user().name, effective_from=effective_from, dry_run=dry_run
        )
        if isinstance(outcome, DryRun):
            return dry_run_response(outcome)
        return _item_response(kind, outcome)

    def delete_item(code: str, dry_run: bool = False, effective_from=None):
        tags = if_match_tags()
        outcome = price_items.delete_item(
            services(), kind, code, tags, current_user().name, effective_from=effective_from, dry_run=dry_run
        )
        if isinstance(outcome, DryRun):
            return dry_run_response(outcome)
        return Response(status=204)

    # The view names become the operationIds: listAdminAreas, patchAdminArea, ...
    singular = name.removesuffix("s")
    for view, verb, noun in (
        (list_items, "list", name), (add_item, "add", singular), (get_item, "get", singular),
        (patch_item, "patch", singular), (delete_item, "delete", singular),
    ):
        view.__name__ = view.__qualname__ = f"{verb}_admin_{noun}"
    list_items.__doc__ = f"Every {kind.label} of the price list in force" + (
        " (each with `uses`: accepted quotes carrying it so far)." if name == "campaigns" else ".")
    add_item.__doc__ = (f"Add a {kind.label}; the whole price list is checked and a new version stored "
                        "(`effective_from` schedules it, `dry_run=true` only tries it).")
    get_item.__doc__ = f"One {kind.label} of the price list in force, with its ETag" + (
        " and `uses`." if name == "campaigns" else ".")
    patch_item.__doc__ = f"Change fields of a {kind.label} (not its code); needs If-Match."
    delete_item.__doc__ = f"Delete a {kind.label}; needs If-Match. Refused (422) while a campaign names it."

    query = WriteQuerySchema(unknown="exclude")
    answer = item_answer_schema(schema)
    collection, member = f"/{kind.url}", f"/{kind.url}/<string:code>"
    blp.route(collection)(blp.requires("admin")(blp.response(200, ItemListSchema)(list_items)))
    blp.route(collection, methods=["POST"])(
        blp.requires("admin")(
            blp.arguments(schema())(
                blp.arguments(query, location="query", as_kwargs=True)(
                    blp.response(201, answer, headers=ETAG_HEADERS)(
                        blp.alt_response(200, schema=DryRunSchema, **DRY_RUN_ANSWER)(
                            blp.alt_response(409, response="CONFLICT")(add_item)
                        )
                    )
                )
            )
        )
    )
    blp.route(member)(
        blp.requires("admin")(
            blp.response(200, answer, headers=ETAG_HEADERS)(blp.alt_response(404, response="NOT_FOUND")(get_item))
        )
    )
    patched = blp.alt_response(412, response="PRECONDITION_FAILED")(
        blp.alt_response(428, response="PRECONDITION_REQUIRED")(
            blp.alt_response(409, response="CONFLICT")(blp.doc(parameters=[IF_MATCH, *WRITE_QUERY])(patch_item))
        )
    )
    blp.route(member, methods=["PATCH"])(
        blp.requires("admin")(
            blp.arguments(schema(partial=True))(
                blp.arguments(query, location="query", as_kwargs=True)(
                    blp.response(200, answer, headers=ETAG_HEADERS,
                                 description="The item; with `dry_run=true`, a DryRun instead.")(patched)
                )
            )
        )
    )
    deleted = blp.alt_response(412, response="PRECONDITION_FAILED")(
        blp.alt_response(428, response="PRECONDITION_REQUIRED")(
            blp.alt_response(409, response="CONFLICT")(
                blp.alt_response(200, schema=DryRunSchema, **DRY_RUN_ANSWER)(blp.doc(parameters=[IF_MATCH, *WRITE_QUERY])(delete_item))
            )
        )
    )
    blp.route(member, methods=["DELETE"])(
        blp.requires("admin")(blp.arguments(query, location="query", as_kwargs=True)(blp.response(204)(deleted)))
    )


for url, item_schema in ITEM_SCHEMAS.items():
    item_endpoints(KINDS[url], item_schema)


# --- Audit log and users ---------------------------------------------------------------


@blp.route("/audit-log")
@blp.requires("admin")
@blp.arguments(AuditQuerySchema(unknown="exclude"), location="query")
@blp.response(200, AuditPageSchema, headers=NEXT_LINK)
def list_audit_entries(filters: dict):
    """Every change to prices, users and quote statuses, newest first: who, when, before and after
    (follow `Link: rel="next"`, or pass `next_cursor` as `cursor`)."""
    page = audit.entries(services(), filters)
    return page, next_page_headers(page.next_cursor)


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
    return users.create_user(services(), body["name"], body["role"], by=current_user().name,
                             full_name=body.get("full_name"), email=body.get("email"), language=body.get("language"))


@blp.route("/users/<string:name>", methods=["DELETE"])
@blp.requires("admin")
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
def revoke_user(name: str):
    """Revoke a user's token (the user stays listed, inactive)."""
    users.revoke_user(services(), name, by=current_user().name)
    return Response(status=204)


# Declared after DELETE: Werkzeug answers a path its converter refuses (a NUL in the name) with 404 for
# the first rule declared on it and 405 for the others; DELETE keeps its 404.
@blp.route("/users/<string:name>")
@blp.requires("admin")
@blp.response(200, UserSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_user(name: str):
    """One user, active or revoked, with their full name and e-mail."""
    return users.get_user(services(), name)


@blp.route("/users/<string:name>", methods=["PATCH"])
@blp.requires("admin")
@blp.arguments(UserDetailsSchema())
@blp.response(200, UserSchema)
@blp.alt_response(404, response="NOT_FOUND")
def patch_user(changes: dict, name: str):
    """Change an active user's `full_name`, `email` and/or `language` (null clears one; a field left out is kept)."""
    if not changes:
        nothing = T("Send at least one of full_name, email and language.")
        raise Invalid(nothing, {"_body": [nothing]})
    return users.set_details(services(), name, changes, by=current_user().name)
