"""The admins' Raporlar page: its figures, in Turkish and English, the CSV, the filters, who may see it."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from html import unescape

import pytest

from quoteapi.adapters.i18n import money_text

from ..bodies import FACE_QUOTE, QUOTE
from ..days import TODAY, iso

MONTHS_TR = ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"]


def _quote(client, headers, body, *moves, **patch):
    r = client.post("/api/v1/quotes", json=body, headers=headers)
    assert r.status_code == 201, r.get_json()
    number = r.get_json()["number"]
    for status in moves:
        body = {"status": status, **(patch if status == "declined" else {})}
        assert client.patch(f"/api/v1/quotes/{number}", json=body, headers=headers).status_code == 200
    return r.get_json()


@pytest.fixture
def figures(client, sales_headers):
    """Two accepted quotes (one with a manual discount of 100.00 by sam), one declined for the price, one new."""
    accepted = _quote(client, sales_headers, QUOTE, "sent", "accepted")
    discounted = _quote(client, sales_headers, {**FACE_QUOTE, "manual_discount": {"amount": "100.00", "reason": "Loyal"}},
                        "sent", "accepted")
    declined = _quote(client, sales_headers, FACE_QUOTE, "declined", decline_reason="price")
    fresh = _quote(client, sales_headers, QUOTE)
    totals = [Decimal(q["total"]) for q in (accepted, discounted, declined, fresh)]
    return {"accepted_value": totals[0] + totals[1], "value": sum(totals), "declined": totals[2]}


def _text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def _rows(response, table_id: str) -> list[list[str]]:
    html = response.get_data(as_text=True)
    table = re.search(rf'<table class="figures" id="{table_id}">(.*?)</table>', html, re.DOTALL).group(1)
    body = table.split("<tbody>")[1]
    return [[re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", "", cell))).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)]


def test_the_page_in_turkish_shows_the_figures(admin, figures):
    r = admin.get("/desk/reports")
    assert r.status_code == 200
    text = _text(r)
    assert "Raporlar" in text and 'aria-current="page"' in r.get_data(as_text=True)
    # Conversion: 2 accepted ÷ (2 accepted + 1 declined) = %66,7
    assert "%66,7" in text
    assert money_text(figures["accepted_value"], "TRY", "tr") in text
    assert money_text(figures["value"], "TRY", "tr") in text
    clinics = _rows(r, "t-clinic")
    assert clinics[1] == ["İstanbul Nişantaşı", "2", "1", "0", "0", "%100", "0 gün", money_text(Decimal(QUOTE_TOTAL), "TRY", "tr")]
    assert ["İstanbul Kadıköy", "2", "1", "1", "0", "%50"] == _rows(r, "t-clinic")[0][:6]
    months = _rows(r, "t-month")
    assert len(months) == 12 and months[-1][0] == f"{MONTHS_TR[TODAY.month - 1]} {TODAY.year}"
    assert months[-1][1:3] == ["4", "2"]
    assert _rows(r, "t-discount") == [["sam", "1", money_text(Decimal("100.00"), "TRY", "tr")]]
    reasons = {row[0]: row[1] for row in _rows(r, "t-reason")}
    assert reasons["Fiyat"] == "1" and sum(int(n) for n in reasons.values()) == 1
    statuses = {row[0]: row[1:] for row in _rows(r, "t-status")}
    assert statuses["kabul edildi"] == ["2", money_text(figures["accepted_value"], "TRY", "tr")]
    assert statuses["reddedildi"] == ["1", money_text(figures["declined"], "TRY", "tr")]
    # Each chart is a picture with a name, drawn here: no script, no other server.
    html = r.get_data(as_text=True)
    assert html.count('<svg class="chart"') == 6 and html.count('role="img" aria-label="') == 6
    assert "<script" not in html.split("<main")[1].split("</main>")[0]


QUOTE_TOTAL = "51885.36"


def test_the_page_in_english(admin, figures):
    r = admin.get("/desk/reports?lang=en")
    text = _text(r)
    assert "Reports" in text and "66.7%" in text and money_text(figures["accepted_value"], "TRY", "en") in text
    assert _rows(r, "t-month")[-1][0] == TODAY.strftime("%B %Y")
    assert _rows(r, "t-clinic")[0][:6] == ["Istanbul Kadikoy", "2", "1", "1", "0", "50%"]
    assert {row[0]: row[1] for row in _rows(r, "t-reason")}["The price"] == "1"


def test_filters_and_csv(admin, figures):
    r = admin.get("/desk/reports", query_string={"clinic": "ist-nisantasi", "from": iso(-10), "to": iso(0)})
    assert [row[0] for row in _rows(r, "t-clinic")] == ["İstanbul Nişantaşı"]
    assert 'href="/desk/reports.csv?' in r.get_data(as_text=True)
    r = admin.get("/desk/reports.csv", query_string={"group_by": "source", "from": iso(-10), "lang": "en"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [(row["key"], row["label"], row["quotes"]) for row in table] == [("staff", "Desk", "4"), ("", "Total", "4")]
    assert table[-1]["accepted_value"] == f"{figures['accepted_value']:.2f}"


def test_a_bad_range_is_said_next_to_the_field(admin, figures):
    r = admin.get("/desk/reports", query_string={"from": iso(1), "to": iso(0)})
    assert r.status_code == 200
    assert 'id="r-from-error"' in r.get_data(as_text=True) and "Bitiş tarihinden sonra olamaz." in _text(r)
    r = admin.get("/desk/reports", query_string={"from": f"{TODAY:%d.%m.%Y}", "group_by": "x"})
    assert r.status_code == 200 and 'aria-invalid="true"' in r.get_data(as_text=True)


def test_only_admins_see_the_page_and_its_link(admin, seller):
    assert seller.get("/desk/reports").status_code == 403
    assert seller.get("/desk/reports.csv").status_code == 403
    assert "/desk/reports" not in seller.get("/desk/").get_data(as_text=True)
    assert "/desk/reports" in admin.get("/desk/").get_data(as_text=True)
