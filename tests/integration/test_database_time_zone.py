"""Stored moments come back in UTC, whatever the database server's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from quoteapi.adapters.db import Database, aware


def test_a_moment_read_back_is_in_utc():
    istanbul = datetime(2000, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=3)))
    assert aware(istanbul) == istanbul and aware(istanbul).tzinfo == UTC
    assert aware(datetime(2000, 1, 1, 0, 30)) == datetime(2000, 1, 1, 0, 30, tzinfo=UTC)
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
            moment = connection.execute(text("SELECT TIMESTAMPTZ '2000-01-01 00:30+03'")).scalar()
        assert moment.utcoffset() == timedelta(0) and moment == datetime(1999, 12, 31, 21, 30, tzinfo=UTC)
    finally:
        database.dispose()
