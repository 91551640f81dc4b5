"""Schemathesis in stateful mode: sequences of calls that follow the description's links."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from quoteapi import create_app
from quoteapi.adapters.db.migrate import upgrade
from quoteapi.services import price_lists, users

from ..conftest import TEST_SETTINGS, TODAY, empty
from .test_fuzz_openapi import assert_no_server_error

# Reads no date: left out of make test's second run at a moved moment (tests/moment.py).
pytestmark = pytest.mark.clockless

_DIR = Path(tempfile.mkdtemp(prefix="quoteapi-stateful-"))
APP = create_app(
    {"DATABASE_URL": f"sqlite:///{_DIR / 'stateful.sqlite3'}", **TEST_SETTINGS},
    environ={"QUOTEAPI_ENV": "testing"},
)
CTX = APP.extensions["quoteapi"]
CTX.clock = lambda: TODAY
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)
upgrade(CTX.database)


ANSWERS: list[tuple[str, int]] = []


class Machine(schema.as_state_machine()):
    token: str = ""

    def setup(self) -> None:
        # Every sequence starts from the same database, so that Hypothesis replays it exactly.
        empty(CTX.database)
        price_lists.seed_demo(CTX)
        Machine.token = users.create_user(CTX, "fuzzer", "admin").token

    def get_call_kwargs(self, case):
        return {"headers": {"Authorization": f"Bearer {self.token}"}}

    def after_call(self, response, case):
        ANSWERS.append((f"{case.method} {case.path}", response.status_code))

    def validate_response(self, response, case, **kwargs):
        assert_no_server_error(case, response)
        case.validate_response(response, checks=[response_schema_conformance])


def test_sequences_of_calls_never_make_a_server_error():
    ANSWERS.clear()
    Machine.run(settings=settings(max_examples=60, stateful_step_count=8, deadline=None,
                                  suppress_health_check=list(HealthCheck)))
    # The sequences followed links: items, users, versions or quotes that only a previous
    # answer named were reached (and written to with the ETag that answer gave).
    succeeded = {call for call, status in ANSWERS if status < 300}
    linked = {call for call in succeeded if call.endswith(("{code}", "{name}", "{version}", "{number}"))}
    assert len(linked) >= 2, sorted(succeeded)
