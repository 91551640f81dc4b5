"""Price-list use cases: read a version, replace the whole list, seed the demo.

Every change (whole list, one item, import) goes through
:func:`replace_price_list`: the whole-document rules are checked, the list is
stored as the next version with its audit entry, and this process's cache is
told at once (other processes see it within their check interval).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..adapters.db import Database, PriceListVersion, aware
from ..domain import price_list as document
from ..domain.errors import Conflict, NotFound, StaleVersion
from ..domain.pricing.model import PriceList
from ..domain.text import T, Text
from . import audit

if TYPE_CHECKING:
    from .context import Context

# ``expected_version`` of a change that may replace whatever version is newest.
ANY_VERSION: Any = object()


@dataclass(frozen=True)
class VersionInfo:
    version: int
    created_at: datetime
    created_by: str | None
    summary: str


@dataclass(frozen=True)
class StoredDocument:
    """One version's document (plain JSON form) with when and by whom it was stored."""

    info: VersionInfo
    document: dict[str, Any]


def _info(row: PriceListVersion) -> VersionInfo:
    return VersionInfo(row.version, aware(row.created_at), row.created_by, row.summary)


class PriceListCache:
    """The newest price list, kept in memory and re-checked at most every few seconds.

    Every worker asks the database for the newest version number (one indexed
    ``max()``) at most once per ``check_seconds``, and reloads the document only
    when it changed, so an admin's change is seen everywhere within that time.
    """

    def __init__(self, database: Database, check_seconds: float) -> None:
        self._database = database
        self._check_seconds = check_seconds
        self._lock = threading.Lock()
        self._current: PriceList | None = None
        self._checked_at = float("-inf")

    def current(self, *, fresh: bool = False) -> PriceList:
        """The newest price list; raises NotFound when none was ever loaded.

        ``fresh`` asks the database now, whatever the interval: what a stored
        quote is priced with must be the version the database holds.
        """
        now = time.monotonic()
        cached = self._current
        if not fresh and cached is not None and now - self._checked_at < self._check_seconds:
            return cached
        with self._lock:
            if not fresh and self._current is not None and now - self._checked_at < self._check_seconds:
                return self._current
            with self._database.reading() as session:
                newest = session.scalar(select(func.max(PriceListVersion.version)))
                if newest is None:
                    raise NotFound(T("No price list has been loaded yet (run `quoteapi seed-demo`)."))
                if self._current is None or self._current.version != newest:
                    row = session.get(PriceListVersion, newest)
                    self._current = document.from_plain(row.document, newest)
            self._checked_at = time.monotonic()
            return self._current

    def invalidate(self) -> None:
        with self._lock:
            self._checked_at = float("-inf")


def _newest_row(session) -> PriceListVersion | None:
    return session.scalars(select(PriceListVersion).order_by(PriceListVersion.version.desc()).limit(1)).first()


def current_version(ctx: Context) -> VersionInfo | None:
    with ctx.database.reading() as session:
        row = _newest_row(session)
        return _info(row) if row else None


def get_document(ctx: Context, version: int | None = None) -> StoredDocument:
    """A version's document (the newest when ``version`` is None)."""
    with ctx.database.reading() as session:
        row = _newest_row(session) if version is None else session.get(PriceListVersion, version)
        if row is None:
            raise NotFound(T("No such price list version.") if version else T("No price list has been loaded yet."))
        return StoredDocument(_info(row), row.document)


def price_list_of(ctx: Context, version: int) -> PriceList:
    """The price list of one stored version, as it was."""
    stored = get_document(ctx, version)
    return document.from_plain(stored.document, stored.info.version)


def list_versions(ctx: Context) -> list[VersionInfo]:
    with ctx.database.reading() as session:
        found = session.scalars(select(PriceListVersion).order_by(PriceListVersion.version.desc()))
        return [_info(r) for r in found]


def replace_price_list(
    ctx: Context,
    price_list: PriceList,
    *,
    expected_version: int | None,
    by: str | None,
    summary: str | None = None,
    action: str = "replace",
    subject: str = "price list",
) -> VersionInfo:
    """Check ``price_list`` and store it as the next version, if the newest is still ``expected_version``.

    ``expected_version`` None means "only into an empty database";
    :data:`ANY_VERSION` means "whatever is newest". A list equal to the newest
    stores nothing and answers the newest version. Two writers from the same
    version race for the same primary key: one wins, the other gets
    :class:`StaleVersion` and nothing of it is stored.
    """
    document.validate(price_list)
    new_doc = document.to_plain(price_list)
    try:
        with ctx.database.transaction() as session:
            newest = session.scalar(select(func.max(PriceListVersion.version)))
            if expected_version is not ANY_VERSION and newest != expected_version:
                raise StaleVersion(_stale_message(newest, expected_version))
            current = session.get(PriceListVersion, newest) if newest else None
            old_doc = current.document if current else None
            if old_doc == new_doc:
                return _info(current)  # nothing changed: no new version
            now = datetime.now(UTC)
            row = PriceListVersion(
                version=(newest or 0) + 1,
                document=new_doc,
                created_at=now,
                effective_from=now,
                created_by=by,
                summary=summary or document.describe(old_doc, new_doc),
            )
            session.add(row)
            changes = document.diff(old_doc, new_doc) if old_doc else []
            audit.record(
                session,
                actor=by,
                kind="price_list",
                action=action,
                subject=f"{subject} (version {row.version})",
                before={path: was for path, was, _ in changes} if old_doc else None,
                after={path: now for path, _, now in changes} if old_doc else {"version": row.version},
            )
            session.flush()
            stored = _info(row)
    except IntegrityError:
        raise StaleVersion(T("Another change to the price list was saved first; reload it and try again.")) from None
    ctx.price_lists.invalidate()
    return stored


def _stale_message(newest: int | None, expected: int | None) -> Text:
    if expected is None:
        return T("The database already holds a price list (version {newest}).", newest=newest)
    return T(
        "The price list changed since you read it (you have version {expected}, the newest is {newest}); "
        "reload it and try again.",
        expected=expected, newest=newest,
    )


def demo_document() -> dict[str, Any]:
    text = resources.files("quoteapi").joinpath("data", "demo_price_list.json").read_text("utf-8")
    return json.loads(text)


def seed_demo(ctx: Context) -> VersionInfo:
    """Load the demo price list into an empty database; :class:`Conflict` when it is not empty."""
    try:
        return replace_price_list(
            ctx, document.from_plain(demo_document()), expected_version=None, by="seed-demo",
            summary="Demo price list loaded.",
        )
    except StaleVersion as exc:
        raise Conflict(exc.detail) from None
