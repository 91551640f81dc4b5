"""The clinics' calendar at the edges of a day and a year: what the app does with its real clock (not a pinned day).

At 00:30 on 1 January in Istanbul it is 21:30 on 31 December in UTC: the
quote is numbered in the clinics' new year, priced and valid from the clinics'
date, and found among the quotes "created" that clinic day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine

from quoteapi.adapters import clock
from quoteapi.services import estimates, quotes

from ..days import TODAY
from .conftest import create_command, request

NEW_YEAR = TODAY.year + 2  # its eve is always after the suite's moment (and the demo list's seeding)
HALF_PAST_MIDNIGHT = datetime(NEW_YEAR, 1, 1, 0, 30, tzinfo=clock.CLINIC_ZONE)


def test_a_quote_made_after_midnight_at_the_clinics_belongs_to_their_new_year(ctx):
    ctx.clock = clock.today  # the app's own clock, not the suite's pinned day
    with time_machine.travel(HALF_PAST_MIDNIGHT - timedelta(hours=1), tick=False):
        old_year = quotes.create_quote(ctx, create_command()).quote
    with time_machine.travel(HALF_PAST_MIDNIGHT, tick=False):
        assert datetime.now(UTC).year == NEW_YEAR - 1  # UTC is still in the old year
        new_year = quotes.create_quote(ctx, create_command(valid_days=10)).quote
        estimate = estimates.estimate(ctx, request())
    assert old_year.number == f"Q-{NEW_YEAR - 1}-000001"
    assert new_year.number == f"Q-{NEW_YEAR}-000001"  # a new year's counter
    assert new_year.estimate.start_date == estimate.start_date == date(NEW_YEAR, 1, 1)
    assert new_year.valid_until == date(NEW_YEAR, 1, 11)
    assert clock.local_date(new_year.created_at) == date(NEW_YEAR, 1, 1)


def test_the_created_filters_are_the_clinics_days(ctx):
    ctx.clock = clock.today
    with time_machine.travel(HALF_PAST_MIDNIGHT - timedelta(hours=1), tick=False):
        before = quotes.create_quote(ctx, create_command()).quote.number
    with time_machine.travel(HALF_PAST_MIDNIGHT, tick=False):
        after = quotes.create_quote(ctx, create_command()).quote.number

        def numbers(**filters) -> list[str]:
            return [q.number for q in quotes.list_quotes(ctx, filters).items]

        first_day = date(NEW_YEAR, 1, 1)
        assert numbers(created_from=first_day) == [after]
        assert numbers(created_to=first_day - timedelta(days=1)) == [before]
        assert numbers(created_from=first_day - timedelta(days=1), created_to=first_day - timedelta(days=1)) == [before]
