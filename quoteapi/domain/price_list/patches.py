"""A change of the price list kept as a patch, to be laid again on another version.

A scheduled version keeps the change itself (every changed path with its
value before and after, as :func:`.changes.diff` finds them). When the list in
force changes while it waits (an urgent fix), its document is made again as
"the new list in force + its patch". Laying a patch is a three-way merge per
path: a path whose value in the new base is neither the patch's ``before``
(nobody else touched it) nor its ``after`` (the fix made the same change) was
changed on both sides, and is a conflict: it is reported, never overwritten.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping

from .changes import SETTINGS, diff

Patch = list[dict[str, Any]]


def make_patch(old: Mapping[str, Any], new: Mapping[str, Any]) -> Patch:
    """The change from ``old`` to ``new``, as JSON-ready ``{"path", "before", "after"}`` entries."""
    return [{"path": path, "before": before, "after": after} for path, before, after in diff(old, new)]


def _key_of(list_name: str) -> str:
    return "min_sessions" if list_name == "session_tiers" else "code"


def _get(item: Mapping[str, Any], field: list[str]) -> Any:
    value: Any = item
    for part in field:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _set(item: dict[str, Any], field: list[str], value: Any) -> None:
    for part in field[:-1]:
        if not isinstance(item.get(part), dict):
            item[part] = {}
        item = item[part]
    item[field[-1]] = value


def apply_patch(base: Mapping[str, Any], patch: Patch) -> tuple[dict[str, Any], list[str]]:
    """``base`` with ``patch`` laid on it, and the paths changed on both sides (sorted).

    Where a path conflicts the base's value is kept; a caller refuses the
    result when there is any conflict.
    """
    doc = copy.deepcopy(dict(base))
    conflicts: list[str] = []
    for entry in patch:
        path, before, after = entry["path"], entry["before"], entry["after"]
        parts = path.split(".")
        if parts[0] in SETTINGS:
            current = doc.get(parts[0])
            if current == after:
                continue
            if current != before:
                conflicts.append(path)
                continue
            doc[parts[0]] = after
            continue
        name, code, *field = parts
        items = doc.setdefault(name, [])
        key = _key_of(name)
        index = next((i for i, item in enumerate(items) if str(item[key]) == code), None)
        current_item = items[index] if index is not None else None
        if not field:  # a whole item added or removed
            if current_item == after:
                continue
            if current_item != before:
                conflicts.append(path)
                continue
            if after is None:
                del items[index]
            else:
                items.append(copy.deepcopy(after))
            continue
        if current_item is None:  # the item the patch changes is gone
            conflicts.append(path)
            continue
        current = _get(current_item, field)
        if current == after:
            continue
        if current != before:
            conflicts.append(path)
            continue
        _set(current_item, field, copy.deepcopy(after))
    return doc, sorted(set(conflicts))
