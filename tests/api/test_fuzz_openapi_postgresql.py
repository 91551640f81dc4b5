"""Schemathesis over the whole description against PostgreSQL: never a 5xx.

PostgreSQL refuses what SQLite stores (a NUL byte in a text, an integer past
64 bits), so the fuzzing of test_fuzz_openapi.py runs here again on the
throw-away cluster. The app is built at import on a URL it never connects to
(schemathesis reads the description at import); the module fixture points it
at the cluster's database and opens its state anew.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from quoteapi import create_app
from quoteapi.adapters.db.migrate import upgrade
from quoteapi.app import open_state
from quoteapi.services import price_lists, users

from ..conftest import TEST_SETTINGS
from .test_fuzz_openapi import assert_no_server_error

APP = create_app(
    {"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/not-yet", **TEST_SETTINGS},
    environ={"QUOTEAPI_ENV": "testing"},
)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)

pytestmark = pytest.mark.postgresql


@pytest.fixture(scope="module")
def admin_token(pg_cluster):
    APP.config["DATABASE_URL"] = pg_cluster.create_database("quoteapi_fuzz")
    open_state(APP)
    ctx = APP.extensions["quoteapi"]
    upgrade(ctx.database)
    price_lists.seed_demo(ctx)
    yield users.create_user(ctx, "fuzzer", "admin").token
    ctx.database.dispose()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error_on_postgresql(case, admin_token):
    response = case.call(headers={"Authorization": f"Bearer {admin_token}"})
    assert_no_server_error(case, response)
    case.validate_response(response, checks=[response_schema_conformance])
