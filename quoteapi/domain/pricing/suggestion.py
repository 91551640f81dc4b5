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

from dataclasses import replace
from typing import Iterable

from ..text import N_, T, Text
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
    A list never changes, so each set of concerns is worked out once per list
    (:func:`worked_out`); only ``within`` depends on the request.
    """
    inside, outside = worked_out(price_list, concerns)
    if sessions is None or inside.sessions_min <= sessions <= inside.sessions_max:
        return inside
    return outside


def worked_out(price_list: PriceList, concerns: tuple[ConcernRequest, ...]) -> tuple[Suggestion, Suggestion]:
    """The suggestion for ``concerns`` with ``within`` true and false, kept with the list after the first time.

    Kept for at most :data:`_KEPT` sets of concerns per list, and only for sets
    the engine accepts (each code once, at most :data:`MAX_CONCERNS`): a set
    found here is known to be valid (:func:`known`).
    """
    kept = price_list.__dict__.get("_suggestions")
    if kept is None:
        kept = price_list.__dict__.setdefault("_suggestions", {})  # the list is frozen; this is its own cache
    found = kept.get(concerns)
    if found is None:
        found = _work_out(price_list, concerns)
        if len(kept) < _KEPT and len(concerns) <= MAX_CONCERNS and len({c.code for c in concerns}) == len(concerns):
            kept[concerns] = found
    return found


def known(price_list: PriceList, concerns: tuple[ConcernRequest, ...]) -> tuple[Suggestion, Suggestion] | None:
    """The suggestions (``within`` true, false) of a set of concerns already worked out for this list, else None."""
    kept = price_list.__dict__.get("_suggestions")
    return None if kept is None else kept.get(concerns)


# Sets of concerns kept per list: 5 concerns of 3 severities make a few thousand sets of up to 3.
_KEPT = 8192


def _work_out(price_list: PriceList, concerns: tuple[ConcernRequest, ...]) -> tuple[Suggestion, Suggestion]:
    found: list[tuple[Concern, ConcernRequest]] = [(price_list.concern_by_code[c.code], c) for c in concerns]
    course = combined_course(concern.course(wanted.severity) for concern, wanted in found)
    named = {code for concern, _ in found for code in concern.products}
    maintenance = max(concern.maintenance_per_year for concern, _ in found)
    inside = Suggestion(
        concerns=tuple(SuggestedConcern(concern.code, wanted.severity, price_list.name_of(concern)) for concern, wanted in found),
        sessions_min=course.sessions_min,
        sessions_max=course.sessions_max,
        recommended=course.recommended,
        interval_days=price_list.session_interval_days,
        products=tuple(p.code for p in price_list.products if p.code in named),
        maintenance_per_year=maintenance,
        within=True,
        text=suggestion_text(course, price_list.session_interval_days, maintenance),
    )
    return inside, replace(inside, within=False)


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


# Each hint's sentence (engine.py) and the same sentence past the suggested course: one text each, written
# in one go (a sentence inside a sentence would be written twice over for every estimate).
BEYOND = {
    "{sessions} sessions: {saving} less per session.": N_(
        "{sessions} sessions: {saving} less per session. That is more than the {high} sessions suggested for "
        "your skin; your specialist decides."),
    "{sessions} sessions: {saving} less per session, and {less} less in total.": N_(
        "{sessions} sessions: {saving} less per session, and {less} less in total. That is more than the {high} "
        "sessions suggested for your skin; your specialist decides."),
}


def hints_within(hints: tuple[Hint, ...], suggestion: Suggestion | None) -> tuple[Hint, ...]:
    """The hints, each one beyond the suggestion's ``sessions_max`` saying so (pricing rules v2 with issue 28).

    A hint never pushes a customer past the suggested course without telling
    them: the price stays as it is, the sentence says the course is longer than
    the suggestion and that the specialist decides.
    """
    if suggestion is None or not hints or hints[-1].sessions <= suggestion.sessions_max:
        return hints
    high = suggestion.sessions_max
    return tuple(hint if hint.sessions <= high else Hint(hint.sessions, hint.total, hint.per_session, _beyond(hint.text, high))
                 for hint in hints)


def _beyond(text: Text | str, high: int) -> Text:
    msgid = BEYOND.get(text.msgid) if isinstance(text, Text) else None
    if msgid is not None:
        return T(msgid, **text.values, high=high)
    return T("{hint} That is more than the {high} sessions suggested for your skin; your specialist decides.",
             hint=text, high=high)
