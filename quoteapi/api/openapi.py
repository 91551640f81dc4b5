"""The flask-smorest Api and the project's Blueprint: OpenAPI description, Swagger UI served locally."""

from __future__ import annotations

import copy
import http
import json
import weakref
from typing import Callable

import flask_smorest
from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app, request, send_from_directory
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from swagger_ui_bundle import swagger_ui_path

from . import auth
from .arguments import ArgumentsParser
from ..domain.text import T
from .errors import PROBLEM_JSON, handle_http_exception, problem
from ..interface.schemas.fields import DecimalString
from ..interface.schemas.problems import ProblemSchema

DESCRIPTION = """Pricing and quoting for dermatherapy clinics.

Money and rates are decimal strings (`"1250.00"`); every error is
`application/problem+json` with per-field messages in `errors`.
Staff endpoints need `Authorization: Bearer <token>` (made with
`quoteapi users create NAME --role sales|admin`).
A problem's `type` is `about:blank` or an absolute URI that answers what it
means (`/api/problems`). Quotes carry an `ETag`; their writes honour an
optional `If-Match` (412 when stale). Lists send `Link: <...>; rel="next"`.
`Content-Language` names the language of what is sent (a stored quote's own).
"""


def operation_id(name: str) -> str:
    """``create_quote`` → ``createQuote``: a view's name as its stable operationId."""
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


class Blueprint(flask_smorest.Blueprint):
    """The project's blueprints: arguments read by :class:`ArgumentsParser`, the query parameters of
    each view remembered for :func:`reject_unknown_query`, and :meth:`requires` for token-protected views.
    (Each operation's operationId is its view's name: :class:`OperationIds`.)"""

    ARGUMENTS_PARSER = ArgumentsParser()

    def arguments(self, schema, *, location="json", **options):
        """flask-smorest's ``arguments``; the fields of a query schema are query parameters the view declares."""
        documented = super().arguments(schema, location=location, **options)
        if location not in QUERY_LOCATIONS:
            return documented
        instance = schema() if isinstance(schema, type) else schema
        names = {field.data_key or name for name, field in instance.fields.items() if not field.dump_only}
        return lambda view: _declaring(documented(view), names)

    @staticmethod
    def doc(**kwargs):
        """flask-smorest's ``doc``; a query parameter it lists is one the view declares."""
        documented = flask_smorest.Blueprint.doc(**kwargs)
        names = {p["name"] for p in kwargs.get("parameters", ()) if isinstance(p, dict) and p.get("in") == "query"}
        return lambda view: _declaring(documented(view), names) if names else documented(view)

    def requires(self, role: str) -> Callable:
        """Protect a view by role (see :func:`auth.requires`) and document it: bearer, 401, 403."""

        def decorator(view: Callable) -> Callable:
            protected = auth.requires(role)(view)
            # The role, in the description too: the roles matrix test reads it from there.
            protected = self.doc(security=[{auth.BEARER: []}], **{"x-required-role": role})(protected)
            protected = self.alt_response(401, response="UNAUTHORIZED")(protected)
            return self.alt_response(403, response="FORBIDDEN")(protected)

        return decorator


# The query parameters each decorated function declares (its own decorator's; see declared_query).
QUERY_LOCATIONS = ("query", "querystring")
_DECLARED: weakref.WeakKeyDictionary[Callable, frozenset[str]] = weakref.WeakKeyDictionary()


def _declaring(decorated: Callable, names: set[str]) -> Callable:
    _DECLARED[decorated] = frozenset(names)
    return decorated


class OperationIds(BasePlugin):
    """An apispec plugin: each operation's operationId from its view's name (``create_quote`` →
    ``createQuote``; ``getThings`` for a MethodView's ``get``), unless its doc gives one."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def operation_helper(self, path=None, operations=None, *, rule=None, **kwargs) -> None:
        view = self.app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)  # Flask's MethodView.as_view
        for method, operation in operations.items():
            name = f"{method}_{view_class.__name__}" if view_class else view.__name__
            operation.setdefault("operationId", operation_id(name))


LANGUAGE_PARAMETERS = {
    "AcceptLanguage": {
        "in": "header", "name": "Accept-Language", "required": False, "schema": {"type": "string"},
        "description": "tr (the default) or en: the language of every text in the answer.",
    },
    "Lang": {
        "in": "query", "name": "lang", "required": False, "schema": {"type": "string", "enum": ["tr", "en"]},
        "description": "The answer's language; wins over Accept-Language. Another value is ignored (Accept-Language, "
                       "then the default language, decide): Content-Language names the language sent.",
    },
}
CONTENT_LANGUAGE = {"description": "The language of the texts in the answer.", "schema": {"type": "string", "enum": ["tr", "en"]}}
METHODS = ("get", "put", "post", "patch", "delete")


NUMBER = {"number": "$response.body#/number"}
_QUOTE_LINKS = {
    "GetQuote": {"operationId": "getQuote", "parameters": NUMBER},
    "PatchQuote": {"operationId": "patchQuote", "parameters": NUMBER},
    "AddNote": {"operationId": "addNote", "parameters": NUMBER},
    "ReviseQuote": {"operationId": "reviseQuote", "parameters": NUMBER},
    "GetDocument": {"operationId": "getDocument", "parameters": NUMBER},
    "DecideApproval": {"operationId": "decideApproval", "parameters": NUMBER},
    "GetRevision": {"operationId": "getRevision", "parameters": {**NUMBER, "revision": "$response.body#/revision"}},
    "VerifyRevision": {"operationId": "verifyRevision", "parameters": {**NUMBER, "revision": "$response.body#/revision"}},
}


def _item_links(singular: str) -> dict:
    code = {"code": "$response.body#/code"}
    with_etag = {**code, "header.If-Match": "$response.header.ETag"}
    return {
        f"GetAdmin{singular}": {"operationId": f"getAdmin{singular}", "parameters": code},
        f"PatchAdmin{singular}": {"operationId": f"patchAdmin{singular}", "parameters": with_etag},
        f"DeleteAdmin{singular}": {"operationId": f"deleteAdmin{singular}", "parameters": with_etag},
    }


# How the answer of one operation feeds the next (OpenAPI links): for clients, and for the stateful fuzzer.
LINKS = {
    ("/api/v1/quotes", "post", "201"): _QUOTE_LINKS,
    ("/api/v1/quotes/{number}/revisions", "post", "201"): _QUOTE_LINKS,
    ("/api/v1/quotes/{number}", "patch", "200"): _QUOTE_LINKS,
    ("/api/v1/admin/users", "post", "201"): {
        "RevokeUser": {"operationId": "revokeUser", "parameters": {"name": "$response.body#/name"}},
    },
    ("/api/v1/admin/areas", "post", "201"): _item_links("Area"),
    ("/api/v1/admin/products", "post", "201"): _item_links("Product"),
    ("/api/v1/admin/campaigns", "post", "201"): _item_links("Campaign"),
}


def finish(spec: dict) -> dict:
    """What apispec does not write by itself, for generated clients and strict validators:
    servers, security [] on public operations, the language headers, enums typed as strings, links."""
    spec.setdefault("servers", [{"url": "/", "description": "This server"}])
    price_list = spec["paths"]["/api/v1/admin/price-list"]
    spreadsheet = {"schema": {"type": "string", "description": "The same document, as GET answers it in this type."}}
    price_list["get"]["responses"]["200"]["content"].update({"text/csv": spreadsheet, "application/yaml": spreadsheet})
    # A PUT also takes text/csv and application/yaml (said in its description): generated clients
    # (openapi-python-client) cannot build a body of those types, so they are not listed as content.
    _for_integrators(spec)
    for (path, method, status), links in LINKS.items():
        response = spec["paths"][path][method]["responses"][status]
        response.setdefault("links", {}).update(links)
    components = spec.setdefault("components", {})
    components.setdefault("parameters", {}).update(LANGUAGE_PARAMETERS)
    for path in spec.get("paths", {}).values():
        for method in METHODS:
            operation = path.get(method)
            if operation is None:
                continue
            operation.setdefault("security", [])
            parameters = operation.setdefault("parameters", [])
            for name in LANGUAGE_PARAMETERS:
                ref = {"$ref": f"#/components/parameters/{name}"}
                if ref not in parameters:
                    parameters.append(ref)
            header = BOTH_LANGUAGES if operation.pop("x-content-language", None) else CONTENT_LANGUAGE
            for response in operation.get("responses", {}).values():
                if "$ref" not in response:
                    response.setdefault("headers", {})["Content-Language"] = header
    for response in components.get("responses", {}).values():
        response.setdefault("headers", {})["Content-Language"] = CONTENT_LANGUAGE
    _type_enums(components.get("schemas", {}))
    _dry_run_answers(spec)
    return spec


# --- What integrators' tools expect (issue 31) ------------------------------------------------
# One media type per operation (a generated client types a PDF as bytes), typed lists, nullable
# references and any-value fields as Redocly lints them, problem types that are absolute URIs.

PROBLEM_TYPE_DESCRIPTION = (
    "about:blank, or the absolute URI `<base>/api/problems/<kind>` of a problem a client must tell apart from others "
    "of its status; GET on it says what it means, in both languages (listed at /api/problems). <base> is "
    "QUOTEAPI_PUBLIC_URL when set, else the host asked."
)
# What the problem-type operations answer: both languages at once.
BOTH_LANGUAGES = {"description": "Both languages: `tr, en`.", "schema": {"type": "string"}}
ITEM_LISTS = {"clinics": "Clinic", "areas": "Area", "products": "Product", "specialist-levels": "SpecialistLevel", "campaigns": "Campaign",
              "concerns": "Concern"}


def _for_integrators(spec: dict) -> None:
    from .errors import PROBLEM_KINDS

    paths = spec["paths"]
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    binary = {"schema": {"type": "string", "format": "binary"}}
    page = {"schema": {"type": "string"}}
    document = paths["/api/v1/quotes/{number}/document"]["get"]["responses"]["200"]
    document["content"] = {"application/pdf": binary}
    paths["/api/v1/quotes/{number}/document.html"]["get"]["responses"]["200"]["content"] = {"text/html": page}
    # The problem types: JSON, or a page for a browser.
    for path in ("/api/problems", "/api/problems/{kind}"):
        operation = paths[path]["get"]
        operation["responses"]["200"]["content"]["text/html"] = page
        operation["x-content-language"] = "tr, en"
    kind_path = paths["/api/problems/{kind}"]
    for parameter in [*kind_path.get("parameters", []), *kind_path["get"].get("parameters", [])]:
        if parameter.get("name") == "kind":
            parameter["schema"] = {"type": "string", "enum": sorted(PROBLEM_KINDS)}
    if "Problem" in schemas:
        schemas["Problem"]["properties"]["type"]["description"] = PROBLEM_TYPE_DESCRIPTION
        schemas["Problem"]["properties"]["type"]["format"] = "uri"
    # Each admin list answers its own items (ItemList stays for what else names it).
    for url, singular in ITEM_LISTS.items():
        name = f"{singular}List"
        schemas[name] = {
            "type": "object",
            "properties": {
                "version": {"type": "integer", "description": "The price-list version read."},
                "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{singular}Answer"}},
            },
            "additionalProperties": False,
        }
        content = paths[f"/api/v1/admin/{url}"]["get"]["responses"]["200"]["content"]["application/json"]
        content["schema"] = {"$ref": f"#/components/schemas/{name}"}
    if not _names(paths, "#/components/schemas/ItemList"):
        schemas.pop("ItemList", None)
    # flask-smorest's pagination component, which no operation here uses.
    if not _names(spec, "#/components/schemas/PaginationMetadata"):
        schemas.pop("PaginationMetadata", None)
    _nullable_fixes(schemas)


def _names(node, ref: str) -> bool:
    if isinstance(node, dict):
        return node.get("$ref") == ref or any(_names(value, ref) for value in node.values())
    if isinstance(node, list):
        return any(_names(value, ref) for value in node)
    return False


def _nullable_fixes(node) -> None:
    """A value of any type (``Raw``): no ``nullable`` without a ``type`` (it allows null already); a nullable
    reference as ``anyOf: [ref, null]`` (generators type it ``Model | None``, not a free-form class)."""
    if isinstance(node, dict):
        if node.get("nullable") and not any(key in node for key in ("type", "$ref", "allOf", "anyOf", "oneOf")):
            del node["nullable"]
        choices = node.get("anyOf")
        if isinstance(choices, list) and len(choices) == 2 and "$ref" in choices[0] and choices[1] == {"type": "object", "nullable": True}:
            choices[1] = {"type": "object", "nullable": True, "enum": [None], "description": "null"}
        for value in node.values():
            _nullable_fixes(value)
    elif isinstance(node, list):
        for value in node:
            _nullable_fixes(value)


# --- end of what integrators' tools expect ------------------------------------------------------


def _dry_run_answers(spec: dict) -> None:
    """A write that takes ``dry_run`` answers 200 with a DryRun: where 200 is also the write's own answer,
    its schema is either (anyOf; a DryRun is told apart by ``"dry_run": true``)."""
    dry_run = {"$ref": "#/components/schemas/DryRun"}
    for path in spec.get("paths", {}).values():
        for method in ("put", "patch"):
            operation = path.get(method)
            if operation is None or not any(p.get("name") == "dry_run" for p in operation.get("parameters", [])):
                continue
            content = operation["responses"]["200"].setdefault("content", {}).setdefault("application/json", {})
            if "schema" in content and content["schema"] != dry_run:
                content["schema"] = {"anyOf": [content["schema"], dry_run]}


def _type_enums(node) -> None:
    if isinstance(node, dict):
        if "enum" in node and "type" not in node and all(isinstance(v, str) for v in node["enum"] if v is not None):
            node["type"] = "string"
        for value in node.values():
            _type_enums(value)
    elif isinstance(node, list):
        for value in node:
            _type_enums(value)


class QuoteApiSpec(Api):
    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error):
        return handle_http_exception(error)

    def _openapi_json(self):
        return current_app.response_class(
            json.dumps(finish(copy.deepcopy(self.spec.to_dict())), indent=2, ensure_ascii=False),
            mimetype="application/json",
        )

    def _register_responses(self):
        """The shared error responses, documented as what they are: problem+json."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Any error", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def schema_name(schema) -> str:
    """Component names: the class name without "Schema"; "Patch" for a partial instance."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and schema.partial:
        return name + "Patch"
    return name


# Accepted on every operation (the answer's language); everything else a write takes, it declares.
ALWAYS_ALLOWED_QUERY = frozenset({"lang"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def declared_query(view: Callable) -> frozenset[str]:
    """The query parameters a view declares: its query schemas' fields and the parameters its docs list."""
    names = _QUERY_OF_VIEW.get(view)
    if names is None:
        found, layer = set(ALWAYS_ALLOWED_QUERY), view
        while layer is not None:  # the decorators, outermost first (functools.wraps leaves __wrapped__)
            found |= _DECLARED.get(layer, frozenset())
            layer = getattr(layer, "__wrapped__", None)
        names = _QUERY_OF_VIEW[view] = frozenset(found)
    return names


_QUERY_OF_VIEW: weakref.WeakKeyDictionary[Callable, frozenset[str]] = weakref.WeakKeyDictionary()


def reject_unknown_query():
    """An unknown or repeated query parameter on a write of the API is a 400: a typo (`?dryrun=true`) or a
    second value (`?dry_run=false&dry_run=true`) never applies a change."""
    req = request._get_current_object()  # one context look-up, not one per attribute (every request runs this)
    # No query string, no unknown parameter: read from the environ, not from req.args, which would be
    # parsed into a MultiDict for every write (and req.path decoded) to find it empty.
    if req.method not in WRITES or not req.environ.get("QUERY_STRING") or not req.path.startswith("/api/") or not req.args:
        return None
    view = current_app.view_functions.get(req.endpoint) if req.endpoint else None
    if view is None:
        return None
    unknown = sorted(set(req.args) - declared_query(view))
    if unknown:
        message = T("Unknown query parameter.")
        return problem(
            400, T("Unknown query parameters: {names}; nothing was changed.", names=", ".join(unknown)),
            {name: [message] for name in unknown}, kind="unknown-query-parameter",
        )
    # A parameter given twice (`?dry_run=false&dry_run=true`): which one counts is no client's guess.
    repeated = sorted(name for name, values in req.args.lists() if len(values) > 1)
    if repeated:
        message = T("Give this query parameter once.")
        return problem(
            400, T("Query parameters given more than once: {names}; nothing was changed.", names=", ".join(repeated)),
            {name: [message] for name in repeated}, kind="repeated-query-parameter",
        )
    return None


def build_api(app: Flask) -> Api:
    app.config.update(
        API_TITLE="quoteapi",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
        API_SPEC_OPTIONS={
            "info": {"description": DESCRIPTION},
            "components": {
                "securitySchemes": {auth.BEARER: {"type": "http", "scheme": "bearer"}},
            },
        },
    )
    api = QuoteApiSpec(app, spec_kwargs={
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
        "extra_plugins": [OperationIds(app)],
    })
    api.register_field(DecimalString, "string", "decimal")
    app.before_request(reject_unknown_query)

    @app.get("/api/docs/assets/<path:filename>")
    def swagger_ui_assets(filename: str):
        # Swagger UI ships in the swagger-ui-bundle wheel: no CDN at run time.
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    return api
