"""Messages to staff about a quote (api.md revision 3, "Notifications"), through the outbox.

Each is stored in the transaction of the change it tells of, and delivered by the
sender like every other message (``quoteapi outbox run``). Who is told:

- the customer's acceptance, question or decline on the link, and a quote's e-mail that
  could not be delivered: the assigned user when they have an e-mail, else every active
  sales user with one (:func:`staff_to_tell`);
- a manual discount waiting for approval (``approval-requested``): every active admin with
  an e-mail (:func:`admins_to_tell`);
- the decision (``approval-decided``, approved or rejected, with the note): the user who
  made the revision that needed it (:func:`requester_of`).

Each message is in its recipient's language (``users.language``; without one, the default
language, config DEFAULT_LANGUAGE). A user without an e-mail gets nothing, and nothing fails.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy.orm import Session

from ..adapters.db import models as rows
from ..adapters.db import notify_store, outbox_store
from ..domain.text import LANGUAGES

# What a notice about a quote may tell.
EVENTS = ("accepted", "question", "declined", "undeliverable", "approval-requested", "approval-decided")


def language_of(user: rows.User, default: str) -> str:
    """The language of ``user``'s mail: their own, else ``default`` (config DEFAULT_LANGUAGE)."""
    if user.language in LANGUAGES:
        return user.language
    return default if default in LANGUAGES else LANGUAGES[0]


def staff_to_tell(session: Session, quote: rows.Quote) -> list[rows.User]:
    """The assigned user when they have an e-mail, else every active sales user with one."""
    users = notify_store.users_with_email(session)
    assigned = [u for u in users if u.name == quote.assigned_to]
    return assigned or [u for u in users if u.role == "sales"]


def admins_to_tell(session: Session) -> list[rows.User]:
    """Every active admin with an e-mail."""
    return [u for u in notify_store.users_with_email(session) if u.role == "admin"]


def requester_of(session: Session, quote: rows.Quote) -> list[rows.User]:
    """The user who made the quote's newest revision (the one whose discount needed approval), when they
    are active and have an e-mail; else nobody."""
    name = notify_store.revision_author(session, quote)
    return [u for u in notify_store.users_with_email(session) if u.name == name] if name else []


def notify_staff(session: Session, quote: rows.Quote, event: str, now: datetime, *, text: str | None = None,
                 to: list[rows.User] | None = None, default_language: str = LANGUAGES[0],
                 details: Mapping[str, Any] | None = None) -> int:
    """Queue a ``staff-notice`` about ``quote`` to ``to`` (default: :func:`staff_to_tell`); how many were queued.

    ``details`` adds to the payload what the event needs (an approval's ``decision``, who asked
    or decided: ``by``). A user without an e-mail gets nothing, and nothing fails.
    """
    assert event in EVENTS, event
    recipients = staff_to_tell(session, quote) if to is None else [u for u in to if u.email]
    for user in recipients:
        outbox_store.enqueue(
            session, kind="staff-notice", language=language_of(user, default_language), recipient=user.email,
            payload={"number": quote.number, "event": event, "text": text, "user": user.name, **(details or {})},
            now=now, quote=quote,
        )
    return len(recipients)


def approval_requested(session: Session, quote: rows.Quote, by: str | None, now: datetime,
                       default_language: str = LANGUAGES[0]) -> int:
    """A quote (or its new revision) went to ``pending``: every admin with an e-mail is told."""
    return notify_staff(session, quote, "approval-requested", now, to=admins_to_tell(session),
                        default_language=default_language, details={"by": by})


def approval_decided(session: Session, quote: rows.Quote, decision: str, note: str | None, by: str | None,
                     now: datetime, default_language: str = LANGUAGES[0]) -> int:
    """An admin approved or rejected a manual discount: the revision's author is told, with the note."""
    return notify_staff(session, quote, "approval-decided", now, text=note, to=requester_of(session, quote),
                        default_language=default_language, details={"decision": decision, "by": by})
