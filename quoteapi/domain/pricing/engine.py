"""The pricing engine: ``pricing-rules.md`` (version 2) step by step, to the cent.

Pure functions over the dataclasses of :mod:`.model`. Every sentence it
returns is a :class:`~quoteapi.domain.text.Text`, rendered by the caller in
the reader's language.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import NamedTuple

from ..text import Name, Names, T, Text
from .advice import advice_for
from .eligibility import judge
from .errors import EstimateInvalid
from .suggestion import MAX_CONCERNS, hints_within, known, worked_out
from .model import (
    SEVERITIES,
    Area,
    BenefitType,
    Campaign,
    Clinic,
    CouponOutcome,
    CouponStatus,
    Estimate,
    EstimateRequest,
    Hint,
    Line,
    LineKind,
    ManualDiscount,
    Offer,
    PriceList,
    Product,
    SessionTier,
    SpecialistLevel,
)

MIN_SESSIONS = 1
MAX_SESSIONS = 24
# Far above any body area; keeps every figure well inside Decimal's precision.
MAX_SIZE_CM2 = 1_000_000
# A start date is today or later, and at most this many days ahead.
MAX_DAYS_AHEAD = 365
# How many longer courses the hints look at, and how much cheaper per session they must be.
HINT_SPAN = 3
HINT_THRESHOLD = Decimal("0.99")
# Below this per-session price every longer course is priced for hints (rounding matters there).
HINT_ALWAYS_BELOW = Decimal("100.00")

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ONE = Decimal(1)
HUNDRED = Decimal(100)
# The kinds of benefit by name: a member looked up on its enum class costs about as much as a call.
PERCENT, FIXED = BenefitType.PERCENT, BenefitType.FIXED


def round_money(value: Decimal) -> Decimal:
    """The one rounding of the rules: to 0.01, half up."""
    return value.quantize(CENT, ROUND_HALF_UP)  # positional: a keyword costs the C call a parse


def _m(value: Decimal) -> str:
    """A figure inside a basis formula: the same in every language."""
    return f"{value:.2f}"


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _num(value: Decimal | int) -> str:
    """A size as written: ``300``, ``1234.5``."""
    return str(value) if isinstance(value, int) else f"{value.normalize():f}"


def area_unit_price(area: Area, size_cm2: Decimal | int, price_factor: Decimal) -> Decimal:
    """Step 1: one session of an area at a measured size, at a clinic."""
    extra = max(0, size_cm2 - area.size_cm2) * area.extra_cm2_price
    return round_money((area.price + extra) * price_factor)


class _Priced(NamedTuple):
    """An area at its reference size, or a product, at one clinic."""

    unit: Decimal  # one session
    basis: Text  # how: "{price} × {factor}"
    name: Name


@dataclass(slots=True)
class _ClinicSheet:
    """Step 1 at every reference size, for one clinic: what every request there starts from.

    A price list never changes, so this is worked out once per clinic and
    list, from the list alone (no request goes in), and kept by the engine
    for as long as the list lives (:func:`_sheets_of`). A measured size that
    changes the price is still priced per request.
    """

    factor: str  # the clinic's price factor as the formulas write it
    areas: dict[str, _Priced]  # by code, at the reference size
    products: dict[str, _Priced]  # by code
    campaigns: tuple[Campaign, ...]  # the campaigns the clinic offers (on some day), in the order applied


# The clinic sheets of every price list priced and still alive, by the list's id().
# Each entry holds a weak reference to its list: it goes when the list does (the
# reference's callback), and a later list that gets the same id() (or a changed
# copy with the same version number) never finds another list's sheets.
_SHEETS: dict[int, tuple[weakref.ref, dict[str, _ClinicSheet]]] = {}


def _forget(key: int, ref: weakref.ref) -> None:
    """A price list has gone: its sheets go too (unless its id() is already another list's)."""
    entry = _SHEETS.get(key)
    if entry is not None and entry[0] is ref:
        _SHEETS.pop(key, None)


def _sheets_of(price_list: PriceList) -> dict[str, _ClinicSheet]:
    """The sheets made so far for ``price_list``, by clinic code."""
    key = id(price_list)
    entry = _SHEETS.get(key)
    if entry is None or entry[0]() is not price_list:
        entry = (weakref.ref(price_list, partial(_forget, key)), {})
        _SHEETS[key] = entry
    return entry[1]


def _sheet(price_list: PriceList, clinic: Clinic) -> _ClinicSheet:
    """The clinic's sheet, made the first time (two threads making it at once make the same one)."""
    entry = _SHEETS.get(id(price_list))  # _sheets_of(price_list), inline: this is every estimate's way
    if entry is not None and entry[0]() is price_list:
        sheets = entry[1]
    else:
        sheets = _sheets_of(price_list)
    sheet = sheets.get(clinic.code)
    if sheet is None:
        factor = f"{clinic.price_factor:f}"
        sheet = _ClinicSheet(
            factor,
            {a.code: _Priced(area_unit_price(a, a.size_cm2, clinic.price_factor),
                             T("{price} × {factor}", price=_m(a.price), factor=factor), price_list.name_of(a))
             for a in price_list.areas},
            {p.code: _Priced(round_money(p.price * clinic.price_factor),
                             T("{price} × {factor}", price=_m(p.price), factor=factor), price_list.name_of(p))
             for p in price_list.products},
            tuple(c for c in price_list.campaigns_in_order if c.offered_at(clinic.code)),
        )
        sheets[clinic.code] = sheet
    return sheet


def _size_priced(area: Area, size: Decimal | int) -> bool:
    """Whether a measured size changes the price of an area.

    Otherwise (a size up to the reference, or an area without a price per extra
    cm²) ``area_unit_price`` gives exactly the reference price, the sheet's.
    """
    return size > area.size_cm2 and bool(area.extra_cm2_price)


@dataclass(slots=True)  # internal and short-lived: not frozen, which makes it cheaper to build
class _Session:
    """Steps 1-5: one session, which does not depend on the number of sessions."""

    area_units: tuple[Decimal, ...]
    product_units: tuple[Decimal, ...]
    area_sum: Decimal
    top: Decimal
    combo: Decimal
    spec: Decimal
    price: Decimal  # S
    positive: Decimal  # what the positive lines add up to for one session


@dataclass(slots=True)
class _Course:
    """Steps 7-11 for a course of ``n`` sessions."""

    n: int
    course: Decimal
    tier: SessionTier | None  # the tier that gave a discount, if any
    tier_discount: Decimal
    after_tier: Decimal
    applied: tuple[tuple[Campaign, _Benefit], ...]  # each applied campaign and its discount
    offers: tuple[Offer, ...]
    manual_base: Decimal  # step 8b: what is left after step 8
    manual: _Benefit | None  # step 8b: the manual discount, if one was asked for
    subtotal: Decimal
    discount_total: Decimal
    net: Decimal
    tax_total: Decimal
    total: Decimal
    per_session: Decimal


def price(price_list: PriceList, request: EstimateRequest, today: date | None = None) -> Estimate:
    """Price one estimate request against one price list version.

    With ``today``, a missing start date means today and a given one must lie
    between today and :data:`MAX_DAYS_AHEAD` days ahead. Without it (replaying
    a stored quote) the start date is taken as it is and must be given.
    """
    start, clinic, areas, products, level, n, suggested = _resolve(price_list, request, today)
    sheet = _sheet(price_list, clinic)
    session = _one_session(price_list, sheet, clinic, areas, products, level)
    area_codes = frozenset(a.code for a, _ in areas)
    candidates = _candidates(sheet, start, request.coupon, area_codes)
    manual = request.manual_discount
    course = _course(price_list, clinic, session, candidates, n, manual)

    lines = _lines(price_list, sheet, areas, products, level, session, course, manual)
    suggestion = None
    if suggested is not None:  # the suggestion with within true, and with within false
        suggestion = suggested[0] if suggested[0].sessions_min <= n <= suggested[0].sessions_max else suggested[1]
    interval = timedelta(days=price_list.session_interval_days)
    schedule = tuple(start + interval * i for i in range(n))
    return Estimate(
        clinic=clinic.code,
        currency=price_list.currency,
        price_list_version=price_list.version,
        start_date=start,
        sessions=n,
        lines=lines,
        subtotal=course.subtotal,
        discount_total=course.discount_total,
        net=course.net,
        tax_rate=clinic.tax_rate,
        tax_total=course.tax_total,
        total=course.total,
        per_session=course.per_session,
        applied_campaigns=tuple(c.code for c, _ in course.applied),
        eligibility=judge(request.client),
        schedule=schedule,
        advice=advice_for(schedule),
        offers=course.offers,
        coupon=_coupon_outcome(price_list, request, start, area_codes, course),
        hints=_hints(price_list, clinic, session, candidates, course, manual) if not request.concerns
        else hints_within(_hints(price_list, clinic, session, candidates, course, manual), suggestion),
        manual_discount_base=course.manual_base if manual is not None else None,
        manual_discount_over_limit=manual is not None and manual_discount_over_limit(
            course.manual.discount, course.manual_base, price_list.max_manual_discount_percent
        ),
        suggestion=suggestion,
    )


def manual_discount_over_limit(discount: Decimal, base: Decimal, max_percent: Decimal) -> bool:
    """Step 8b: whether a manual discount of ``discount`` on ``base`` needs an admin's approval.

    Measured as the line against ``base``: above ``round(base * max_percent / 100)``
    (so that a discount of exactly the largest percentage never needs one).
    """
    return discount > 0 and discount > round_money(base * max_percent / HUNDRED)


# --- A benefit: a campaign's (step 8) or the manual discount (step 8b) ----------------------


class _Benefit(NamedTuple):
    """One benefit worked out once: the discount, and the figures its basis shows.

    Made by :func:`_benefit` only; the line's amount is ``discount`` and its
    basis :meth:`basis`, so the two cannot tell different stories.
    """

    discount: Decimal  # what the line takes off: ``full``, capped so that the base stays >= 0
    full: Decimal  # what the formula gives
    kind: BenefitType
    figure: Decimal | int  # the percentage, the amount off, or the whole sessions given
    of: Decimal  # the base a percentage is of, the course after the tier for free sessions (a fixed amount: itself)
    n: int  # the course's sessions

    def basis(self) -> Text:
        """How the discount came about, e.g. ``"4200.00 × 10 %"``, ``"150.00 off, capped at 90.00"``."""
        kind = self.kind
        if kind is PERCENT:
            basis = T("{base} × {percent} %", percent=_pct(self.figure), base=_m(self.of))
        elif kind is FIXED:
            basis = T("{amount} off", amount=_m(self.figure))
        elif self.figure == 1:
            basis = T("1 session of {course} / {n}", course=_m(self.of), n=self.n)
        else:
            basis = T("{count} sessions of {course} / {n}", count=self.figure, course=_m(self.of), n=self.n)
        if self.full > self.discount:
            return T("{basis}, capped at {cap}", basis=basis, cap=_m(self.discount))
        return basis


def _benefit(kind: BenefitType, value: Decimal, base: Decimal, after_tier: Decimal, n: int) -> _Benefit:
    """The one formula of each benefit (pricing-rules.md, step 8), on ``base``, capped so that ``base`` stays >= 0.

    ``percent``: ``round(base * value / 100)``; ``fixed``: ``value``;
    ``free_sessions``: ``value`` whole sessions (at most ``n - 1``) of the course
    at its price after the tier discount, ``round(after_tier * sessions / n)``.
    """
    if kind is PERCENT:
        full = round_money(base * value / HUNDRED)
        of = base
    elif kind is FIXED:
        full = of = value
    else:
        value = min(int(value), n - 1)
        full = round_money(after_tier * value / n)
        of = after_tier
    # max(ZERO, min(full, base)) without the two calls (ties give the same object: the first argument).
    discount = base if base < full else full
    if not discount > ZERO:
        discount = ZERO
    # tuple.__new__: what _Benefit(...) does, without its Python-level __new__ (a few per estimate).
    return _new_benefit(_Benefit, (discount, full, kind, value, of, n))


_new_benefit = tuple.__new__


# --- Steps 1-5 ------------------------------------------------------------------


def _one_session(price_list, sheet: _ClinicSheet, clinic: Clinic, areas, products, level: SpecialistLevel) -> _Session:
    area_units = tuple(
        area_unit_price(area, size, clinic.price_factor) if _size_priced(area, size) else sheet.areas[area.code].unit
        for area, size in areas
    )
    product_units = tuple(sheet.products[p.code].unit for p in products)
    area_sum = sum(area_units, ZERO)
    top = max(area_units)
    combo = ZERO
    if len(area_units) > 1:
        combo = round_money((area_sum - top) * price_list.combination_discount_percent / HUNDRED)
    spec = round_money((area_sum - combo) * (level.multiplier - ONE))
    products_sum = sum(product_units, ZERO)
    return _Session(area_units, product_units, area_sum, top, combo, spec, area_sum - combo + spec + products_sum,
                    area_sum + spec + products_sum)


# --- Steps 7-11 -----------------------------------------------------------------


def _course(price_list: PriceList, clinic: Clinic, session: _Session, candidates: tuple[Campaign, ...],
            n: int, manual: ManualDiscount | None = None, offers: bool = True) -> _Course:
    """Steps 7-11; without ``offers`` (a hint's longer course), the step-8 offers are not listed."""
    course = session.price * n
    tier = price_list.tiers_by_sessions[n]
    tier_discount = round_money(course * tier.discount_percent / HUNDRED) if tier is not None else ZERO
    after_tier = course - tier_discount
    if candidates:
        applied, campaign_total, offers = _campaigns(candidates, after_tier, n, offers)
    else:
        applied, offers, campaign_total = (), (), ZERO
    manual_base = after_tier - campaign_total
    if manual is None:
        manual_benefit, manual_discount = None, ZERO
    else:
        # Step 8b: a percentage of what step 8 left, or an amount off it, as a campaign's benefit.
        if manual.percent is not None:
            manual_benefit = _benefit(PERCENT, manual.percent, manual_base, manual_base, n)
        else:
            manual_benefit = _benefit(FIXED, manual.amount or ZERO, manual_base, manual_base, n)
        manual_discount = manual_benefit.discount
    # Positive lines: areas, specialist, products; negative: combination, tier, campaigns, manual.
    subtotal = session.positive * n
    discount_total = session.combo * n + tier_discount + campaign_total + manual_discount
    net = subtotal - discount_total
    rate = clinic.tax_rate
    if clinic.prices_include_tax:
        tax_total = round_money(net * rate / (ONE + rate))
        total = net
    else:
        tax_total = round_money(net * rate)
        total = net + tax_total
    return _Course(
        n=n, course=course, tier=tier if tier_discount else None,
        tier_discount=tier_discount, after_tier=after_tier, applied=applied, offers=offers,
        manual_base=manual_base, manual=manual_benefit,
        subtotal=subtotal, discount_total=discount_total, net=net, tax_total=tax_total, total=total,
        per_session=round_money(total / n),
    )


def _candidates(sheet: _ClinicSheet, day: date, coupon: str | None, area_codes: frozenset[str]) -> tuple[Campaign, ...]:
    """The campaigns eligible for a request whatever its number of sessions, in the order applied."""
    coupon = coupon.casefold() if coupon else None
    return tuple(
        c for c in sheet.campaigns  # offered at the request's clinic
        if c.runs_on(day)
        and area_codes.issuperset(c.required_areas)
        and (c.coupon is None or c.coupon.casefold() == coupon)
    )


def _campaigns(candidates: tuple[Campaign, ...], after_tier: Decimal, n: int, with_offers: bool = True):
    """Step 8: the stackable set against each non-stackable campaign alone.

    Returns the applied campaigns (campaign, benefit), their total, and the offers compared (if wanted).
    """
    stacked: list[tuple[Campaign, _Benefit]] = []
    stacked_total = ZERO
    stack_codes: list[str] = []
    alone: list[tuple[Campaign, _Benefit]] = []
    base = after_tier
    for campaign in candidates:
        if n < campaign.min_sessions:
            continue
        benefit = campaign.benefit
        if campaign.stackable:
            stack_codes.append(campaign.code)
            worked = _benefit(benefit.type, benefit.value, base, after_tier, n)
            discount = worked.discount
            if discount:
                stacked.append((campaign, worked))
                stacked_total += discount
                base -= discount
        else:
            alone.append((campaign, _benefit(benefit.type, benefit.value, after_tier, after_tier, n)))

    best: tuple = tuple(stacked)
    best_total = stacked_total
    winner = -1  # -1: the stacked set; otherwise the index in `alone`
    # campaigns_in_order is sorted by (priority, code), so the first of equal
    # totals is the tie-break winner; strict '>' keeps the stacked set on a tie.
    for i, entry in enumerate(alone):
        discount = entry[1].discount
        if discount > best_total:
            best, best_total, winner = (entry,), discount, i
    if not best_total:
        best = ()
    # What the applied discounts add up to, added from 0.00 as in every other total.
    applied_total = stacked_total if winner == -1 else ZERO + best_total
    if not with_offers:
        return best, applied_total, ()
    offers: list[Offer] = []
    if stack_codes:
        offers.append(Offer(tuple(stack_codes), stacked_total, best_total > 0 and winner == -1))
    for i, (campaign, worked) in enumerate(alone):
        offers.append(Offer((campaign.code,), worked.discount, best_total > 0 and winner == i))
    return best, applied_total, tuple(offers)


# --- Lines and their basis -----------------------------------------------------------


def _lines(price_list, sheet: _ClinicSheet, areas, products, level: SpecialistLevel, session: _Session,
           course: _Course, manual: ManualDiscount | None = None) -> tuple[Line, ...]:
    n = course.n
    lines: list[Line] = []
    for (area, size), unit in zip(areas, session.area_units):
        reference = sheet.areas[area.code]
        if _size_priced(area, size):
            basis = T("({price} + {extra} cm² × {extra_price}) × {factor}", price=_m(area.price),
                      extra=_num(size - area.size_cm2), extra_price=_m(area.extra_cm2_price), factor=sheet.factor)
        else:
            basis = reference.basis
        if size == area.size_cm2:
            description = reference.name
        else:
            description = T("{name}, {size} cm²", name=reference.name, size=_num(size))
        lines.append(Line(LineKind.AREA, area.code, description, n, unit, unit * n, basis))
    if session.combo:
        percent = _pct(price_list.combination_discount_percent)
        lines.append(Line(
            LineKind.COMBINATION_DISCOUNT, None,
            T("Combination discount for every area but the largest: {percent} %", percent=percent),
            n, -session.combo, -session.combo * n,
            T("{base} × {percent} % (every area but the largest)", percent=percent, base=_m(session.area_sum - session.top)),
        ))
    if session.spec:
        lines.append(Line(
            LineKind.SPECIALIST, level.code,
            T("Specialist: {name} (x{multiplier})", name=price_list.name_of(level), multiplier=f"{level.multiplier:f}"),
            n, session.spec, session.spec * n,
            T("{base} × ({multiplier} − 1)", base=_m(session.area_sum - session.combo), multiplier=f"{level.multiplier:f}"),
        ))
    for product, unit in zip(products, session.product_units):
        priced = sheet.products[product.code]
        lines.append(Line(LineKind.PRODUCT, product.code, priced.name, n, unit, unit * n, priced.basis))
    if course.tier_discount:
        tier = course.tier
        lines.append(Line(
            LineKind.SESSION_DISCOUNT, None,
            T("Course discount for {sessions}+ sessions: {percent} %", sessions=tier.min_sessions, percent=_pct(tier.discount_percent)),
            1, -course.tier_discount, -course.tier_discount,
            T("{base} × {percent} %", percent=_pct(tier.discount_percent), base=_m(course.course)),
        ))
    for campaign, worked in course.applied:
        lines.append(Line(LineKind.CAMPAIGN, campaign.code, price_list.name_of(campaign), 1, -worked.discount,
                          -worked.discount, worked.basis()))
    worked = course.manual
    if manual is not None and worked.discount:
        lines.append(Line(LineKind.MANUAL_DISCOUNT, None, manual_description(manual.reason), 1, -worked.discount,
                          -worked.discount, worked.basis()))
    return tuple(lines)


def manual_description(reason: str) -> Text:
    """The manual discount line's description: the reason staff gave, quoted."""
    reason = reason.strip()
    if reason:
        return T("Manual discount: {reason}", reason=reason)
    return T("Manual discount")


# --- Coupon and hints --------------------------------------------------------------------


def _coupon_outcome(price_list: PriceList, request: EstimateRequest, start: date, area_codes: frozenset[str],
                    course: _Course) -> CouponOutcome | None:
    if not request.coupon:
        return None
    code = request.coupon
    wanted = code.casefold()
    running = [
        c for c in price_list.campaigns_in_order
        if c.coupon is not None and c.coupon.casefold() == wanted and c.runs_on(start)
    ]
    if not running:
        if any(c.coupon is not None and c.coupon.casefold() == wanted and c.runs_on(start) for c in price_list.used_up):
            return CouponOutcome(code, CouponStatus.INVALID, T("This code's campaign is used up: it has no uses left."))
        # Unknown and not running read the same, so that codes cannot be probed.
        return CouponOutcome(code, CouponStatus.INVALID, T("This code is not valid for the chosen start date."))
    applied = {c.code: worked.discount for c, worked in course.applied}
    for campaign in running:
        if campaign.code in applied:
            return CouponOutcome(code, CouponStatus.APPLIED,
                                 T("{name}: {amount} off.", name=price_list.name_of(campaign), amount=applied[campaign.code]))
    campaign = running[0]
    if not campaign.offered_at(request.clinic):
        reason = T("This code is not valid at the chosen clinic.")
    elif course.n < campaign.min_sessions:
        reason = T("This code needs a course of at least {sessions} sessions.", sessions=campaign.min_sessions)
    elif not all(a in area_codes for a in campaign.required_areas):
        missing = tuple(price_list.name_of(price_list.area_by_code[a]) for a in campaign.required_areas if a not in area_codes)
        reason = T("This code needs these areas in the course: {areas}.", areas=Names(missing))
    else:
        mine = next((o.discount for o in course.offers if campaign.code in o.campaigns), ZERO)
        chosen = next((o for o in course.offers if o.chosen), None)
        if chosen is None:
            reason = T("This code gives no discount on this course.")
        else:
            reason = T(
                "Another offer gives more: {offer} saves {best}, the code {mine}.",
                offer=", ".join(chosen.campaigns), best=chosen.discount, mine=mine,
            )
    return CouponOutcome(code, CouponStatus.NOT_APPLIED, reason)


def _hints(price_list: PriceList, clinic: Clinic, session: _Session, candidates: tuple[Campaign, ...],
           course: _Course, manual: ManualDiscount | None = None) -> tuple[Hint, ...]:
    if not course.per_session:
        return ()
    hints = []
    n = course.n
    threshold = course.per_session * HINT_THRESHOLD
    # Without a new tier, a campaign that starts, or more free sessions, a longer
    # course costs the same or more per session (up to rounding, which cannot
    # make 1 % unless a session costs almost nothing): those are not priced.
    growing_free = any(c.benefit.type is BenefitType.FREE_SESSIONS and c.benefit.value > n - 1 for c in candidates)
    # The fewest sessions above n at which a campaign starts (more than any course: none does).
    next_start = min((c.min_sessions for c in candidates if c.min_sessions > n), default=MAX_SESSIONS + 1)
    tiers = price_list.tiers_by_sessions
    for m in range(n + 1, min(n + HINT_SPAN, MAX_SESSIONS) + 1):
        if not (
            growing_free
            or course.per_session < HINT_ALWAYS_BELOW
            or tiers[m] is not tiers[n]
            or next_start <= m
        ):
            continue
        longer = _course(price_list, clinic, session, candidates, m, manual, offers=False)
        if longer.per_session > threshold:
            continue
        saving = course.per_session - longer.per_session
        if longer.total < course.total:
            text = T("{sessions} sessions: {saving} less per session, and {less} less in total.",
                     sessions=m, saving=saving, less=course.total - longer.total)
        else:
            text = T("{sessions} sessions: {saving} less per session.", sessions=m, saving=saving)
        hints.append(Hint(m, longer.total, longer.per_session, text))
    return tuple(hints)


# --- Checking the request ------------------------------------------------------------------


def _resolve(price_list: PriceList, request: EstimateRequest, today: date | None):
    """Look every code up, collecting every problem by field path; the start date (today when not given)."""
    errors: dict[str, list] = {}

    def fail(path: str, message) -> None:
        errors.setdefault(path, []).append(message)

    clinic = price_list.clinic_by_code.get(request.clinic)
    if clinic is None:
        fail("clinic", T("Unknown clinic {code}.", code=repr(request.clinic)))
    level = price_list.level_by_code.get(request.specialist_level)
    if level is None:
        fail("specialist_level", T("Unknown specialist level {code}.", code=repr(request.specialist_level)))
    n = request.sessions
    suggested = None
    if request.concerns:
        n, suggested = _resolve_concerns(price_list, request, fail)
    if n is None:
        if not request.concerns:
            fail("sessions", T("Give a number of sessions, or a skin concern to suggest one."))
    elif not MIN_SESSIONS <= n <= MAX_SESSIONS:
        fail("sessions", T("Must be between {low} and {high}.", low=MIN_SESSIONS, high=MAX_SESSIONS))

    start = request.start_date
    if start is None and today is not None:
        start = today
    if start is None:
        fail("start_date", T("A start date is needed."))
    elif today is not None and start < today:
        fail("start_date", T("Must be today or later."))
    elif today is not None and (start - today).days > MAX_DAYS_AHEAD:
        fail("start_date", T("Must be at most {days} days ahead.", days=MAX_DAYS_AHEAD))
    elif date.max.toordinal() - start.toordinal() < price_list.session_interval_days * MAX_SESSIONS + 366:
        fail("start_date", T("Must be at most {days} days ahead.", days=MAX_DAYS_AHEAD))

    if not request.areas:
        fail("areas", T("Choose at least one area."))
    areas: list[tuple[Area, Decimal | int]] = []
    seen: set[str] = set()
    for i, wanted in enumerate(request.areas):
        area = price_list.area_by_code.get(wanted.code)
        if area is None:
            fail(f"areas.{i}.code", T("Unknown area {code}.", code=repr(wanted.code)))
        elif wanted.code in seen:
            fail(f"areas.{i}.code", T("Area {code} is listed twice.", code=repr(wanted.code)))
        if wanted.size_cm2 is not None and not 0 < wanted.size_cm2 <= MAX_SIZE_CM2:
            fail(f"areas.{i}.size_cm2", T("Must be greater than 0 and at most {high}.", high=MAX_SIZE_CM2))
        seen.add(wanted.code)
        if area is not None:
            size = area.size_cm2 if wanted.size_cm2 is None else wanted.size_cm2
            areas.append((area, size))

    products: list[Product] = []
    seen.clear()
    for i, code in enumerate(request.products):
        product = price_list.product_by_code.get(code)
        if product is None:
            fail(f"products.{i}", T("Unknown product {code}.", code=repr(code)))
        elif code in seen:
            fail(f"products.{i}", T("Product {code} is listed twice.", code=repr(code)))
        seen.add(code)
        products.append(product)

    if errors:
        raise EstimateInvalid(errors)
    return start, clinic, areas, products, level, n, suggested


def _resolve_concerns(price_list: PriceList, request: EstimateRequest, fail):
    """Check the concerns (known, not twice, at most :data:`MAX_CONCERNS`); the sessions to price and the suggestion.

    The sessions are the request's, or the suggestion's recommended number when
    it gives none; the suggestion is its two forms (within the range or not). None
    for both when a concern is wrong: its problem is reported instead.
    """
    concerns = request.concerns
    suggested = known(price_list, concerns)  # worked out already: known to be valid
    if suggested is not None:
        return (request.sessions if request.sessions is not None else suggested[0].recommended), suggested
    if len(concerns) > MAX_CONCERNS:
        fail("concerns", T("At most {count} skin concerns.", count=MAX_CONCERNS))
    wrong = len(concerns) > MAX_CONCERNS
    seen: set[str] = set()
    for i, wanted in enumerate(concerns):
        concern = price_list.concern_by_code.get(wanted.code)
        if concern is None:
            fail(f"concerns.{i}.code", T("Unknown skin concern {code}.", code=repr(wanted.code)))
            wrong = True
        elif wanted.code in seen:
            fail(f"concerns.{i}.code", T("Skin concern {code} is listed twice.", code=repr(wanted.code)))
            wrong = True
        if wanted.severity not in SEVERITIES:
            fail(f"concerns.{i}.severity", T("Must be one of: {choices}.", choices=", ".join(SEVERITIES)))
            wrong = True
        seen.add(wanted.code)
    if wrong:
        return request.sessions, None
    suggested = worked_out(price_list, concerns)
    return (request.sessions if request.sessions is not None else suggested[0].recommended), suggested
