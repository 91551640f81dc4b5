"""The pipeline report (api.md revision 3, "Reports"): its figures equal a plain check on both databases.

The expected figures are worked out here from the stored rows read with plain SQL
(quotes, newest revisions' JSON, the activity line of each acceptance, payments),
in Python, independently of the report's own statements and of the columns
migration 0014 added; one check is a bare ``GROUP BY`` in SQL.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

import pytest
from sqlalchemy import text

from quoteapi.adapters import clock
from quoteapi.domain.quotes import DECLINE_REASONS, OPEN, STATUSES

from ..bodies import FACE_QUOTE, QUOTE, QUOTE_REQUEST, SIMPLE_ESTIMATE
from ..days import TODAY, day, iso

URL = "/api/v1/reports/pipeline"


def _quote(client, headers, body, *moves, **patch):
    r = client.post("/api/v1/quotes", json=body, headers=headers)
    assert r.status_code == 201, r.get_json()
    number = r.get_json()["number"]
    for status in moves:
        r = client.patch(f"/api/v1/quotes/{number}", json={"status": status, **(patch if status == "declined" else {})},
                         headers=headers)
        assert r.status_code == 200, r.get_json()
    return number


def _move_back(database, number, created_days_ago, hours=0, accepted_after=None):
    """Lay a quote's creation (and acceptance) earlier, as if it had happened then."""
    created = clock.now() - timedelta(days=created_days_ago, hours=hours)
    with database.engine.begin() as c:
        c.execute(text("UPDATE quotes SET created_at = :at, created_on = :on WHERE number = :n"),
                  {"at": created, "on": clock.local_date(created), "n": number})
        if accepted_after is not None:
            accepted = created + accepted_after
            c.execute(text("UPDATE quotes SET accepted_at = :at WHERE number = :n"), {"at": accepted, "n": number})
            c.execute(text("UPDATE quote_activity SET at = :at WHERE kind = 'status' AND quote_id = "
                           "(SELECT id FROM quotes WHERE number = :n) AND text LIKE 'Status%'"),
                      {"at": accepted, "n": number})


@pytest.fixture
def pipeline(client, database, admin_headers, sales_headers):
    """Quotes in every status, two clinics, both sources, a manual discount, payments and refunds, three months."""
    h = sales_headers
    a1 = _quote(client, h, QUOTE, "sent", "accepted")
    a2 = _quote(client, h, {**FACE_QUOTE, "manual_discount": {"amount": "100.00", "reason": "Loyal"}}, "sent", "accepted")
    for number, amount, kind in ((a1, "1000.00", "payment"), (a1, "250.50", "refund"), (a2, "300.25", "payment")):
        r = client.post(f"/api/v1/quotes/{number}/payments", headers=h,
                        json={"kind": kind, "amount": amount, "method": "cash", "received_on": iso(0)})
        assert r.status_code == 201, r.get_json()
    _quote(client, h, {**SIMPLE_ESTIMATE, "customer": {"name": "Can Ak", "phone": "+90 532 111 22 33"}},
           "declined", decline_reason="price")
    _quote(client, h, QUOTE, "declined")
    _quote(client, h, {**QUOTE, "manual_discount": {"percent": "5", "reason": "Returning"}})
    expired = _quote(client, h, FACE_QUOTE, "sent")
    r = client.post("/api/v1/quote-requests", json=QUOTE_REQUEST)
    assert r.status_code == 201
    website = r.get_json()["number"]
    assigned = _quote(client, h, FACE_QUOTE, "draft")
    assert client.patch(f"/api/v1/quotes/{assigned}", json={"assigned_to": "sam"}, headers=h).status_code == 200
    # A revision that adds an area: the report reads the newest revision's areas.
    r = client.post(f"/api/v1/quotes/{assigned}/revisions", headers=h,
                    json={"areas": [{"code": "neck"}, {"code": "face"}]})
    assert r.status_code == 201, r.get_json()
    with database.engine.begin() as c:
        c.execute(text("UPDATE quotes SET valid_until = :d WHERE number = :n"), {"d": day(-1), "n": expired})
    _move_back(database, a1, 40, accepted_after=timedelta(days=2, hours=6))
    _move_back(database, a2, 70, accepted_after=timedelta(days=4))
    _move_back(database, website, 35)


def _rows(database):
    """Every quote as plain SQL reads it, with what the report needs worked out in Python."""
    with database.engine.connect() as c:
        quotes = c.execute(text(
            "SELECT q.id, q.clinic, q.source, q.assigned_to, q.status, q.valid_until, q.total, q.created_at, "
            "q.decline_reason, q.currency, r.inputs, r.estimate, r.created_by "
            "FROM quotes q JOIN quote_revisions r ON r.quote_id = q.id AND r.revision = q.revision")).all()
        moves = c.execute(text("SELECT quote_id, at, \"values\" FROM quote_activity WHERE kind = 'status'")).all()
        paid = defaultdict(Decimal)
        for quote_id, kind, amount in c.execute(text("SELECT quote_id, kind, amount FROM payments")):
            paid[quote_id] += Decimal(str(amount)).quantize(Decimal("0.01")) * (-1 if kind == "refund" else 1)
    accepted = {}
    for quote_id, at, values in moves:
        values = json.loads(values) if isinstance(values, str) else values
        if values and values.get("after") == "accepted":
            accepted[quote_id] = at
    out = []
    for q in quotes:
        inputs = json.loads(q.inputs) if isinstance(q.inputs, str) else q.inputs
        estimate = json.loads(q.estimate) if isinstance(q.estimate, str) else q.estimate
        created = q.created_at if isinstance(q.created_at, datetime) else datetime.fromisoformat(q.created_at)
        created = created.replace(tzinfo=UTC) if created.tzinfo is None else created
        valid_until = q.valid_until if not isinstance(q.valid_until, str) else datetime.fromisoformat(q.valid_until).date()
        status = "expired" if q.status in OPEN and valid_until < TODAY else q.status
        manual = [Decimal(line["amount"]) for line in estimate["lines"] if line["kind"] == "manual_discount"]
        at = accepted.get(q.id)
        if at is not None:
            at = at if isinstance(at, datetime) else datetime.fromisoformat(at)
            at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
        on = clock.local_date(created)
        monday = on - timedelta(days=on.weekday())
        out.append({
            "clinic": q.clinic, "source": q.source, "assigned_to": q.assigned_to, "status": status,
            "total": Decimal(str(q.total)).quantize(Decimal("0.01")), "on": on, "month": on.strftime("%Y-%m"),
            "week": monday.isoformat(), "reason": q.decline_reason,
            "area": sorted({a["code"] for a in inputs["areas"]}) or [None],
            "campaign": sorted(set(estimate.get("applied_campaigns") or [])) or [None],
            "discount": -sum(manual) if manual else None, "discount_by": q.created_by if manual else None,
            "paid": paid.get(q.id, Decimal("0.00")),
            "seconds": (at - created).total_seconds() if status == "accepted" and at else None,
        })
    return out


def _figures(quotes):
    cents = Decimal("0.01")
    statuses = {s: {"count": sum(1 for q in quotes if q["status"] == s),
                    "value": f"{sum((q['total'] for q in quotes if q['status'] == s), Decimal(0)):.2f}"} for s in STATUSES}
    decided = sum(statuses[s]["count"] for s in ("accepted", "declined", "expired"))
    seconds = [q["seconds"] for q in quotes if q["seconds"] is not None]
    discounts = [q["discount"] for q in quotes if q["discount"] is not None]
    reasons = {r: sum(1 for q in quotes if q["status"] == "declined" and q["reason"] == r) for r in DECLINE_REASONS}
    reasons["unspecified"] = sum(1 for q in quotes if q["status"] == "declined" and q["reason"] is None)
    return {
        "quotes": len(quotes), "value": f"{sum((q['total'] for q in quotes), Decimal(0)):.2f}", "statuses": statuses,
        "accepted_value": statuses["accepted"]["value"],
        "conversion": None if not decided else str((Decimal(statuses["accepted"]["count"]) / decided).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP)),
        "median_days_to_accept": None if not seconds else str((Decimal(str(median(seconds))) / 86400).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)),
        "manual_discounts": {"count": len(discounts), "total": f"{sum(discounts, Decimal(0)).quantize(cents):.2f}"},
        "deposits_received": f"{sum((q['paid'] for q in quotes), Decimal(0)):.2f}",
        "decline_reasons": reasons,
    }


def _expected(quotes, group_by):
    groups = defaultdict(list)
    for q in quotes:
        keys = q[group_by] if isinstance(q[group_by], list) else [q[group_by]]
        for key in keys:
            groups[key].append(q)
    return {key: _figures(members) for key, members in groups.items()}


def _without_label(group):
    return {k: v for k, v in group.items() if k not in ("key", "label")}


def _periods(start, end, group_by):
    """Every month or week (its Monday) touched by ``start``..``end``, counted day by day."""
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    if group_by == "month":
        return sorted({d.strftime("%Y-%m") for d in days})
    return sorted({(d - timedelta(days=d.weekday())).isoformat() for d in days})


GROUPINGS = ("clinic", "source", "assigned_to", "campaign", "area", "month", "week")


def test_each_grouping_equals_the_plain_check(pipeline, client, database, admin_headers):
    start = day(-120)
    quotes = [q for q in _rows(database) if start <= q["on"] <= TODAY]
    for group_by in GROUPINGS:
        r = client.get(URL, query_string={"group_by": group_by, "from": start.isoformat(), "to": iso(0)},
                       headers=admin_headers)
        assert r.status_code == 200, r.get_json()
        answer = r.get_json()
        assert (answer["from"], answer["to"], answer["group_by"], answer["currency"]) == (start.isoformat(), iso(0), group_by, "TRY")
        expected = _expected(quotes, group_by)
        got = {g["key"]: _without_label(g) for g in answer["groups"] if g["quotes"] or g["key"] in expected}
        assert got == expected, group_by
        assert _without_label(answer["totals"]) == _figures(quotes), group_by
        assert answer["totals"]["quotes"] == 8 and answer["totals"]["statuses"]["expired"]["count"] == 1
        assert answer["totals"]["median_days_to_accept"] == "3.1"  # 2¼ and 4 days
        assert answer["totals"]["deposits_received"] == "1049.75"
        if group_by in ("month", "week"):  # every period of the range, in order, even empty ones
            assert [g["key"] for g in answer["groups"]] == _periods(start, TODAY, group_by)


def test_counts_and_sums_equal_a_bare_group_by(pipeline, client, database, admin_headers):
    with database.engine.connect() as c:
        plain = {row[0]: (row[1], Decimal(str(row[2])).quantize(Decimal("0.01"))) for row in c.execute(text(
            "SELECT clinic, COUNT(*), SUM(total) FROM quotes GROUP BY clinic"))}
    r = client.get(URL, query_string={"group_by": "clinic", "from": iso(-365)}, headers=admin_headers)
    assert {g["key"]: (g["quotes"], Decimal(g["value"])) for g in r.get_json()["groups"]} == plain


def test_filters_and_the_range_of_local_dates(pipeline, client, admin_headers):
    r = client.get(URL, query_string={"group_by": "source", "from": iso(-365), "source": "website"}, headers=admin_headers)
    assert [(g["key"], g["quotes"]) for g in r.get_json()["groups"]] == [("website", 1)]
    r = client.get(URL, query_string={"group_by": "clinic", "from": iso(-365), "clinic": "ist-kadikoy"}, headers=admin_headers)
    assert [g["key"] for g in r.get_json()["groups"]] == ["ist-kadikoy"]
    # The 40- and 70-day-old quotes fall outside the last month.
    r = client.get(URL, query_string={"from": iso(-30), "to": iso(0)}, headers=admin_headers)
    assert r.get_json()["totals"]["quotes"] == 5 and r.get_json()["totals"]["statuses"]["accepted"]["count"] == 0
    assert r.get_json()["totals"]["median_days_to_accept"] is None


def test_a_quote_made_just_after_midnight_at_the_clinics_counts_on_that_day(pipeline, client, database, admin_headers,
                                                                             sales_headers):
    number = _quote(client, sales_headers, FACE_QUOTE)
    # 00:30 at the clinics is still the day before in UTC.
    moment = clock.start_of(day(-3)) + timedelta(minutes=30)
    with database.engine.begin() as c:
        c.execute(text("UPDATE quotes SET created_at = :at WHERE number = :n"), {"at": moment, "n": number})
    assert moment.astimezone(UTC).date() == day(-4)
    # What the use case wrote when it stored the quote follows created_at: checked here by the creation itself.
    with database.engine.connect() as c:
        on = c.execute(text("SELECT created_on FROM quotes WHERE number = :n"), {"n": number}).scalar_one()
    assert str(on)[:10] == iso(0)
    with database.engine.begin() as c:
        c.execute(text("UPDATE quotes SET created_on = :on WHERE number = :n"), {"on": clock.local_date(moment), "n": number})
    r = client.get(URL, query_string={"from": iso(-3), "to": iso(-3)}, headers=admin_headers)
    assert r.get_json()["totals"]["quotes"] == 1


def test_labels_follow_the_language_and_csv_has_the_same_figures(pipeline, client, admin_headers):
    query = {"group_by": "month", "from": iso(-75), "to": iso(0)}
    tr = client.get(URL, query_string=query, headers=admin_headers).get_json()
    en = client.get(URL, query_string=query, headers={**admin_headers, "Accept-Language": "en"}).get_json()
    months_tr = ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"]
    assert tr["groups"][-1]["label"] == f"{months_tr[TODAY.month - 1]} {TODAY.year}"
    assert en["groups"][-1]["label"] == TODAY.strftime("%B %Y")
    assert [_without_label(g) for g in tr["groups"]] == [_without_label(g) for g in en["groups"]]

    r = client.get(URL, query_string=query, headers={**admin_headers, "Accept": "text/csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [row["key"] for row in table] == [g["key"] for g in tr["groups"]] + [""]
    assert table[-1]["label"] == "Toplam" and int(table[-1]["quotes"]) == tr["totals"]["quotes"]
    assert table[-1]["deposits_received"] == tr["totals"]["deposits_received"]
    assert table[-1]["conversion"] == tr["totals"]["conversion"]
    assert int(table[-1]["declined_price"]) == 1 and int(table[-1]["declined_unspecified"]) == 1


def test_only_admins_and_bad_parameters_are_422(client, admin_headers, sales_headers):
    assert client.get(URL, headers=sales_headers).status_code == 403
    assert client.get(URL).status_code == 401
    for query, field in (({"group_by": "colour"}, "group_by"), ({"from": "2026-02-30"}, "from"),
                         ({"from": iso(1), "to": iso(0)}, "from"), ({"source": "fax"}, "source"),
                         ({"to": "yesterday"}, "to"), ({"clinic": ""}, "clinic")):
        r = client.get(URL, query_string=query, headers=admin_headers)
        assert r.status_code == 422 and r.mimetype == "application/problem+json", (query, r.get_json())
        assert field in r.get_json()["errors"], (query, r.get_json())
    r = client.get(URL, headers={**admin_headers, "Accept": "application/xml"})
    assert r.status_code == 406 and r.mimetype == "application/problem+json"


def test_an_empty_database_answers_zeros_and_nulls(client, admin_headers):
    r = client.get(URL, query_string={"group_by": "month"}, headers=admin_headers)
    answer = r.get_json()
    assert r.status_code == 200 and len(answer["groups"]) == 12 and answer["totals"]["quotes"] == 0
    assert answer["totals"]["conversion"] is None and answer["totals"]["median_days_to_accept"] is None
    assert answer["totals"]["value"] == "0.00" and answer["groups"][0]["statuses"]["new"] == {"count": 0, "value": "0.00"}


def test_several_groupings_read_at_once_equal_each_read_alone(pipeline, ctx):
    from quoteapi.services import reports

    query = reports.PipelineQuery(start=day(-120), end=day(0))
    together = reports.pipelines(ctx, query, ("clinic", "source", "month", "discount_by", "area"))
    for group_by, report in together.items():
        alone = reports.pipeline(ctx, reports.PipelineQuery(start=day(-120), end=day(0), group_by=group_by))
        assert report == alone, group_by
    assert [g.key for g in together["discount_by"].groups] == ["sam", None]
    assert together["discount_by"].groups[0].figures.manual_discounts.count == 2
