"""The suite at any moment: ``pytest --now 2028-02-29T23:30+03:00`` runs it as if it were then.

A pytest plugin (loaded by ``-p tests.moment`` in pyproject.toml's addopts).
With ``--now`` (or ``QUOTEAPI_TEST_NOW`` in the environment), the clock of the
test processes is moved to that moment before any test module is imported, on
time-machine: ``datetime.now()``, ``date.today()`` and ``time.time()`` answer
from that moment on and go on ticking, so timeouts, sleeps and the throw-away
PostgreSQL cluster (a process of its own, on the real clock) are untouched. The
app reads the moved clock through its one seam (quoteapi/adapters/clock.py),
and the tests lay every date relative to ``TODAY`` (tests/conftest.py), the
clinics' date at the moved moment.

``make test`` runs the in-process suite a second time at a hard moment drawn
from :data:`MOMENTS`; ``python -m tests.moment pick [NAME]`` prints one
(at random, or the one named), ``python -m tests.moment list`` all of them.
Only processes started by pytest move: a subprocess a test starts runs on the
real clock unless it calls :func:`travel_from_environment` (tests/api/parsing_answers.py does).
"""

from __future__ import annotations

import os
import random
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Callable

import pytest

from quoteapi.adapters.clock import CLINIC_ZONE

ENVIRONMENT = "QUOTEAPI_TEST_NOW"
_moved: datetime | None = None


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CLINIC_ZONE)


def _next_leap_day(today: date) -> date:
    year = today.year
    while True:
        try:
            day = date(year, 2, 29)
        except ValueError:
            year += 1
            continue
        if day > today:
            return day
        year += 1


# The hard moments, named; each worked out from the real date, so that it is never in the past.
MOMENTS: dict[str, Callable[[date], datetime]] = {
    # 20:30 UTC: the same day in UTC and at the clinics; the year's last half hour.
    "new-years-eve": lambda today: _at(date((today + timedelta(days=1)).year, 12, 31), 23, 30),
    # 21:30 UTC on 31 December: the clinics are in the new year, UTC is not (quote numbers take the new year).
    "new-year-at-the-clinics": lambda today: _at(date(today.year + 1, 1, 1), 0, 30),
    # A leap day at noon, and its last half hour (20:30 UTC): a year later there is no 29 February.
    "leap-day": lambda today: _at(_next_leap_day(today), 12, 0),
    "leap-day-late": lambda today: _at(_next_leap_day(today), 23, 30),
    # 23:30 UTC on the last day of February: the clinics are already in March.
    "march-at-the-clinics": lambda today: _at(date(today.year + 1, 3, 1), 2, 30),
    # A day more than a year ahead of the real date, mid-morning.
    "a-year-and-a-day-ahead": lambda today: _at(today + timedelta(days=366), 10, 15),
}


def moment(name: str, today: date | None = None) -> datetime:
    return MOMENTS[name](today or datetime.now(CLINIC_ZONE).date())


def parse(value: str) -> datetime:
    """``--now``'s value: a name of :data:`MOMENTS` or an ISO 8601 moment (without an offset: the clinics' time)."""
    if value in MOMENTS:
        return moment(value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"--now: {value!r} is neither an ISO 8601 moment nor one of {', '.join(MOMENTS)}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=CLINIC_ZONE)


def travel(to: datetime) -> None:
    """Move this process's clock to ``to``, ticking on from there (once per process)."""
    global _moved
    import time_machine

    time_machine.travel(to, tick=True).start()
    _moved = to
    # Subprocesses that choose to (travel_from_environment) move to the same moment.
    os.environ[ENVIRONMENT] = to.isoformat()


def travel_from_environment() -> None:
    value = os.environ.get(ENVIRONMENT)
    if value:
        travel(parse(value))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--now", metavar="MOMENT", default=None,
        help="Run as if it were MOMENT: ISO 8601 (YYYY-MM-DDTHH:MM+03:00; no offset: Istanbul time) or one of "
             f"{', '.join(MOMENTS)}. Default: ${ENVIRONMENT}, else the real clock.",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    # Before tests/conftest.py is imported: TODAY there is read from the moved clock.
    value = early_config.known_args_namespace.now or os.environ.get(ENVIRONMENT)
    if value:
        travel(parse(value))


def pytest_report_header(config: pytest.Config) -> str:
    if _moved is None:
        return "clock: the real one"
    at_clinics, in_utc = _moved.astimezone(CLINIC_ZONE), _moved.astimezone(UTC)
    return f"clock: moved to {at_clinics:%Y-%m-%d %H:%M} at the clinics ({in_utc:%Y-%m-%d %H:%M} UTC), ticking on"


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "pick"
    if command == "list":
        for name in MOMENTS:
            print(f"{name:26} {moment(name).isoformat()}")
        return 0
    if command == "pick":
        name = argv[1] if len(argv) > 1 else random.choice(list(MOMENTS))
        print(f"{name} {moment(name).isoformat()}")
        return 0
    print("usage: python -m tests.moment [list | pick [NAME]]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
