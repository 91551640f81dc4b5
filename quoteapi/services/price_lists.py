"""Price-list use cases: read a version, replace the whole list, seed the demo.

Every change (whole list, one item, import) goes through
:func:`replace_price_list`: the whole-document rules are checked, the list is
stored as the next version with its audit entry, and this process's cache is
told at once (other processes see it within their check interval).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..adapters import clock
from ..adapters.db import PriceListVersion, aware
from ..adapters.db.price_list_store import in_force_query, lock_writers
from ..domain import price_list as document
from ..domain.errors import Conflict, Invalid, NotFound, StaleVersion
from ..domain.price_list import schedule
from ..domain.price_list.rules import Warning
from ..domain.pricing.errors import PriceListInvalid
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
    effective_from: datetime | None = None
    state: str = schedule.CURRENT
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    base_version: int | None = None
    # What a write found worth a second look (see domain.price_list.rules.warnings).
    warnings: tuple[Warning, ...] = ()


@dataclass(frozen=True)
class StoredDocument:
    """One version's document (plain JSON form) with when and by whom it was stored."""

    info: VersionInfo
    document: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """What a change would store, worked out without storing it (a dry run)."""

    valid: bool
    errors: dict[str, list[Any]]
    warnings: tuple[Warning, ...]
    summary: str
    changes: list[tuple[str, Any, Any]]
    version: int | None  # the number it would get (None when nothing would change)
    effective_from: datetime
    state: str  # current or scheduled
    old_version: int | None
    old_document: dict[str, Any] | None
    new_document: dict[str, Any]



def _timing(row: PriceListVersion) -> schedule.Timing:
    return schedule.Timing(row.version, aware(row.effective_from), row.cancelled_at is not None)


def _info(row: PriceListVersion, current: int | None, now: datetime | None = None,
          warnings: tuple[Warning, ...] = ()) -> VersionInfo:
    """``row`` as the API shows it; ``current`` is the version in force (None: none is yet)."""
    now = now or clock.now()
    return VersionInfo(
        row.version, aware(row.created_at), row.created_by, row.summary, aware(row.effective_from),
        schedule.state_of(_timing(row), current, now),
        aware(row.cancelled_at), row.cancelled_by, row.base_version, warnings,
    )


def _in_force_row(session, now: datetime | None = None) -> PriceListVersion | None:
    version = session.scalar(in_force_query(now or clock.now()))
    return session.get(PriceListVersion, version) if version is not None else None


def current_version(ctx: Context) -> VersionInfo | None:
    """The version in force."""
    with ctx.database.reading() as session:
        row = _in_force_row(session)
        return _info(row, row.version) if row else None


def get_document(ctx: Context, version: int | None = None) -> StoredDocument:
    """A version's document (the one in force when ``version`` is None), with its state."""
    now = clock.now()
    with ctx.database.reading() as session:
        current = session.scalar(in_force_query(now))
        wanted = current if version is None else version
        row = session.get(PriceListVersion, wanted) if wanted is not None else None
        if row is None:
            raise NotFound(T("No such price list version.") if version else T("No price list has been loaded yet."))
        return StoredDocument(_info(row, current, now), row.document)


def price_list_of(ctx: Context, version: int) -> PriceList:
    """The price list of one stored version, as it was."""
    stored = get_document(ctx, version)
    return document.from_plain(stored.document, stored.info.version)


def list_versions(ctx: Context) -> list[VersionInfo]:
    """Every version, newest first, with its state now."""
    now = clock.now()
    with ctx.database.reading() as session:
        current = session.scalar(in_force_query(now))
        found = session.scalars(select(PriceListVersion).order_by(PriceListVersion.version.desc()))
        return [_info(r, current, now) for r in found]


def _conflict_message(version: int, paths: list[str]) -> Text:
    return T(
        "Scheduled version {version} changes the same fields differently: {fields}. Cancel it (or make the same "
        "change there) first.", version=version, fields=", ".join(paths),
    )


def _relay(session, timings: list[schedule.Timing], after: tuple[datetime, int], now: datetime,
           docs: dict[int, dict[str, Any]], errors: dict[str, list[Any]]) -> list[tuple[PriceListVersion, int, dict]]:
    """Lay each waiting version that takes effect after ``after`` again on the list before it.

    ``docs`` holds documents not stored yet (by version); conflicts and rule
    breaks go to ``errors``. Returns ``(row, base_version, document)`` to store.
    """
    redone = []
    for waiting in schedule.waiting(timings, now):
        if (waiting.effective_from, waiting.version) <= after:
            continue
        row = session.get(PriceListVersion, waiting.version)
        base = schedule.before(timings, waiting.effective_from, waiting.version)
        if row.patch is None or base is None:
            continue
        base_doc = docs.get(base.version)
        if base_doc is None:
            base_doc = session.get(PriceListVersion, base.version).document
        doc, conflicts = document.apply_patch(base_doc, row.patch)
        if conflicts:
            message = _conflict_message(waiting.version, conflicts)
            for path in conflicts:
                errors.setdefault(path, []).append(message)
            continue
        try:
            document.validate(document.from_plain(doc))
        except PriceListInvalid as exc:
            for path, messages in exc.errors.items():
                errors.setdefault(path, []).extend(
                    T("Scheduled version {version} would break this rule: {message}", version=waiting.version, message=m)
                    for m in messages
                )
            continue
        docs[waiting.version] = doc
        if doc != row.document or row.base_version != base.version:
            redone.append((row, base.version, doc))
    return redone


def replace_price_list(
    ctx: Context,
    price_list: PriceList,
    *,
    expected_version: int | None,
    by: str | None,
    summary: str | None = None,
    action: str = "replace",
    subject: str = "price list",
    effective_from: datetime | None = None,
    dry_run: bool = False,
) -> VersionInfo | Plan:
    """Check ``price_list`` and store it as the next version, if the one in force is still ``expected_version``.

    ``expected_version`` None means "only into an empty database";
    :data:`ANY_VERSION` means "whatever is in force". A list equal to the one
    in force stores nothing and answers that version. Two writers queue on a
    lock; a writer from a version no longer in force gets :class:`StaleVersion`.

    ``effective_from`` (in the future) schedules the change: it is kept as a
    patch against the list in force and laid on whatever is in force just
    before it takes effect. Every version waiting to take effect after this one
    is laid again on top of it; a field changed differently on both sides is a
    :class:`Conflict` naming the fields, and nothing is stored.

    ``dry_run`` answers a :class:`Plan` (rule breaks and conflicts as data) and stores nothing.
    """
    now = clock.now()
    if effective_from is not None:
        message = T("Must be in the future.")
        try:
            effective_from = effective_from.astimezone(UTC)
        except OverflowError:  # a moment near the end of the calendar
            raise Invalid(T("effective_from must be in the future."), {"effective_from": [message]}) from None
        if effective_from <= now:
            raise Invalid(T("effective_from must be in the future."), {"effective_from": [message]})
    errors: dict[str, list[Any]] = {}
    try:
        document.validate(price_list)
    except PriceListInvalid as exc:
        if not dry_run:
            raise
        errors = {path: list(messages) for path, messages in exc.errors.items()}
    new_doc = document.to_plain(price_list)
    try:
        with ctx.database.transaction() as session:
            lock_writers(session)
            # Taken once the writers before this one are done, so versions take effect in their order.
            now = clock.now()
            moment = effective_from or now
            rows = session.execute(
                select(PriceListVersion.version, PriceListVersion.effective_from, PriceListVersion.cancelled_at)
            ).all()
            timings = [schedule.Timing(v, aware(e), c is not None) for v, e, c in rows]
            newest = max((t.version for t in timings), default=None)
            in_force = schedule.in_force(timings, now)
            current = in_force.version if in_force else None
            if expected_version is not ANY_VERSION and current != expected_version:
                raise StaleVersion(_stale_message(current, expected_version))
            current_row = session.get(PriceListVersion, current) if current else None
            old_doc = current_row.document if current_row else None
            if old_doc == new_doc:  # nothing changed: no new version
                if dry_run:
                    return Plan(not errors, errors, (), "No changes.", [], None, moment,
                                schedule.SCHEDULED if effective_from else schedule.CURRENT, current, old_doc, new_doc)
                return _info(current_row, current, now)
            version = (newest or 0) + 1
            timings.append(schedule.Timing(version, moment))
            patch = document.make_patch(old_doc, new_doc) if old_doc else None
            stored_doc = new_doc
            conflicts: dict[str, list[Any]] = {}
            base = schedule.before(timings, moment, version)
            if patch is not None and base is not None and base.version != current:
                # Scheduled after another waiting version: laid on that one.
                stored_doc, laid = document.apply_patch(session.get(PriceListVersion, base.version).document, patch)
                for path in laid:
                    conflicts.setdefault(path, []).append(_conflict_message(base.version, laid))
            warnings: tuple[Warning, ...] = ()
            if not errors and not conflicts:
                stored_list = document.from_plain(stored_doc, version)
                if stored_doc is not new_doc:
                    try:
                        document.validate(stored_list)
                    except PriceListInvalid as exc:
                        errors = {path: list(messages) for path, messages in exc.errors.items()}
                if not errors:
                    warnings = tuple(document.warnings(stored_list))
            redone: list = []
            if not errors and not conflicts:
                redone = _relay(session, timings, (moment, version), now, {version: stored_doc}, conflicts)
            if dry_run:
                problems = {path: errors.get(path, []) + conflicts.get(path, []) for path in {**errors, **conflicts}}
                return Plan(
                    not problems, problems, warnings, document.describe(old_doc, new_doc), document.diff(old_doc, new_doc)
                    if old_doc else [], version, moment, schedule.SCHEDULED if effective_from else schedule.CURRENT,
                    current, old_doc, stored_doc,
                )
            if conflicts:
                raise Conflict(next(iter(conflicts.values()))[0], conflicts, kind="scheduled-change-conflict")
            if errors:
                raise PriceListInvalid(errors, T("The price list is not valid; nothing was saved."))
            row = PriceListVersion(
                version=version,
                document=stored_doc,
                created_at=now,
                effective_from=moment,
                created_by=by,
                summary=summary or document.describe(old_doc, new_doc),
                base_version=base.version if base else None,
                patch=patch,
            )
            session.add(row)
            changes = document.diff(old_doc, new_doc) if old_doc else []
            audit.record(
                session,
                actor=by,
                kind="price_list",
                action=action if effective_from is None else f"schedule {action}",
                subject=f"{subject} (version {version}"
                + (f", from {moment.isoformat()})" if effective_from else ")"),
                before={path: was for path, was, _ in changes} if old_doc else None,
                after={path: now_ for path, _, now_ in changes} if old_doc else {"version": version},
            )
            for waiting_row, base_version, doc in redone:
                waiting_row.document, waiting_row.base_version = doc, base_version
                audit.record(
                    session, actor=by, kind="price_list", action="relay",
                    subject=f"price list (version {waiting_row.version}, laid on version {base_version})",
                )
            session.flush()
            stored = _info(row, version if effective_from is None else current, now, warnings)
    except IntegrityError:
        raise StaleVersion(T("Another change to the price list was saved first; reload it and try again.")) from None
    ctx.price_lists.invalidate()
    return stored


def cancel_version(ctx: Context, version: int, by: str | None) -> VersionInfo:
    """Cancel a scheduled version; :class:`Conflict` once it is in force (or already cancelled).

    The versions waiting after it are laid again without it; one that needs it
    (it changes what the cancelled one adds) is a :class:`Conflict` naming it.
    """
    with ctx.database.transaction() as session:
        lock_writers(session)
        now = clock.now()
        row = session.get(PriceListVersion, version)
        if row is None:
            raise NotFound(T("No such price list version."))
        if row.cancelled_at is not None:
            raise Conflict(T("Version {version} was already cancelled.", version=version))
        if aware(row.effective_from) <= now:
            raise Conflict(T("Version {version} is in force already (or was); only a scheduled version can be "
                             "cancelled. Make a new change instead.", version=version))
        row.cancelled_at, row.cancelled_by = now, by
        timings = [_timing(r) for r in session.scalars(select(PriceListVersion))]
        timings = [t if t.version != version else schedule.Timing(t.version, t.effective_from, True) for t in timings]
        errors: dict[str, list[Any]] = {}
        redone = _relay(session, timings, (aware(row.effective_from), version), now, {}, errors)
        if errors:
            raise Conflict(
                T("Another scheduled version depends on version {version}; cancel that one first.", version=version),
                errors, kind="scheduled-change-conflict",
            )
        for waiting_row, base_version, doc in redone:
            waiting_row.document, waiting_row.base_version = doc, base_version
        audit.record(
            session, actor=by, kind="price_list", action="cancel", subject=f"price list (version {version})",
            before={"effective_from": aware(row.effective_from).isoformat()}, after={"state": schedule.CANCELLED},
        )
        session.flush()
        current = session.scalar(in_force_query(now))
        info = _info(row, current, now)
    ctx.price_lists.invalidate()
    return info


def _stale_message(current: int | None, expected: int | None) -> Text:
    if expected is None:
        return T("The database already holds a price list (version {newest}).", newest=current)
    return T(
        "The price list changed since you read it (you have version {expected}, the one in force is {current}); "
        "reload it and try again.",
        expected=expected, current=current,
    )


# The day the demo file's campaign dates are written for (domain.md's table).
DEMO_DAY = date(2026, 12, 1)


def demo_document(today: date | None = None) -> dict[str, Any]:
    """The demo price list, its campaigns laid relative to ``today`` (default: the file's own day).

    The file's dates are those of :data:`DEMO_DAY`; every campaign moves by the
    days from that day to ``today``, so that on whatever day it is loaded one
    campaign has just started, one starts within a month, one ended months ago,
    and each stands to the others as in the file.
    """
    text = resources.files("quoteapi").joinpath("data", "demo_price_list.json").read_text("utf-8")
    doc = json.loads(text)
    if today is not None and today != DEMO_DAY:
        shift = today - DEMO_DAY
        for campaign in doc["campaigns"]:
            for key in ("starts_on", "ends_on"):
                campaign[key] = (date.fromisoformat(campaign[key]) + shift).isoformat()
    return doc


def seed_demo(ctx: Context) -> VersionInfo:
    """Load the demo price list into an empty database; :class:`Conflict` when it is not empty.

    Its campaigns are laid relative to the day it is loaded (:func:`demo_document`).
    """
    try:
        return replace_price_list(
            ctx, document.from_plain(demo_document(ctx.today())), expected_version=None, by="seed-demo",
            summary="Demo price list loaded.",
        )
    except StaleVersion as exc:
        raise Conflict(exc.detail) from None
