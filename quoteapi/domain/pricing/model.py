"""The clinic's price list, an estimate request and its result, as plain values.

Everything here is a frozen dataclass over ``Decimal``, ``int``, ``str`` and
``date``: no Flask, no SQLAlchemy, so the rules can be tested without I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Mapping, NamedTuple

from ..text import Name, Text

# An item's names in other languages: ((language, ((field, text), ...)), ...),
# e.g. (("en", (("name", "Full face"),)),).
Translations = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


class BenefitType(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"
    FREE_SESSIONS = "free_sessions"


class LineKind(StrEnum):
    AREA = "area"
    PRODUCT = "product"
    COMBINATION_DISCOUNT = "combination_discount"
    SPECIALIST = "specialist"
    SESSION_DISCOUNT = "session_discount"
    CAMPAIGN = "campaign"
    MANUAL_DISCOUNT = "manual_discount"


class EligibilityStatus(StrEnum):
    UNKNOWN = "unknown"
    ELIGIBLE = "eligible"
    NEEDS_DOCTOR_REVIEW = "needs_doctor_review"
    POSTPONE = "postpone"
    NOT_ELIGIBLE = "not_eligible"


@dataclass(frozen=True, slots=True)
class BankAccount:
    """Where a clinic's deposits are paid (document version 3); ``iban`` without spaces, upper case."""

    holder: str
    bank: str
    iban: str


@dataclass(frozen=True, slots=True)
class Clinic:
    code: str
    name: str
    city: str
    price_factor: Decimal
    tax_rate: Decimal
    prices_include_tax: bool
    translations: Translations = ()
    # Contact details the website shows (optional, document version 2).
    address: str | None = None
    phone: str | None = None
    # Document version 3: the clinic's e-mail, the deposit it asks (a percentage of the total, 0: none)
    # and the bank account the deposit is paid to.
    email: str | None = None
    deposit_percent: Decimal = Decimal(0)
    bank_account: BankAccount | None = None


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    name: str
    size_cm2: int
    price: Decimal
    extra_cm2_price: Decimal
    translations: Translations = ()


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    name: str
    price: Decimal
    translations: Translations = ()


@dataclass(frozen=True, slots=True)
class SpecialistLevel:
    code: str
    name: str
    multiplier: Decimal
    translations: Translations = ()


@dataclass(frozen=True, slots=True)
class SessionTier:
    min_sessions: int
    discount_percent: Decimal


@dataclass(frozen=True, slots=True)
class Benefit:
    type: BenefitType
    value: Decimal


@dataclass(frozen=True, slots=True)
class Campaign:
    code: str
    name: str
    starts_on: date
    ends_on: date
    clinics: tuple[str, ...]
    min_sessions: int
    required_areas: tuple[str, ...]
    coupon: str | None
    stackable: bool
    priority: int
    benefit: Benefit
    translations: Translations = ()
    # How many accepted quotes may carry it; None: no limit.
    max_uses: int | None = None

    def runs_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def offered_at(self, clinic_code: str) -> bool:
        return not self.clinics or clinic_code in self.clinics

    @property
    def requires_coupon(self) -> bool:
        return self.coupon is not None


# --- Skin concerns (price-list document version 3) -------------------------


class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    PRONOUNCED = "pronounced"


SEVERITIES = tuple(Severity)


@dataclass(frozen=True, slots=True)
class CourseRange:
    """How many sessions a concern needs at one severity: ``sessions_min <= recommended <= sessions_max``."""

    sessions_min: int
    sessions_max: int
    recommended: int


@dataclass(frozen=True, slots=True)
class Concern:
    """A skin concern the estimator asks about, with the course the clinics suggest for each severity."""

    code: str
    name: str
    mild: CourseRange
    moderate: CourseRange
    pronounced: CourseRange
    products: tuple[str, ...] = ()
    maintenance_per_year: int = 1
    translations: Translations = ()

    def course(self, severity: str) -> CourseRange:
        """The course at ``severity`` (one of :data:`SEVERITIES`)."""
        return getattr(self, Severity(severity).value)

    @property
    def severities(self) -> dict[str, CourseRange]:
        """The course at each severity, as the document writes them."""
        return {"mild": self.mild, "moderate": self.moderate, "pronounced": self.pronounced}


def _index(items: tuple, key: str) -> Mapping:
    return MappingProxyType({getattr(item, key): item for item in items})


@dataclass(frozen=True)
class PriceList:
    """One version of the whole price list document."""

    currency: str
    combination_discount_percent: Decimal
    session_interval_days: int
    clinics: tuple[Clinic, ...]
    areas: tuple[Area, ...]
    products: tuple[Product, ...]
    specialist_levels: tuple[SpecialistLevel, ...]
    session_tiers: tuple[SessionTier, ...]
    campaigns: tuple[Campaign, ...]
    version: int | None = None
    # The language of every name (document version 2; default "tr").
    language: str = "tr"
    # The largest manual discount sales may give without an admin's approval.
    max_manual_discount_percent: Decimal = Decimal("10")
    # The campaigns left out because they reached their max_uses (the list as offered: a coupon of
    # one is refused as used up, not as unknown).
    used_up: tuple[Campaign, ...] = field(default=(), repr=False, compare=False)
    # The skin concerns the estimator asks about (document version 3).
    concerns: tuple[Concern, ...] = ()

    # Look-ups by code, built once per version (a price list is read far more
    # often than it changes).
    clinic_by_code: Mapping[str, Clinic] = field(init=False, repr=False, compare=False)
    area_by_code: Mapping[str, Area] = field(init=False, repr=False, compare=False)
    product_by_code: Mapping[str, Product] = field(init=False, repr=False, compare=False)
    level_by_code: Mapping[str, SpecialistLevel] = field(init=False, repr=False, compare=False)
    concern_by_code: Mapping[str, Concern] = field(init=False, repr=False, compare=False)
    tiers_descending: tuple[SessionTier, ...] = field(init=False, repr=False, compare=False)
    campaigns_in_order: tuple[Campaign, ...] = field(init=False, repr=False, compare=False)
    # The tier of a course of 0 to 24 sessions (the engine's range), by its length.
    tiers_by_sessions: tuple[SessionTier | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "_names", {})
        set_(self, "clinic_by_code", _index(self.clinics, "code"))
        set_(self, "area_by_code", _index(self.areas, "code"))
        set_(self, "product_by_code", _index(self.products, "code"))
        set_(self, "level_by_code", _index(self.specialist_levels, "code"))
        set_(self, "concern_by_code", _index(self.concerns, "code"))
        set_(
            self,
            "tiers_descending",
            tuple(sorted(self.session_tiers, key=lambda t: t.min_sessions, reverse=True)),
        )
        set_(
            self,
            "campaigns_in_order",
            tuple(sorted(self.campaigns, key=lambda c: (c.priority, c.code))),
        )
        set_(self, "tiers_by_sessions", tuple(self._find_tier(n) for n in range(25)))

    def name_of(self, item, field: str = "name") -> Name:
        """An item's name (or a clinic's city) in the document's language, with its translations."""
        key = (id(item), field)
        found = self._names.get(key)
        if found is None:
            found = Name(
                getattr(item, field),
                self.language,
                tuple((language, text) for language, fields in item.translations for f, text in fields if f == field),
            )
            self._names[key] = found  # the items live as long as the list: their ids stay theirs
        return found

    def campaigns_running(self, clinic: str, day: date) -> list[Campaign]:
        """The campaigns a clinic offers on a day, in the order they are applied."""
        return [c for c in self.campaigns_in_order if c.runs_on(day) and c.offered_at(clinic)]

    def tier_for(self, sessions: int) -> SessionTier | None:
        """The session tier in force for a course of ``sessions``, if any."""
        if 0 <= sessions < len(self.tiers_by_sessions):
            return self.tiers_by_sessions[sessions]
        return self._find_tier(sessions)

    def _find_tier(self, sessions: int) -> SessionTier | None:
        for tier in self.tiers_descending:
            if tier.min_sessions <= sessions:
                return tier
        return None


# --- An estimate request -------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaRequest:
    code: str
    size_cm2: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ClientAnswers:
    age: int | None = None
    pregnant: bool | None = None
    active_skin_infection: bool | None = None
    open_wounds: bool | None = None
    serious_skin_condition: bool | None = None


@dataclass(frozen=True, slots=True)
class ManualDiscount:
    """Step 8b: a discount sales staff give by hand, with a reason (stored quotes only).

    Exactly one of ``percent`` (of what is left after step 8) and ``amount``.
    """

    reason: str
    percent: Decimal | None = None
    amount: Decimal | None = None


class ConcernRequest(NamedTuple):
    """A skin concern the customer wants to improve, and how marked it is (one of :data:`SEVERITIES`).

    A named tuple: the engine looks a request's concerns up by their tuple, which hashes in C.
    """

    code: str
    severity: str


@dataclass(frozen=True, slots=True)
class EstimateRequest:
    """What to price. ``start_date`` None means "today": the use case fills it in before pricing.

    ``sessions`` None (allowed with ``concerns``) means the suggestion's recommended number.
    """

    clinic: str
    areas: tuple[AreaRequest, ...]
    specialist_level: str
    sessions: int | None
    start_date: date | None = None
    products: tuple[str, ...] = ()
    coupon: str | None = None
    client: ClientAnswers | None = None
    # Step 8b; only the desk's stored quotes give one.
    manual_discount: ManualDiscount | None = None
    # The customer's skin concerns (at most 3): the estimate then carries a suggestion.
    concerns: tuple[ConcernRequest, ...] = ()


# --- Its result ----------------------------------------------------------


# The engine makes a dozen of the results below for every estimate. A frozen
# dataclass's own __init__ writes each field through object.__setattr__ (past
# its own __setattr__, which refuses changes), about a thousand instructions a
# field; these write their fields straight into the instance's dict instead,
# and stay frozen for everyone else. tests/unit/test_pricing_precomputed.py
# checks that each __init__ takes exactly the dataclass's fields.


@dataclass(frozen=True)
class Line:
    kind: LineKind
    code: str | None
    description: Text | str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    # How the figures came about, e.g. "(5500.00 + 300 cm² × 2.50) × 1.20".
    basis: Text | str = ""

    def __init__(self, kind: LineKind, code: str | None, description: Text | str, quantity: int,
                 unit_price: Decimal, amount: Decimal, basis: Text | str = "") -> None:
        self.__dict__.update(kind=kind, code=code, description=description, quantity=quantity,
                             unit_price=unit_price, amount=amount, basis=basis)


@dataclass(frozen=True, slots=True)
class Eligibility:
    status: EligibilityStatus
    reasons: tuple[Text | str, ...]


@dataclass(frozen=True)
class Offer:
    """One candidate of step 8: the stacked set, or one non-stackable campaign alone."""

    campaigns: tuple[str, ...]
    discount: Decimal
    chosen: bool

    def __init__(self, campaigns: tuple[str, ...], discount: Decimal, chosen: bool) -> None:
        self.__dict__.update(campaigns=campaigns, discount=discount, chosen=chosen)


class CouponStatus(StrEnum):
    APPLIED = "applied"
    NOT_APPLIED = "not_applied"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class CouponOutcome:
    code: str  # as the customer typed it
    status: CouponStatus
    reason: Text | str


@dataclass(frozen=True)
class Hint:
    """A longer course that costs less per session."""

    sessions: int
    total: Decimal
    per_session: Decimal
    text: Text | str

    def __init__(self, sessions: int, total: Decimal, per_session: Decimal, text: Text | str) -> None:
        self.__dict__.update(sessions=sessions, total=total, per_session=per_session, text=text)


@dataclass(frozen=True, slots=True)
class SuggestedConcern:
    """A concern as the suggestion names it: its code, the severity given and its name."""

    code: str
    severity: str
    name: Name | str


@dataclass(frozen=True)
class Suggestion:
    """The course the clinics suggest for the customer's concerns (api.md revision 3).

    For several concerns, the largest ``sessions_min``, ``sessions_max`` and
    ``recommended`` of theirs, and their products together in price-list order.
    """

    concerns: tuple[SuggestedConcern, ...]
    sessions_min: int
    sessions_max: int
    recommended: int
    interval_days: int
    products: tuple[str, ...]
    maintenance_per_year: int
    within: bool  # the sessions priced are between sessions_min and sessions_max
    text: Text | str


@dataclass(frozen=True)
class Estimate:
    clinic: str
    currency: str
    price_list_version: int | None
    start_date: date
    sessions: int
    lines: tuple[Line, ...]
    subtotal: Decimal
    discount_total: Decimal
    net: Decimal
    tax_rate: Decimal
    tax_total: Decimal
    total: Decimal
    per_session: Decimal
    applied_campaigns: tuple[str, ...]
    eligibility: Eligibility
    schedule: tuple[date, ...]
    advice: tuple[Text | str, ...]
    offers: tuple[Offer, ...] = ()
    coupon: CouponOutcome | None = None
    hints: tuple[Hint, ...] = ()
    # Step 8b: what was left after step 8 (the manual discount's base), and
    # whether the manual discount exceeds the list's max_manual_discount_percent.
    manual_discount_base: Decimal | None = None
    manual_discount_over_limit: bool = False
    # The course suggested for the customer's skin concerns; None without concerns.
    suggestion: Suggestion | None = None

    def __init__(
        self, clinic: str, currency: str, price_list_version: int | None, start_date: date, sessions: int,
        lines: tuple[Line, ...], subtotal: Decimal, discount_total: Decimal, net: Decimal, tax_rate: Decimal,
        tax_total: Decimal, total: Decimal, per_session: Decimal, applied_campaigns: tuple[str, ...],
        eligibility: Eligibility, schedule: tuple[date, ...], advice: tuple[Text | str, ...],
        offers: tuple[Offer, ...] = (), coupon: CouponOutcome | None = None, hints: tuple[Hint, ...] = (),
        manual_discount_base: Decimal | None = None, manual_discount_over_limit: bool = False,
        suggestion: Suggestion | None = None,
    ) -> None:
        self.__dict__.update(
            clinic=clinic, currency=currency, price_list_version=price_list_version, start_date=start_date,
            sessions=sessions, lines=lines, subtotal=subtotal, discount_total=discount_total, net=net,
            tax_rate=tax_rate, tax_total=tax_total, total=total, per_session=per_session,
            applied_campaigns=applied_campaigns, eligibility=eligibility, schedule=schedule, advice=advice,
            offers=offers, coupon=coupon, hints=hints, manual_discount_base=manual_discount_base,
            manual_discount_over_limit=manual_discount_over_limit, suggestion=suggestion,
        )
