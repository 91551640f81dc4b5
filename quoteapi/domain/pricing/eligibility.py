"""Eligibility from the client's answers, following the clinic's medical guidance."""

from __future__ import annotations

from ..text import T, Text
from .model import ClientAnswers, Eligibility, EligibilityStatus

ADULT_AGE = 18

_SEVERITY = {
    EligibilityStatus.UNKNOWN: 0,
    EligibilityStatus.ELIGIBLE: 1,
    EligibilityStatus.NEEDS_DOCTOR_REVIEW: 2,
    EligibilityStatus.POSTPONE: 3,
    EligibilityStatus.NOT_ELIGIBLE: 4,
}

_DOCTOR_FIRST = (
    ("active_skin_infection", T("An active skin infection must be evaluated by a doctor before the first session.")),
    ("open_wounds", T("Open wounds must be evaluated by a doctor before the first session.")),
    ("serious_skin_condition", T("A serious skin condition must be evaluated by a doctor before the first session.")),
)


def judge(answers: ClientAnswers | None) -> Eligibility:
    """The worst status among what the client answered; ``unknown`` with no answers."""
    if answers is None:
        return Eligibility(EligibilityStatus.UNKNOWN, ())
    found: list[tuple[EligibilityStatus, Text]] = []
    if answers.age is not None and answers.age < ADULT_AGE:
        found.append(
            (EligibilityStatus.NOT_ELIGIBLE, T("The treatment is offered to adults (18 or older) only."))
        )
    if answers.pregnant:
        found.append(
            (EligibilityStatus.POSTPONE, T("Treatment is postponed until after pregnancy."))
        )
    for field_name, reason in _DOCTOR_FIRST:
        if getattr(answers, field_name):
            found.append((EligibilityStatus.NEEDS_DOCTOR_REVIEW, reason))
    answered = any(
        getattr(answers, name) is not None
        for name in ("age", "pregnant", "active_skin_infection", "open_wounds", "serious_skin_condition")
    )
    if not found:
        status = EligibilityStatus.ELIGIBLE if answered else EligibilityStatus.UNKNOWN
        return Eligibility(status, ())
    worst = max((status for status, _ in found), key=_SEVERITY.__getitem__)
    return Eligibility(worst, tuple(reason for _, reason in found))
