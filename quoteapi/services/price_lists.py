"""Price-list use cases: read the current version, replace it, seed the demo."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..db import Database, PriceListVersion, aware
from ..pricing import document
from ..pricing.model import PriceList
from ..schemas import PriceListSchema, check
from . import audit
from .errors import Conflict, NotFound, PreconditionFailed

_SCHEMA = PriceListSchema()


@dataclass(frozen=True)
class VersionInfo:
    version: int
    created_at: datetime
    created_by: str | None
    summary: str


def etag_for(version: int) -> str:
    return f"pl-{version}"


def parse_document(data: Any, version: int | None = None) -> PriceList:
    """A raw JSON document as a checked price list (raises ValidationError or PriceListInvalid)."""
    loaded = check(_SCHEMA, data)
    price_list = document.from_dict(loaded, version)
    document.check(price_list)
    return price_list


def _info(row: PriceListVersion) -> VersionInfo:
    return VersionInfo(row.version, aware(row.created_at), row.created_by, row.summary)


class PriceListCache:
    """The current price list, kept in memory and re-checked at most every few seconds.

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

    def current(self) -> PriceList:
        """The newest price list; raises NotFound when none was ever loaded."""
        now = time.monotonic()
        cached = self._current
        if cached is not None and now - self._checked_at < self._check_seconds:
            return cached
        with self._lock:
            if self._current is not None and now - self._checked_at < self._check_seconds:
                return self._current
            with self._database.reading() as session:
                newest = session.scalar(select(func.max(PriceListVersion.version)))
                if newest is None:
                    raise NotFound("No price list has been loaded yet (run `quoteapi seed-demo`).")
                if self._current is None or self._current.version != newest:
                    row = session.get(PriceListVersion, newest)
                    self._current = document.from_dict(_SCHEMA.load(row.document), newest)
            self._checked_at = time.monotonic()
            return self._current

    def invalidate(self) -> None:
        with self._lock:
            self._checked_at = float("-inf")


def current_version(database: Database) -> VersionInfo | None:
    with database.reading() as session:
        row = session.scalars(
            select(PriceListVersion).order_by(PriceListVersion.version.desc()).limit(1)
        ).first()
        return _info(row) if row else None


def get_document(database: Database, version: int | None = None) -> tuple[VersionInfo, dict[str, Any]]:
    """A version's document (the newest when ``version`` is None)."""
    with database.reading() as session:
        if version is None:
            row = session.scalars(
                select(PriceListVersion).order_by(PriceListVersion.version.desc()).limit(1)
            ).first()
        else:
            row = session.get(PriceListVersion, version)
        if row is None:
            raise NotFound("No such price list version." if version else "No price list has been loaded yet.")
        return _info(row), row.document


def list_versions(database: Database) -> list[VersionInfo]:
    with database.reading() as session:
        rows = session.scalars(select(PriceListVersion).order_by(PriceListVersion.version.desc()))
        return [_info(r) for r in rows]


def replace(
    database: Database,
    price_list: PriceList,
    *,
    expected_version: int | None,
    by: str | None,
    summary: str | None = None,
    action: str = "replace",
    subject: str = "price list",
) -> VersionInfo:
    """Store ``price_list`` as the next version, if the newest is still ``expected_version``.

    ``expected_version`` None means "only into an empty database". Two writers
    from the same version race for the same primary key: one wins, the other
    gets PreconditionFailed and nothing of it is stored.
    """
    new_doc = document.to_dict(price_list)
    try:
        with database.transaction() as session:
            newest = session.scalar(select(func.max(PriceListVersion.version)))
            if newest != expected_version:
                raise PreconditionFailed(_stale_message(newest, expected_version))
            current = session.get(PriceListVersion, newest) if newest else None
            old_doc = current.document if current else None
            if old_doc == new_doc:
                return _info(current)  # nothing changed: no new version
            row = PriceListVersion(
                version=(newest or 0) + 1,
                document=new_doc,
                created_at=datetime.now(UTC),
                created_by=by,
                summary=summary or document.summarize(old_doc, new_doc),
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
            return _info(row)
    except IntegrityError:
        raise PreconditionFailed(
            "Another change to the price list was saved first; reload it and try again."
        ) from None


def _stale_message(newest: int | None, expected: int | None) -> str:
    if expected is None:
        return f"The database already holds a price list (version {newest})."
    return (
        f"The price list changed since you read it (you have version {expected}, "
        f"the newest is {newest}); reload it and try again."
    )


def demo_document() -> dict[str, Any]:
    text = resources.files("quoteapi").joinpath("data", "demo_price_list.json").read_text("utf-8")
    return json.loads(text)


def seed_demo(database: Database) -> VersionInfo:
    """Load the demo price list into an empty database; Conflict when it is not empty."""
    price_list = parse_document(demo_document())
    try:
        return replace(
            database, price_list, expected_version=None, by="seed-demo", summary="Demo price list loaded."
        )
    except PreconditionFailed as exc:
        raise Conflict(str(exc)) from None
