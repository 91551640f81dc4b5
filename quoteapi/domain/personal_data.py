"""Personal data: the consent a website visitor gives, erasure, and retention (KVKK and GDPR).

Pure rules: which wording a consent refers to, what an erased value becomes,
how a stored JSON value loses what names a person, and when a website request
has been kept long enough. The use cases in ``services/personal_data.py`` apply
them to the tables.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Iterable, Mapping

from .pricing.model import LineKind
from .consent import CONSENT, CONSENT_VERSION, CONSENT_WORDINGS, Consent, ConsentWording
from .quotes import Quote, Revision
from .text import T, Text

__all__ = [
    "CONSENT", "CONSENT_VERSION", "CONSENT_WORDINGS", "Consent", "ConsentWording", "ERASED", "CustomerData",
    "CustomerLink", "CustomerMessage", "CustomerQuote", "Erasure", "Maintenance", "NEVER_TAKEN_FURTHER", "Needles", "PERSONAL_KEYS", "Person",
    "answers_erased", "email_key", "erased_estimate", "erased_inputs", "national_digits", "phone_digits", "phone_key", "retention_cutoff", "scrub",
]

MANUAL_DISCOUNT = LineKind.MANUAL_DISCOUNT.value

# What every erased value becomes: a name, a note, the health answers, an
# eligibility reason. Fixed, so that an erased record reads as one.
ERASED = "[erased]"


# --- Who a request is about ------------------------------------------------------------

_NOT_DIGITS = re.compile(r"\D")


def phone_digits(phone: str | None) -> str:
    """A phone number as its digits only: ``+90 (532) 000-00-00`` and ``+905320000000`` are one number."""
    return _NOT_DIGITS.sub("", phone or "")


# The country code the clinics' numbers have when they are written without one (Turkey).
HOME_COUNTRY = "90"


def phone_key(phone: str | None) -> str | None:
    """A phone number in the one form it is stored under for look-ups and searched by: its E.164 digits.

    ``+90 (532) 765-43-21``, ``0090 532 765 43 21``, ``0532 765 43 21`` and
    ``532 765 43 21`` are all ``905327654321``: ``00`` is the international
    prefix, a leading ``0`` the Turkish trunk prefix, and ten digits with
    neither are a Turkish number (mobiles start with 5, landlines with 2 to 4).
    A number written with ``+`` is international as it is (a ``0`` after
    ``+90``, as in ``+90 (0532)``, is dropped). None without digits.
    """
    text = (phone or "").strip()
    digits = phone_digits(text)
    if not digits:
        return None
    if text.startswith("+"):
        key = digits
    elif digits.startswith("00"):
        key = digits[2:]
    elif digits.startswith("0"):
        key = HOME_COUNTRY + digits[1:]
    elif len(digits) == 10:
        key = HOME_COUNTRY + digits
    else:
        key = digits
    if key.startswith(HOME_COUNTRY + "0"):
        key = HOME_COUNTRY + key[len(HOME_COUNTRY) + 1:]
    return key or None


def national_digits(key: str) -> str:
    """The digits of a phone key (:func:`phone_key`) that every way of writing it at home contains:
    ``905327654321`` is written ``0532 765 43 21`` as often as ``+90 532 765 43 21``."""
    if key.startswith(HOME_COUNTRY) and len(key) == len(HOME_COUNTRY) + 10:
        return key[len(HOME_COUNTRY):]
    return key


def email_key(email: str | None) -> str | None:
    """An e-mail address in the one form it is stored under for look-ups and searched by; None if empty.

    Trimmed, NFKC, case-folded, and the Turkish i's folded to ``i``: Python
    lower-cases ``İ`` to ``i̇`` (two characters), PostgreSQL to ``i``, SQLite
    not at all, and a Turkish keyboard capitalises ``i`` to ``İ``; so
    ``İLKER.ISIK@example.com``, ``ilker.isik@EXAMPLE.com`` and
    ``ılker.ısık@example.com`` are one key. Computed here only, never by SQL.
    """
    text = unicodedata.normalize("NFKC", (email or "").strip())
    if not text:
        return None
    return text.casefold().replace("i\u0307", "i").replace("ı", "i")


@dataclass(frozen=True, slots=True)
class Person:
    """Whom an export or an erasure is about: one e-mail address or one phone number."""

    email: str | None = None
    phone: str | None = None

    def __post_init__(self) -> None:
        if (self.email is None) == (self.phone is None):
            raise ValueError("a person is named by an e-mail address or a phone number, not both")

    @property
    def named_by(self) -> str:
        """Which identifier names them (the audit log keeps this, never the value)."""
        return "email" if self.email is not None else "phone"


# --- Erasure ------------------------------------------------------------------------------


def folded(text: str) -> str:
    """Text compared without case or accents: ``AYŞE YILMAZ``, ``Ayse Yilmaz`` and ``ayşe yılmaz`` are one.

    The Turkish i's are one letter here (``İ``, ``I``, ``ı``, ``i`` all fold to ``i``),
    so neither the keyboard's nor the database's idea of their case matters.
    """
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return bare.casefold().replace("ı", "i")




# --- Search -------------------------------------------------------------------------------

# What a search for a phone number may be written with besides digits.
_PHONE_LIKE = re.compile(r"[\d\s()+\-./]+")


def search_key(number: str, name: str | None, email: str | None, phone: str | None) -> str:
    """What the quote list's search looks in, in one folded text worked out here, never by SQL.

    The quote number, the customer's name and e-mail address folded (:func:`folded`:
    no case, no accents, the Turkish i's as one), and the phone number's E.164
    digits; an erased quote keeps its number alone.
    """
    parts = [number.casefold(), folded(name or ""), folded(email_key(email) or ""), phone_key(phone) or ""]
    return " | ".join(p for p in parts if p)


def search_terms(query: str) -> frozenset[str]:
    """The texts a search for ``query`` looks for in :func:`search_key` (any of them matches).

    A phone number in any writing (``05339876543``, ``+90 533 987 65 43``, ``987 65 43``)
    is looked for by its digits and, when it is a whole number, by its E.164 digits;
    anything else (a name, an address, a quote number) folded.
    """
    text = unicodedata.normalize("NFKC", query).strip()
    digits = phone_digits(text)
    if len(digits) >= 3 and _PHONE_LIKE.fullmatch(text):
        terms = {digits}
        key = phone_key(text)
        if key and len(key) >= 11:
            terms.add(key)
        return frozenset(terms)
    return frozenset({folded(text)})


class Needles:
    """The strings that identify one person in free text: names, e-mail addresses, phone numbers."""

    def __init__(self, names: Iterable[str | None] = (), emails: Iterable[str | None] = (),
                 phones: Iterable[str | None] = ()) -> None:
        # A name counts as whole words (a customer called "Ne" does not erase the status "new");
        # an address anywhere; a phone number by its digits.
        self.names = [
            re.compile(rf"(?<!\w){re.escape(folded(n.strip()))}(?!\w)")
            for n in names if n and n.strip() and n.strip() != ERASED
        ]
        self.emails = {folded(e.strip()) for e in emails if e and e.strip()}
        # Each number as written, and the digits every way of writing it contains (without 0, 0090, +90).
        written = [p for p in phones if p and p.strip()]
        digits = {phone_digits(p) for p in written} | {national_digits(k) for k in map(phone_key, written) if k}
        self.digits = {d for d in digits if len(d) >= 5}

    def found_in(self, text: str) -> bool:
        plain = folded(text)
        if any(email in plain for email in self.emails) or any(name.search(plain) for name in self.names):
            return True
        digits = phone_digits(text)
        return any(d in digits for d in self.digits)


# Keys whose values are personal wherever they appear in a stored JSON value
# (an audit entry's before and after).
PERSONAL_KEYS = frozenset({
    "customer", "customer_name", "customer_email", "customer_phone", "name", "email", "phone",
    "notes", "note", "text", "client",
})


def scrub(value: Any, needles: Needles, keys: frozenset[str] = PERSONAL_KEYS, key: str | None = None) -> Any:
    """``value`` with every string that names the person, and everything under one of ``keys``, erased.

    Numbers, booleans and texts that name nobody (statuses, codes) are kept.
    """
    if key in keys and value not in (None, "", [], {}):
        return ERASED
    if isinstance(value, Mapping):
        return {k: scrub(v, needles, keys, k) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, needles, keys) for v in value]
    if isinstance(value, str) and needles.found_in(value):
        return ERASED
    return value


def erased_inputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """A revision's stored inputs without the client's health answers (age, pregnancy, skin) and
    without the reason of its manual discount (free text staff wrote, which may name anybody)."""
    erased = dict(inputs)
    if erased.get("client") is not None:
        erased["client"] = ERASED
    manual = erased.get("manual_discount")
    if isinstance(manual, Mapping) and manual.get("reason") not in (None, ERASED):
        erased["manual_discount"] = {**manual, "reason": ERASED}
    return erased


def answers_erased(inputs: Mapping[str, Any]) -> bool:
    return inputs.get("client") == ERASED


def erased_estimate(estimate: Mapping[str, Any], manual_line: str) -> dict[str, Any]:
    """A stored estimate without the eligibility reasons, every one of which tells of the client's health,
    and with ``manual_line`` as its manual discount's description (which quoted the reason).

    ``manual_line`` is :func:`~quoteapi.domain.pricing.engine.manual_description` of
    :data:`ERASED` in the quote's language, what a replay of the erased inputs writes.
    The eligibility status stays: it is what the desk acted on, and no longer names anybody.
    """
    erased = dict(estimate)
    eligibility = estimate.get("eligibility") or {}
    if eligibility.get("reasons"):
        erased["eligibility"] = {**eligibility, "reasons": [ERASED]}
    lines = estimate.get("lines") or []
    if any(line.get("kind") == MANUAL_DISCOUNT for line in lines):
        erased["lines"] = [
            {**line, "description": manual_line} if line.get("kind") == MANUAL_DISCOUNT else line for line in lines
        ]
    return erased


# --- Retention -----------------------------------------------------------------------------

# Website requests nobody took further: still new, or declined; open ones past
# their validity read as expired and count too. Accepted quotes, and quotes
# the desk made itself, are the clinic's records and are kept.
NEVER_TAKEN_FURTHER = ("new", "declined")


def retention_cutoff(today: date, retention_days: int, zone: tzinfo = UTC) -> datetime:
    """Requests last touched before this instant have been kept long enough.

    A request last touched on day D (a date in ``zone``, the clinics' clock) is
    kept through day D + ``retention_days`` and erased by the first run on the day after.
    """
    return datetime.combine(today - timedelta(days=retention_days), time.min, zone).astimezone(UTC)


# --- What the use cases answer --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerLink:
    """A link to one of the person's quotes that was given out (its token is never stored)."""

    channel: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CustomerMessage:
    """A message of the outbox to the person about one of their quotes (the quote's e-mail)."""

    kind: str
    state: str
    recipient: str | None
    created_at: datetime
    sent_at: datetime | None = None
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class CustomerDocument:
    """The quote's PDF as it was sent to the person (stored; attached to the e-mail)."""

    revision: int
    language: str
    html_sha256: str
    size: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CustomerQuote:
    """One of a person's quotes with everything stored about it: every revision with its inputs,
    the links given out to it and the e-mail sent to the person about it."""

    quote: Quote
    revisions: tuple[Revision, ...]
    erased_at: datetime | None = None
    links: tuple[CustomerLink, ...] = ()
    messages: tuple[CustomerMessage, ...] = ()
    documents: tuple[CustomerDocument, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomerData:
    """Everything stored about one person."""

    person: Person
    quotes: tuple[CustomerQuote, ...]


@dataclass(frozen=True, slots=True)
class Erasure:
    """The quotes an erasure changed (none when nobody matched, or they were erased already)."""

    numbers: tuple[str, ...]

    @property
    def quotes_changed(self) -> int:
        return len(self.numbers)

    @property
    def detail(self) -> Text:
        if not self.numbers:
            return T("No quote holds this e-mail address or phone number (or it was erased already); nothing was changed.")
        if len(self.numbers) == 1:
            return T("Personal data erased from quote {number}.", number=self.numbers[0])
        return T("Personal data erased from {count} quotes: {numbers}.", count=len(self.numbers),
                 numbers=", ".join(self.numbers))


@dataclass(frozen=True, slots=True)
class Maintenance:
    """What one run of the retention rules did."""

    idempotency_keys_removed: int
    requests_erased: tuple[str, ...]
    idempotency_cutoff: datetime
    retention_cutoff: datetime
    # Messages of the outbox created before the retention cutoff, deleted.
    messages_removed: int = 0
    # The quotes' PDFs as sent, unused since the retention cutoff, deleted.
    documents_removed: int = 0
