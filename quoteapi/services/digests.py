"""The morning digest (api.md revision 3, "Notifications"): ``quoteapi notify digest``.

:func:`queue_digests` queues, in one transaction, one ``digest`` message to each active
sales user with an e-mail, in their language (``users.language``, else the default
language), listing:

- today's follow-ups: their assigned quotes, open, whose follow-up day is today or earlier;
- the quotes expiring this week: their assigned quotes, open, valid until today .. today + 7 (as the Today page);
- the new website requests nobody has taken (the same list for everyone);
- the customers who opened their link since their last digest (``users.digest_at``; the
  first digest looks back one day).

A user with nothing in any list gets no message (an empty digest is noise; docs/decisions.md);
``digest_at`` moves only for those who got one, and one who got today's gets no second one (a run
on each app server, or a retried one, sends each digest once). The message keeps quote numbers and days only
(no customer's name): the sender reads the names when it renders the mail
(:func:`digest_mail`), so an erasure meanwhile leaves nothing behind in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Mapping

from sqlalchemy.orm import Session

from ..adapters import clock
from ..adapters import mail as mails
from ..adapters.db import models as rows
from ..adapters.db import notify_store, outbox_store
from ..adapters.db.database import aware
from ..adapters.i18n import day_text
from .notices import language_of

if TYPE_CHECKING:
    from .context import Context

# "This week": today to today + 7, the span of the Today page's "Expiring this week".
WEEK = timedelta(days=7)
# How far the first digest of a user looks back for links opened.
FIRST_LOOK_BACK = timedelta(days=1)
KIND = "digest"
SECTIONS = ("follow_ups", "expiring", "requests", "opened")


@dataclass(frozen=True)
class DigestRun:
    """One run of :func:`queue_digests`: how many messages were queued, how many users had nothing to tell,
    and how many had today's digest already."""

    queued: int
    skipped: int
    already: int = 0


def _when(line: notify_store.Line) -> str | None:
    when = line.when
    if isinstance(when, datetime):
        return aware(when).isoformat()
    return when.isoformat() if isinstance(when, date) else None


def _plain(lines: list[notify_store.Line]) -> list[list[Any]]:
    return [[line.number, _when(line)] for line in lines[:notify_store.LIST_LIMIT]]


def queue_digests(ctx: Context, now: datetime | None = None, again: bool = False) -> DigestRun:
    """Queue the morning digest of every active sales user with an e-mail who has anything to read, once a
    day: a user whose digest went out today (the clinics' date of ``digest_at``) gets no second one unless
    ``again`` (a second server's timer, a retried run; an admin who fixed an address runs it ``again``)."""
    now = now or clock.now()
    today = ctx.today()
    queued = skipped = already = 0
    with ctx.database.transaction() as session:
        users = notify_store.sales_users_for_digest(session)  # locked: a run at the same moment waits
        requests = notify_store.untaken_requests(session, today) if users else []
        for user in users:
            if not again and user.digest_at is not None and clock.local(aware(user.digest_at)).date() >= today:
                already += 1
                continue
            since = aware(user.digest_at) if user.digest_at is not None else now - FIRST_LOOK_BACK
            found = {
                "follow_ups": notify_store.follow_ups(session, user.name, today),
                "expiring": notify_store.expiring(session, user.name, today, today + WEEK),
                "requests": requests,
                "opened": notify_store.opened_since(session, user.name, since),
            }
            if not any(found.values()):
                skipped += 1
                continue
            payload: dict[str, Any] = {"user": user.name, "day": today.isoformat(),
                                       **{key: _plain(lines) for key, lines in found.items()},
                                       "more": [key for key, lines in found.items() if len(lines) > notify_store.LIST_LIMIT]}
            outbox_store.enqueue(session, kind=KIND, language=language_of(user, ctx.default_language),
                                 recipient=user.email, payload=payload, now=now)
            notify_store.set_digest_at(session, user.id, now)
            queued += 1
    return DigestRun(queued, skipped, already)


def _when_text(raw: Any, code: str) -> str:
    """A day or a moment of the payload in words (``7 Aralık 2026 14:05``), in the clinics' time."""
    if not isinstance(raw, str) or not raw:
        return ""
    try:
        if "T" in raw:
            moment = clock.local(datetime.fromisoformat(raw))
            return f"{day_text(moment.date(), code)} {moment:%H:%M}"
        return day_text(date.fromisoformat(raw), code)
    except ValueError:
        return ""


def digest_mail(session: Session, message: rows.OutboxMessage, payload: Mapping[str, Any],
                public_url: str | None) -> mails.Digest:
    """The digest a stored message tells, with its customers' names read now (for the outbox's sender)."""
    code = message.language if message.language in ("tr", "en") else "tr"
    base = public_url.rstrip("/") if public_url else None
    pairs = {key: [p for p in (payload.get(key) or []) if isinstance(p, list) and len(p) == 2 and isinstance(p[0], str)]
             for key in SECTIONS}
    names = notify_store.customer_names(session, sorted({p[0] for lines in pairs.values() for p in lines}))

    def lines(key: str) -> tuple[mails.DigestLine, ...]:
        return tuple(
            mails.DigestLine(number=number, customer_name=names.get(number, ("", ""))[0], when=_when_text(when, code),
                             link=f"{base}/desk/quotes/{number}" if base else None)
            for number, when in pairs[key] if number in names  # a quote gone meanwhile is left out
        )

    try:
        day = date.fromisoformat(str(payload.get("day")))
    except ValueError:
        day = clock.local(aware(message.created_at)).date()
    more = payload.get("more") or []
    return mails.Digest(
        to=message.recipient or "", language=code, user=str(payload.get("user") or ""), day=day,
        follow_ups=lines("follow_ups"), expiring=lines("expiring"), requests=lines("requests"), opened=lines("opened"),
        more=tuple(m for m in more if isinstance(m, str)), console=f"{base}/desk" if base else None,
    )
