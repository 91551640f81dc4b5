"""Estimates and their requests as plain data (JSON types), and back.

The plain form of an estimate is what the API answers and what a quote
revision stores; ``to_plain`` is the fast path of the public API, and a test
checks that it equals what the API's ``EstimateSchema`` dumps.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from ..text import ENGLISH, Language
from .model import (
    AreaRequest,
    ClientAnswers,
    ConcernRequest,
    CouponOutcome,
    CouponStatus,
    Eligibility,
    EligibilityStatus,
    Estimate,
    EstimateRequest,
    Hint,
    Line,
    LineKind,
    ManualDiscount,
    Offer,
    SuggestedConcern,
    Suggestion,
)


def _money(value: Decimal) -> str:
    """Two decimals. The engine's figures mostly have them already: ``str`` then writes the same, three times faster."""
    written = str(value)
    # "1234.50" has its point third from the end; str's other forms ("1E+3", "0.5", "-7") do not.
    return written if written[-3:-2] == "." else f"{value:.2f}"


# Days as ISO text, each written once: date.isoformat() goes through C's printf, ten times
# a dictionary look-up, and an estimate has a dozen days. Bounded like the texts' templates.
_ISO_DAYS: dict[date, str] = {}
_ISO_DAYS_SIZE = 4096


def _iso_day(day: date) -> str:
    written = day.isoformat()
    if len(_ISO_DAYS) < _ISO_DAYS_SIZE:
        _ISO_DAYS[day] = written
    return written


def estimate_to_plain(e: Estimate, language: Language = ENGLISH) -> dict[str, Any]:
    """The estimate as JSON types, its sentences in ``language``."""
    text = language.render
    iso = _ISO_DAYS.get
    coupon = e.coupon
    return {
        "clinic": e.clinic,
        "currency": e.currency,
        "price_list_version": e.price_list_version,
        "start_date": iso(e.start_date) or _iso_day(e.start_date),
        "sessions": e.sessions,
        "lines": [
            {
                "kind": str(line.kind),  # a StrEnum's str() is its value (cheaper than .value)
                "code": line.code,
                "description": text(line.description),
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price),
                "amount": _money(line.amount),
                "basis": text(line.basis),
            }
            for line in e.lines
        ],
        "subtotal": _money(e.subtotal),
        "discount_total": _money(e.discount_total),
        "net": _money(e.net),
        "tax_rate": str(e.tax_rate),
        "tax_total": _money(e.tax_total),
        "total": _money(e.total),
        "per_session": _money(e.per_session),
        "applied_campaigns": list(e.applied_campaigns),
        "eligibility": {
            "status": str(e.eligibility.status),
            "reasons": [text(r) for r in e.eligibility.reasons],
        },
        "schedule": [iso(d) or _iso_day(d) for d in e.schedule],
        "advice": [text(a) for a in e.advice],
        "offers": [
            {"campaigns": list(o.campaigns), "discount": _money(o.discount), "chosen": o.chosen} for o in e.offers
        ],
        "coupon": None if coupon is None else {
            "code": coupon.code, "status": str(coupon.status), "reason": text(coupon.reason),
        },
        "hints": [
            {"sessions": h.sessions, "total": _money(h.total), "per_session": _money(h.per_session), "text": text(h.text)}
            for h in e.hints
        ],
        "suggestion": None if e.suggestion is None else suggestion_to_plain(e.suggestion, text),
    }


def suggestion_to_plain(s: Suggestion, text) -> dict[str, Any]:
    """A suggestion as JSON types; ``text`` (a language's ``render``) writes its sentence and the concerns' names.

    The engine hands out the same suggestion for the same concerns (suggestion.py keeps them per list): its
    sentence and names are written once per language and kept with it.
    """
    language = getattr(text, "__self__", None)
    written = s.__dict__.get("_written")
    entry = None if written is None or language is None else written.get(id(language))
    if entry is None or entry[0] is not language:
        entry = (language, text(s.text), [text(c.name) for c in s.concerns])
        if language is not None:
            if written is None:
                written = s.__dict__.setdefault("_written", {})  # frozen: its own cache, not a field
            if len(written) < 8:
                written[id(language)] = entry
    names = entry[2]
    return {
        "concerns": [
            {"code": c.code, "severity": str(c.severity), "name": names[i]} for i, c in enumerate(s.concerns)
        ],
        "sessions_min": s.sessions_min,
        "sessions_max": s.sessions_max,
        "recommended": s.recommended,
        "interval_days": s.interval_days,
        "products": list(s.products),
        "maintenance_per_year": s.maintenance_per_year,
        "within": s.within,
        "text": entry[1],
    }


def suggestion_from_plain(data: Mapping[str, Any] | None) -> Suggestion | None:
    """A stored suggestion (its sentence and names as they were shown); None when there was none."""
    if not isinstance(data, Mapping):
        return None
    return Suggestion(
        concerns=tuple(SuggestedConcern(c["code"], c["severity"], c.get("name", c["code"])) for c in data["concerns"]),
        sessions_min=data["sessions_min"],
        sessions_max=data["sessions_max"],
        recommended=data["recommended"],
        interval_days=data["interval_days"],
        products=tuple(data["products"]),
        maintenance_per_year=data["maintenance_per_year"],
        within=data["within"],
        text=data["text"],
    )


def estimate_from_plain(data: Mapping[str, Any]) -> Estimate:
    """The estimate a revision stored, as it was priced (its sentences as they were shown).

    Revisions stored before pricing rules version 2 have no basis, offers,
    coupon or hints: they read as empty.
    """
    coupon = data.get("coupon")
    return Estimate(
        clinic=data["clinic"],
        currency=data["currency"],
        price_list_version=data["price_list_version"],
        start_date=date.fromisoformat(data["start_date"]),
        sessions=data["sessions"],
        lines=tuple(
            Line(
                kind=LineKind(line["kind"]),
                code=line["code"],
                description=line["description"],
                quantity=line["quantity"],
                unit_price=Decimal(line["unit_price"]),
                amount=Decimal(line["amount"]),
                basis=line.get("basis", ""),
            )
            for line in data["lines"]
        ),
        subtotal=Decimal(data["subtotal"]),
        discount_total=Decimal(data["discount_total"]),
        net=Decimal(data["net"]),
        tax_rate=Decimal(data["tax_rate"]),
        tax_total=Decimal(data["tax_total"]),
        total=Decimal(data["total"]),
        per_session=Decimal(data["per_session"]),
        applied_campaigns=tuple(data["applied_campaigns"]),
        eligibility=Eligibility(
            EligibilityStatus(data["eligibility"]["status"]), tuple(data["eligibility"]["reasons"])
        ),
        schedule=tuple(date.fromisoformat(d) for d in data["schedule"]),
        advice=tuple(data["advice"]),
        offers=tuple(Offer(tuple(o["campaigns"]), Decimal(o["discount"]), o["chosen"]) for o in data.get("offers", ())),
        coupon=None if coupon is None else CouponOutcome(coupon["code"], CouponStatus(coupon["status"]), coupon["reason"]),
        hints=tuple(
            Hint(h["sessions"], Decimal(h["total"]), Decimal(h["per_session"]), h["text"]) for h in data.get("hints", ())
        ),
        # Revisions stored before issue 28 have none.
        suggestion=suggestion_from_plain(data.get("suggestion")),
    )


CLIENT_FIELDS = ("age", "pregnant", "active_skin_infection", "open_wounds", "serious_skin_condition")


def manual_discount_to_plain(m: ManualDiscount) -> dict[str, Any]:
    """A manual discount as a revision stores it (and the API shows it): percent or amount, and the reason."""
    if m.percent is not None:
        return {"percent": str(m.percent), "reason": m.reason}
    return {"amount": f"{m.amount:.2f}", "reason": m.reason}


def manual_discount_from_plain(data: Mapping[str, Any]) -> ManualDiscount:
    percent, amount = data.get("percent"), data.get("amount")
    return ManualDiscount(
        reason=data["reason"],
        percent=None if percent is None else Decimal(percent),
        amount=None if amount is None else Decimal(amount),
    )


def request_to_plain(r: EstimateRequest) -> dict[str, Any]:
    """The inputs of an estimate as a quote revision stores them.

    ``manual_discount`` is there only when one was given, so that the inputs
    of quotes without one read as they always did.
    """
    plain = {
        "clinic": r.clinic,
        "areas": [
            {"code": a.code, "size_cm2": None if a.size_cm2 is None else str(a.size_cm2)} for a in r.areas
        ],
        "products": list(r.products),
        "specialist_level": r.specialist_level,
        "sessions": r.sessions,
        "start_date": r.start_date.isoformat() if r.start_date else None,
        "coupon": r.coupon,
        "client": None if r.client is None else {name: getattr(r.client, name) for name in CLIENT_FIELDS},
    }
    if r.manual_discount is not None:
        plain["manual_discount"] = manual_discount_to_plain(r.manual_discount)
    if r.concerns:  # only when given, like the manual discount
        plain["concerns"] = concerns_to_plain(r.concerns)
    return plain


def concerns_to_plain(concerns: tuple[ConcernRequest, ...]) -> list[dict[str, str]]:
    return [{"code": c.code, "severity": str(c.severity)} for c in concerns]


def request_from_plain(data: Mapping[str, Any]) -> EstimateRequest:
    client = data.get("client")
    start = data.get("start_date")
    manual = data.get("manual_discount")
    return EstimateRequest(
        clinic=data["clinic"],
        areas=tuple(
            AreaRequest(a["code"], None if a.get("size_cm2") is None else Decimal(a["size_cm2"]))
            for a in data["areas"]
        ),
        specialist_level=data["specialist_level"],
        sessions=data.get("sessions"),
        start_date=date.fromisoformat(start) if start else None,
        products=tuple(data.get("products") or ()),
        coupon=data.get("coupon"),
        # Erased answers (a placeholder string, see domain/personal_data.py) read as none given.
        client=ClientAnswers(**{k: client.get(k) for k in CLIENT_FIELDS}) if isinstance(client, Mapping) else None,
        manual_discount=manual_discount_from_plain(manual) if isinstance(manual, Mapping) else None,
        concerns=tuple(ConcernRequest(c["code"], c["severity"]) for c in data.get("concerns") or ()),
    )
