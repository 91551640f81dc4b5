"""The price list's plain-data form: the JSON document of price-list.md.

``from_plain`` takes a document whose values are either already typed (what
the API's schema loads: ``Decimal``, ``date``) or still text (what the
database stores); ``to_plain`` writes decimals as strings and dates as ISO.
Field-by-field checks happen where an untrusted document is parsed (the API's
schema); the rules that need the whole document are in :mod:`.rules`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from ..pricing.model import (
    Translations,
    Area,
    BankAccount,
    Benefit,
    BenefitType,
    Campaign,
    Clinic,
    Concern,
    CourseRange,
    PriceList,
    SEVERITIES,
    Product,
    SessionTier,
    SpecialistLevel,
)

ITEM_LISTS = ("clinics", "areas", "products", "specialist_levels", "campaigns", "concerns")
# Document version 2: what a version-1 document (without these) means.
DEFAULT_LANGUAGE = "tr"
DEFAULT_MAX_MANUAL_DISCOUNT = "10"


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _translations(item: Mapping[str, Any]) -> Translations:
    """``{"en": {"name": "Full face"}}`` as the model keeps it (sorted, so equal documents are equal)."""
    given = item.get("translations") or {}
    return tuple(
        (language, tuple(sorted((f, text) for f, text in fields.items() if text))) for language, fields in sorted(given.items())
    )


def _with_translations(out: dict[str, Any], translations: Translations) -> dict[str, Any]:
    """An item's plain form, with ``translations`` only where it has some (a version-1 item stays as it was)."""
    if translations:
        out["translations"] = {language: dict(fields) for language, fields in translations}
    return out


def _clinic(c: Mapping[str, Any]) -> Clinic:
    return Clinic(
        code=c["code"], name=c["name"], city=c["city"], price_factor=Decimal(c["price_factor"]),
        tax_rate=Decimal(c["tax_rate"]), prices_include_tax=bool(c["prices_include_tax"]),
        translations=_translations(c), address=c.get("address") or None, phone=c.get("phone") or None,
        **_clinic_v3(c),
    )


def _clinic_v3(c: Mapping[str, Any]) -> dict[str, Any]:
    """A clinic's fields of document version 3 (e-mail, deposit, bank account); absent ones keep their defaults."""
    account = c.get("bank_account")
    return {
        "email": c.get("email") or None,
        "deposit_percent": Decimal(c.get("deposit_percent") or 0),
        "bank_account": BankAccount(account["holder"], account["bank"], account["iban"]) if account else None,
    }


def _clinic_v3_plain(c: Clinic) -> dict[str, Any]:
    """What a version-3 clinic adds to its plain form: only what it has (a version-2 clinic stays as it was)."""
    out: dict[str, Any] = {}
    if c.email:
        out["email"] = c.email
    if c.deposit_percent:
        out["deposit_percent"] = str(c.deposit_percent)
    if c.bank_account is not None:
        account = c.bank_account
        out["bank_account"] = {"holder": account.holder, "bank": account.bank, "iban": account.iban}
    return out


def _area(a: Mapping[str, Any]) -> Area:
    return Area(
        code=a["code"], name=a["name"], size_cm2=int(a["size_cm2"]), price=Decimal(a["price"]),
        extra_cm2_price=Decimal(a["extra_cm2_price"]), translations=_translations(a),
    )


def _product(p: Mapping[str, Any]) -> Product:
    return Product(p["code"], p["name"], Decimal(p["price"]), _translations(p))


def _level(lv: Mapping[str, Any]) -> SpecialistLevel:
    return SpecialistLevel(lv["code"], lv["name"], Decimal(lv["multiplier"]), _translations(lv))


def from_plain(data: Mapping[str, Any], version: int | None = None) -> PriceList:
    """Build a price list from its document (typed or text values)."""
    return PriceList(
        currency=data["currency"],
        combination_discount_percent=Decimal(data["combination_discount_percent"]),
        session_interval_days=int(data["session_interval_days"]),
        clinics=tuple(_clinic(c) for c in data["clinics"]),
        areas=tuple(_area(a) for a in data["areas"]),
        products=tuple(_product(p) for p in data["products"]),
        specialist_levels=tuple(_level(lv) for lv in data["specialist_levels"]),
        session_tiers=tuple(
            SessionTier(int(t["min_sessions"]), Decimal(t["discount_percent"])) for t in data["session_tiers"]
        ),
        campaigns=tuple(_campaign(c) for c in data["campaigns"]),
        version=version,
        language=data.get("language") or DEFAULT_LANGUAGE,
        max_manual_discount_percent=Decimal(data.get("max_manual_discount_percent") or DEFAULT_MAX_MANUAL_DISCOUNT),
        concerns=tuple(_concern(c) for c in data.get("concerns") or ()),
    )


# --- Skin concerns (document version 3) ---------------------------------------------------


def _course(data: Mapping[str, Any]) -> CourseRange:
    return CourseRange(int(data["sessions_min"]), int(data["sessions_max"]), int(data["recommended"]))


def _concern(data: Mapping[str, Any]) -> Concern:
    severities = data["severities"]
    return Concern(
        code=data["code"],
        name=data["name"],
        mild=_course(severities["mild"]),
        moderate=_course(severities["moderate"]),
        pronounced=_course(severities["pronounced"]),
        products=tuple(data.get("products") or ()),
        maintenance_per_year=int(data.get("maintenance_per_year", 1)),
        translations=_translations(data),
    )


def concern_to_plain(c: Concern) -> dict[str, Any]:
    return _with_translations({
        "code": c.code,
        "name": c.name,
        "products": list(c.products),
        "maintenance_per_year": c.maintenance_per_year,
        "severities": {
            str(severity): {
                "sessions_min": course.sessions_min,
                "sessions_max": course.sessions_max,
                "recommended": course.recommended,
            }
            for severity, course in ((s, c.course(s)) for s in SEVERITIES)
        },
    }, c.translations)


def _campaign(data: Mapping[str, Any]) -> Campaign:
    benefit = data["benefit"]
    return Campaign(
        code=data["code"],
        name=data["name"],
        starts_on=_day(data["starts_on"]),
        ends_on=_day(data["ends_on"]),
        clinics=tuple(data["clinics"]),
        min_sessions=int(data["min_sessions"]),
        required_areas=tuple(data["required_areas"]),
        coupon=data["coupon"],
        stackable=bool(data["stackable"]),
        priority=int(data["priority"]),
        benefit=Benefit(BenefitType(benefit["type"]), Decimal(benefit["value"])),
        translations=_translations(data),
        max_uses=None if data.get("max_uses") is None else int(data["max_uses"]),
    )


def money(value: Decimal) -> str:
    """A money amount as the contract writes it: a string with two decimals."""
    return f"{value:.2f}"


def clinic_to_plain(c: Clinic) -> dict[str, Any]:
    return _with_translations({
        "code": c.code,
        "name": c.name,
        "city": c.city,
        "price_factor": str(c.price_factor),
        "tax_rate": str(c.tax_rate),
        "prices_include_tax": c.prices_include_tax,
        **({"address": c.address} if c.address else {}),
        **({"phone": c.phone} if c.phone else {}),
        **_clinic_v3_plain(c),
    }, c.translations)


def area_to_plain(a: Area) -> dict[str, Any]:
    return _with_translations({
        "code": a.code,
        "name": a.name,
        "size_cm2": a.size_cm2,
        "price": money(a.price),
        "extra_cm2_price": money(a.extra_cm2_price),
    }, a.translations)


def product_to_plain(p: Product) -> dict[str, Any]:
    return _with_translations({"code": p.code, "name": p.name, "price": money(p.price)}, p.translations)


def level_to_plain(lv: SpecialistLevel) -> dict[str, Any]:
    return _with_translations({"code": lv.code, "name": lv.name, "multiplier": str(lv.multiplier)}, lv.translations)


def tier_to_plain(t: SessionTier) -> dict[str, Any]:
    return {"min_sessions": t.min_sessions, "discount_percent": str(t.discount_percent)}


def to_plain(price_list: PriceList) -> dict[str, Any]:
    """The JSON form of the document (decimals as strings, dates ISO)."""
    return {
        "language": price_list.language,
        "currency": price_list.currency,
        "combination_discount_percent": str(price_list.combination_discount_percent),
        "max_manual_discount_percent": str(price_list.max_manual_discount_percent),
        "session_interval_days": price_list.session_interval_days,
        "clinics": [clinic_to_plain(c) for c in price_list.clinics],
        "areas": [area_to_plain(a) for a in price_list.areas],
        "products": [product_to_plain(p) for p in price_list.products],
        "specialist_levels": [level_to_plain(lv) for lv in price_list.specialist_levels],
        "session_tiers": [tier_to_plain(t) for t in price_list.session_tiers],
        "campaigns": [campaign_to_plain(c) for c in price_list.campaigns],
        "concerns": [concern_to_plain(c) for c in price_list.concerns],
    }


def benefit_value_text(benefit: Benefit) -> str:
    """A benefit's value as the document writes it: money, whole sessions or a percentage."""
    if benefit.type is BenefitType.FIXED:
        return money(benefit.value)
    if benefit.type is BenefitType.FREE_SESSIONS:
        return str(int(benefit.value))
    return str(benefit.value)


def campaign_to_plain(c: Campaign) -> dict[str, Any]:
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
        "benefit": {"type": c.benefit.type.value, "value": benefit_value_text(c.benefit)},
    }
    if c.max_uses is not None:
        out["max_uses"] = c.max_uses
    return _with_translations(out, c.translations)




_ITEMS = {
    "clinics": (_clinic, clinic_to_plain),
    "areas": (_area, area_to_plain),
    "products": (_product, product_to_plain),
    "specialist_levels": (_level, level_to_plain),
    "campaigns": (_campaign, campaign_to_plain),
    "concerns": (_concern, concern_to_plain),
}


def item_to_plain(list_name: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """One item of ``list_name`` (typed or text values) in the document's plain form."""
    read, write = _ITEMS[list_name]
    return write(read(data))
