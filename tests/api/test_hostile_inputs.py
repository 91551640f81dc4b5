"""Hostile and careless inputs: each is a clear 4xx problem, changes nothing and never a 500.

The record of what was tried, and why, is in docs/security.md. These run in
every `make test` (marker `hostile`, not skipped by default).
"""

from __future__ import annotations

import base64
import csv
import io
import time
from datetime import date, timedelta

import pytest

from quoteapi.interface.schemas.fields import FIRST_DAY
from quoteapi.services import users

from ..bodies import QUOTE, QUOTE_REQUEST, SIMPLE_ESTIMATE
from ..conftest import token_for

pytestmark = pytest.mark.hostile
A = "/api/v1/admin"


def is_problem(r, status: int) -> dict:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.content_type == "application/problem+json"
    body = r.get_json()
    assert body["status"] == status and body["detail"]
    return body


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# The first day there is, and the day before the first a day field accepts (fields.FIRST_DAY, 2000-01-01).
FIRST_EVER, BEFORE_THE_FIRST = date.min.isoformat(), (FIRST_DAY - timedelta(days=1)).isoformat()


@pytest.mark.parametrize("start", ["9998-06-01", "9999-12-31", FIRST_EVER, BEFORE_THE_FIRST])
def test_dates_far_away_are_refused(client, start):
    body = is_problem(client.post("/api/v1/estimates", json={**SIMPLE_ESTIMATE, "start_date": start}), 422)
    assert list(body["errors"]) == ["start_date"]


@pytest.mark.parametrize("query", ["created_to=9999-12-31", f"created_from={FIRST_EVER}", "follow_up_due=9999-12-31"])
def test_date_filters_are_bounded(client, sales_headers, query):
    is_problem(client.get(f"/api/v1/quotes?{query}", headers=sales_headers), 422)


@pytest.mark.parametrize("value", ["q:9223372036854775808", "q:-1", "q:0", "q:1e5", "q:٣", "q:" + "9" * 5000, "a:1"])
def test_rebuilt_cursors_are_refused(client, sales_headers, admin_headers, value):
    body = is_problem(client.get(f"/api/v1/quotes?cursor={cursor(value)}", headers=sales_headers), 422)
    assert list(body["errors"]) == ["cursor"]
    audit = value.replace("q:", "a:") if value != "a:1" else "q:1"
    is_problem(client.get(f"{A}/audit-log?cursor={cursor(audit)}", headers=admin_headers), 422)


@pytest.mark.parametrize("field, value", [("consent", "true"), ("consent", 1), ("consent", "yes"), ("consent", False)])
def test_consent_is_json_true_and_nothing_else(client, field, value):
    body = is_problem(client.post("/api/v1/quote-requests", json={**QUOTE_REQUEST, field: value}), 422)
    assert list(body["errors"]) == [field]


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, "false"])
def test_health_answers_are_json_booleans(client, value):
    body = is_problem(client.post("/api/v1/estimates", json={**SIMPLE_ESTIMATE, "client": {"pregnant": value}}), 422)
    assert list(body["errors"]) == ["client.pregnant"]


def test_a_name_of_spaces_is_no_name(client, sales_headers):
    body = is_problem(client.post("/api/v1/quotes", json={**QUOTE, "customer": {"name": "   ", "email": "a@example.com"}},
                                  headers=sales_headers), 422)
    assert "customer.name" in body["errors"]
    assert client.get("/api/v1/quotes", headers=sales_headers).get_json()["items"] == []


def test_an_empty_patch_is_refused(client, sales_headers):
    number = client.post("/api/v1/quotes", json=QUOTE, headers=sales_headers).get_json()["number"]
    is_problem(client.patch(f"/api/v1/quotes/{number}", json={}, headers=sales_headers), 422)
    assert client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()["activity"][1:] == []


def test_the_last_admin_cannot_be_revoked(client, ctx, admin_headers):
    body = is_problem(client.delete(f"{A}/users/ada", headers=admin_headers), 409)
    assert "name" in body["errors"]
    assert client.get(f"{A}/users", headers=admin_headers).status_code == 200  # still in
    token_for(ctx, "bob", "admin")
    assert client.delete(f"{A}/users/ada", headers=admin_headers).status_code == 204
    with pytest.raises(Exception) as caught:
        users.revoke_user(ctx, "bob")
    assert type(caught.value).__name__ == "Conflict"


def _csv(client, headers) -> tuple[str, str]:
    r = client.get(f"{A}/price-list", headers={**headers, "Accept": "text/csv"})
    return r.get_data(as_text=True), r.headers["ETag"]


def _with_cell(text: str, section: str, code: str, column: str, value: str) -> str:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    next(r for r in rows if r["section"] == section and r["code"] == code)[column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("value", ["²", "①", "٣", "9" * 5000, "1e3", "12.5"])
def test_spreadsheet_numbers_are_plain_digits(client, admin_headers, value):
    text, etag = _csv(client, admin_headers)
    broken = _with_cell(text, "area", "scalp", "size_cm2", value)
    r = client.put(f"{A}/price-list", data=broken, content_type="text/csv", headers={**admin_headers, "If-Match": etag})
    body = is_problem(r, 422)
    assert all(key.startswith("row ") and key.endswith(".size_cm2") for key in body["errors"])
    assert client.get(f"{A}/price-list", headers=admin_headers).get_json()["version"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
        "currency: " + "9" * 5000 + "\n",
        "[" * 10000 + "]" * 10000,
        "{a: " * 5000 + "1" + "}" * 5000,
    ],
    ids=["alias-bomb", "huge-number", "deep-list", "deep-map"],
)
def test_hostile_yaml_is_refused_at_once(client, admin_headers, text):
    started = time.monotonic()
    r = client.put(f"{A}/price-list", data=text, content_type="application/yaml", headers={**admin_headers, "If-Match": '"pl-1"'})
    assert time.monotonic() - started < 5  # not a worker busy for 30 s
    assert r.status_code in (400, 422) and r.content_type == "application/problem+json"
    assert client.get(f"{A}/price-list", headers=admin_headers).get_json()["version"] == 1


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example","x")', "@SUM(1+1)", "+1+1", "-2+3", "'=already quoted"])
def test_exported_spreadsheets_never_run_formulas_and_round_trip(client, admin_headers, name):
    etag = client.get(f"{A}/areas/face", headers=admin_headers).headers["ETag"]
    assert client.patch(f"{A}/areas/face", json={"name": name}, headers={**admin_headers, "If-Match": etag}).status_code == 200
    text, etag = _csv(client, admin_headers)
    face = next(r for r in csv.DictReader(io.StringIO(text)) if r["section"] == "area" and r["code"] == "face")
    assert face["name"] == "'" + name
    yaml_text = client.get(f"{A}/price-list", headers={**admin_headers, "Accept": "application/yaml"}).get_data(as_text=True)
    assert f"'{name}" in yaml_text.replace("''", "'")
    for body, kind in ((text, "text/csv"), (yaml_text, "application/yaml")):
        r = client.put(f"{A}/price-list", data=body, content_type=kind, headers={**admin_headers, "If-Match": etag})
        assert r.status_code == 200 and r.get_json()["version"] == 2  # nothing changed: the name came back as it was
    assert client.get(f"{A}/areas/face", headers=admin_headers).get_json()["name"] == name


@pytest.mark.parametrize("text", ["section,code\n" + "a" * 200_000 + "\n", "section\r\nx\ry,z\n"], ids=["huge-cell", "bare-cr"])
def test_csv_the_csv_module_cannot_read_is_a_422(client, admin_headers, text):
    r = client.put(f"{A}/price-list", data=text, content_type="text/csv", headers={**admin_headers, "If-Match": '"pl-1"'})
    body = is_problem(r, 422)
    assert "_body" in body["errors"]
