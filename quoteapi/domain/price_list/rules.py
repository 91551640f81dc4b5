"""The rules of price-list.md that need the whole document.

Field-by-field rules (types, formats, ranges) are checked where a document is
parsed (the API's schemas); these are checked on every path that changes
prices (whole document, one item, import), after parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Iterable

from ..pricing.engine import MAX_SESSIONS, MIN_SESSIONS, price
from ..pricing.errors import PricingError, PriceListInvalid
from ..pricing.model import (
    SEVERITIES, AreaRequest, BenefitType, Campaign, Clinic, Concern, EstimateRequest, PriceList, SessionTier,
)
from ..text import LANGUAGES, T, Text
from . import iban
from .codec import ITEM_LISTS

MIN_TIER_SESSIONS = 2
DEPOSIT_NEEDS_ACCOUNT = T("A deposit needs a bank account to be paid to: give bank_account, or set deposit_percent to 0.")
# A skin concern's maintenance sessions a year (document version 3).
MAX_MAINTENANCE_PER_YEAR = 4


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
    for i, clinic in enumerate(price_list.clinics):
        _check_deposit(fail, f"clinics.{i}", clinic)
    clinics = set(price_list.clinic_by_code)
    areas = set(price_list.area_by_code)
    for i, c in enumerate(price_list.campaigns):
        _check_campaign(fail, f"campaigns.{i}", c, clinics, areas)
    products = set(price_list.product_by_code)
    for i, concern in enumerate(price_list.concerns):
        _check_concern(fail, f"concerns.{i}", concern, products)
    if errors:
        raise PriceListInvalid(errors, T("The price list is not valid; nothing was saved."))


def _unique(fail, list_name: str, values: Iterable, key: str) -> None:
    seen: set = set()
    for i, value in enumerate(values):
        if value in seen:
            fail(f"{list_name}.{i}.{key}", T("{value} appears more than once in {list}.", value=repr(value), list=list_name))
        seen.add(value)


def _check_deposit(fail, path: str, clinic: Clinic) -> None:
    """Document version 3: a deposit is a percentage, and it is asked only with an account to pay it to."""
    percent = clinic.deposit_percent
    if not 0 <= percent <= 100:
        fail(f"{path}.deposit_percent", T("Must be between {low} and {high}.", low=0, high=100))
    if percent > 0 and clinic.bank_account is None:
        fail(f"{path}.bank_account", DEPOSIT_NEEDS_ACCOUNT)
    if clinic.bank_account is not None:
        found = iban.problem(clinic.bank_account.iban)
        if found is not None:
            fail(f"{path}.bank_account.iban", found)


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


def _check_concern(fail, path: str, c: Concern, products: set[str]) -> None:
    """``1 <= sessions_min <= recommended <= sessions_max <= 24`` at every severity; known products, each once."""
    for severity in SEVERITIES:
        course = c.course(severity)
        where = f"{path}.severities.{severity}"
        for name in ("sessions_min", "sessions_max", "recommended"):
            if not MIN_SESSIONS <= getattr(course, name) <= MAX_SESSIONS:
                fail(f"{where}.{name}", T("Must be between {low} and {high}.", low=MIN_SESSIONS, high=MAX_SESSIONS))
        if course.sessions_min > course.sessions_max:
            fail(f"{where}.sessions_max", T("Must be at least sessions_min."))
        if not course.sessions_min <= course.recommended <= course.sessions_max:
            fail(f"{where}.recommended", T("Must be between sessions_min and sessions_max."))
    if not 0 <= c.maintenance_per_year <= MAX_MAINTENANCE_PER_YEAR:
        fail(f"{path}.maintenance_per_year", T("Must be between {low} and {high}.", low=0, high=MAX_MAINTENANCE_PER_YEAR))
    seen: set[str] = set()
    for j, code in enumerate(c.products):
        if code not in products:
            fail(f"{path}.products.{j}", T("Unknown product {code}.", code=repr(code)))
        elif code in seen:
            fail(f"{path}.products.{j}", T("Product {code} is listed twice.", code=repr(code)))
        seen.add(code)


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


# --- Warnings: allowed, but worth a second look -----------------------------------------------

COURSE_INVERSION = "campaign-makes-longer-course-cheaper"


@dataclass(frozen=True)
class Warning:
    """Something a valid price list does that an admin may not mean: ``code`` (stable), ``path``, ``message``."""

    code: str
    path: str
    message: Text


def warnings(price_list: PriceList) -> list[Warning]:
    """What a valid list does that is allowed but suspicious.

    A campaign that makes a longer course cheaper in total than a shorter one
    at some clinic (the rule the session tiers must keep, which clinics may
    break on purpose with an offer such as "4 sessions for the price of 3").
    Each campaign is priced alone, at each clinic that offers it, on its first
    day, for 1 to 24 sessions of its required areas (or of the cheapest area,
    where a fixed amount weighs most) with the least dear specialist level;
    the first pair of session counts found is named, once per campaign.
    """
    if not (price_list.clinics and price_list.areas and price_list.specialist_levels):
        return []
    level = min(price_list.specialist_levels, key=lambda lv: (lv.multiplier, lv.code)).code
    cheapest = min(price_list.areas, key=lambda a: (a.price, a.code)).code
    found: list[Warning] = []
    for i, campaign in enumerate(price_list.campaigns):
        alone = replace(price_list, campaigns=(campaign,))
        areas = tuple(AreaRequest(code) for code in (campaign.required_areas or (cheapest,)))
        for clinic in price_list.clinics:
            if not campaign.offered_at(clinic.code):
                continue
            pair = _inversion(alone, campaign, clinic.code, areas, level)
            if pair:
                shorter, longer = pair
                found.append(Warning(
                    COURSE_INVERSION,
                    f"campaigns.{i}",
                    T("Campaign {code} makes a course of {longer} sessions cheaper in total than one of {shorter} "
                      "at {clinic}.", code=campaign.code, longer=longer, shorter=shorter, clinic=clinic.code),
                ))
                break
    return found


def _inversion(alone: PriceList, campaign: Campaign, clinic: str, areas: tuple[AreaRequest, ...], level: str):
    previous = None
    for n in range(MIN_SESSIONS, MAX_SESSIONS + 1):
        request = EstimateRequest(clinic, areas, level, n, start_date=campaign.starts_on, coupon=campaign.coupon)
        try:
            total = price(alone, request).total
        except PricingError:
            return None
        if previous is not None and total < previous:
            return n - 1, n
        previous = total
    return None
