"""Alembic migrations: they build exactly the models' schema, both ways, on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect

from quoteapi.adapters.db import Base, Database
from quoteapi.adapters.db.migrate import alembic_config, downgrade, upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def fresh_database(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database(f"quoteapi_mig_{tmp_path.name[-20:].lower().replace('-', '_')}")
    database = Database(url)
    yield database
    database.dispose()


def test_migrations_build_the_models_schema(fresh_database):
    upgrade(fresh_database)
    # Raises if autogenerate finds any difference between models and database.
    command.check(alembic_config(fresh_database))
    tables = set(inspect(fresh_database.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_downgrade_to_nothing_and_up_again(fresh_database):
    upgrade(fresh_database)
    downgrade(fresh_database, "base")
    assert set(inspect(fresh_database.engine).get_table_names()) <= {"alembic_version"}
    upgrade(fresh_database)
    command.check(alembic_config(fresh_database))


def test_existing_quotes_get_the_look_up_keys_of_their_customer(fresh_database):
    # Migration 0009: quotes stored before it are found by an export or an erasure as new ones are.
    from sqlalchemy import text

    from tests.days import TODAY

    upgrade(fresh_database, "0008")
    rows = [("Q-1", "İLKER.ISIK@example.com", "0532 765 43 21"), ("Q-2", None, "+90 (532) 765-43-21"), ("Q-3", None, None)]
    with fresh_database.engine.begin() as conn:
        for number, email, phone in rows:
            conn.execute(text(
                "INSERT INTO quotes (number, source, status, clinic, customer_name, customer_email, customer_phone,"
                " created_at, revision, valid_until, eligibility_status, currency, total)"
                " VALUES (:number, 'staff', 'new', 'c', 'n', :email, :phone, :at, 1, :day, 'ok', 'TRY', 1)"
            ), {"number": number, "email": email, "phone": phone, "at": f"{TODAY.isoformat()} 00:00:00+00:00", "day": TODAY})
    upgrade(fresh_database)
    with fresh_database.engine.connect() as conn:
        keys = conn.execute(text("SELECT number, customer_email_key, customer_phone_key FROM quotes ORDER BY number")).all()
    assert [tuple(k) for k in keys] == [
        ("Q-1", "ilker.isik@example.com", "905327654321"), ("Q-2", None, "905327654321"), ("Q-3", None, None),
    ]
    downgrade(fresh_database, "0008")
    assert "customer_email_key" not in {c["name"] for c in inspect(fresh_database.engine).get_columns("quotes")}


def test_existing_quotes_get_what_the_report_reads(fresh_database):
    # Migration 0014 (reports): the clinics' date of creation, the acceptance moment from the activity,
    # the newest revision's manual discount, areas and campaigns, and the payments net of refunds.
    import json
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import text

    from quoteapi.adapters import clock
    from tests.days import TODAY

    upgrade(fresh_database, "0013")
    created = clock.start_of(TODAY) + timedelta(minutes=30)  # 00:30 at the clinics: the day before in UTC
    accepted = created + timedelta(days=2, hours=3)
    estimate = {"lines": [{"kind": "area", "amount": "900.00"}, {"kind": "manual_discount", "amount": "-45.50"}],
                "applied_campaigns": ["WINTER", "WINTER", "FRIEND"]}
    inputs = {"areas": [{"code": "face"}, {"code": "neck"}, {"code": "face"}]}
    with fresh_database.engine.begin() as conn:
        for number, status in (("Q-1", "accepted"), ("Q-2", "new")):
            conn.execute(text(
                "INSERT INTO quotes (number, source, status, clinic, customer_name, created_at, revision, valid_until,"
                " eligibility_status, currency, total) VALUES (:n, 'staff', :s, 'c', 'n', :at, 2, :day, 'ok', 'TRY', 854.50)"
            ), {"n": number, "s": status, "at": created, "day": TODAY})
        ids = dict(conn.execute(text("SELECT number, id FROM quotes")).all())
        for revision, lines in ((1, {"lines": [], "applied_campaigns": []}), (2, estimate)):
            conn.execute(text(
                "INSERT INTO quote_revisions (quote_id, revision, price_list_version, inputs, estimate, valid_until,"
                " created_at, created_by) VALUES (:q, :r, 1, :i, :e, :day, :at, :by)"
            ), {"q": ids["Q-1"], "r": revision, "i": json.dumps(inputs), "e": json.dumps(lines), "day": TODAY,
                "at": created, "by": f"user{revision}"})
        conn.execute(text(
            "INSERT INTO quote_revisions (quote_id, revision, price_list_version, inputs, estimate, valid_until, created_at)"
            " VALUES (:q, 2, 1, :i, :e, :day, :at)"
        ), {"q": ids["Q-2"], "i": json.dumps({"areas": [{"code": "hands"}]}), "e": json.dumps({"lines": []}),
            "day": TODAY, "at": created})
        conn.execute(text(
            "INSERT INTO quote_activity (quote_id, at, kind, text, \"values\") VALUES (:q, :at, 'status', 'x', :v)"
        ), {"q": ids["Q-1"], "at": accepted, "v": json.dumps({"before": "sent", "after": "accepted"})})
        for kind, amount in (("payment", "500.00"), ("refund", "120.25")):
            conn.execute(text(
                "INSERT INTO payments (quote_id, kind, amount, method, received_on, created_at)"
                " VALUES (:q, :k, :a, 'cash', :day, :at)"), {"q": ids["Q-1"], "k": kind, "a": amount, "day": TODAY, "at": created})
    upgrade(fresh_database, "0014")
    with fresh_database.engine.connect() as conn:
        q1, q2 = conn.execute(text(
            "SELECT created_on, accepted_at, manual_discount, discount_by, paid FROM quotes ORDER BY number")).all()
        areas = sorted(conn.execute(text("SELECT quote_id, code, created_on FROM quote_areas")).all())
        campaigns = sorted(conn.execute(text("SELECT quote_id, code FROM quote_campaigns")).all())
    at = q1[1] if isinstance(q1[1], datetime) else datetime.fromisoformat(q1[1])
    assert str(q1[0])[:10] == TODAY.isoformat() and (at.replace(tzinfo=UTC) if at.tzinfo is None else at) == accepted
    assert (float(q1[2]), q1[3], float(q1[4])) == (45.5, "user2", 379.75)
    assert (str(q2[0])[:10], q2[1], q2[2], q2[3], q2[4]) == (TODAY.isoformat(), None, None, None, None)
    assert [(q, c) for q, c, _ in areas] == [(ids["Q-1"], "face"), (ids["Q-1"], "neck"), (ids["Q-2"], "hands")]
    assert {str(on)[:10] for _, _, on in areas} == {TODAY.isoformat()}
    assert campaigns == [(ids["Q-1"], "FRIEND"), (ids["Q-1"], "WINTER")]
    # Migration 0016: the codes kept on the quote, sorted, and the two tables gone; back down, the tables again.
    upgrade(fresh_database)
    with fresh_database.engine.connect() as conn:
        codes = conn.execute(text("SELECT number, area_codes, campaign_codes FROM quotes ORDER BY number")).all()
    assert [tuple(c) for c in codes] == [("Q-1", "face,neck", "FRIEND,WINTER"), ("Q-2", "hands", None)]
    assert {"quote_areas", "quote_campaigns"} & set(inspect(fresh_database.engine).get_table_names()) == set()
    # SQLite's batch mode copies the quotes table to drop columns, which its foreign keys refuse while rows
    # point at it (so for every migration that drops a quotes column): the children go first.
    with fresh_database.engine.begin() as conn:
        for table in ("payments", "quote_activity", "quote_revisions"):
            conn.execute(text(f"DELETE FROM {table}"))
    downgrade(fresh_database, "0015")
    with fresh_database.engine.begin() as conn:
        assert sorted(conn.execute(text("SELECT quote_id, code FROM quote_areas")).all()) == [
            (ids["Q-1"], "face"), (ids["Q-1"], "neck"), (ids["Q-2"], "hands")]
        for table in ("quote_areas", "quote_campaigns"):
            conn.execute(text(f"DELETE FROM {table}"))
    downgrade(fresh_database, "0012")
    assert "accepted_at" not in {c["name"] for c in inspect(fresh_database.engine).get_columns("quotes")}
