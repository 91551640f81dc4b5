"""One item of the price list at a time: list, add, read, change, delete.

Every change is applied to the whole current document, checked by the rules
of price-list.md like any other path, and stored as a new version. Each item
has its own ETag (a hash of its content), so two admins editing different
items do not block each other, while two editing the same item from the same
ETag cannot both win.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from marshmallow import Schema

from ..db import Database
from ..schemas import AreaSchema, CampaignSchema, ClinicSchema, ProductSchema, SpecialistLevelSchema
from . import price_lists
from .errors import Conflict, NotFound, PreconditionFailed, PreconditionRequired, Unprocessable


@dataclass(frozen=True)
class Kind:
    """A list of the price-list document, as the URL names it."""

    url: str
    key: str
    schema: type[Schema]
    label: str


KINDS = {
    kind.url: kind
    for kind in (
        Kind("clinics", "clinics", ClinicSchema, "clinic"),
        Kind("areas", "areas", AreaSchema, "area"),
        Kind("products", "products", ProductSchema, "product"),
        Kind("specialist-levels", "specialist_levels", SpecialistLevelSchema, "specialist level"),
        Kind("campaigns", "campaigns", CampaignSchema, "campaign"),
    )
}
# Lists of a campaign that name items of other lists.
REFERENCES = {"clinics": "clinics", "areas": "required_areas"}
RETRIES = 5


@dataclass(frozen=True)
class Item:
    data: dict[str, Any]
    etag: str
    version: int


def etag_of(kind: Kind, item: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()[:20]
    return f"{kind.url}-{item['code']}-{digest}"


def _find(doc: Mapping[str, Any], kind: Kind, code: str) -> int:
    for i, item in enumerate(doc[kind.key]):
        if item["code"] == code:
            return i
    raise NotFound(f"No {kind.label} {code!r}.")


def list_items(database: Database, kind: Kind) -> tuple[list[dict[str, Any]], int]:
    info, doc = price_lists.get_document(database)
    return doc[kind.key], info.version


def get_item(database: Database, kind: Kind, code: str) -> Item:
    info, doc = price_lists.get_document(database)
    item = doc[kind.key][_find(doc, kind, code)]
    return Item(item, etag_of(kind, item), info.version)


def check_if_match(if_match: str | None, current: str) -> None:
    """428 without If-Match; 412 unless it names the current ETag (or is *)."""
    if not if_match:
        raise PreconditionRequired("Send If-Match with the ETag you read from GET.")
    tags = {tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")}
    if "*" not in tags and current not in tags:
        raise PreconditionFailed("The item changed since you read it; GET it again and retry.")


def _change(
    database: Database, kind: Kind, by: str, action: str, subject: str, edit: Callable[[dict[str, Any]], Any]
) -> tuple[Any, int]:
    """Apply ``edit`` to a copy of the newest document and store it as a version.

    When another change lands between read and write, the edit is tried again
    on the newer document; ``edit`` re-checks its own preconditions each time.
    """
    for _ in range(RETRIES):
        info, doc = price_lists.get_document(database)
        doc = copy.deepcopy(doc)
        result = edit(doc)
        price_list = price_lists.parse_document(doc)
        try:
            stored = price_lists.replace(
                database, price_list, expected_version=info.version, by=by, action=action, subject=subject
            )
        except PreconditionFailed:
            continue
        return result, stored.version
    raise PreconditionFailed("The price list kept changing; try again.")


def add_item(database: Database, kind: Kind, data: Mapping[str, Any], by: str) -> Item:
    item = kind.schema().dump(data)
    code = item["code"]

    def edit(doc: dict[str, Any]) -> None:
        if any(existing["code"] == code for existing in doc[kind.key]):
            raise Conflict(f"A {kind.label} {code!r} already exists.", {"code": ["Already exists."]})
        doc[kind.key].append(item)

    _, version = _change(database, kind, by, "add", f"{kind.key}.{code}", edit)
    return Item(item, etag_of(kind, item), version)


def update_item(
    database: Database, kind: Kind, code: str, changes: Mapping[str, Any], if_match: str | None, by: str
) -> Item:
    if "code" in changes and changes["code"] != code:
        raise Unprocessable(
            "A code cannot change; add the item under its new code and delete the old one.",
            {"code": ["Cannot be changed."]},
        )
    patch = kind.schema(partial=True).dump(changes)

    def edit(doc: dict[str, Any]) -> dict[str, Any]:
        i = _find(doc, kind, code)
        check_if_match(if_match, etag_of(kind, doc[kind.key][i]))
        doc[kind.key][i] = {**doc[kind.key][i], **patch}
        return doc[kind.key][i]

    item, version = _change(database, kind, by, "update", f"{kind.key}.{code}", edit)
    return Item(item, etag_of(kind, item), version)


def delete_item(database: Database, kind: Kind, code: str, if_match: str | None, by: str) -> int:
    def edit(doc: dict[str, Any]) -> None:
        i = _find(doc, kind, code)
        check_if_match(if_match, etag_of(kind, doc[kind.key][i]))
        field = REFERENCES.get(kind.key)
        if field:
            naming = [c["code"] for c in doc["campaigns"] if code in c[field]]
            if naming:
                message = f"The {kind.label} {code!r} is named by campaign {', '.join(naming)}; change or delete the campaign first."
                raise Unprocessable(message, {"code": [message]})
        del doc[kind.key][i]

    _, version = _change(database, kind, by, "delete", f"{kind.key}.{code}", edit)
    return version
