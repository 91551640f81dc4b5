"""Stored moments come back in UTC, whatever the database server's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import text

from quoteapi.adapters.db import Database, aware

from ..days import TODAY, day, iso

# 00:30 at the clinics (UTC+3) on TODAY: still the day before in UTC.
HALF_PAST_MIDNIGHT = datetime.combine(TODAY, time(0, 30), tzinfo=timezone(timedelta(hours=3)))
IN_UTC = datetime.combine(day(-1), time(21, 30), tzinfo=UTC)


def test_a_moment_read_back_is_in_utc():
    istanbul = HALF_PAST_MIDNIGHT
    assert aware(istanbul) == istanbul and aware(istanbul).tzinfo == UTC
    assert aware(istanbul) == IN_UTC and aware(istanbul).isoformat() == IN_UTC.isoformat()
    naive = datetime.combine(TODAY, time(0, 30))
    assert aware(naive) == datetime.combine(TODAY, time(0, 30), tzinfo=UTC)
    assert aware(None) is None


@pytest.mark.postgresql
def test_postgresql_sessions_speak_utc_even_on_a_server_in_istanbul(pg_cluster):
    url = pg_cluster.create_database("quoteapi_zone")
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            connection.execute(text("ALTER DATABASE quoteapi_zone SET TimeZone = 'Europe/Istanbul'"))
            connection.commit()
        database.dispose()
        with database.engine.connect() as connection:
            assert connection.execute(text("SHOW TimeZone")).scalar() == "UTC"
            moment = connection.execute(text(f"SELECT TIMESTAMPTZ '{iso(0)} 00:30+03'")).scalar()
        assert moment.utcoffset() == timedelta(0) and moment == IN_UTC
    finally:
        database.dispose()
