"""Schemathesis fuzzes every operation of the OpenAPI description: never a 500.

It runs with an admin token so that the staff and admin operations are
exercised past authentication too. (The schema is loaded at import from an
app that touches no database until the module fixture prepares it:
schemathesis's lazy fixture loader does not work with pytest 9.)
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from quoteapi import create_app
from quoteapi.adapters.db.migrate import upgrade
from quoteapi.services import price_lists, users

from ..conftest import TEST_SETTINGS

# Reads no date: left out of make test's second run at a moved moment (tests/moment.py).
pytestmark = pytest.mark.clockless

_DIR = Path(tempfile.mkdtemp(prefix="quoteapi-fuzz-"))
APP = create_app(
    {"DATABASE_URL": f"sqlite:///{_DIR / 'fuzz.sqlite3'}", **TEST_SETTINGS},
    environ={"QUOTEAPI_ENV": "testing"},
)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def admin_token():
    database = APP.extensions["quoteapi"].database
    upgrade(database)
    price_lists.seed_demo(APP.extensions["quoteapi"])
    yield users.create_user(APP.extensions["quoteapi"], "fuzzer", "admin").token
    database.dispose()
    shutil.rmtree(_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error(case, admin_token):
    response = case.call(headers={"Authorization": f"Bearer {admin_token}"})
    assert_no_server_error(case, response)
    # Every answer, errors included, matches what the description documents.
    case.validate_response(response, checks=[response_schema_conformance])


def assert_no_server_error(case, response) -> None:
    """Schemathesis's not_a_server_error, plus the problem+json shape of every error."""
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} answered {response.status_code}: {response.text[:500]}"
    )
    if response.status_code >= 400:
        content_type = {k.lower(): v for k, v in response.headers.items()}["content-type"][0]
        assert content_type.startswith("application/problem+json"), (response.status_code, content_type)
        body = response.json()
        assert {"type", "title", "status", "detail", "errors"} <= set(body)
        assert body["status"] == response.status_code


def test_the_fuzzer_reaches_every_operation():
    operations = {f"{r.ok().method.upper()} {r.ok().path}" for r in schema.get_all_operations()}
    assert {"POST /api/v1/estimates", "GET /api/v1/catalog", "PUT /api/v1/admin/price-list"} <= operations


def test_the_description_links_operations_for_stateful_clients():
    described = APP.test_client().get("/api/openapi.json").get_json()["paths"]
    created = described["/api/v1/quotes"]["post"]["responses"]["201"]["links"]
    assert {"GetQuote", "PatchQuote", "AddNote", "ReviseQuote", "GetRevision"} <= set(created)
    patch = described["/api/v1/admin/areas"]["post"]["responses"]["201"]["links"]["PatchAdminArea"]
    assert patch["parameters"]["header.If-Match"] == "$response.header.ETag"
