"""The one clock: the clinics' date is Istanbul's, whatever UTC and the server say; the demo list suits any day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from quoteapi.adapters import clock
from quoteapi.domain import price_list as document
from quoteapi.domain.personal_data import retention_cutoff
from quoteapi.services.price_lists import DEMO_DAY, demo_document

from ..days import TODAY
from ..moment import MOMENTS, moment

NEXT_YEAR = TODAY.year + 1


def test_at_half_past_midnight_on_new_year_the_clinics_are_in_the_new_year_and_utc_is_not():
    at = datetime(NEXT_YEAR, 1, 1, 0, 30, tzinfo=clock.CLINIC_ZONE)
    with time_machine.travel(at, tick=False):
        assert clock.now() == datetime(NEXT_YEAR - 1, 12, 31, 21, 30, tzinfo=UTC)
        assert datetime.now(UTC).date() == date(NEXT_YEAR - 1, 12, 31)
        assert clock.today() == date(NEXT_YEAR, 1, 1)
        assert clock.local_date(clock.now()) == date(NEXT_YEAR, 1, 1)


def test_a_clinic_day_starts_at_21_00_utc_the_day_before():
    day = TODAY + timedelta(days=3)
    start = clock.start_of(day)
    assert start.tzinfo == UTC and start == datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=3)
    assert clock.local(start).date() == day and clock.local(start - timedelta(microseconds=1)).date() == day - timedelta(days=1)
    assert clock.local(start.replace(tzinfo=None)) == clock.local(start)  # naive moments from the database are UTC


def test_retention_counts_whole_days_at_the_clinics():
    cutoff = retention_cutoff(TODAY, 730, clock.CLINIC_ZONE)
    assert clock.local(cutoff) == datetime.combine(TODAY - timedelta(days=730), datetime.min.time(), clock.CLINIC_ZONE)
    assert cutoff == retention_cutoff(TODAY, 730) - timedelta(hours=3)


@pytest.mark.parametrize("offset", [0, 1, 45, 100, 200, 366, 400, 1000, 1461])
def test_the_demo_list_has_a_campaign_running_one_coming_and_one_ended_on_any_day(offset):
    day = TODAY + timedelta(days=offset)
    doc = demo_document(day)
    campaigns = {c["code"]: (date.fromisoformat(c["starts_on"]), date.fromisoformat(c["ends_on"])) for c in doc["campaigns"]}
    running = [code for code, (start, end) in campaigns.items() if start <= day <= end]
    coming = [code for code, (start, _) in campaigns.items() if day < start <= day + timedelta(days=31)]
    ended = [code for code, (_, end) in campaigns.items() if end < day]
    assert "WINTER-RENEWAL" in running and campaigns["WINTER-RENEWAL"][0] == day
    assert coming == ["NEW-YEAR-GLOW"] and ended == ["SUMMER-SPF"]
    # Each keeps its length and its place to the others, as on the file's own day.
    original = {c["code"]: c for c in demo_document()["campaigns"]}
    for code, (start, end) in campaigns.items():
        assert end - start == date.fromisoformat(original[code]["ends_on"]) - date.fromisoformat(original[code]["starts_on"])
        assert start - day == date.fromisoformat(original[code]["starts_on"]) - DEMO_DAY
    document.from_plain(doc)  # still a valid list
    assert {k: v for k, v in doc.items() if k != "campaigns"} == {k: v for k, v in demo_document().items() if k != "campaigns"}


@pytest.mark.parametrize("name", list(MOMENTS))
def test_the_hard_moments_are_ahead_of_the_real_clock_and_hard(name):
    at = moment(name)
    assert at > clock.now()
    local, utc = at.astimezone(clock.CLINIC_ZONE), at.astimezone(UTC)
    assert local.tzinfo is not None and (local.hour, local.minute) != (utc.hour, utc.minute)
