"""Log lines keep no personal data: database errors' quoted rows and parameters, query-string values."""

from __future__ import annotations

import logging
import sys

import pytest
from sqlalchemy.exc import IntegrityError

from config.gunicorn_logging import redact_query, redact_uri
from quoteapi.adapters.logs import PrivateFormatter

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

NAME = "Zübeyde Planted"


def test_database_errors_are_logged_without_the_rows_and_parameters_they_quote():
    error = IntegrityError(
        "INSERT INTO quotes (customer_name, notes) VALUES (%(name)s, %(notes)s)",
        {"name": NAME, "notes": "pregnant, age 47"},
        Exception(f'new row for relation "quotes" violates check constraint\nDETAIL:  Failing row contains (1, {NAME}, 47).'),
    )
    try:
        raise error
    except IntegrityError:
        record = logging.LogRecord("quoteapi", logging.ERROR, __file__, 1, "unhandled error on %s %s",
                                   ("POST", "/api/v1/quotes"), sys.exc_info())
    line = PrivateFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert "unhandled error on POST /api/v1/quotes" in line and "violates check constraint" in line
    assert "DETAIL: [withheld: may hold personal data]" in line and "[parameters: [withheld" in line
    assert NAME not in line and "age 47" not in line and "pregnant" not in line


def test_query_values_outside_the_filters_are_redacted():
    assert redact_query("") == ""
    assert redact_query("q=Z%C3%BCbeyde+Planted&status=new&limit=20") == "q=[redacted]&status=new&limit=20"
    assert redact_query("email=a%40example.com&lang=en") == "email=[redacted]&lang=en"
    assert redact_query("phone=%2B90+555&flag") == "phone=[redacted]&flag"
    assert redact_query("Z%C3%BCbeyde=1&a%40b.com") == "[redacted]&[redacted]"
    assert redact_uri("/api/v1/admin/customers?email=a%40example.com") == "/api/v1/admin/customers?email=[redacted]"
    assert redact_uri("/api/v1/quotes/Q-2026-000001") == "/api/v1/quotes/Q-2026-000001"
