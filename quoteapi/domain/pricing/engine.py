"""The pricing engine: ``pricing-rules.md`` step by step, to the cent.

Pure functions over the dataclasses of :mod:`quoteapi.pricing.model`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from .advice import advice_for
from .eligibility import judge
from .errors import EstimateInvalid
from .model import (
    Area,
    BenefitType,
    Campaign,
    Estimate,
    EstimateRequest,
    Line,
    LineKind,
    PriceList,
)

MIN_SESSIONS = 1
MAX_SESSIONS = 24
# Far above any body area; keeps every figure well inside Decimal's precision.
MAX_SIZE_CM2 = 1_000_000

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ONE = Decimal(1)
HUNDRED = Decimal(100)


def round_money(value: Decimal) -> Decimal:
    """The one rounding of the rules: to 0.01, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def area_unit_price(area: Area, size_cm2: Decimal | int, price_factor: Decimal) -> Decimal:
    """Step 1: one session of an area at a measured size, at a clinic."""
    extra = max(0, size_cm2 - area.size_cm2) * area.extra_cm2_price
    return round_money((area.price + extra) * price_factor)


def price(price_list: PriceList, request: EstimateRequest) -> Estimate:
    """Price one estimate request against one price list version."""
    if request.start_date is None:
        raise ValueError("price() needs the start date; the use case fills in today's.")
    clinic, areas, products, level = _resolve(price_list, request)
    n = request.sessions
    factor = clinic.price_factor

    # Steps 1-5: one session.
    area_units = [
        area_unit_price(area, size, factor) for area, size in areas
    ]
    product_units = [round_money(p.price * factor) for p in products]
    area_sum = sum(area_units, ZERO)
    combo = ZERO
    if len(area_units) > 1:
        combo = round_money(
            (area_sum - max(area_units))
            * price_list.combination_discount_percent
            / HUNDRED
        )
    spec = round_money((area_sum - combo) * (level.multiplier - ONE))
    per_session = area_sum - combo + spec + sum(product_units, ZERO)

    # Step 6: the course, in the contract's line order.
    lines: list[Line] = []
    for (area, size), unit in zip(areas, area_units):
        lines.append(
            Line(LineKind.AREA, area.code, _area_description(area, size), n, unit, unit * n)
        )
    if combo:
        lines.append(
            Line(
                LineKind.COMBINATION_DISCOUNT,
                None,
                f"Combination discount, {_percent(price_list.combination_discount_percent)}"
                " off every area but the largest",
                n,
                -combo,
                -combo * n,
            )
        )
    if spec:
        lines.append(
            Line(
                LineKind.SPECIALIST,
                level.code,
                f"Specialist: {level.name} (x{level.multiplier})",
                n,
                spec,
                spec * n,
            )
        )
    for product, unit in zip(products, product_units):
        lines.append(Line(LineKind.PRODUCT, product.code, product.name, n, unit, unit * n))
    course = per_session * n

    # Step 7: the session-count tier.
    tier_discount = ZERO
    tier = price_list.tier_for(n)
    if tier is not None:
        tier_discount = round_money(course * tier.discount_percent / HUNDRED)
        if tier_discount:
            lines.append(
                Line(
                    LineKind.SESSION_DISCOUNT,
                    None,
                    f"Course of {tier.min_sessions}+ sessions, "
                    f"{_percent(tier.discount_percent)} off",
                    1,
                    -tier_discount,
                    -tier_discount,
                )
            )

    # Step 8: campaigns.
    after_tier = course - tier_discount
    applied = _best_campaigns(price_list, request, {a.code for a, _ in areas}, after_tier, per_session)
    for campaign, discount in applied:
        lines.append(
            Line(LineKind.CAMPAIGN, campaign.code, campaign.name, 1, -discount, -discount)
        )

    # Steps 9-11: totals and tax.
    subtotal = sum((line.amount for line in lines if line.amount > 0), ZERO)
    discount_total = -sum((line.amount for line in lines if line.amount < 0), ZERO)
    net = subtotal - discount_total
    rate = clinic.tax_rate
    if clinic.prices_include_tax:
        tax_total = round_money(net * rate / (ONE + rate))
        total = net
    else:
        tax_total = round_money(net * rate)
        total = net + tax_total

    interval = timedelta(days=price_list.session_interval_days)
    schedule = tuple(request.start_date + interval * i for i in range(n))
    return Estimate(
        clinic=clinic.code,
        currency=price_list.currency,
        price_list_version=price_list.version,
        start_date=request.start_date,
        sessions=n,
        lines=tuple(lines),
        subtotal=subtotal,
        discount_total=discount_total,
        net=net,
        tax_rate=rate,
        tax_total=tax_total,
        total=total,
        per_session=round_money(total / n),
        applied_campaigns=tuple(c.code for c, _ in applied),
        eligibility=judge(request.client),
        schedule=schedule,
        advice=advice_for(schedule),
    )


def _resolve(price_list: PriceList, request: EstimateRequest):
    """Look every code up, collecting every problem by field path."""
    errors: dict[str, list[str]] = {}

    def fail(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    clinic = price_list.clinic_by_code.get(request.clinic)
    if clinic is None:
        fail("clinic", f"Unknown clinic {request.clinic!r}.")
    level = price_list.level_by_code.get(request.specialist_level)
    if level is None:
        fail("specialist_level", f"Unknown specialist level {request.specialist_level!r}.")
    if not MIN_SESSIONS <= request.sessions <= MAX_SESSIONS:
        fail("sessions", f"Must be between {MIN_SESSIONS} and {MAX_SESSIONS}.")

    if not request.areas:
        fail("areas", "Choose at least one area.")
    areas: list[tuple[Area, Decimal | int]] = []
    seen: set[str] = set()
    for i, wanted in enumerate(request.areas):
        area = price_list.area_by_code.get(wanted.code)
        if area is None:
            fail(f"areas.{i}.code", f"Unknown area {wanted.code!r}.")
        elif wanted.code in seen:
            fail(f"areas.{i}.code", f"Area {wanted.code!r} is listed twice.")
        if wanted.size_cm2 is not None and not 0 < wanted.size_cm2 <= MAX_SIZE_CM2:
            fail(f"areas.{i}.size_cm2", f"Must be greater than 0 and at most {MAX_SIZE_CM2}.")
        seen.add(wanted.code)
        if area is not None:
            size = area.size_cm2 if wanted.size_cm2 is None else wanted.size_cm2
            areas.append((area, size))

    products = []
    seen.clear()
    for i, code in enumerate(request.products):
        product = price_list.product_by_code.get(code)
        if product is None:
            fail(f"products.{i}", f"Unknown product {code!r}.")
        elif code in seen:
            fail(f"products.{i}", f"Product {code!r} is listed twice.")
        seen.add(code)
        products.append(product)

    if errors:
        raise EstimateInvalid(errors)
    return clinic, areas, products, level


def _eligible(
    campaign: Campaign, request: EstimateRequest, area_codes: set[str], coupon: str | None
) -> bool:
    return (
        campaign.runs_on(request.start_date)
        and campaign.offered_at(request.clinic)
        and request.sessions >= campaign.min_sessions
        and all(code in area_codes for code in campaign.required_areas)
        and (campaign.coupon is None or campaign.coupon.casefold() == coupon)
    )


def _benefit(campaign: Campaign, base: Decimal, per_session: Decimal, sessions: int) -> Decimal:
    """A campaign's discount on ``base``, capped so that ``base`` stays >= 0."""
    value = campaign.benefit.value
    kind = campaign.benefit.type
    if kind is BenefitType.PERCENT:
        discount = round_money(base * value / HUNDRED)
    elif kind is BenefitType.FIXED:
        discount = value
    else:
        discount = min(int(value), sessions - 1) * per_session
    return max(ZERO, min(discount, base))


def _best_campaigns(
    price_list: PriceList,
    request: EstimateRequest,
    area_codes: set[str],
    after_tier: Decimal,
    per_session: Decimal,
) -> list[tuple[Campaign, Decimal]]:
    """Step 8: the stackable set against each non-stackable campaign alone."""
    coupon = request.coupon.casefold() if request.coupon else None
    n = request.sessions
    stacked: list[tuple[Campaign, Decimal]] = []
    alone: list[tuple[Campaign, Decimal]] = []
    base = after_tier
    for campaign in price_list.campaigns_in_order:
        if not _eligible(campaign, request, area_codes, coupon):
            continue
        if campaign.stackable:
            discount = _benefit(campaign, base, per_session, n)
            if discount:
                stacked.append((campaign, discount))
                base -= discount
        else:
            discount = _benefit(campaign, after_tier, per_session, n)
            if discount:
                alone.append((campaign, discount))

    best = stacked
    best_total = sum((d for _, d in stacked), ZERO)
    # campaigns_in_order is sorted by (priority, code), so the first of equal
    # totals is the tie-break winner; strict '>' keeps the stacked set on a tie.
    for campaign, discount in alone:
        if discount > best_total:
            best, best_total = [(campaign, discount)], discount
    return best


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f} %"


def _area_description(area: Area, size: Decimal | int) -> str:
    if size == area.size_cm2:
        return area.name
    return f"{area.name}, {size} cm²"
