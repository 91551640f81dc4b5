"""One item of the price list at a time: list, add, read, change, delete.

Every change is applied to the whole newest document and stored through
:func:`price_lists.replace_price_list`, like any other change. Each item has
its own ETag (a hash of its content), so two admins editing different items
do not block each other, while two editing the same item from the same ETag
cannot both win.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Collection, Mapping

from ..adapters.db import price_list_store
from ..domain import price_list as document
from ..domain.errors import Conflict, Invalid, NotFound, StaleVersion, VersionRequired
from ..domain.price_list.codec import item_to_plain
from ..domain.text import T
from . import price_changes, price_lists
from .price_changes import DryRun

if TYPE_CHECKING:
    from .context import Context


@dataclass(frozen=True)
class Kind:
    """A list of the price-list document, as the URL names it."""

    url: str
    key: str
    label: str


KINDS = {
    kind.url: kind
    for kind in (
        Kind("clinics", "clinics", "clinic"),
        Kind("areas", "areas", "area"),
        Kind("products", "products", "product"),
        Kind("specialist-levels", "specialist_levels", "specialist level"),
        Kind("campaigns", "campaigns", "campaign"),
        Kind("concerns", "concerns", "concern"),
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
    # A campaign's accepted quotes so far (not part of the document); None for other kinds.
    uses: int | None = None
    # What the write found worth a second look, and the state of the version it made.
    warnings: tuple = ()
    state: str = "current"


@dataclass(frozen=True)
class ItemList:
    version: int
    items: list[dict[str, Any]]
    uses: dict[str, int] | None = None


def etag_of(kind: Kind, item: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()[:20]
    return f"{kind.url}-{item['code']}-{digest}"


def _find(doc: Mapping[str, Any], kind: Kind, code: str) -> int:
    for i, item in enumerate(doc[kind.key]):
        if item["code"] == code:
            return i
    raise NotFound(T("No {kind} {code}.", kind=kind.label, code=repr(code)))


def _require_match(if_match: Collection[str] | None, current: str) -> None:
    """:class:`VersionRequired` without ``if_match`` (the ETags a change is based on);
    :class:`StaleVersion` unless it names the item's current ETag (or ``*``)."""
    if if_match is None:
        raise VersionRequired(T("Send If-Match with the ETag you read from GET."))
    if "*" not in if_match and current not in if_match:
        raise StaleVersion(T("The item changed since you read it; GET it again and retry."))


def _merge(old: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``old`` with ``changes`` applied, nested objects (a campaign's benefit) field by field."""
    out = dict(old)
    for key, value in changes.items():
        out[key] = _merge(old[key], value) if isinstance(value, Mapping) and isinstance(old.get(key), Mapping) else value
    return out


def campaign_uses(ctx: Context, codes: Collection[str] | None = None) -> dict[str, int]:
    """How many accepted quotes carry each campaign (0 when none ever did)."""
    with ctx.database.reading() as session:
        found = price_list_store.campaign_uses(session, codes)
    return found if codes is None else {code: found.get(code, 0) for code in codes}


def list_items(ctx: Context, kind: Kind) -> ItemList:
    """The items of the list in force (campaigns with their ``uses``)."""
    stored = price_lists.get_document(ctx)
    items = stored.document[kind.key]
    uses = campaign_uses(ctx, [item["code"] for item in items]) if kind.key == "campaigns" else None
    return ItemList(stored.info.version, items, uses)


def get_item(ctx: Context, kind: Kind, code: str) -> Item:
    stored = price_lists.get_document(ctx)
    item = stored.document[kind.key][_find(stored.document, kind, code)]
    uses = campaign_uses(ctx, [code])[code] if kind.key == "campaigns" else None
    return Item(item, etag_of(kind, item), stored.info.version, uses)


def _change(
    ctx: Context, kind: Kind, by: str, action: str, code: str, edit: Callable[[dict[str, Any]], Any],
    effective_from: datetime | None = None, dry_run: bool = False,
) -> tuple[Any, price_lists.VersionInfo | DryRun]:
    """Apply ``edit`` to a copy of the document in force and store it as a version (or try it: ``dry_run``).

    When another change lands between read and write, the edit is tried again
    on the newer document; ``edit`` re-checks its own preconditions each time.
    In a dry run, the rules ``edit`` checks (a duplicate code, a campaign naming
    the item) are answered as problems, like the rules of the whole list.
    """
    for _ in range(RETRIES):
        stored = price_lists.get_document(ctx)
        doc = copy.deepcopy(stored.document)
        try:
            result = edit(doc)
        except (Conflict, Invalid) as exc:
            if not dry_run:
                raise
            problems = exc.errors or {"": [exc.detail]}
            plan = price_lists.Plan(
                False, problems, (), "", [], None, effective_from, "scheduled" if effective_from else "current",
                stored.info.version, stored.document, doc,
            )
            return None, DryRun(plan, None)
        try:
            info = price_lists.replace_price_list(
                ctx, document.from_plain(doc), expected_version=stored.info.version, by=by, action=action,
                subject=f"{kind.key}.{code}", effective_from=effective_from, dry_run=dry_run,
            )
        except StaleVersion:
            continue
        if dry_run:
            return result, price_changes.preview(ctx, info)
        return result, info
    raise StaleVersion(T("The price list kept changing; try again."))


def _refuse_named_by_concerns(doc: Mapping[str, Any], code: str) -> None:
    """A product a skin concern suggests cannot go (422), as an area or clinic a campaign names."""
    naming = [c["code"] for c in doc.get("concerns", ()) if code in c.get("products", ())]
    if naming:
        message = T(
            "The product {code} is suggested by skin concern {concerns}; change or delete the concern first.",
            code=repr(code), concerns=", ".join(naming),
        )
        raise Invalid(message, {"code": [message]})


def _answer(kind: Kind, item: dict[str, Any], outcome, ctx: Context) -> Item | DryRun:
    if isinstance(outcome, DryRun):
        return outcome
    # A write answers the item as the document has it; a campaign with its ``uses``, as a GET
    # answers it (0 for a new one, not null: issue 31).
    uses = campaign_uses(ctx, [item["code"]])[item["code"]] if kind.key == "campaigns" else None
    return Item(item, etag_of(kind, item), outcome.version, uses, outcome.warnings, outcome.state)


def add_item(
    ctx: Context, kind: Kind, data: Mapping[str, Any], by: str, *, effective_from: datetime | None = None,
    dry_run: bool = False,
) -> Item | DryRun:
    """Add an item (its fields already checked one by one); the whole list is checked too."""
    item = item_to_plain(kind.key, data)
    code = item["code"]

    def edit(doc: dict[str, Any]) -> None:
        if any(existing["code"] == code for existing in doc[kind.key]):
            raise Conflict(T("A {kind} {code} already exists.", kind=kind.label, code=repr(code)), {"code": [T("Already exists.")]})
        doc[kind.key].append(item)

    _, outcome = _change(ctx, kind, by, "add", code, edit, effective_from, dry_run)
    return _answer(kind, item, outcome, ctx)


def update_item(
    ctx: Context, kind: Kind, code: str, changes: Mapping[str, Any], if_match: Collection[str] | None, by: str,
    *, effective_from: datetime | None = None, dry_run: bool = False,
) -> Item | DryRun:
    if "code" in changes and changes["code"] != code:
        raise Invalid(
            T("A code cannot change; add the item under its new code and delete the old one."),
            {"code": [T("Cannot be changed.")]},
        )

    def edit(doc: dict[str, Any]) -> dict[str, Any]:
        i = _find(doc, kind, code)
        _require_match(if_match, etag_of(kind, doc[kind.key][i]))
        doc[kind.key][i] = item_to_plain(kind.key, _merge(doc[kind.key][i], changes))
        return doc[kind.key][i]

    item, outcome = _change(ctx, kind, by, "update", code, edit, effective_from, dry_run)
    return _answer(kind, item, outcome, ctx) if item is not None else outcome


def delete_item(
    ctx: Context, kind: Kind, code: str, if_match: Collection[str] | None, by: str,
    *, effective_from: datetime | None = None, dry_run: bool = False,
) -> int | DryRun:
    """Delete an item; the version made (or, in a dry run, what it would do)."""
    def edit(doc: dict[str, Any]) -> None:
        i = _find(doc, kind, code)
        _require_match(if_match, etag_of(kind, doc[kind.key][i]))
        field = REFERENCES.get(kind.key)
        if field:
            naming = [c["code"] for c in doc["campaigns"] if code in c[field]]
            if naming:
                message = T(
                    "The {kind} {code} is named by campaign {campaigns}; change or delete the campaign first.",
                    kind=kind.label, code=repr(code), campaigns=", ".join(naming),
                )
                raise Invalid(message, {"code": [message]})
        if kind.key == "products":
            _refuse_named_by_concerns(doc, code)
        del doc[kind.key][i]

    _, outcome = _change(ctx, kind, by, "delete", code, edit, effective_from, dry_run)
    return outcome if isinstance(outcome, DryRun) else outcome.version
