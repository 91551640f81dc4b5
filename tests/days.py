"""The test suite's calendar: every date a test sends or expects, relative to TODAY.

TODAY is the clinics' date when the test process starts (quoteapi's one clock,
moved by ``--now``: tests/moment.py); the apps' contexts are pinned to it, and
the demo list's campaigns are laid relative to it when it is seeded
(services.price_lists.demo_document: WINTER-RENEWAL starts on TODAY,
NEW-YEAR-GLOW on TODAY + 19, SUMMER-SPF ended 92 days ago). No test writes a
calendar date that the real clock could pass.
"""

from __future__ import annotations

from datetime import date, timedelta

from quoteapi.adapters import clock

TODAY: date = clock.today()


def day(offset: int = 0) -> date:
    """TODAY moved by ``offset`` days."""
    return TODAY + timedelta(days=offset)


def iso(offset: int = 0) -> str:
    """TODAY moved by ``offset`` days, as the API writes it: ``2026-12-05``."""
    return day(offset).isoformat()


def turkish(offset: int = 0) -> str:
    """TODAY moved by ``offset`` days, as a Turkish page writes it: ``05.12.2026``."""
    return day(offset).strftime("%d.%m.%Y")


def spelled(offset: int = 0, code: str = "tr") -> str:
    """TODAY moved by ``offset`` days, as the console and the documents write it: ``7 Aralık 2026``, ``7 December 2026``."""
    from quoteapi.adapters.i18n import day_text

    return day_text(day(offset), code)


def a_year_after(last: date) -> date:
    """One calendar year after ``last`` (29 February becomes 28 February), as the maintenance advice dates it."""
    try:
        return last.replace(year=last.year + 1)
    except ValueError:
        return last.replace(year=last.year + 1, day=28)
