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
