"""Preparation, aftercare and maintenance advice from the clinic's guidance."""

from __future__ import annotations

from datetime import date

from ..text import T, Text

PREPARATION = (
    T("Before the first session the specialist analyses your skin."),
    T("Stop acidic serums and peeling products a few days before each session."),
    T("Come with clean skin: no make-up, perfume or cream."),
)

AFTERCARE = (
    T("Redness, slight swelling or tenderness can last a few hours and up to 48 hours."),
    T("Wear no make-up for 24 hours after a session."),
    T("Avoid direct sun and use sunscreen SPF 30+ for at least a week."),
    T("Use no AHA/BHA, retinol or peeling products for a week."),
    T("Use a gentle cleanser and a fragrance-free moisturiser (hyaluronic acid, vitamin B5, peptides)."),
)

RESULTS = T("First results show within a few days; the full effect becomes visible in 2-4 weeks.")


def one_year_after(day: date) -> date:
    """The same day a calendar year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def advice_for(schedule: tuple[date, ...]) -> tuple[Text, ...]:
    """The advice list for a course; maintenance is dated a calendar year after its last session."""
    maintenance = T(
        "One maintenance session a year is recommended after the course (the first around {day}).",
        day=one_year_after(schedule[-1]),
    )
    return PREPARATION + AFTERCARE + (RESULTS, maintenance)
