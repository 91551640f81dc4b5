"""The course suggested for a customer's skin concerns (api.md revision 3, issue 28).

Pure functions over the price list's ``concerns``. The clinics' own guidance
(1-2 sessions for mild problems, 3-6 as the usual plan, 4-6 for pronounced
ones, 3-4 weeks apart, 1-2 maintenance sessions a year) is data in the price
list; nothing here is hard-coded but how several concerns combine: the
largest ``sessions_min``, ``sessions_max`` and ``recommended`` of theirs, the
largest ``maintenance_per_year``, and their products together in price-list
order. The specialist decides after a skin analysis: every suggestion says so.
"""

from __future__ import annotations

from typing import Iterable

from ..text import T, Text
from .model import Concern, ConcernRequest, CourseRange, Hint, PriceList, SuggestedConcern, Suggestion

# At most this many concerns in one request.
MAX_CONCERNS = 3


def combined_course(courses: Iterable[CourseRange]) -> CourseRange:
    """Several concerns' courses as one: the largest of each figure.

    Each figure is at least the same figure of every concern, so the result
    keeps ``sessions_min <= recommended <= sessions_max`` whenever every course does.
    """
    courses = tuple(courses)
    return CourseRange(
        max(c.sessions_min for c in courses),
        max(c.sessions_max for c in courses),
        max(c.recommended for c in courses),
    )


def suggest(price_list: PriceList, concerns: tuple[ConcernRequest, ...], sessions: int | None = None) -> Suggestion:
    """The suggestion for ``concerns`` (known codes and severities, at least one), for a course of ``sessions``.

    ``sessions`` None means the recommended number (``within`` is then true).
    """
    found: list[tuple[Concern, ConcernRequest]] = [(price_list.concern_by_code[c.code], c) for c in concerns]
    course = combined_course(concern.course(wanted.severity) for concern, wanted in found)
    named = {code for concern, _ in found for code in concern.products}
    products = tuple(p.code for p in price_list.products if p.code in named)
    maintenance = max(concern.maintenance_per_year for concern, _ in found)
    chosen = course.recommended if sessions is None else sessions
    return Suggestion(
        concerns=tuple(SuggestedConcern(concern.code, wanted.severity, price_list.name_of(concern)) for concern, wanted in found),
        sessions_min=course.sessions_min,
        sessions_max=course.sessions_max,
        recommended=course.recommended,
        interval_days=price_list.session_interval_days,
        products=products,
        maintenance_per_year=maintenance,
        within=course.sessions_min <= chosen <= course.sessions_max,
        text=suggestion_text(course, price_list.session_interval_days, maintenance),
    )


def suggestion_text(course: CourseRange, interval_days: int, maintenance: int) -> Text:
    """The suggestion in a few words, always saying that the specialist decides after a skin analysis."""
    if course.sessions_min == course.sessions_max:
        plan = T("Suggested course: {count} sessions, {days} days apart.", count=course.sessions_min, days=interval_days)
    else:
        plan = T(
            "Suggested course: {low} to {high} sessions ({recommended} recommended), {days} days apart.",
            low=course.sessions_min, high=course.sessions_max, recommended=course.recommended, days=interval_days,
        )
    decision = T("Your specialist decides the course after a skin analysis at the clinic.")
    if maintenance == 0:
        return T("{plan} {decision}", plan=plan, decision=decision)
    if maintenance == 1:
        after = T("Then one maintenance session a year.")
    else:
        after = T("Then {count} maintenance sessions a year.", count=maintenance)
    return T("{plan} {maintenance} {decision}", plan=plan, maintenance=after, decision=decision)


def hints_within(hints: tuple[Hint, ...], suggestion: Suggestion | None) -> tuple[Hint, ...]:
    """The hints, each one beyond the suggestion's ``sessions_max`` saying so (pricing rules v2 with issue 28).

    A hint never pushes a customer past the suggested course without telling
    them: the price stays as it is, the sentence says the course is longer than
    the suggestion and that the specialist decides.
    """
    if suggestion is None or not hints or hints[-1].sessions <= suggestion.sessions_max:
        return hints
    high = suggestion.sessions_max
    return tuple(
        hint if hint.sessions <= high else Hint(
            hint.sessions, hint.total, hint.per_session,
            T("{hint} That is more than the {high} sessions suggested for your skin; your specialist decides.",
              hint=hint.text, high=high),
        )
        for hint in hints
    )
