"""Admin: items one at a time, version history, audit log, spreadsheets, users."""

from __future__ import annotations

import csv
import io

import pytest
import yaml

from quoteapi.services import price_lists

from ..bodies import SIMPLE_ESTIMATE
from ..conftest import run_together, TODAY
from ..days import iso

A = "/api/v1/admin"
NEW = {
    "clinics": {"code": "izm-alsancak", "name": "Izmir Alsancak", "city": "Izmir", "price_factor": "0.95", "tax_rate": "0.20", "prices_include_tax": True},
    "areas": {"code": "arms", "name": "Upper arms", "size_cm2": 700, "price": "3300.00", "extra_cm2_price": "1.50"},
    "products": {"code": "gold", "name": "Gold serum", "price": "1800.00"},
    "specialist-levels": {"code": "professor", "name": "Professor", "multiplier": "1.75"},
    "campaigns": {"code": "SPRING", "name": "Spring", "starts_on": iso(90), "ends_on": iso(181), "clinics": [],
                  "min_sessions": 3, "required_areas": [], "coupon": None, "stackable": True, "priority": 5,
                  "benefit": {"type": "percent", "value": "5"}},
    "concerns": {"code": "redness", "name": "Redness", "products": ["hyaluronic-acid"], "maintenance_per_year": 1,
                 "severities": {"mild": {"sessions_min": 1, "sessions_max": 2, "recommended": 2},
                                "moderate": {"sessions_min": 3, "sessions_max": 4, "recommended": 3},
                                "pronounced": {"sessions_min": 4, "sessions_max": 6, "recommended": 5}}},
}
CHANGE = {"clinics": {"price_factor": "1.25"}, "areas": {"price": "3400.00"}, "products": {"price": "1900.00"},
          "specialist-levels": {"multiplier": "1.80"}, "campaigns": {"ends_on": iso(211)},
          "concerns": {"maintenance_per_year": 2}}


def version(client, headers) -> int:
    return client.get(f"{A}/price-list", headers=headers).get_json()["version"]


@pytest.mark.parametrize("kind", list(NEW))
def test_item_lifecycle(client, admin_headers, kind):
    listed = client.get(f"{A}/{kind}", headers=admin_headers).get_json()
    assert listed["version"] == 1 and listed["items"]
    created = client.post(f"{A}/{kind}", json=NEW[kind], headers=admin_headers)
    assert created.status_code == 201, created.get_json()
    code = NEW[kind]["code"]
    assert created.headers["Location"] == f"{A}/{kind}/{code}"
    # A campaign is read and written with its uses (accepted quotes carrying it; not part of the document):
    # 0 for a new one, not null (issue 31).
    expected = {**NEW[kind], "uses": 0} if kind == "campaigns" else NEW[kind]
    assert created.get_json() == expected
    assert version(client, admin_headers) == 2
    read = client.get(f"{A}/{kind}/{code}", headers=admin_headers)
    assert read.get_json() == expected and read.headers["ETag"] == created.headers["ETag"]
    etag = read.headers["ETag"]
    assert client.patch(f"{A}/{kind}/{code}", json=CHANGE[kind], headers=admin_headers).status_code == 428
    changed = client.patch(f"{A}/{kind}/{code}", json=CHANGE[kind], headers={**admin_headers, "If-Match": etag})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json() == {**expected, **CHANGE[kind]}
    assert changed.headers["ETag"] != etag
    stale = client.patch(f"{A}/{kind}/{code}", json=CHANGE[kind], headers={**admin_headers, "If-Match": etag})
    assert stale.status_code == 412
    assert client.delete(f"{A}/{kind}/{code}", headers=admin_headers).status_code == 428
    assert client.delete(f"{A}/{kind}/{code}", headers={**admin_headers, "If-Match": etag}).status_code == 412
    gone = client.delete(f"{A}/{kind}/{code}", headers={**admin_headers, "If-Match": changed.headers["ETag"]})
    assert gone.status_code == 204
    assert client.get(f"{A}/{kind}/{code}", headers=admin_headers).status_code == 404
    assert version(client, admin_headers) == 4
    summaries = [v["summary"] for v in client.get(f"{A}/price-list/versions", headers=admin_headers).get_json()]
    key = kind.replace("-", "_")
    assert summaries[:3] == [f"{key}.{code} removed", summaries[1], f"{key}.{code} added"]
    assert summaries[1].startswith(f"{key}.{code}.")


def test_adding_an_existing_code_is_409(client, admin_headers):
    r = client.post(f"{A}/areas", json={**NEW["areas"], "code": "face"}, headers=admin_headers)
    assert r.status_code == 409 and version(client, admin_headers) == 1


def test_a_code_cannot_change(client, admin_headers):
    etag = client.get(f"{A}/areas/neck", headers=admin_headers).headers["ETag"]
    r = client.patch(f"{A}/areas/neck", json={"code": "nape"}, headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 422 and "code" in r.get_json()["errors"]


@pytest.mark.parametrize(
    ("kind", "body", "fields"),
    [
        ("areas", {**NEW["areas"], "price": "3300.001", "size_cm2": 0}, {"price", "size_cm2"}),
        ("specialist-levels", {**NEW["specialist-levels"], "multiplier": "0.90"}, {"multiplier"}),
        ("campaigns", {**NEW["campaigns"], "required_areas": ["elbow"]}, {"campaigns.5.required_areas.0"}),
        ("campaigns", {**NEW["campaigns"], "ends_on": iso(31)}, {"campaigns.5.ends_on"}),
        ("clinics", {**NEW["clinics"], "tax_rate": "1.5", "code": "Bad Code"}, {"tax_rate", "code"}),
    ],
)
def test_items_are_checked_with_the_whole_document(client, admin_headers, kind, body, fields):
    r = client.post(f"{A}/{kind}", json=body, headers=admin_headers)
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == fields
    assert version(client, admin_headers) == 1


@pytest.mark.parametrize(("kind", "code", "campaign"), [("areas", "face", "NEW-YEAR-GLOW"), ("clinics", "ank-cankaya", "ANKARA-4FOR3")])
def test_deleting_an_item_a_campaign_names_says_which(client, admin_headers, kind, code, campaign):
    etag = client.get(f"{A}/{kind}/{code}", headers=admin_headers).headers["ETag"]
    r = client.delete(f"{A}/{kind}/{code}", headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 422
    assert campaign in r.get_json()["detail"]
    assert client.get(f"{A}/{kind}/{code}", headers=admin_headers).status_code == 200


def test_item_changes_reach_estimates(client, admin_headers):
    etag = client.get(f"{A}/areas/neck", headers=admin_headers).headers["ETag"]
    client.patch(f"{A}/areas/neck", json={"price": "2500.00"}, headers={**admin_headers, "If-Match": etag})
    e = client.post("/api/v1/estimates", json=SIMPLE_ESTIMATE).get_json()
    assert e["total"] == "2500.00" and e["price_list_version"] == 2


def test_editing_different_items_from_old_reads_both_succeed(client, admin_headers):
    neck = client.get(f"{A}/areas/neck", headers=admin_headers).headers["ETag"]
    hands = client.get(f"{A}/areas/hands", headers=admin_headers).headers["ETag"]
    assert client.patch(f"{A}/areas/neck", json={"price": "2300.00"}, headers={**admin_headers, "If-Match": neck}).status_code == 200
    assert client.patch(f"{A}/areas/hands", json={"price": "1900.00"}, headers={**admin_headers, "If-Match": hands}).status_code == 200
    doc = client.get(f"{A}/price-list", headers=admin_headers).get_json()
    prices = {a["code"]: a["price"] for a in doc["areas"]}
    assert (prices["neck"], prices["hands"], doc["version"]) == ("2300.00", "1900.00", 3)


def test_two_admins_editing_one_item_from_one_etag(app, admin_headers):
    client = app.test_client()
    etag = client.get(f"{A}/products/prp", headers=admin_headers).headers["ETag"]
    def edit(new_price: str):
        r = app.test_client().patch(f"{A}/products/prp", json={"price": new_price}, headers={**admin_headers, "If-Match": etag})
        return new_price, r.status_code

    results = dict(run_together(lambda: edit("2600.00"), lambda: edit("2700.00")))
    assert sorted(results.values()) == [200, 412]
    winner = next(p for p, status in results.items() if status == 200)
    assert client.get(f"{A}/products/prp", headers=admin_headers).get_json()["price"] == winner
    assert version(client, admin_headers) == 2


def test_any_version_can_be_read_in_full(client, admin_headers):
    etag = client.get(f"{A}/products/prp", headers=admin_headers).headers["ETag"]
    client.patch(f"{A}/products/prp", json={"price": "2600.00"}, headers={**admin_headers, "If-Match": etag})
    first = client.get(f"{A}/price-list/versions/1", headers=admin_headers).get_json()
    second = client.get(f"{A}/price-list/versions/2", headers=admin_headers).get_json()
    assert first["version"] == 1 and first["created_by"] == "seed-demo"
    assert {p["code"]: p["price"] for p in first["products"]}["prp"] == "2500.00"
    assert {p["code"]: p["price"] for p in second["products"]}["prp"] == "2600.00"
    assert second["summary"] == "products.prp.price 2500.00 → 2600.00" and second["created_by"] == "ada"
    assert client.get(f"{A}/price-list/versions/3", headers=admin_headers).status_code == 404


# --- audit log ------------------------------------------------------------------------


def test_audit_log_records_prices_users_and_quote_statuses(client, admin_headers):
    etag = client.get(f"{A}/areas/neck", headers=admin_headers).headers["ETag"]
    client.patch(f"{A}/areas/neck", json={"price": "2300.00"}, headers={**admin_headers, "If-Match": etag})
    created = client.post(f"{A}/users", json={"name": "sara", "role": "sales"}, headers=admin_headers)
    token = created.get_json()["token"]
    quote = client.post("/api/v1/quotes", json={"clinic": "ist-kadikoy", "areas": [{"code": "face"}], "specialist_level": "nurse",
                                               "sessions": 1, "customer": {"name": "Ali", "email": "ali@example.com"}},
                        headers={"Authorization": f"Bearer {token}"}).get_json()
    client.patch(f"/api/v1/quotes/{quote['number']}", json={"status": "sent"}, headers={"Authorization": f"Bearer {token}"})
    client.delete(f"{A}/users/sara", headers=admin_headers)

    entries = client.get(f"{A}/audit-log", headers=admin_headers).get_json()["items"]
    seen = [(e["kind"], e["action"], e["actor"]) for e in entries]
    assert seen[:4] == [("user", "revoke", "ada"), ("quote", "status", "sara"), ("user", "create", "ada"), ("price_list", "update", "ada")]
    price = entries[3]
    assert price["before"] == {"areas.neck.price": "2200.00"} and price["after"] == {"areas.neck.price": "2300.00"}
    assert price["subject"] == "areas.neck (version 2)"
    assert entries[1]["subject"] == quote["number"]
    assert entries[1]["before"] == {"status": "new"} and entries[1]["after"] == {"status": "sent"}
    assert entries[0]["before"]["active"] is True and entries[0]["after"]["active"] is False
    assert all(e["at"].endswith("+00:00") for e in entries)

    only_quotes = client.get(f"{A}/audit-log?kind=quote", headers=admin_headers).get_json()["items"]
    assert [e["kind"] for e in only_quotes] == ["quote"]
    assert client.get(f"{A}/audit-log?kind=nonsense", headers=admin_headers).status_code == 422
    assert client.get(f"{A}/audit-log?since={TODAY.year + 5}-01-01T00:00:00%2B00:00", headers=admin_headers).get_json()["items"] == []
    assert client.get(f"{A}/audit-log?since=yesterday", headers=admin_headers).status_code == 422


def test_audit_log_pages(client, admin_headers):
    for i in range(5):
        client.post(f"{A}/users", json={"name": f"u{i}", "role": "sales"}, headers=admin_headers)
    seen, cursor = [], None
    while True:
        page = client.get(f"{A}/audit-log?limit=2" + (f"&cursor={cursor}" if cursor else ""), headers=admin_headers).get_json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) >= 7
    assert client.get(f"{A}/audit-log?cursor=garbage", headers=admin_headers).status_code == 422


def test_the_audit_log_cannot_be_changed_through_the_api(client, admin_headers):
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(f"{A}/audit-log", json={}, headers=admin_headers).status_code == 405


# --- spreadsheets ---------------------------------------------------------------------------


def edit_csv(text: str, section: str, code: str, **cells: str) -> str:
    """The CSV with some cells of one row changed, written as the API writes it."""
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    row = next(r for r in rows if r["section"] == section and r["code"] == code)
    row.update(cells)
    out = io.StringIO()
    writer = csv.DictWriter(out, reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_csv_round_trip_through_the_api(client, admin_headers, database, ctx):
    r = client.get(f"{A}/price-list", headers={**admin_headers, "Accept": "text/csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert {row["section"] for row in rows} == {"setting", "clinic", "area", "product", "specialist_level", "session_tier", "campaign", "concern"}
    face = next(row for row in rows if row["section"] == "area" and row["code"] == "face")
    assert face["price"] == "4000.00" and face["size_cm2"] == "600"
    put = client.put(f"{A}/price-list", data=r.get_data(), content_type="text/csv", headers={**admin_headers, "If-Match": r.headers["ETag"]})
    assert put.status_code == 200 and put.get_json()["version"] == 1  # the same content: no new version
    edited = edit_csv(r.get_data(as_text=True), "area", "face", price="4100.00")
    assert edited != r.get_data(as_text=True)
    put = client.put(f"{A}/price-list", data=edited, content_type="text/csv", headers={**admin_headers, "If-Match": r.headers["ETag"]})
    assert put.status_code == 200 and put.get_json()["version"] == 2
    assert price_lists.get_document(ctx).document["areas"][0]["price"] == "4100.00"


def test_csv_errors_name_every_bad_row_and_cell(client, admin_headers):
    r = client.get(f"{A}/price-list", headers={**admin_headers, "Accept": "text/csv"})
    text = r.get_data(as_text=True)
    lines = text.splitlines()
    face_row = next(i for i, line in enumerate(lines, start=1) if line.startswith("area,face,"))
    neck_row = next(i for i, line in enumerate(lines, start=1) if line.startswith("area,neck,"))
    broken = edit_csv(edit_csv(text, "area", "face", price="4000.005"), "area", "neck", size_cm2="-1", price="abc")
    broken += "gadget,x\n"
    put = client.put(f"{A}/price-list", data=broken, content_type="text/csv", headers={**admin_headers, "If-Match": r.headers["ETag"]})
    assert put.status_code == 422
    errors = put.get_json()["errors"]
    assert set(errors) == {f"row {len(lines) + 1}.section"}  # rows it cannot place come first
    put = client.put(f"{A}/price-list", data=broken.replace("gadget,x\n", ""), content_type="text/csv", headers={**admin_headers, "If-Match": r.headers["ETag"]})
    errors = put.get_json()["errors"]
    assert {f"row {face_row}.price", f"row {neck_row}.size_cm2", f"row {neck_row}.price"} == set(errors)
    assert version(client, admin_headers) == 1


def test_yaml_round_trip_through_the_api(client, admin_headers):
    r = client.get(f"{A}/price-list", headers={**admin_headers, "Accept": "application/yaml"})
    assert r.mimetype == "application/yaml"
    doc = yaml.safe_load(r.get_data(as_text=True))
    assert doc["version"] == 1 and doc["areas"][0]["price"] == "4000.00"
    doc["areas"][0]["price"] = 4150.5  # a bare decimal, as a person types it
    put = client.put(f"{A}/price-list", data=yaml.safe_dump(doc), content_type="application/yaml", headers={**admin_headers, "If-Match": r.headers["ETag"]})
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["areas"][0]["price"] == "4150.50"


def test_unsupported_document_types(client, admin_headers):
    assert client.get(f"{A}/price-list", headers={**admin_headers, "Accept": "image/png"}).status_code == 406
    r = client.put(f"{A}/price-list", data="<xml/>", content_type="application/xml", headers={**admin_headers, "If-Match": '"pl-1"'})
    assert r.status_code == 415


def test_cli_csv_round_trip_and_bad_rows(app, database, tmp_path, ctx):
    runner = app.test_cli_runner()
    path = tmp_path / "prices.csv"
    assert runner.invoke(args=["price-list", "export", str(path)]).exit_code == 0
    before = price_lists.get_document(ctx).document
    result = runner.invoke(args=["price-list", "import", str(path)])
    assert result.exit_code == 0 and "holds no changes" in result.output
    assert price_lists.get_document(ctx).document == before
    text = edit_csv(path.read_text(), "area", "neck", price="22.000")
    tiers = list(csv.DictReader(io.StringIO(text)))
    three = next(i for i, row in enumerate(tiers) if row["section"] == "session_tier" and row["min_sessions"] == "3")

    def with_tier(body: str, percent: str) -> str:
        lines = body.splitlines(keepends=True)
        cells = next(csv.reader([lines[three + 1]]))
        header = next(csv.reader([lines[0]]))
        cells[header.index("discount_percent")] = percent
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(cells)
        lines[three + 1] = out.getvalue()
        return "".join(lines)

    path.write_text(with_tier(text, "95"))
    result = runner.invoke(args=["price-list", "import", str(path)])
    assert result.exit_code == 1
    assert ".price: At most 2 decimals" in result.output and "row " in result.output
    assert price_lists.current_version(ctx).version == 1
    path.write_text(with_tier(edit_csv(text, "area", "neck", price="2200.00"), "95"))
    result = runner.invoke(args=["price-list", "import", str(path)])
    assert result.exit_code == 1 and "session_tiers" in result.output  # the tier rule, on the CLI path too


# --- users ---------------------------------------------------------------------------------


def test_users_through_the_api(client, admin_headers):
    created = client.post(f"{A}/users", json={"name": "nur", "role": "sales"}, headers=admin_headers)
    assert created.status_code == 201
    body = created.get_json()
    assert body["name"] == "nur" and body["role"] == "sales" and body["active"] is True and body["token"].startswith("qa_")
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/v1/quotes", headers=headers).status_code == 200
    assert client.post(f"{A}/users", json={"name": "nur", "role": "admin"}, headers=admin_headers).status_code == 409
    assert client.post(f"{A}/users", json={"name": "bad name", "role": "boss"}, headers=admin_headers).status_code == 422
    listed = client.get(f"{A}/users", headers=admin_headers).get_json()
    assert {u["name"]: u["active"] for u in listed} == {"ada": True, "nur": True}
    assert all("token" not in u for u in listed)
    assert client.delete(f"{A}/users/nur", headers=admin_headers).status_code == 204
    assert client.get("/api/v1/quotes", headers=headers).status_code == 401
    assert {u["name"]: u["active"] for u in client.get(f"{A}/users", headers=admin_headers).get_json()}["nur"] is False
    assert client.delete(f"{A}/users/nur", headers=admin_headers).status_code == 404


def test_users_list_command(app, database):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "olcay", "--role", "admin"])
    runner.invoke(args=["users", "create", "deniz", "--role", "sales"])
    runner.invoke(args=["users", "revoke", "deniz"])
    lines = runner.invoke(args=["users", "list"]).output.splitlines()
    assert [line.split()[:3] for line in lines] == [["deniz", "sales", "revoked"], ["olcay", "admin", "active"]]
