"""The price list in force, kept in memory by each worker, and the list as it is offered now."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from ..adapters import clock
from ..adapters.db import Database, aware
from ..adapters.db import price_list_store as store
from ..domain import price_list as document
from ..domain.errors import NotFound
from ..domain.pricing.model import PriceList
from ..domain.text import T


def _none_loaded() -> NotFound:
    return NotFound(T("No price list has been loaded yet (run `quoteapi seed-demo`)."))


def offered(price_list: PriceList, session: Session) -> PriceList:
    """``price_list`` without the campaigns that reached their ``max_uses`` (no longer offered)."""
    capped = {c.code: c.max_uses for c in price_list.campaigns if c.max_uses is not None}
    if not capped:
        return price_list
    used_up = {code for code, uses in store.campaign_uses(session, capped).items() if uses >= capped[code]}
    if not used_up:
        return price_list
    return replace(price_list, campaigns=tuple(c for c in price_list.campaigns if c.code not in used_up),
                   used_up=tuple(c for c in price_list.campaigns if c.code in used_up))


def stored_in_force(session: Session, cached: PriceList) -> PriceList:
    """The list in force as stored (with every campaign), asked in ``session``'s own transaction.

    ``cached`` is the worker's copy, taken before the transaction: it is used when it is
    the version the database has in force, else that version's document is read here. One
    connection (the transaction's) instead of a fresh check on a second one while the
    quote's row is locked.
    """
    version = store.version_in_force(session, clock.now())
    if version is None:
        raise _none_loaded()
    if cached.version == version:
        return cached
    return document.from_plain(store.document_of(session, version), version)


class PriceListCache:
    """The price list in force, kept in memory and re-checked at most every few seconds.

    Every worker asks the database which version is in force (one indexed
    query) at most once per ``check_seconds``, and reloads the document only
    when it changed, so an admin's change is seen everywhere within that time.
    The moment the next scheduled version takes effect is kept too: once it
    has passed, the next call checks again, whatever the interval. Campaigns
    that reached their ``max_uses`` are left out of :meth:`current` (no longer
    offered); :meth:`in_force` keeps them.
    """

    def __init__(self, database: Database, check_seconds: float) -> None:
        self._database = database
        self._check_seconds = check_seconds
        self._lock = threading.Lock()
        self._full: PriceList | None = None
        self._read_in_transaction: PriceList | None = None  # the last list version_in read
        self._offered: PriceList | None = None
        self._checked_at = float("-inf")
        self._next_at: datetime | None = None
        # Set by version_in without the lock (it runs while a counter row is held); cleared by
        # the next check before it reads, so a check already under way cannot hide it.
        self._recheck = False

    def _due(self) -> bool:
        if self._recheck or time.monotonic() - self._checked_at >= self._check_seconds:
            return True
        return self._next_at is not None and clock.now() >= self._next_at

    def _load(self, fresh: bool) -> tuple[PriceList, PriceList]:
        if not fresh and self._offered is not None and not self._due():
            return self._full, self._offered
        with self._lock:
            if not fresh and self._offered is not None and not self._due():
                return self._full, self._offered
            now = clock.now()
            self._recheck = False
            with self._database.reading() as session:
                version = store.version_in_force(session, now)
                if version is None:
                    raise _none_loaded()
                full = self._full
                if full is None or full.version != version:
                    full = self._read_in_transaction
                if full is None or full.version != version:
                    full = document.from_plain(store.document_of(session, version), version)
                offered_list = offered(full, session)
                next_at = store.next_scheduled(session, now)
            self._full, self._offered = full, offered_list
            self._next_at = aware(next_at)
            self._checked_at = time.monotonic()
            return full, offered_list

    def current(self, *, fresh: bool = False) -> PriceList:
        """The list in force as it is offered now (used-up campaigns left out); NotFound before the first.

        ``fresh`` asks the database now, whatever the interval: what a stored
        quote is priced with must be the version the database holds.
        """
        return self._load(fresh)[1]

    def in_force(self, *, fresh: bool = False) -> PriceList:
        """The list in force as stored (with every campaign)."""
        return self._load(fresh)[0]

    def invalidate(self) -> None:
        with self._lock:
            self._checked_at = float("-inf")

    def version_in(self, session: Session, version: int) -> PriceList:
        """The stored ``version`` as offered now, read in ``session``'s own transaction.

        For a quote whose transaction found another version in force than this
        worker's copy: it is priced with exactly that version, read on the
        connection it already holds (no second connection while the year's
        counter row is locked). The copy is checked again at the next call.
        """
        full = self._full
        if full is None or full.version != version:
            full = self._read_in_transaction
        if full is None or full.version != version:
            stored = store.document_of(session, version)
            if stored is None:
                raise _none_loaded()
            full = document.from_plain(stored, version)
            self._read_in_transaction = full  # the next check reuses it rather than reading it again
        self._recheck = True  # not invalidate(): no waiting for the cache's lock while the counter is held
        return offered(full, session)
