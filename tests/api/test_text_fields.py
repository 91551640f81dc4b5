"""Text and numbers from outside: no control or bidi characters, ASCII digits only; log lines stay one line each.

PostgreSQL cannot store a NUL in text (it answered 500 where SQLite stored
it), a right-to-left override shows a name other than the one stored, and
``int("٥")`` is 5: every text field is one type (``schemas.fields.Text``)
that refuses the first two with a 422 naming the field, on both databases;
numbers take the digits 0-9 only. See docs/security.md.
"""

from __future__ import annotations

import logging
import sys

import pytest

from config.gunicorn_logging import PrivateAccessLogger
from quoteapi.adapters.logs import PrivateFormatter

from ..bodies import QUOTE, QUOTE_REQUEST, SIMPLE_ESTIMATE
from ..days import iso
from ..web.desk_helpers import csrf_token, staff

pytestmark = pytest.mark.hostile
A = "/api/v1/admin"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Ayşe\u202eredro" reads "Ayşe order"


def problem(r, status: int) -> dict:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.content_type == "application/problem+json"
    return r.get_json()


def stored(client, sales_headers) -> list:
    return client.get("/api/v1/quotes", headers=sales_headers).get_json()["items"]


@pytest.mark.parametrize("bad", ["W\u0000", "W\u0007", "a\nb", f"Ayşe{RLO}redro", "a\u2066b\u2069", "a\u200fb"])
def test_a_name_with_a_control_or_bidi_character_is_refused_and_nothing_is_stored(client, sales_headers, bad):
    body = problem(client.post("/api/v1/quote-requests", json={**QUOTE_REQUEST, "customer": {
        **QUOTE_REQUEST["customer"], "name": bad}}), 422)
    assert list(body["errors"]) == ["customer.name"]
    body = problem(client.post("/api/v1/quotes", json={**QUOTE, "customer": {**QUOTE["customer"], "name": bad}},
                               headers=sales_headers), 422)
    assert list(body["errors"]) == ["customer.name"]
    assert stored(client, sales_headers) == []


@pytest.mark.parametrize("field, value, path", [
    ("clinic", "ist-kadikoy\u0000", "clinic"),
    ("specialist_level", "a\u0000", "specialist_level"),
    ("coupon", "SPRING\u0000", "coupon"),
    ("coupon", f"SPR{RLO}ING", "coupon"),
    ("products", ["ha\u0000"], "products.0"),
    ("areas", [{"code": "neck\u0000"}], "areas.0.code"),
])
def test_every_text_of_an_estimate_refuses_a_nul(client, field, value, path):
    body = problem(client.post("/api/v1/estimates?lang=en", json={**SIMPLE_ESTIMATE, field: value}), 422)
    assert list(body["errors"]) == [path]
    assert body["errors"][path][0].startswith(("Control characters", "Invisible text-direction")), body["errors"]


@pytest.mark.parametrize("customer, path", [
    ({"name": "Ayşe", "email": "\"a\u0001b\"@example.com"}, "customer.email"),
    ({"name": "Ayşe", "email": f"a@exa{RLO}mple.com"}, "customer.email"),
])
def test_email_and_phone_refuse_control_and_bidi_characters(client, sales_headers, customer, path):
    body = problem(client.post("/api/v1/quotes", json={**QUOTE, "customer": customer}, headers=sales_headers), 422)
    assert list(body["errors"]) == [path]
    assert stored(client, sales_headers) == []


def test_notes_keep_their_lines_but_no_other_control_or_bidi_character(client, sales_headers):
    for bad in ("one\u0000", f"one{RLO}", "a\u001bb"):
        body = problem(client.post("/api/v1/quotes", json={**QUOTE, "notes": bad}, headers=sales_headers), 422)
        assert list(body["errors"]) == ["notes"]
    assert stored(client, sales_headers) == []
    r = client.post("/api/v1/quotes", json={**QUOTE, "notes": "Line one\r\n\tline two"}, headers=sales_headers)
    assert r.status_code == 201, r.get_data(as_text=True)
    number = r.get_json()["number"]
    body = problem(client.post(f"/api/v1/quotes/{number}/notes", json={"text": "x\u0000"}, headers=sales_headers), 422)
    assert list(body["errors"]) == ["text"]


@pytest.mark.parametrize("query, field", [("q=a%00b", "q"), ("q=a%E2%80%AEb", "q"), ("clinic=x%00", "clinic"),
                                          ("limit=%D9%A5", "limit"), ("limit=%EF%BC%95", "limit")])
def test_query_parameters_refuse_nul_bidi_and_foreign_digits(client, sales_headers, query, field):
    body = problem(client.get(f"/api/v1/quotes?{query}", headers=sales_headers), 422)
    assert list(body["errors"]) == [field]


def test_a_path_parameter_with_a_nul_or_foreign_digits_is_not_found(client, sales_headers, admin_headers):
    r = client.post("/api/v1/quotes", json=QUOTE, headers=sales_headers)
    number = r.get_json()["number"]
    year = number[:7]  # "Q-YYYY-": the example, a NUL in place of the number's first digit
    for path in (f"/api/v1/quotes/{year}%0000001", f"/api/v1/quotes/{number}%00", f"/api/v1/quotes/{number}%E2%80%AE",
                 f"/api/v1/quotes/{number}/revisions/%D9%A1", f"/api/v1/quotes/{number}/revisions/%D9%A1/verify"):
        problem(client.get(path, headers=sales_headers), 404)
    assert client.get(f"/api/v1/quotes/{number}/revisions/1", headers=sales_headers).status_code == 200
    for path in (f"{A}/areas/neck%00", f"{A}/price-list/versions/%D9%A1"):
        problem(client.get(path, headers=admin_headers), 404)
    problem(client.delete(f"{A}/users/sam%00", headers=admin_headers), 404)


def test_numbers_take_ascii_digits_only(client, admin_headers):
    body = problem(client.post("/api/v1/estimates", json={**SIMPLE_ESTIMATE, "areas": [{"code": "neck", "size_cm2": "٣٠٠"}]}), 422)
    assert list(body["errors"]) == ["areas.0.size_cm2"]
    etag = client.get(f"{A}/areas/neck", headers=admin_headers).headers["ETag"]
    for price in ("٢٥٠٠.00", "２５００.00"):
        body = problem(client.patch(f"{A}/areas/neck", json={"price": price}, headers={**admin_headers, "If-Match": etag}), 422)
        assert list(body["errors"]) == ["price"]
    assert client.get(f"{A}/areas/neck", headers=admin_headers).headers["ETag"] == etag


def test_price_list_names_and_user_names_refuse_control_and_bidi_characters(client, admin_headers):
    etag = client.get(f"{A}/areas/neck", headers=admin_headers).headers["ETag"]
    for name in ("Neck\u0000", f"Ne{RLO}ck"):
        body = problem(client.patch(f"{A}/areas/neck", json={"name": name}, headers={**admin_headers, "If-Match": etag}), 422)
        assert list(body["errors"]) == ["name"]
    for name in ("eve\n", "eve\u0000"):
        body = problem(client.post(f"{A}/users", json={"name": name, "role": "sales"}, headers=admin_headers), 422)
        assert list(body["errors"]) == ["name"]
    assert client.get(f"{A}/areas/neck", headers=admin_headers).headers["ETag"] == etag


def test_the_sign_in_form_refuses_a_nul_in_the_name(app, ctx):
    staff(ctx, "desk", "sales")
    client = app.test_client()
    token = csrf_token(client)
    for name in ("desk\u0000", f"de{RLO}sk"):
        r = client.post("/desk/sign-in", data={"name": name, "password": "x", "csrf_token": token})
        assert r.status_code == 422, r.get_data(as_text=True)[:300]
    assert client.get("/desk/quotes?q=a%00b").status_code == 422


def test_the_cli_takes_ascii_digits_only(app):
    result = app.test_cli_runner().invoke(
        args=["estimate", "--clinic", "ist-kadikoy", "--area", "neck", "--level", "aesthetician", "--sessions", "٣"])
    assert result.exit_code == 2 and "whole number" in result.output


def test_log_lines_escape_control_characters():
    formatter = PrivateFormatter("%(levelname)s %(name)s: %(message)s")
    forged = f"/x\n{iso(0)} 00:00:00 INFO quoteapi: admin signed in\r\x1b[2K\x00"
    record = logging.LogRecord("quoteapi", logging.ERROR, __file__, 1, "HTTP %s on %s %s", (500, "GET", forged), None)
    line = formatter.format(record)
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\x00" not in line
    assert line.endswith(f"/x\\x0a{iso(0)} 00:00:00 INFO quoteapi: admin signed in\\x0d\\x1b[2K\\x00")
    try:
        raise ValueError(f"no quote {forged}")
    except ValueError:
        record = logging.LogRecord("quoteapi", logging.ERROR, __file__, 1, "unhandled error on %s", ("GET",), sys.exc_info())
    text = formatter.format(record)
    lines = text.split("\n")
    assert lines[0] == "ERROR quoteapi: unhandled error on GET" and lines[1].startswith("Traceback")
    assert lines[-1].startswith(f"ValueError: no quote /x\\x0a{iso(0)}") and not any(line.startswith(iso(0)) for line in lines)


def test_access_log_lines_escape_control_characters():
    class Config:
        access_log_format = '%(h)s "%(r)s" %(s)s "%(a)s"'
        accesslog = errorlog = None
        loglevel = "info"
        syslog = False
        logconfig = logconfig_dict = logconfig_json = None
        capture_output = False
        user = group = 0
        umask = 0
        statsd_host = None
        dogstatsd_tags = ""
        statsd_prefix = ""

    logger = PrivateAccessLogger.__new__(PrivateAccessLogger)
    logger.cfg = Config()

    class Resp:
        status = "404 NOT FOUND"
        sent = 0
        headers = []
        response_length = 0

    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/x?q=1", "QUERY_STRING": "q=1", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "curl\x85forged"}

    class Req:
        headers = [("USER-AGENT", "curl\x85forged")]

    atoms = logger.atoms(Resp(), Req(), environ, _Elapsed())
    assert atoms["a"] == "curl\\x85forged" and atoms["r"] == "GET /x?q=[redacted] HTTP/1.1"


class _Elapsed:
    seconds, microseconds = 0, 1000

    def total_seconds(self) -> float:
        return 0.001
