"""What an integrator's tools check (issue 31): true languages, resolvable problem types, quote ETags,
Link headers, CORS preflights outside the rate budget, typed lists, and the small words.

The description's side (one media type per document operation, typed admin lists, nullable
references) is in tests/api/test_api_description.py and test_redocly_lint.py; the generated
client's PDF in test_generated_client.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quoteapi import create_app
from quoteapi.api.errors import PROBLEM_KINDS
from quoteapi.services import price_lists

from ..bodies import QUOTE, SIMPLE_ESTIMATE
from ..conftest import TEST_SETTINGS, TODAY, empty, run_together
from ..days import iso

A = "/api/v1/admin"
ROOT = Path(__file__).resolve().parents[2]
ENGLISH_QUOTE = {**QUOTE, "language": "en"}


def create(client, headers, body=QUOTE) -> dict:
    r = client.post("/api/v1/quotes", json=body, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


# --- Content-Language names the language of what is sent ----------------------------------------


def test_a_stored_quote_answers_in_its_own_language_whatever_the_request_asks(client, sales_headers):
    created = client.post("/api/v1/quotes", json=ENGLISH_QUOTE, headers=sales_headers)  # a Turkish request
    assert created.headers["Content-Language"] == "en"
    number = created.get_json()["number"]
    for path, media in ((f"/api/v1/quotes/{number}", "application/json"),
                        (f"/api/v1/quotes/{number}/document", "application/pdf"),
                        (f"/api/v1/quotes/{number}/document.html", "text/html"),
                        (f"/api/v1/quotes/{number}/revisions/1", "application/json")):
        for asked in ({"Accept-Language": "tr"}, {}):
            r = client.get(path + "?lang=tr", headers={**sales_headers, **asked})
            assert r.status_code == 200 and r.mimetype == media
            assert r.headers["Content-Language"] == "en", path
    # All of the JSON is English, the activity too.
    read = client.get(f"/api/v1/quotes/{number}?lang=tr", headers=sales_headers).get_json()
    assert read["activity"][0]["text"] == "Created by sam."
    # A Turkish quote read in English: Turkish.
    turkish = create(client, sales_headers)
    r = client.get(f"/api/v1/quotes/{turkish['number']}?lang=en", headers=sales_headers)
    assert r.headers["Content-Language"] == "tr" and r.get_json()["activity"][0]["text"] == "Teklifi sam oluşturdu."
    # A problem is in the request's language: it is not the quote.
    stale = client.patch(f"/api/v1/quotes/{number}?lang=tr", json={"status": "sent"}, headers={**sales_headers, "If-Match": '"nope"'})
    assert stale.status_code == 412 and stale.headers["Content-Language"] == "tr"


@pytest.mark.parametrize(("query", "headers", "expected"), [
    ("?lang=xx", {}, "tr"),
    ("?lang=de", {"Accept-Language": "en"}, "en"),
    ("?lang=", {"Accept-Language": "en"}, "en"),
    ("?lang=EN", {}, "tr"),
])
def test_a_lang_outside_tr_and_en_is_ignored_and_content_language_says_what_was_used(client, query, headers, expected):
    r = client.get(f"/api/v1/clinics{query}", headers=headers)
    assert r.status_code == 200 and r.headers["Content-Language"] == expected


# --- Problem types are absolute URIs that answer what they mean --------------------------------


def test_a_problem_type_is_an_absolute_uri_that_answers_what_it_means(client, admin_headers):
    document = client.get(f"{A}/price-list", headers=admin_headers).get_json()
    stale = client.put(f"{A}/price-list", json=document, headers={**admin_headers, "If-Match": '"pl-0"'}).get_json()
    assert stale["type"] == "http://localhost/api/problems/stale-version"
    described = client.get(stale["type"])
    assert described.status_code == 200 and described.mimetype == "application/json"
    body = described.get_json()
    assert body["type"] == stale["type"] and body["status"] == 412 and body["kind"] == "stale-version"
    assert body["title"] == {"tr": "Eski sürüm", "en": "Stale version"}
    assert "If-Match" in body["description"]["en"] and "If-Match" in body["description"]["tr"]
    assert described.headers["Content-Language"] == "tr, en"
    page = client.get(stale["type"], headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert 'lang="tr"' in text and 'lang="en"' in text and "Eski sürüm" in text and "Stale version" in text
    assert client.get("/api/problems/no-such-thing").status_code == 404
    listed = client.get("/api/problems").get_json()
    assert [p["kind"] for p in listed] == sorted(PROBLEM_KINDS)


def test_problem_types_are_built_from_the_public_url_when_it_is_set(app, client, admin_headers):
    app.config["PUBLIC_URL"] = "https://api.clinic.example/"
    r = client.delete(f"{A}/areas/face", headers=admin_headers)
    assert r.status_code == 428 and r.get_json()["type"] == "https://api.clinic.example/api/problems/version-required"


def test_every_problem_kind_raised_is_described_in_both_languages():
    raised = set()
    for path in (ROOT / "quoteapi").rglob("*.py"):
        text = path.read_text()
        # kind="..." as an argument of an error (or of problem()), and error classes' own kind = "...";
        # not the audit's or the outbox's kinds.
        for found in re.finditer(r'\bkind="([a-z-]+)"', text):
            if re.search(r"(Error|Conflict|Invalid|NotFound|Version|Required|problem)\(", text[max(0, found.start() - 400):found.start()]):
                raised.add(found.group(1))
        raised |= set(re.findall(r'^\s+kind = "([a-z-]+)"', text, re.M))
    problems = {kind for kind in raised if "-" in kind}
    assert problems and problems <= set(PROBLEM_KINDS), problems - set(PROBLEM_KINDS)
    from quoteapi.adapters.i18n import language
    for status, title, meaning in PROBLEM_KINDS.values():
        assert 400 <= status < 500
        assert language("tr").gettext(title) != title and language("tr").gettext(meaning) != meaning


def test_the_description_lists_the_problem_types(client):
    spec = client.get("/api/openapi.json").get_json()
    kind = next(p for p in spec["paths"]["/api/problems/{kind}"]["parameters"] if p.get("name") == "kind")
    assert kind["schema"]["enum"] == sorted(PROBLEM_KINDS)
    assert "absolute URI" in spec["components"]["schemas"]["Problem"]["properties"]["type"]["description"]


# --- Quote ETags and If-Match ------------------------------------------------------------------


def test_quotes_have_etags_and_a_stale_if_match_changes_nothing(client, sales_headers):
    quote = create(client, sales_headers)
    path = f"/api/v1/quotes/{quote['number']}"
    read = client.get(path, headers=sales_headers)
    etag = read.headers["ETag"]
    assert re.fullmatch(r'"q-[0-9a-f]{32}"', etag)
    assert client.get(path, headers={**sales_headers, "If-None-Match": etag}).status_code == 304
    # A bogus ETag, a weak one: 412, and the quote is as it was.
    for stale in ('"bogus"', f"W/{etag}"):
        r = client.patch(path, json={"status": "sent"}, headers={**sales_headers, "If-Match": stale})
        assert r.status_code == 412 and r.get_json()["type"].endswith("/api/problems/stale-version"), r.get_json()
    assert client.get(path, headers=sales_headers).get_json()["status"] == "new"
    # The current one: 200, and the answer's ETag is what a GET now answers.
    r = client.patch(path, json={"status": "sent"}, headers={**sales_headers, "If-Match": etag})
    assert r.status_code == 200 and r.headers["ETag"] != etag
    assert client.get(path, headers=sales_headers).headers["ETag"] == r.headers["ETag"]
    # Another staff member's write with the ETag read before it: refused.
    lost = client.patch(path, json={"follow_up_on": iso(3)}, headers={**sales_headers, "If-Match": etag})
    assert lost.status_code == 412
    # Without If-Match (the clients written before) and with *: as before.
    assert client.patch(path, json={"follow_up_on": iso(2)}, headers=sales_headers).status_code == 200
    assert client.patch(path, json={"follow_up_on": iso(1)}, headers={**sales_headers, "If-Match": "*"}).status_code == 200
    # A created quote's ETag is its GET's.
    fresh = client.post("/api/v1/quotes", json=QUOTE, headers=sales_headers)
    assert fresh.headers["ETag"] == client.get(f"/api/v1/quotes/{fresh.get_json()['number']}", headers=sales_headers).headers["ETag"]


def test_the_other_writes_of_a_quote_honour_if_match(client, sales_headers, admin_headers):
    quote = create(client, sales_headers)
    path = f"/api/v1/quotes/{quote['number']}"
    etag = client.get(path, headers=sales_headers).headers["ETag"]
    stale = {**sales_headers, "If-Match": '"q-0"'}
    assert client.post(f"{path}/notes", json={"text": "Called."}, headers=stale).status_code == 412
    assert client.post(f"{path}/revisions", json={"sessions": 6}, headers=stale).status_code == 412
    assert client.get(path, headers=sales_headers).headers["ETag"] == etag  # nothing changed
    noted = client.post(f"{path}/notes", json={"text": "Called."}, headers={**sales_headers, "If-Match": etag})
    assert noted.status_code == 201
    discounted = {"manual_discount": {"percent": "50", "reason": "Loyal customer"}}
    revised = client.post(f"{path}/revisions", json=discounted, headers={**sales_headers, "If-Match": noted.headers["ETag"]})
    assert revised.status_code == 201
    decision = {"decision": "approve"}
    assert client.post(f"{path}/approval", json=decision, headers={**admin_headers, "If-Match": etag}).status_code == 412
    approved = client.post(f"{path}/approval", json=decision, headers={**admin_headers, "If-Match": revised.headers["ETag"]})
    assert approved.status_code == 200
    unknown = f"/api/v1/quotes/Q-{TODAY.year}-999999"
    assert client.patch(unknown, json={"status": "sent"}, headers={**sales_headers, "If-Match": "*"}).status_code == 404


def test_writes_sent_at_once_with_the_same_if_match_one_wins(client, sales_headers):
    # The use case checks If-Match on the quote it has locked: of four notes sent at the same moment with
    # the ETag read before them, one is written and three are refused (checked before the transaction, all
    # four could pass before the first one commits).
    quote = create(client, sales_headers)
    path = f"/api/v1/quotes/{quote['number']}"
    headers = {**sales_headers, "If-Match": client.get(path, headers=sales_headers).headers["ETag"]}
    answers = run_together(*(lambda i=i: client.post(f"{path}/notes", json={"text": f"Call {i}."}, headers=headers)
                             for i in range(4)))
    assert sorted(a.status_code for a in answers) == [201, 412, 412, 412], [a.get_json() for a in answers]
    activity = client.get(path, headers=sales_headers).get_json()["activity"]
    assert len([line for line in activity if line["text"].startswith("Call ")]) == 1


def test_the_description_says_if_match_is_honoured_and_optional(client):
    spec = client.get("/api/openapi.json").get_json()
    for path, method in (("/api/v1/quotes/{number}", "patch"), ("/api/v1/quotes/{number}/notes", "post"),
                         ("/api/v1/quotes/{number}/revisions", "post"), ("/api/v1/quotes/{number}/approval", "post")):
        operation = spec["paths"][path][method]
        [if_match] = [p for p in operation["parameters"] if p.get("name") == "If-Match"]
        assert if_match["required"] is False and "honoured" in if_match["description"]
        assert "412" in operation["responses"]
    assert "ETag" in spec["paths"]["/api/v1/quotes/{number}"]["get"]["responses"]["200"]["headers"]


# --- Link: rel="next" --------------------------------------------------------------------------


def test_lists_link_to_their_next_page(client, sales_headers, admin_headers):
    numbers = [create(client, sales_headers)["number"] for _ in range(3)]
    seen, url, pages = [], "/api/v1/quotes?limit=2&clinic=ist-nisantasi", 0
    while url:
        r = client.get(url, headers=sales_headers)
        assert r.status_code == 200
        page = r.get_json()
        seen += [q["number"] for q in page["items"]]
        pages += 1
        link = r.headers.get("Link")
        if page["next_cursor"] is None:
            assert link is None
            url = None
        else:
            found = re.fullmatch(r'<(http://localhost(/api/v1/quotes\?[^>]+))>; rel="next"', link)
            assert found, link
            assert f"cursor={page['next_cursor']}" in found.group(2) and "clinic=ist-nisantasi" in found.group(2)
            assert "limit=2" in found.group(2)
            url = found.group(2)
    assert pages == 2 and seen == numbers[::-1]
    audit = client.get(f"{A}/audit-log?limit=1", headers=admin_headers)
    assert audit.get_json()["next_cursor"] and 'rel="next"' in audit.headers["Link"]


# --- CORS preflights and the rate budget --------------------------------------------------------


@pytest.fixture
def limited(database_url):
    app = create_app(
        {"DATABASE_URL": database_url, **TEST_SETTINGS, "PUBLIC_RATE_LIMIT": "2/minute", "CORS_ORIGINS": ("https://clinic.example",)},
        environ={"QUOTEAPI_ENV": "testing"},
    )
    empty(app.extensions["quoteapi"].database)
    price_lists.seed_demo(app.extensions["quoteapi"])
    yield app
    app.extensions["quoteapi"].database.dispose()


def test_preflights_are_not_counted_and_a_429_carries_the_cors_headers(limited):
    client = limited.test_client()
    origin = {"Origin": "https://clinic.example"}
    preflight = {**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    for _ in range(5):
        r = client.options("/api/v1/estimates", headers=preflight)
        assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    assert client.post("/api/v1/estimates", json=SIMPLE_ESTIMATE, headers=origin).status_code == 200
    assert client.post("/api/v1/estimates", json=SIMPLE_ESTIMATE, headers=origin).status_code == 200
    # The budget is spent: the preflight still passes, the request gets a 429 the page can read.
    assert client.options("/api/v1/estimates", headers=preflight).status_code == 200
    r = client.post("/api/v1/estimates", json=SIMPLE_ESTIMATE, headers=origin)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert r.headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    assert "Retry-After" in r.headers["Access-Control-Expose-Headers"]
    # The budget in words, in each language.
    assert "(1 dakikada 2)" in r.get_json()["detail"]
    english = client.post("/api/v1/estimates?lang=en", json=SIMPLE_ESTIMATE, headers=origin).get_json()["detail"]
    assert "(2 per 1 minute)" in english


@given(amount=st.integers(min_value=1, max_value=10_000), multiples=st.integers(min_value=1, max_value=60),
       unit=st.sampled_from(["second", "minute", "hour", "day"]))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_budget_reads_naturally_in_both_languages(app, amount, multiples, unit):
    from limits import parse

    from quoteapi.adapters.i18n import language
    from quoteapi.api.limits import budget_text

    text = budget_text(parse(f"{amount}/{multiples} {unit}"))
    english, turkish = language("en").render(text), language("tr").render(text)
    assert " per " in english and english.endswith(unit)
    assert " per " not in turkish and "per" not in turkish.split()
    assert turkish.split()[0] == str(multiples)


# --- Admin lists, campaigns, coupons -----------------------------------------------------------


def test_admin_lists_are_typed_and_the_nullable_client_is_a_nullable_reference(client):
    spec = client.get("/api/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    for path, name in (("clinics", "Clinic"), ("campaigns", "Campaign"), ("specialist-levels", "SpecialistLevel")):
        schema = spec["paths"][f"{A}/{path}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{name}List"}
        assert schemas[f"{name}List"]["properties"]["items"]["items"] == {"$ref": f"#/components/schemas/{name}Answer"}
    assert "ItemList" not in schemas and "PaginationMetadata" not in schemas
    client_field = schemas["EstimateRequest"]["properties"]["client"]
    assert client_field["anyOf"][0] == {"$ref": "#/components/schemas/ClientAnswers"}
    assert client_field["anyOf"][1]["enum"] == [None]
    for name, field in (("Difference", "stored"), ("Change", "before"), ("AuditEntry", "after")):
        assert "nullable" not in schemas[name]["properties"][field]


def test_a_new_campaign_answers_uses_0(client, admin_headers):
    body = {"code": "NEW1", "name": "Yeni", "starts_on": iso(0), "ends_on": iso(30), "benefit": {"type": "percent", "value": "5"}}
    created = client.post(f"{A}/campaigns", json=body, headers=admin_headers)
    assert created.status_code == 201 and created.get_json()["uses"] == 0
    assert client.get(f"{A}/campaigns/NEW1", headers=admin_headers).get_json()["uses"] == 0
    changed = client.patch(f"{A}/campaigns/NEW1", json={"name": "Yeni 2"}, headers={**admin_headers, "If-Match": created.headers["ETag"]})
    assert changed.get_json()["uses"] == 0


def test_a_used_up_campaigns_coupon_says_it_is_used_up(client, admin_headers, sales_headers):
    with_friend = {**SIMPLE_ESTIMATE, "coupon": "FRIEND10", "start_date": iso(9)}
    etag = client.get(f"{A}/campaigns/FRIEND", headers=admin_headers).headers["ETag"]
    client.patch(f"{A}/campaigns/FRIEND", json={"max_uses": 1}, headers={**admin_headers, "If-Match": etag})
    quote = create(client, sales_headers, {**with_friend, "customer": {"name": "Cap", "email": "cap@example.com"}})
    path = f"/api/v1/quotes/{quote['number']}"
    assert client.patch(path, json={"status": "sent"}, headers=sales_headers).status_code == 200
    assert client.patch(path, json={"status": "accepted"}, headers=sales_headers).status_code == 200
    english = client.post("/api/v1/estimates?lang=en", json=with_friend).get_json()["coupon"]
    assert english["status"] == "invalid" and "used up" in english["reason"]
    turkish = client.post("/api/v1/estimates", json=with_friend).get_json()["coupon"]
    assert "kullanım hakkı doldu" in turkish["reason"]
    # A code nobody knows still reads as before (codes cannot be probed).
    unknown = client.post("/api/v1/estimates?lang=en", json={**with_friend, "coupon": "NOPE"}).get_json()["coupon"]
    assert unknown["reason"] == "This code is not valid for the chosen start date."
