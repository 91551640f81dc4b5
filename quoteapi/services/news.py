"""What is new for a console user (issue 29): approvals decided on their quotes, and customers who
accepted or asked on the quotes assigned to them, since they last looked (``users.seen_at``).

The console's menu shows :func:`count_new`; the "New" page lists :func:`what_is_new` (the last
:data:`WINDOW`, those since ``seen_at`` marked new) and moves ``seen_at`` to now. Reads are capped
(``notify_store.LIST_LIMIT`` a list) and served by indexes (``notify_store``'s docstring).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..adapters import clock
from ..adapters.db import notify_store
from ..adapters.db.database import aware
from .customer_link import CUSTOMER

if TYPE_CHECKING:
    from .context import Context

# How far back the page lists (and the count looks, when a user never looked or looked long ago).
WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class NewsItem:
    kind: str  # accepted, question, approved, rejected
    at: datetime
    number: str
    customer_name: str
    by: str | None
    text: str | None
    new: bool


@dataclass(frozen=True)
class News:
    items: list[NewsItem]
    seen_at: datetime | None

    @property
    def count_new(self) -> int:
        return sum(1 for item in self.items if item.new)


def _items(session, user: str, since: datetime) -> list[notify_store.NewItem]:
    found = notify_store.customer_steps(session, user, since, CUSTOMER) + notify_store.approvals_decided(session, user, since)
    return sorted(found, key=lambda item: aware(item.at), reverse=True)


def count_new(ctx: Context, user: str) -> int:
    """How many things happened to ``user``'s quotes since they last looked (at most the last :data:`WINDOW`)."""
    now = clock.now()
    with ctx.database.reading() as session:
        row = notify_store.user_row(session, user)
        if row is None:
            return 0
        since = max(aware(row.seen_at) or now - WINDOW, now - WINDOW)
        return len(_items(session, user, since))


def what_is_new(ctx: Context, user: str, *, mark_seen: bool = True) -> News:
    """What happened to ``user``'s quotes in the last :data:`WINDOW`, newest first, those since they last
    looked marked new; looking moves their ``seen_at`` to now (``mark_seen``)."""
    now = clock.now()
    with ctx.database.transaction() as session:
        row = notify_store.user_row(session, user)
        if row is None:
            return News([], None)
        seen = aware(row.seen_at)
        items = [
            NewsItem(i.kind, aware(i.at), i.number, i.customer_name, i.by, i.text, seen is None or aware(i.at) > seen)
            for i in _items(session, user, now - WINDOW)
        ]
        if mark_seen:
            notify_store.set_seen_at(session, user, now)
        return News(items, seen)
