"""Replaying stored revisions: GET .../revisions/{n}/verify and `quoteapi quotes verify`."""

from __future__ import annotations

from sqlalchemy import select

from quoteapi.adapters.db import QuoteRevision

from ..conftest import TODAY

BODY = {
    "clinic": "ist-kadikoy",
    "areas": [{"code": "face"}, {"code": "neck"}],
    "products": ["hyaluronic-acid"],
    "specialist_level": "nurse",
    "sessions": 4,
    "customer": {"name": "Replay Test", "email": "replay@example.com"},
}


def make_quote(client, headers) -> str:
    r = client.post("/api/v1/quotes", json=BODY, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["number"]


def test_a_stored_revision_replays_to_the_same_figures(client, sales_headers):
    number = make_quote(client, sales_headers)
    r = client.get(f"/api/v1/quotes/{number}/revisions/1/verify", headers=sales_headers)
    assert r.status_code == 200
    assert r.get_json() == {"matches": True, "differences": []}


def test_a_changed_figure_is_reported_by_field(client, sales_headers, database, app):
    number = make_quote(client, sales_headers)
    with database.transaction() as session:
        row = session.scalars(select(QuoteRevision)).one()
        stored = dict(row.estimate)
        true_total = stored["total"]
        stored["total"] = "1.00"
        stored["lines"] = [dict(stored["lines"][0], amount="2.00"), *stored["lines"][1:]]
        row.estimate = stored
    answer = client.get(f"/api/v1/quotes/{number}/revisions/1/verify", headers=sales_headers).get_json()
    assert answer["matches"] is False
    assert {"field": "total", "stored": "1.00", "replayed": true_total} in answer["differences"]
    assert [d["field"] for d in answer["differences"]] == ["lines.0.amount", "total"]

    result = app.test_cli_runner().invoke(args=["quotes", "verify"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == "1 revisions checked, 1 differ"
    assert f"{number} revision 1:" in result.output and "total: stored '1.00'" in result.output


def test_verify_needs_an_existing_revision(client, sales_headers):
    number = make_quote(client, sales_headers)
    assert client.get(f"/api/v1/quotes/{number}/revisions/2/verify", headers=sales_headers).status_code == 404
    assert client.get(f"/api/v1/quotes/Q-{TODAY.year}-999999/revisions/1/verify", headers=sales_headers).status_code == 404


def test_the_cli_check_passes_on_a_clean_database(client, sales_headers, app):
    for _ in range(3):
        make_quote(client, sales_headers)
    result = app.test_cli_runner().invoke(args=["quotes", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "3 revisions checked, 0 differ"
