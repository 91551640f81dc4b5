"""Which version is in force at a moment, and the state of each version.

The list in force at a moment is the version, not cancelled, with the latest
``effective_from`` that is not later than that moment (the higher number wins
a tie). A version made while a scheduled one waits takes effect at once, and
the scheduled one still takes over at its time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

CURRENT, SCHEDULED, SUPERSEDED, CANCELLED = "current", "scheduled", "superseded", "cancelled"
STATES = (CURRENT, SCHEDULED, SUPERSEDED, CANCELLED)


@dataclass(frozen=True)
class Timing:
    version: int
    effective_from: datetime
    cancelled: bool = False


def in_force(versions: Iterable[Timing], at: datetime, *, excluding: frozenset[int] = frozenset()) -> Timing | None:
    """The version in force at ``at`` (None before the first), leaving out ``excluding``."""
    candidates = [
        v for v in versions if not v.cancelled and v.effective_from <= at and v.version not in excluding
    ]
    return max(candidates, key=lambda v: (v.effective_from, v.version), default=None)


def before(versions: Iterable[Timing], moment: datetime, version: int) -> Timing | None:
    """The version in force just before ``version`` takes effect at ``moment`` (what it is laid on)."""
    earlier = [
        v for v in versions
        if not v.cancelled and v.version != version and (v.effective_from, v.version) < (moment, version)
    ]
    return max(earlier, key=lambda v: (v.effective_from, v.version), default=None)


def state_of(version: Timing, current: int | None, at: datetime) -> str:
    if version.cancelled:
        return CANCELLED
    if version.version == current:
        return CURRENT
    if version.effective_from > at:
        return SCHEDULED
    return SUPERSEDED


def waiting(versions: Iterable[Timing], at: datetime) -> list[Timing]:
    """The scheduled versions (not cancelled, not yet in force), in the order they take effect."""
    return sorted(
        (v for v in versions if not v.cancelled and v.effective_from > at), key=lambda v: (v.effective_from, v.version)
    )
