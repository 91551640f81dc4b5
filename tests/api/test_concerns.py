"""Skin concerns over HTTP (issue 28): the catalogue, estimates, quotes, the admin items, the files."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import yaml

from ..bodies import SIMPLE_ESTIMATE

A = "/api/v1/admin"
NO_SESSIONS = {k: v for k, v in SIMPLE_ESTIMATE.items() if k != "sessions"}
CUSTOMER = {"name": "Elif Demir", "email": "elif@example.com"}


def estimate(client, body, lang="en"):
    return client.post(f"/api/v1/estimates?lang={lang}", json=body)


# --- Catalogue and estimates ------------------------------------------------------------------


def test_the_catalogue_lists_the_concerns_with_names_and_severities(client):
    tr = client.get("/api/v1/catalog?clinic=ist-kadikoy&lang=tr").get_json()["concerns"]
    en = client.get("/api/v1/catalog?clinic=ist-kadikoy&lang=en").get_json()["concerns"]
    assert [c["code"] for c in tr] == ["dull-skin", "fine-lines", "acne-scars", "blemishes", "pores"]
    assert tr[2]["name"] == "Akne izleri" and en[2]["name"] == "Acne scars"
    assert en[2]["severities"] == {
        "mild": {"sessions_min": 2, "sessions_max": 3, "recommended": 3},
        "moderate": {"sessions_min": 3, "sessions_max": 6, "recommended": 4},
        "pronounced": {"sessions_min": 4, "sessions_max": 6, "recommended": 6},
    }
    assert en[4]["products"] == ["hyaluronic-acid"] and en[3]["maintenance_per_year"] == 2


def test_sessions_left_out_are_the_recommended_number(client):
    body = {**NO_SESSIONS, "concerns": [{"code": "acne-scars", "severity": "moderate"}, {"code": "pores", "severity": "pronounced"}]}
    r = estimate(client, body)
    assert r.status_code == 200, r.get_json()
    answer = r.get_json()
    assert answer["sessions"] == 5 and len(answer["schedule"]) == 5
    assert answer["suggestion"] == {
        "concerns": [
            {"code": "acne-scars", "severity": "moderate", "name": "Acne scars"},
            {"code": "pores", "severity": "pronounced", "name": "Enlarged pores"},
        ],
        "sessions_min": 4, "sessions_max": 6, "recommended": 5, "interval_days": 28,
        "products": ["hyaluronic-acid"], "maintenance_per_year": 1, "within": True,
        "text": "Suggested course: 4 to 6 sessions (5 recommended), 28 days apart. Then one maintenance session a year. "
                "Your specialist decides the course after a skin analysis at the clinic.",
    }
    same = estimate(client, {**body, "sessions": 5}).get_json()
    assert same == answer


def test_the_suggestion_speaks_turkish(client):
    body = {**NO_SESSIONS, "concerns": [{"code": "blemishes", "severity": "mild"}]}
    answer = estimate(client, body, "tr").get_json()
    assert answer["suggestion"]["concerns"][0]["name"] == "Leke ve ton eşitsizliği"
    assert answer["suggestion"]["text"] == (
        "Önerilen kür: 28 gün arayla 2-3 seans (önerilen 3 seans). Ardından yılda 2 bakım seansı. "
        "Kürünüze klinikte cilt analizinden sonra uzmanınız karar verir."
    )


def test_without_concerns_the_suggestion_is_null(client):
    assert estimate(client, SIMPLE_ESTIMATE).get_json()["suggestion"] is None


def test_a_number_outside_the_range_is_priced_and_said(client):
    answer = estimate(client, {**SIMPLE_ESTIMATE, "sessions": 9, "concerns": [{"code": "pores", "severity": "mild"}]}).get_json()
    assert answer["sessions"] == 9 and answer["suggestion"]["within"] is False


def test_bad_concerns_are_422_naming_the_field(client):
    unknown = estimate(client, {**NO_SESSIONS, "concerns": [{"code": "wrinkles", "severity": "mild"}]}, "tr")
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"] == {"concerns.0.code": ["Bilinmeyen cilt sorunu: 'wrinkles'."]}
    four = [{"code": c, "severity": "mild"} for c in ("dull-skin", "fine-lines", "acne-scars", "pores")]
    assert set(estimate(client, {**SIMPLE_ESTIMATE, "concerns": four}).get_json()["errors"]) == {"concerns"}
    severity = estimate(client, {**NO_SESSIONS, "concerns": [{"code": "pores", "severity": "huge"}]})
    assert severity.status_code == 422 and set(severity.get_json()["errors"]) == {"concerns.0.severity"}
    twice = estimate(client, {**NO_SESSIONS, "concerns": [{"code": "pores", "severity": "mild"}] * 2})
    assert twice.status_code == 422 and set(twice.get_json()["errors"]) == {"concerns.1.code"}


def test_no_sessions_and_no_concerns_is_still_required(client):
    r = estimate(client, NO_SESSIONS)
    assert r.status_code == 422 and r.get_json()["errors"] == {"sessions": ["Missing data for required field."]}


def test_unticking_every_area_asks_for_one(client):
    r = estimate(client, {**SIMPLE_ESTIMATE, "areas": []}, "tr")
    assert r.status_code == 422 and r.get_json()["errors"] == {"areas": ["En az bir bölge seçin."]}


# --- Quotes -----------------------------------------------------------------------------------


def test_a_quote_keeps_its_concerns_and_suggestion(client, sales_headers):
    body = {**NO_SESSIONS, "concerns": [{"code": "fine-lines", "severity": "pronounced"}], "customer": CUSTOMER,
            "language": "en"}
    created = client.post("/api/v1/quotes", json=body, headers=sales_headers)
    assert created.status_code == 201, created.get_json()
    quote = created.get_json()
    assert quote["sessions"] == 6 and quote["concerns"] == [{"code": "fine-lines", "severity": "pronounced"}]
    assert quote["suggestion"]["recommended"] == 6 and quote["suggestion"]["products"] == ["peptide-complex"]
    number = quote["number"]
    read = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert read["concerns"] == quote["concerns"] and read["suggestion"] == quote["suggestion"]
    # A revision keeps them, and the number of sessions priced; replaying it gives the same.
    revised = client.post(f"/api/v1/quotes/{number}/revisions", json={}, headers=sales_headers).get_json()
    assert revised["sessions"] == 6 and revised["suggestion"] == quote["suggestion"]
    assert client.get(f"/api/v1/quotes/{number}/revisions/2/verify", headers=sales_headers).get_json()["matches"] is True
    # New concerns without sessions: their recommended number.
    changed = client.post(f"/api/v1/quotes/{number}/revisions", json={"concerns": [{"code": "dull-skin", "severity": "mild"}]},
                          headers=sales_headers).get_json()
    assert changed["sessions"] == 2 and changed["concerns"] == [{"code": "dull-skin", "severity": "mild"}]
    assert client.get(f"/api/v1/quotes/{number}/revisions/1", headers=sales_headers).get_json()["suggestion"]["recommended"] == 6
    html = client.get(f"/api/v1/quotes/{number}/document", headers={**sales_headers, "Accept": "text/html"}).get_data(as_text=True)
    assert "Your skin concerns" in html and "Dull, tired skin (mild)" in html and "skin analysis" in html


def test_a_quote_without_concerns_answers_an_empty_list(client, sales_headers):
    quote = client.post("/api/v1/quotes", json={**SIMPLE_ESTIMATE, "customer": CUSTOMER}, headers=sales_headers).get_json()
    assert quote["concerns"] == [] and quote["suggestion"] is None


def test_a_website_request_with_concerns(client, sales_headers):
    body = {**NO_SESSIONS, "concerns": [{"code": "acne-scars", "severity": "mild"}], "customer": CUSTOMER, "consent": True}
    r = client.post("/api/v1/quote-requests", json=body)
    assert r.status_code == 201, r.get_json()
    stored = client.get(f"/api/v1/quotes/{r.get_json()['number']}", headers=sales_headers).get_json()
    assert stored["sessions"] == 3 and stored["suggestion"]["within"] is True
    assert stored["suggestion"]["concerns"][0]["name"] == "Akne izleri"  # in the request's language (Turkish)


# --- Admin: the concerns one at a time ---------------------------------------------------------


ROSACEA = {
    "code": "redness", "name": "Kızarıklık", "products": ["hyaluronic-acid"], "maintenance_per_year": 2,
    "severities": {
        "mild": {"sessions_min": 1, "sessions_max": 2, "recommended": 2},
        "moderate": {"sessions_min": 3, "sessions_max": 4, "recommended": 3},
        "pronounced": {"sessions_min": 4, "sessions_max": 6, "recommended": 5},
    },
    "translations": {"en": {"name": "Redness"}},
}


def test_a_concern_is_added_read_changed_and_deleted(client, admin_headers):
    tried = client.post(f"{A}/concerns?dry_run=true", json=ROSACEA, headers=admin_headers)
    assert tried.status_code == 200 and tried.get_json()["valid"] is True
    assert [c["code"] for c in client.get(f"{A}/concerns", headers=admin_headers).get_json()["items"]][-1] == "pores"
    created = client.post(f"{A}/concerns", json=ROSACEA, headers=admin_headers)
    assert created.status_code == 201 and created.get_json() == ROSACEA
    read = client.get(f"{A}/concerns/redness", headers=admin_headers)
    etag = read.headers["ETag"]
    assert client.patch(f"{A}/concerns/redness", json={"maintenance_per_year": 1}, headers=admin_headers).status_code == 428
    change = {"severities": {"mild": {"recommended": 1}}}
    changed = client.patch(f"{A}/concerns/redness", json=change, headers={**admin_headers, "If-Match": etag})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["severities"]["mild"] == {"sessions_min": 1, "sessions_max": 2, "recommended": 1}
    assert changed.get_json()["severities"]["pronounced"] == ROSACEA["severities"]["pronounced"]
    stale = client.patch(f"{A}/concerns/redness", json=change, headers={**admin_headers, "If-Match": etag})
    assert stale.status_code == 412
    # The estimator sees it at once.
    answer = estimate(client, {**NO_SESSIONS, "concerns": [{"code": "redness", "severity": "mild"}]}).get_json()
    assert answer["sessions"] == 1 and answer["suggestion"]["concerns"][0]["name"] == "Redness"
    gone = client.delete(f"{A}/concerns/redness", headers={**admin_headers, "If-Match": changed.headers["ETag"]})
    assert gone.status_code == 204
    assert client.get(f"{A}/concerns/redness", headers=admin_headers).status_code == 404


def test_a_bad_concern_is_422_naming_every_field(client, admin_headers):
    bad = {**ROSACEA, "maintenance_per_year": 7, "products": ["gold-dust"],
           "severities": {"mild": {"sessions_min": 3, "sessions_max": 2, "recommended": 2},
                          "moderate": {"sessions_min": 0, "sessions_max": 30, "recommended": 3}}}
    r = client.post(f"{A}/concerns", json=bad, headers=admin_headers)
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {
        "maintenance_per_year", "severities.pronounced", "severities.moderate.sessions_min", "severities.moderate.sessions_max",
    }
    # What each field allows alone is fine; together they break the document's rules.
    crossed = {**ROSACEA, "products": ["gold-dust"],
               "severities": {**ROSACEA["severities"], "mild": {"sessions_min": 3, "sessions_max": 2, "recommended": 2}}}
    r = client.post(f"{A}/concerns", json=crossed, headers=admin_headers)
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {
        "concerns.5.products.0", "concerns.5.severities.mild.sessions_max", "concerns.5.severities.mild.recommended",
    }


def test_a_product_a_concern_names_cannot_be_deleted(client, admin_headers):
    etag = client.get(f"{A}/products/peptide-complex", headers=admin_headers).headers["ETag"]
    r = client.delete(f"{A}/products/peptide-complex", headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 422
    assert "fine-lines" in r.get_json()["errors"]["code"][0]
    # The whole document says the same.
    doc = client.get(f"{A}/price-list", headers=admin_headers)
    body = doc.get_json()
    body["products"] = [p for p in body["products"] if p["code"] != "peptide-complex"]
    put = client.put(f"{A}/price-list", json=body, headers={**admin_headers, "If-Match": doc.headers["ETag"]})
    assert put.status_code == 422 and "concerns.1.products.0" in put.get_json()["errors"]


def test_a_concern_change_can_be_scheduled(client, admin_headers):
    etag = client.get(f"{A}/concerns/pores", headers=admin_headers).headers["ETag"]
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    r = client.patch(f"{A}/concerns/pores", query_string={"effective_from": later}, json={"maintenance_per_year": 2},
                     headers={**admin_headers, "If-Match": etag})
    assert r.status_code == 200 and r.get_json()["state"] == "scheduled"
    assert client.get(f"{A}/concerns/pores", headers=admin_headers).get_json()["maintenance_per_year"] == 1


# --- Files --------------------------------------------------------------------------------------


def test_csv_and_yaml_round_trips_keep_the_concerns(client, admin_headers):
    before = client.get(f"{A}/price-list", headers=admin_headers).get_json()["concerns"]
    r = client.get(f"{A}/price-list", headers={**admin_headers, "Accept": "text/csv"})
    rows = [row for row in csv.DictReader(io.StringIO(r.get_data(as_text=True))) if row["section"] == "concern"]
    assert len(rows) == 15  # five concerns, three severities each
    pores = [row for row in rows if row["code"] == "pores"]
    assert [(row["severity"], row["recommended"]) for row in pores] == [("mild", "2"), ("moderate", "3"), ("pronounced", "5")]
    text = r.get_data(as_text=True).replace("pores,Geniş gözenekler,,,,,,,,Enlarged pores", "pores,Geniş gözenekler,,,,,,,,Large pores", 1)
    put = client.put(f"{A}/price-list", data=text, content_type="text/csv", headers={**admin_headers, "If-Match": r.headers["ETag"]})
    assert put.status_code == 200, put.get_json()
    after = client.get(f"{A}/price-list", headers=admin_headers)
    assert after.get_json()["concerns"][:4] == before[:4]
    assert after.get_json()["concerns"][4]["severities"] == before[4]["severities"]
    # The first row of a concern gives its own cells: the next rows' are read as the same concern's.
    assert after.get_json()["concerns"][4]["translations"]["en"]["name"] == "Large pores"
    as_yaml = client.get(f"{A}/price-list", headers={**admin_headers, "Accept": "application/yaml"})
    assert yaml.safe_load(as_yaml.get_data(as_text=True))["concerns"] == after.get_json()["concerns"]
    put = client.put(f"{A}/price-list", data=as_yaml.get_data(), content_type="application/yaml",
                     headers={**admin_headers, "If-Match": after.headers["ETag"]})
    assert put.status_code == 200 and put.get_json()["concerns"] == after.get_json()["concerns"]


def test_a_bad_severity_row_names_its_cell(client, admin_headers):
    r = client.get(f"{A}/price-list", headers={**admin_headers, "Accept": "text/csv"})
    lines = r.get_data(as_text=True).splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("concern,pores") and ",moderate," in line)
    lines[row] = lines[row].replace(",moderate,3,4,3,", ",moderate,5,4,3,")
    put = client.put(f"{A}/price-list", data="\n".join(lines) + "\n", content_type="text/csv",
                     headers={**admin_headers, "If-Match": r.headers["ETag"]})
    assert put.status_code == 422
    assert set(put.get_json()["errors"]) == {f"row {row + 1}.sessions_max", f"row {row + 1}.recommended"}
