"""Keyset pagination: opaque cursors over a descending integer id, and the page they lead to."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Callable, Generic, Mapping, Sequence, TypeVar

from ..domain.errors import Invalid
from ..domain.text import T

Item = TypeVar("Item")
Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Item]):
    """One page of a listing; ``next_cursor`` is None on the last one."""

    items: list[Item]
    next_cursor: str | None


def encode_cursor(kind: str, last_id: int) -> str:
    """A cursor meaning "after the row with ``last_id``" in a listing of ``kind``."""
    return base64.urlsafe_b64encode(f"{kind}:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> int:
    """The id a cursor of this listing names; :class:`Invalid` for any other text."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = text.partition(":")
        if prefix != kind or not value.isascii() or not value.isdigit() or len(value) > 18:
            raise ValueError(text)
        number = int(value)
        if not 0 < number < 2**63:
            raise ValueError(text)
        return number
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid(T("The cursor is not one this API gave out."), {"cursor": [T("Invalid cursor.")]}) from None


def keyset_page(
    kind: str,
    filters: Mapping[str, Any],
    read: Callable[[int | None, int], Sequence[Row]],
    item: Callable[[Row], Item],
) -> Page[Item]:
    """One page of a listing of ``kind``, newest first, after ``filters``' ``cursor``, ``limit`` long (50).

    ``read(before, count)`` gives up to ``count`` rows (each with its ``id``), newest first,
    whose id is below ``before`` (None: from the newest); one more than the page is read
    to know whether another page follows.
    """
    limit = filters.get("limit", 50)
    before = decode_cursor(kind, filters["cursor"]) if filters.get("cursor") else None
    found = read(before, limit + 1)
    more = len(found) > limit
    found = found[:limit]
    return Page(items=[item(row) for row in found], next_cursor=encode_cursor(kind, found[-1].id) if more else None)
