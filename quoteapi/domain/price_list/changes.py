"""What changed between two versions of the price-list document."""

from __future__ import annotations

from typing import Any, Mapping

from .codec import ITEM_LISTS

# The document's single values (not lists of items).
SETTINGS = ("language", "currency", "combination_discount_percent", "max_manual_discount_percent", "session_interval_days")


def diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """Every changed field between two JSON documents, as ``(path, before, after)``.

    Items are keyed by code (tiers by ``min_sessions``): ``areas.face.price``;
    an added or removed item is one entry with ``None`` on the missing side.
    """
    old = old or {}
    changes: list[tuple[str, Any, Any]] = []
    for key in SETTINGS:
        if old.get(key) != new.get(key):
            changes.append((key, old.get(key), new.get(key)))
    keyed = [(name, "code") for name in ITEM_LISTS] + [("session_tiers", "min_sessions")]
    for name, key in keyed:
        before = {item[key]: item for item in old.get(name, [])}
        after = {item[key]: item for item in new.get(name, [])}
        for code in sorted(after.keys() - before.keys(), key=str):
            changes.append((f"{name}.{code}", None, after[code]))
        for code in sorted(before.keys() - after.keys(), key=str):
            changes.append((f"{name}.{code}", before[code], None))
        for code in sorted(before.keys() & after.keys(), key=str):
            was_fields, now_fields = _flat(before[code]), _flat(after[code])
            for field_name in sorted(was_fields.keys() | now_fields.keys()):
                was, now = was_fields.get(field_name), now_fields.get(field_name)
                if was != now:
                    changes.append((f"{name}.{code}.{field_name}", was, now))
    return changes


def describe(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> str:
    """What changed between two JSON documents, e.g. ``areas.face.price 3500.00 → 3700.00``."""
    if old is None:
        return "First price list."
    parts = []
    for path, was, now in diff(old, new):
        if was is None and isinstance(now, Mapping):
            parts.append(f"{path} added")
        elif now is None and isinstance(was, Mapping):
            parts.append(f"{path} removed")
        else:
            parts.append(f"{path} {_show(was)} → {_show(now)}")
    return "; ".join(sorted(parts)) if parts else "No changes."


def _flat(item: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return "null" if value is None else str(value)
