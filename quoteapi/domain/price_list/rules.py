"""The rules of price-list.md that need the whole document.

Field-by-field rules (types, formats, ranges) are checked where a document is
parsed (the API's schemas); these are checked on every path that changes
prices (whole document, one item, import), after parsing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from ..pricing.engine import MAX_SESSIONS, MIN_SESSIONS
from ..pricing.errors import PriceListInvalid
from ..pricing.model import BenefitType, Campaign, PriceList, SessionTier
from ..text import LANGUAGES, T
from .codec import ITEM_LISTS

MIN_TIER_SESSIONS = 2


def validate(price_list: PriceList) -> None:
    """Raise :class:`PriceListInvalid` listing every rule the document breaks."""
    errors: dict[str, list] = {}

    def fail(path: str, message) -> None:
        errors.setdefault(path, []).append(message)

    for name in ITEM_LISTS:
        _unique(fail, name, [item.code for item in getattr(price_list, name)], "code")
    for name in ("clinics", "areas", "specialist_levels"):
        if not getattr(price_list, name):
            fail(name, T("The price list needs at least one item in {list}.", list=name))
    if price_list.language not in LANGUAGES:
        fail("language", T("Must be one of: {choices}.", choices=", ".join(LANGUAGES)))
    _check_tiers(fail, price_list.session_tiers)
    clinics = set(price_list.clinic_by_code)
    areas = set(price_list.area_by_code)
    for i, c in enumerate(price_list.campaigns):
        _check_campaign(fail, f"campaigns.{i}", c, clinics, areas)
    if errors:
        raise PriceListInvalid(errors, T("The price list is not valid; nothing was saved."))


def _unique(fail, list_name: str, values: Iterable, key: str) -> None:
    seen: set = set()
    for i, value in enumerate(values):
        if value in seen:
            fail(f"{list_name}.{i}.{key}", T("{value} appears more than once in {list}.", value=repr(value), list=list_name))
        seen.add(value)


def _check_campaign(fail, path: str, c: Campaign, clinics: set[str], areas: set[str]) -> None:
    if c.starts_on > c.ends_on:
        fail(f"{path}.ends_on", T("Must be on or after starts_on."))
    for j, code in enumerate(c.clinics):
        if code not in clinics:
            fail(f"{path}.clinics.{j}", T("Unknown clinic {code}.", code=repr(code)))
    for j, code in enumerate(c.required_areas):
        if code not in areas:
            fail(f"{path}.required_areas.{j}", T("Unknown area {code}.", code=repr(code)))
    if not MIN_SESSIONS <= c.min_sessions <= MAX_SESSIONS:
        fail(f"{path}.min_sessions", T("Must be between {low} and {high}.", low=MIN_SESSIONS, high=MAX_SESSIONS))
    value = c.benefit.value
    where = f"{path}.benefit.value"
    if c.benefit.type is BenefitType.PERCENT and value > 100:
        fail(where, T("A percentage must be at most 100."))
    if c.benefit.type is BenefitType.FREE_SESSIONS and (value != value.to_integral_value() or value < 1):
        fail(where, T("Free sessions must be a whole number of at least 1."))


def _check_tiers(fail, tiers: tuple[SessionTier, ...]) -> None:
    _unique(fail, "session_tiers", [t.min_sessions for t in tiers], "min_sessions")
    for i, tier in enumerate(tiers):
        if not MIN_TIER_SESSIONS <= tier.min_sessions <= MAX_SESSIONS:
            fail(
                f"session_tiers.{i}.min_sessions",
                T("Must be between {low} and {high}.", low=MIN_TIER_SESSIONS, high=MAX_SESSIONS),
            )
        if tier.discount_percent > 100:
            fail(f"session_tiers.{i}.discount_percent", T("A percentage must be at most 100."))
    # A longer course must never cost less than a shorter one.
    ordered = sorted(tiers, key=lambda t: t.min_sessions)

    def fraction(n: int) -> Decimal:
        d = Decimal(0)
        for t in ordered:
            if t.min_sessions <= n:
                d = t.discount_percent / 100
        return d

    for n in range(MIN_SESSIONS, MAX_SESSIONS):
        if (n + 1) * (1 - fraction(n + 1)) < n * (1 - fraction(n)):
            fail(
                "session_tiers",
                T("A course of {longer} sessions would cost less than one of {shorter}: "
                  "(n + 1) * (1 - d(n + 1)) must be >= n * (1 - d(n)).", longer=n + 1, shorter=n),
            )


