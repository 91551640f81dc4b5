"""The real server at DEBUG writes nobody's name, contact or health answers to its logs.

A gunicorn server logs at DEBUG with its access log in a file; visitors ask for
estimates and a quote with a planted, unusual set of answers, the desk searches
for and reads the quote, an admin exports and erases the person. Neither the
server's log nor the access log may then hold the planted name, e-mail
address, phone number or answers, in any encoding.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
import requests

from quoteapi.adapters import clock

from ..bodies import CONTRACT_EXAMPLE
from .server import Gunicorn, server_env, site_setup

pytestmark = pytest.mark.e2e

NAME = "Zübeyde Planted"
EMAIL = "zubeyde.planted@example.com"
PHONE = "+90 555 987 65 43"
# Age 47 and pregnant: an unusual pair no log line would hold by chance.
ANSWERS = {"age": 47, "pregnant": True, "active_skin_infection": False, "open_wounds": True, "serious_skin_condition": False}
START = (clock.today() + timedelta(days=7)).isoformat()
ESTIMATE = {**{k: v for k, v in CONTRACT_EXAMPLE.items() if k not in ("coupon", "client")}, "start_date": START}

# The planted data, as it could appear: as typed, URL-encoded, JSON-escaped, lower-cased, bare digits.
NEEDLES = (
    "Planted", "planted", "Zübeyde", "Zubeyde", "zubeyde", "Z%C3%BCbeyde", "Z\\u00fcbeyde", "Z\\xc3\\xbcbeyde",
    EMAIL, quote(EMAIL), "987 65 43", "9876543", quote(PHONE), "%2B90",
    "pregnan", "open_wounds", "postponed", "Open wounds",
)
AGE = re.compile(r"age\W{0,6}47")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def server(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'quoteapi.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database(f"quoteapi_logs_{tmp_path.name[-12:].lower()}")
    access = tmp_path / "access.log"
    env = server_env(url, QUOTEAPI_LOG_LEVEL="DEBUG", QUOTEAPI_ACCESS_LOG=str(access))
    tokens = site_setup(env, ("desk", "sales"), ("boss", "admin"))
    sales, admin = tokens["desk"], tokens["boss"]
    gunicorn = Gunicorn(env, tmp_path / "gunicorn.log", workers=2).start()
    yield gunicorn, access, {"Authorization": f"Bearer {sales}"}, {"Authorization": f"Bearer {admin}"}
    gunicorn.stop()


def test_the_logs_hold_no_name_contact_or_health_answer(server):
    gunicorn, access, sales, admin = server
    url = gunicorn.url
    for answers in (ANSWERS, {**ANSWERS, "open_wounds": False}, {"age": 47, "pregnant": True}):
        r = requests.post(url + "/api/v1/estimates", json={**ESTIMATE, "client": answers}, timeout=10)
        assert r.status_code == 200 and r.json()["eligibility"]["status"] == "postpone"
    request = {**ESTIMATE, "client": ANSWERS, "customer": {"name": NAME, "email": EMAIL, "phone": PHONE}, "consent": True}
    r = requests.post(url + "/api/v1/quote-requests", json=request, headers={"Idempotency-Key": "planted-1"}, timeout=10)
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    # Refused requests carry the planted data too.
    bad = requests.post(url + "/api/v1/quote-requests", json={**request, "consent": False}, timeout=10)
    assert bad.status_code == 422
    bad = requests.post(url + "/api/v1/quote-requests", data=f'{{"customer": {{"name": "{NAME}"', timeout=10,
                        headers={"Content-Type": "application/json"})
    assert bad.status_code == 400
    # The desk searches for her and reads her quote; an admin exports and erases her.
    found = requests.get(url + "/api/v1/quotes", params={"q": NAME}, headers=sales, timeout=10)
    assert [q["number"] for q in found.json()["items"]] == [number]
    assert requests.get(url + f"/api/v1/quotes/{number}", headers=sales, timeout=10).json()["customer"]["name"] == NAME
    page = requests.get(url + f"/api/v1/quotes/{number}/document", headers={**sales, "Accept": "text/html"}, timeout=30)
    assert NAME in page.text
    for params in ({"email": EMAIL}, {"phone": PHONE}):
        exported = requests.get(url + "/api/v1/admin/customers", params=params, headers=admin, timeout=10)
        assert exported.json()["quotes"][0]["revisions"][0]["inputs"]["client"]["age"] == 47
    erased = requests.post(url + "/api/v1/admin/customers/erase", json={"email": EMAIL}, headers=admin, timeout=10)
    assert erased.json()["quotes_changed"] == 1
    gunicorn.stop()  # every line written

    server_log = gunicorn.log.read_text("utf-8", errors="backslashreplace")
    access_log = access.read_text("utf-8", errors="backslashreplace")
    assert " DEBUG " in server_log or "[DEBUG]" in server_log  # the server really logged at DEBUG
    assert "/api/v1/quote-requests" in access_log and "/api/v1/admin/customers" in access_log
    for name, text in (("server log", server_log), ("access log", access_log)):
        leaked = [needle for needle in NEEDLES if needle in text]
        assert leaked == [], f"{name} holds {leaked}: {text[-3000:]}"
        assert not AGE.search(text), name
