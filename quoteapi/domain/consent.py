"""The consent a website visitor gives when asking for a quote: when, and to which wording.

The estimator shows one sentence beside its checkbox; each wording it ever
showed is a version here, word for word in both languages, so that a stored
consent says what the visitor agreed to even after the wording changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .text import T, Text


@dataclass(frozen=True, slots=True)
class Wording:
    """One version of a sentence a customer ticks: the estimator's consent, the link's acceptance."""

    version: str
    text: Text  # the message id is the English wording; the catalogue holds the Turkish
    # The wording word for word in each language, as this version showed it. A
    # stored consent names its version; these are what it agreed to, whatever the
    # catalogue says later (tests/unit/test_personal_data.py checks that the
    # current version is what the estimator page and the catalogue show).
    wording: tuple[tuple[str, str], ...]

    def in_language(self, code: str) -> str:
        return dict(self.wording)[code]


# The consent sentence the estimator shows beside its checkbox, by version.
ConsentWording = Wording


CONSENT_WORDINGS: dict[str, ConsentWording] = {
    wording.version: wording
    for wording in (
        ConsentWording(
            version="1",
            text=T("I agree that the clinic stores this quote and contacts me about it."),
            wording=(
                ("tr", "Kliniğin bu teklifi kaydetmesini ve bu konuda benimle iletişime geçmesini kabul ediyorum."),
                ("en", "I agree that the clinic stores this quote and contacts me about it."),
            ),
        ),
    )
}
# The wording the estimator shows now. A new wording (in either language) is a
# new version added above; a version that quotes refer to is never edited.
CONSENT_VERSION = "1"
CONSENT = CONSENT_WORDINGS[CONSENT_VERSION]


@dataclass(frozen=True, slots=True)
class Consent:
    """When a website visitor agreed, and to which wording."""

    given_at: datetime
    version: str

    @property
    def wording(self) -> ConsentWording | None:
        return CONSENT_WORDINGS.get(self.version)
