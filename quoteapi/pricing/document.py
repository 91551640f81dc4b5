"""The price-list document: its rules across fields, and its plain-data form.

Field-by-field rules (types, formats, ranges) are checked where the document
is parsed (``quoteapi.schemas``); the rules that need the whole document are
here, so that every path that changes prices (whole document, one item,
import) goes through the same checks.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Mapping

from .engine import MAX_SESSIONS, MIN_SESSIONS
from .errors import PriceListInvalid
from .model import (
    Area,
    Benefit,
    BenefitType,
    Campaign,
    Clinic,
    PriceList,
    Product,
    SessionTier,
    SpecialistLevel,
)

MIN_TIER_SESSIONS = 2

ITEM_LISTS = ("clinics", "areas", "products", "specialist_levels", "campaigns")


def from_dict(data: Mapping[str, Any], version: int | None = None) -> PriceList:
    """Build a price list from the typed form a schema loads (Decimals, dates)."""
    return PriceList(
        currency=data["currency"],
        combination_discount_percent=Decimal(data["combination_discount_percent"]),
        session_interval_days=int(data["session_interval_days"]),
        clinics=tuple(Clinic(**c) for c in data["clinics"]),
        areas=tuple(Area(**a) for a in data["areas"]),
        products=tuple(Product(**p) for p in data["products"]),
        specialist_levels=tuple(SpecialistLevel(**lv) for lv in data["specialist_levels"]),
        session_tiers=tuple(SessionTier(**t) for t in data["session_tiers"]),
        campaigns=tuple(_campaign(c) for c in data["campaigns"]),
        version=version,
    )


def _campaign(data: Mapping[str, Any]) -> Campaign:
    benefit = data["benefit"]
    return Campaign(
        code=data["code"],
        name=data["name"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        clinics=tuple(data["clinics"]),
        min_sessions=data["min_sessions"],
        required_areas=tuple(data["required_areas"]),
        coupon=data["coupon"],
        stackable=data["stackable"],
        priority=data["priority"],
        benefit=Benefit(BenefitType(benefit["type"]), benefit["value"]),
    )


def money(value: Decimal) -> str:
    """A money amount as the contract writes it: a string with two decimals."""
    return f"{value:.2f}"


def to_dict(price_list: PriceList) -> dict[str, Any]:
    """The JSON form of the document (decimals as strings, dates ISO)."""
    return {
        "currency": price_list.currency,
        "combination_discount_percent": str(price_list.combination_discount_percent),
        "session_interval_days": price_list.session_interval_days,
        "clinics": [
            {
                "code": c.code,
                "name": c.name,
                "city": c.city,
                "price_factor": str(c.price_factor),
                "tax_rate": str(c.tax_rate),
                "prices_include_tax": c.prices_include_tax,
            }
            for c in price_list.clinics
        ],
        "areas": [
            {
                "code": a.code,
                "name": a.name,
                "size_cm2": a.size_cm2,
                "price": money(a.price),
                "extra_cm2_price": money(a.extra_cm2_price),
            }
            for a in price_list.areas
        ],
        "products": [
            {"code": p.code, "name": p.name, "price": money(p.price)} for p in price_list.products
        ],
        "specialist_levels": [
            {"code": lv.code, "name": lv.name, "multiplier": str(lv.multiplier)}
            for lv in price_list.specialist_levels
        ],
        "session_tiers": [
            {"min_sessions": t.min_sessions, "discount_percent": str(t.discount_percent)}
            for t in price_list.session_tiers
        ],
        "campaigns": [campaign_to_dict(c) for c in price_list.campaigns],
    }


def campaign_to_dict(c: Campaign, *, with_coupon: bool = True) -> dict[str, Any]:
    value = c.benefit.value
    if c.benefit.type is BenefitType.FIXED:
        value_text = money(value)
    elif c.benefit.type is BenefitType.FREE_SESSIONS:
        value_text = str(int(value))
    else:
        value_text = str(value)
    out: dict[str, Any] = {
        "code": c.code,
        "name": c.name,
        "starts_on": c.starts_on.isoformat(),
        "ends_on": c.ends_on.isoformat(),
        "clinics": list(c.clinics),
        "min_sessions": c.min_sessions,
        "required_areas": list(c.required_areas),
        "coupon": c.coupon,
        "stackable": c.stackable,
        "priority": c.priority,
        "benefit": {"type": c.benefit.type.value, "value": value_text},
    }
    if not with_coupon:
        del out["coupon"]
        out["requires_coupon"] = c.coupon is not None
    return out


def check(price_list: PriceList) -> None:
    """Raise :class:`PriceListInvalid` listing every rule the document breaks."""
    errors: dict[str, list[str]] = {}

    def fail(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    for name in ITEM_LISTS:
        _unique(fail, name, [item.code for item in getattr(price_list, name)], "code")
    for name in ("clinics", "areas", "specialist_levels"):
        if not getattr(price_list, name):
            fail(name, f"The price list needs at least one item in {name}.")
    _check_tiers(fail, price_list.session_tiers)
    clinics = set(price_list.clinic_by_code)
    areas = set(price_list.area_by_code)
    for i, c in enumerate(price_list.campaigns):
        _check_campaign(fail, f"campaigns.{i}", c, clinics, areas)
    if errors:
        raise PriceListInvalid(errors, "The price list is not valid; nothing was saved.")


def _unique(fail, list_name: str, values: Iterable, key: str) -> None:
    seen: set = set()
    for i, value in enumerate(values):
        if value in seen:
            fail(f"{list_name}.{i}.{key}", f"{value!r} appears more than once in {list_name}.")
        seen.add(value)


def _check_campaign(fail, path: str, c: Campaign, clinics: set[str], areas: set[str]) -> None:
    if c.starts_on > c.ends_on:
        fail(f"{path}.ends_on", "Must be on or after starts_on.")
    for j, code in enumerate(c.clinics):
        if code not in clinics:
            fail(f"{path}.clinics.{j}", f"Unknown clinic {code!r}.")
    for j, code in enumerate(c.required_areas):
        if code not in areas:
            fail(f"{path}.required_areas.{j}", f"Unknown area {code!r}.")
    if not MIN_SESSIONS <= c.min_sessions <= MAX_SESSIONS:
        fail(f"{path}.min_sessions", f"Must be between {MIN_SESSIONS} and {MAX_SESSIONS}.")
    value = c.benefit.value
    where = f"{path}.benefit.value"
    if c.benefit.type is BenefitType.PERCENT and value > 100:
        fail(where, "A percentage must be at most 100.")
    if c.benefit.type is BenefitType.FREE_SESSIONS and (value != value.to_integral_value() or value < 1):
        fail(where, "Free sessions must be a whole number of at least 1.")


def _check_tiers(fail, tiers: tuple[SessionTier, ...]) -> None:
    _unique(fail, "session_tiers", [t.min_sessions for t in tiers], "min_sessions")
    for i, tier in enumerate(tiers):
        if not MIN_TIER_SESSIONS <= tier.min_sessions <= MAX_SESSIONS:
            fail(
                f"session_tiers.{i}.min_sessions",
                f"Must be between {MIN_TIER_SESSIONS} and {MAX_SESSIONS}.",
            )
        if tier.discount_percent > 100:
            fail(f"session_tiers.{i}.discount_percent", "A percentage must be at most 100.")
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
                f"A course of {n + 1} sessions would cost less than one of {n}:"
                f" (n + 1) * (1 - d(n + 1)) must be >= n * (1 - d(n)).",
            )


def campaigns_running(price_list: PriceList, clinic: str, day: date) -> list[Campaign]:
    """The campaigns a clinic offers on a day, in the order they are applied."""
    return [c for c in price_list.campaigns_in_order if c.runs_on(day) and c.offered_at(clinic)]


def diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """Every changed field between two JSON documents, as ``(path, before, after)``.

    Items are keyed by code (tiers by ``min_sessions``): ``areas.face.price``;
    an added or removed item is one entry with ``None`` on the missing side.
    """
    old = old or {}
    changes: list[tuple[str, Any, Any]] = []
    for key in ("currency", "combination_discount_percent", "session_interval_days"):
        if old.get(key) != new.get(key):
            changes.append((key, old.get(key), new.get(key)))
    keyed = [(name, "code") for name in ITEM_LISTS] + [("session_tiers", "min_sessions")]
    for name, key in keyed:
        before = {item[key]: item for item in old.get(name, [])}
        after = {item[key]: item for item in new.get(name, [])}
        for code in sorted(after.keys() - before.keys(), key=str):
            changes.append((f"{name}.{code}", None, after[code]))
        for code in sorted(before.keys() - after.keys(), key=str):
            changes.append((f"{name}.{code}", before[code], None))
        for code in sorted(before.keys() & after.keys(), key=str):
            was_fields = _flat(before[code])
            for field_name, value in _flat(after[code]).items():
                if was_fields.get(field_name) != value:
                    changes.append((f"{name}.{code}.{field_name}", was_fields.get(field_name), value))
    return changes


def summarize(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> str:
    """What changed between two JSON documents, e.g. ``areas.face.price 3500.00 → 3700.00``."""
    if old is None:
        return "First price list."
    parts = []
    for path, was, now in diff(old, new):
        if was is None and isinstance(now, Mapping):
            parts.append(f"{path} added")
        elif now is None and isinstance(was, Mapping):
            parts.append(f"{path} removed")
        else:
            parts.append(f"{path} {_show(was)} → {_show(now)}")
    return "; ".join(sorted(parts)) if parts else "No changes."


def _flat(item: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return "null" if value is None else str(value)
