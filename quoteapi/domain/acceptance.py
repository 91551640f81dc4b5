"""A customer's online acceptance of a quote: the wording they ticked, by version, and what exactly they accepted.

The customer's page (``/q/<token>``) shows one sentence beside its checkbox;
each wording it ever showed is a version here, word for word in both
languages (as :mod:`.consent` keeps the estimator's consent), so that a stored
acceptance says what the customer agreed to even after the wording changes.
What they accepted is a SHA-256 of the revision's stored lines and totals in a
canonical JSON form: anyone holding the stored revision can compute it again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .consent import Wording
from .text import T, Text


# The sentence the customer ticks to accept a quote on their link, by version (the consent's kind).
AcceptanceWording = Wording


ACCEPTANCE_WORDINGS: dict[str, AcceptanceWording] = {
    wording.version: wording
    for wording in (
        AcceptanceWording(
            version="1",
            text=T("I accept this quote with the prices, sessions and conditions shown on this page."),
            wording=(
                ("tr", "Bu sayfada gösterilen fiyatlar, seanslar ve koşullarla bu teklifi kabul ediyorum."),
                ("en", "I accept this quote with the prices, sessions and conditions shown on this page."),
            ),
        ),
    )
}
# The wording the page shows now. A new wording (in either language) is a new
# version added above; a version that acceptances refer to is never edited.
ACCEPTANCE_VERSION = "1"
ACCEPTANCE = ACCEPTANCE_WORDINGS[ACCEPTANCE_VERSION]

# The parts of a stored estimate that say what the customer pays: its lines and its totals.
ACCEPTED_FIELDS = ("currency", "lines", "subtotal", "discount_total", "net", "tax_rate", "tax_total", "total",
                   "per_session", "sessions")

# The longest name a customer may type to accept.
NAME_MAX = 200


def accepted_content(estimate: Mapping[str, Any]) -> dict[str, Any]:
    """The lines and totals of a stored estimate (its plain form), the part an acceptance's hash covers."""
    return {key: estimate.get(key) for key in ACCEPTED_FIELDS}


def canonical_json(value: Any) -> bytes:
    """JSON with sorted keys, no spaces, UTF-8 as it is: the same bytes for the same content, whoever writes it."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(estimate: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a stored estimate's lines and totals."""
    return hashlib.sha256(canonical_json(accepted_content(estimate))).hexdigest()


# Why a customer declines (api.md revision 3, "Decline reasons"), in the order the page offers them.
DECLINE_REASONS: dict[str, Text] = {
    "price": T("The price is too high for me"),
    "timing": T("The timing does not suit me"),
    "other_clinic": T("I chose another clinic"),
    "medical": T("A medical reason"),
    "no_answer": T("I did not get an answer to my questions"),
    "other": T("Another reason"),
}
