"""Alembic, driven from code so that ``quoteapi db upgrade`` needs no alembic.ini."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from .database import Database


def alembic_config(database: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "quoteapi.adapters.db:migrations")
    cfg.attributes["engine"] = database.engine
    return cfg


def upgrade(database: Database, revision: str = "head") -> None:
    """Create or migrate the schema to ``revision``."""
    command.upgrade(alembic_config(database), revision)


def downgrade(database: Database, revision: str) -> None:
    command.downgrade(alembic_config(database), revision)
