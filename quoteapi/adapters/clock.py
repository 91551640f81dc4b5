"""The one clock of the product: what "now" is, and what day it is at the clinics.

Every part of quoteapi asks here (the use cases through their
:class:`~quoteapi.services.context.Context`, which tests may pin), never
``date.today()`` or ``datetime.now()`` itself:

- :func:`now` is the moment, aware, in UTC: what is stored (created_at,
  activity, audit, sessions) and compared with stored moments;
- :func:`today` is the date at the clinics (Turkey, Europe/Istanbul), not the
  server's nor UTC's: start dates, validity, campaigns, retention and the year
  of a quote number follow the calendar the clinic and its customer live by.
  At 00:30 on 1 January in Istanbul it is still 31 December in UTC, and a quote
  made then is numbered in the new year.

The test suite moves this clock with ``--now`` (tests/moment.py, on
time-machine), so that it can run as if it were any moment.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo


def _clinic_zone() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Istanbul")
    except (ImportError, KeyError, OSError, ValueError):  # no time-zone database (the tzdata package brings one)
        return timezone(timedelta(hours=3), "TRT")


# The clinics' time zone: Turkey keeps UTC+3 all year (since 2016).
CLINIC_ZONE: tzinfo = _clinic_zone()


def now() -> datetime:
    """This moment, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """The date at the clinics now."""
    return datetime.now(CLINIC_ZONE).date()


def local(moment: datetime) -> datetime:
    """``moment`` on the clinics' clock (a naive moment is taken as UTC, as the database returns it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CLINIC_ZONE)


def local_date(moment: datetime) -> date:
    """The clinics' date at ``moment``."""
    return local(moment).date()


def start_of(day: date) -> datetime:
    """The first moment of ``day`` at the clinics, in UTC: where a clinic's day begins in stored time."""
    return datetime.combine(day, time.min, CLINIC_ZONE).astimezone(UTC)
