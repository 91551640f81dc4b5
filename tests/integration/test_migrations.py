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
