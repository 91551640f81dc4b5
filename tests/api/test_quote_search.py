"""The quote list's search (issue 26): phone digits in any writing, the quote number, and names and
e-mail addresses without case or accents, the Turkish i's as one letter; the same on both databases."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteapi.domain.personal_data import search_key, search_terms

from ..bodies import QUOTE


def found(client, headers, q: str) -> list[str]:
    answer = client.get("/api/v1/quotes", query_string={"q": q}, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return [item["number"] for item in answer.get_json()["items"]]


@pytest.fixture
def people(client, sales_headers):
    def make(name, email, phone):
        body = {**QUOTE, "customer": {"name": name, "email": email, "phone": phone}}
        answer = client.post("/api/v1/quotes", json=body, headers=sales_headers)
        assert answer.status_code == 201, answer.get_data(as_text=True)
        return answer.get_json()["number"]
    return {
        "ayse": make("Ayşe Yılmaz", "ayse.yilmaz@example.com", "0533 987 65 43"),
        "ilker": make("İlker Öztürk", "İLKER.ISIK@example.com", "+90 212 000 01 01"),
        "irmak": make("IRMAK DEMİR", "irmak@example.org", None),
    }


@pytest.mark.parametrize("q, who", [
    ("05339876543", "ayse"), ("+90 533 987 65 43", "ayse"), ("0533 987 65 43", "ayse"), ("533-987-6543", "ayse"),
    ("987 65 43", "ayse"), ("(0212) 000 01 01", "ilker"),
    ("AYŞE YILMAZ", "ayse"), ("ayse yilmaz", "ayse"), ("yılmaz", "ayse"), ("Öztürk", "ilker"), ("ozturk", "ilker"),
    ("ilker", "ilker"), ("İLKER", "ilker"), ("ılker.ısık", "ilker"), ("irmak demir", "irmak"), ("Irmak Demir", "irmak"),
])
def test_a_customer_is_found_however_they_are_written(client, sales_headers, people, q, who):
    assert found(client, sales_headers, q) == [people[who]]


def test_a_quote_number_finds_its_quote(client, sales_headers, people):
    number = people["irmak"]
    assert found(client, sales_headers, number) == [number]
    assert found(client, sales_headers, number.lower()) == [number]


def test_wildcards_and_nothing_like_anyone_find_nothing(client, sales_headers, people):
    for q in ("%", "_", "\\", "zzz", "0000000000000"):
        assert found(client, sales_headers, q) == []


def test_an_erased_customer_is_no_longer_found_by_name_but_by_number(client, sales_headers, admin_headers, people):
    answer = client.post("/api/v1/admin/customers/erase", json={"email": "AYSE.YILMAZ@example.com"}, headers=admin_headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert found(client, sales_headers, "ayşe") == []
    assert found(client, sales_headers, "0533 987 65 43") == []
    assert found(client, sales_headers, people["ayse"]) == [people["ayse"]]


names = st.text(alphabet="aAbBcCçÇgGğĞiİıIoOöÖsSşŞuUüÜ ", min_size=1, max_size=12).filter(str.strip)


@settings(max_examples=200, deadline=None)
@given(names)
def test_a_name_is_found_by_its_upper_and_lower_case_in_either_language(name):
    key = search_key("Q-0000-000001", name, None, None)
    for written in (name, name.upper(), name.lower(), name.casefold()):
        assert any(term in key for term in search_terms(written)), (written, key)
