"""Preparation, aftercare and maintenance advice from the clinic's guidance."""

from __future__ import annotations

from datetime import date, timedelta

PREPARATION = (
    "Before the first session the specialist analyses your skin.",
    "Stop acidic serums and peeling products a few days before each session.",
    "Come with clean skin: no make-up, perfume or cream.",
)

AFTERCARE = (
    "Redness, slight swelling or tenderness can last a few hours and up to 48 hours.",
    "Wear no make-up for 24 hours after a session.",
    "Avoid direct sun and use sunscreen SPF 30+ for at least a week.",
    "Use no AHA/BHA, retinol or peeling products for a week.",
    "Use a gentle cleanser and a fragrance-free moisturiser (hyaluronic acid, vitamin B5, peptides).",
)

RESULTS = "First results show within a few days; the full effect becomes visible in 2-4 weeks."

MAINTENANCE_AFTER = timedelta(days=365)


def advice_for(schedule: tuple[date, ...]) -> tuple[str, ...]:
    """The advice list for a course; maintenance is dated from its last session."""
    maintenance = (
        "One maintenance session a year is recommended after the course"
        f" (the first around {(schedule[-1] + MAINTENANCE_AFTER).isoformat()})."
    )
    return PREPARATION + AFTERCARE + (RESULTS, maintenance)
