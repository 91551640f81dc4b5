"""Fixtures shared by every test layer.

API and database tests run twice: on SQLite and on a throw-away PostgreSQL
cluster that the run starts itself (see ``tests/pg_cluster.py``).
"""

from __future__ import annotations

import threading
from typing import Any, Callable

import pytest
from flask import Flask
from sqlalchemy import delete

from quoteapi import create_app
from quoteapi.adapters.db import Base, Database
from quoteapi.adapters.db.migrate import upgrade
from quoteapi.app import open_state
from quoteapi.services import price_lists, users
from quoteapi.services.context import Context

# "Today" for the API and service tests: the clinics' date when the run starts
# (moved by ``--now``, tests/moment.py), pinned in the apps' contexts so that a
# run across midnight stays on one day. The demo list's campaigns are laid
# relative to it (services.price_lists.demo_document), so every date a test
# sends or expects is written relative to it too (tests/days.py), never as a calendar date.
from .days import TODAY

TEST_SETTINGS = {
    "TESTING": True,
    "PRICE_LIST_CHECK_SECONDS": 0.0,
    "PUBLIC_RATE_LIMIT": "none",
    "LOG_LEVEL": "WARNING",
}


@pytest.fixture(scope="session")
def pg_cluster():
    from .pg_cluster import PostgresUnavailable, ThrowawayCluster

    cluster = ThrowawayCluster()
    try:
        cluster.start()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL tests skipped: no PostgreSQL server binaries on this machine ({exc})")
    yield cluster
    cluster.stop()


@pytest.fixture(
    scope="session",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
    ],
)
def database_url(request, tmp_path_factory) -> str:
    """A migrated, empty database of each kind, shared by the session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'quoteapi.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database("quoteapi_api")
    database = Database(url)
    upgrade(database)
    database.dispose()
    return url


def empty(database: Database) -> None:
    with database.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))


# One app per database, built once: building the routes' URL builders and the
# OpenAPI description takes about half a second, more than most tests. Each
# test gets it back as new: the settings it was built with, and its state
# opened anew (``open_state``: a context with its own clock, price-list cache
# and connection pool, and fresh rate-limit counters).
_BUILT: dict[str, tuple[Flask, dict[str, Any]]] = {}


def _app_for(database_url: str) -> Flask:
    built = _BUILT.get(database_url)
    if built is None:
        app = create_app({"DATABASE_URL": database_url, **TEST_SETTINGS}, environ={"QUOTEAPI_ENV": "testing"})
        _BUILT[database_url] = (app, dict(app.config))
        return app
    app, settings = built
    app.config.clear()
    app.config.update(settings)
    open_state(app)
    return app


@pytest.fixture
def app(database_url):
    """An app on an emptied database holding the demo price list."""
    app = _app_for(database_url)
    ctx = app.extensions["quoteapi"]
    ctx.clock = lambda: TODAY
    empty(ctx.database)
    price_lists.seed_demo(ctx)
    yield app
    ctx.database.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app) -> Context:
    """The app's use-case context: what the views pass to the services."""
    return app.extensions["quoteapi"]


@pytest.fixture
def database(ctx) -> Database:
    return ctx.database


def token_for(ctx: Context, name: str, role: str) -> str:
    return users.create_user(ctx, name, role).token


@pytest.fixture
def admin_headers(ctx) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(ctx, 'ada', 'admin')}"}


@pytest.fixture
def sales_headers(ctx) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(ctx, 'sam', 'sales')}"}


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at the same moment; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
