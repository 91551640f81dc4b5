"""Personal data (KVKK and GDPR): consent, export, erasure and retention, on both databases."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from quoteapi.adapters.clock import start_of
from quoteapi.adapters.db import AuditEntry, Base, IdempotencyKey, Quote, QuoteActivity, QuoteRevision
from quoteapi.domain.consent import CONSENT, CONSENT_VERSION
from quoteapi.domain.personal_data import ERASED

from ..bodies import QUOTE, QUOTE_REQUEST
from ..conftest import TODAY
from ..web.desk_helpers import csrf_token, signed_in

NAME = "Zübeyde Planted"
EMAIL = "Zubeyde.Planted@example.com"
PHONE = "+90 555 123 45 67"
# What must be found nowhere once she is erased, in any spelling the tables could hold.
TRACES = ("zübeyde", "zubeyde", "planted", "zubeyde.planted@example.com", "555 123 45 67", "5551234567")

REQUEST = {
    **QUOTE_REQUEST,
    "client": {"age": 47, "pregnant": True, "serious_skin_condition": True},
    "customer": {"name": NAME, "email": EMAIL, "phone": PHONE},
}
STAFF_QUOTE = {**QUOTE, "customer": {"name": NAME, "email": EMAIL.lower()},
               "notes": f"{NAME} asked to be called after six; her e-mail is {EMAIL}."}
PHONE_ONLY = {**QUOTE, "customer": {"name": "Z. Planted", "phone": "+905551234567"}, "notes": None}


@pytest.fixture
def sales(sales_headers):
    return {**sales_headers, "Accept-Language": "en"}


@pytest.fixture
def admin(admin_headers):
    return {**admin_headers, "Accept-Language": "en"}


def dump(database) -> str:
    """Every row of every table, as text: where a trace of anybody would show."""
    with database.reading() as session:
        return "\n".join(
            f"{table.name}: {tuple(row)}" for table in Base.metadata.sorted_tables for row in session.execute(select(table))
        )


def traces_in(database) -> list[str]:
    text = dump(database).lower()
    return [trace for trace in TRACES if trace in text]


def request_quote(client, body=REQUEST, **headers) -> str:
    r = client.post("/api/v1/quote-requests", json=body, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["number"]


def staff_quote(client, sales, body=STAFF_QUOTE, **headers) -> dict:
    r = client.post("/api/v1/quotes", json=body, headers={**sales, **headers})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def plant_everywhere(client, sales) -> list[str]:
    """Her data in every place it can be stored: three quotes, notes, revisions, a status move, idempotency keys."""
    web = request_quote(client, **{"Idempotency-Key": "web-zubeyde"})
    staff = staff_quote(client, sales, **{"Idempotency-Key": "desk-zubeyde"})["number"]
    by_phone = staff_quote(client, sales, PHONE_ONLY)["number"]
    assert client.post(f"/api/v1/quotes/{web}/notes", json={"text": f"Called {NAME} on {PHONE}."}, headers=sales).status_code == 201
    assert client.post(f"/api/v1/quotes/{staff}/revisions", json={"sessions": 6}, headers=sales).status_code == 201
    assert client.patch(f"/api/v1/quotes/{staff}", json={"status": "sent"}, headers=sales).status_code == 200
    return [web, staff, by_phone]


# --- consent -------------------------------------------------------------------------------


def test_a_website_request_records_when_and_to_which_wording_consent_was_given(client, sales, database):
    number = request_quote(client, **{"Accept-Language": "tr"})
    q = client.get(f"/api/v1/quotes/{number}", headers=sales).get_json()
    assert q["consent"]["version"] == CONSENT_VERSION
    assert q["consent"]["wording"] == dict(CONSENT.wording)
    given = datetime.fromisoformat(q["consent"]["given_at"])
    assert abs(given - datetime.now(UTC)) < timedelta(minutes=1)
    with database.reading() as session:
        row = session.scalars(select(Quote).where(Quote.number == number)).one()
        assert (row.consent_version, row.consent_at is not None) == (CONSENT_VERSION, True)
    # The desk's quotes carry no website consent.
    assert staff_quote(client, sales)["consent"] is None


# --- export --------------------------------------------------------------------------------


def test_the_export_holds_everything_stored_about_one_person(client, sales, admin):
    web, staff, by_phone = plant_everywhere(client, sales)
    other = staff_quote(client, sales, QUOTE)["number"]
    r = client.get("/api/v1/admin/customers", query_string={"email": "  zubeyde.PLANTED@example.com "}, headers=admin)
    assert r.status_code == 422  # spaces make it no e-mail address
    r = client.get("/api/v1/admin/customers", query_string={"email": "ZUBEYDE.planted@example.com"}, headers=admin)
    assert r.status_code == 200, r.get_json()
    assert r.headers["Cache-Control"] == "no-store"
    data = r.get_json()
    assert data["person"] == {"email": "ZUBEYDE.planted@example.com", "phone": None}
    quotes = {q["number"]: q for q in data["quotes"]}
    assert set(quotes) == {web, staff}  # not the phone-only one, nor anybody else's
    assert other not in quotes
    assert quotes[web]["customer"] == REQUEST["customer"]
    assert quotes[web]["consent"]["version"] == CONSENT_VERSION
    assert quotes[staff]["consent"] is None and quotes[staff]["notes"] == STAFF_QUOTE["notes"]
    assert any(NAME in a["text"] for a in quotes[web]["activity"] if a["kind"] == "note")
    # The health answers, in every revision, and the reasons drawn from them.
    assert [r["revision"] for r in quotes[staff]["revisions"]] == [1, 2]
    answers = quotes[web]["revisions"][0]["inputs"]["client"]
    assert (answers["age"], answers["pregnant"], answers["serious_skin_condition"]) == (47, True, True)
    assert quotes[web]["eligibility"]["status"] == "postpone"
    assert quotes[web]["erased_at"] is None
    by_digits = client.get("/api/v1/admin/customers", query_string={"phone": "+90 (555) 123-45-67"}, headers=admin)
    assert {q["number"] for q in by_digits.get_json()["quotes"]} == {web, by_phone}
    nobody = client.get("/api/v1/admin/customers", query_string={"email": "nobody@example.com"}, headers=admin)
    assert nobody.status_code == 200 and nobody.get_json()["quotes"] == []


def test_the_export_and_the_erasure_are_for_admins_and_name_one_person(client, sales, admin):
    assert client.get("/api/v1/admin/customers", query_string={"email": EMAIL}, headers=sales).status_code == 403
    assert client.post("/api/v1/admin/customers/erase", json={"email": EMAIL}, headers=sales).status_code == 403
    assert client.post("/api/v1/admin/customers/erase", json={"email": EMAIL}).status_code == 401
    for query in ({}, {"email": EMAIL, "phone": PHONE}, {"phone": "((( )))"}, {"email": "not an address"}):
        assert client.get("/api/v1/admin/customers", query_string=query, headers=admin).status_code == 422, query
        assert client.post("/api/v1/admin/customers/erase", json=query, headers=admin).status_code == 422, query
    assert client.post("/api/v1/admin/customers/erase", json={"email": EMAIL, "name": NAME}, headers=admin).status_code == 422


# --- erasure -------------------------------------------------------------------------------


def test_erasure_leaves_no_trace_in_any_table_and_keeps_the_books(client, sales, admin, database):
    numbers = plant_everywhere(client, sales)
    # An audit entry that names her, as a later feature might write one.
    with database.transaction() as session:
        session.add(AuditEntry(at=datetime.now(UTC), actor="sam", kind="quote", action="call", subject=numbers[0],
                               before=None, after={"customer": {"name": NAME}, "summary": f"rang {PHONE}", "sessions": 4}))
    books = {n: client.get(f"/api/v1/quotes/{n}", headers=sales).get_json() for n in numbers}
    assert traces_in(database)  # the check below would see her

    r = client.post("/api/v1/admin/customers/erase", json={"email": EMAIL}, headers=admin)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["quotes_changed"] == 2 and sorted(r.get_json()["numbers"]) == sorted(numbers[:2])
    r = client.post("/api/v1/admin/customers/erase", json={"phone": "+90 555 1234567"}, headers=admin)
    assert r.get_json()["quotes_changed"] == 1 and r.get_json()["numbers"] == [numbers[2]]

    assert traces_in(database) == []
    for number in numbers:
        q = client.get(f"/api/v1/quotes/{number}", headers=sales).get_json()
        assert q["customer"] == {"name": ERASED, "email": None, "phone": None}
        assert q["notes"] in (None, ERASED)
        assert all(a["text"] == ERASED for a in q["activity"] if a["kind"] == "note")
        # In the quote's own language (issue 31: a quote's answer is wholly in it).
        erased = {"en": "Personal data erased.", "tr": "Kişisel veriler silindi."}[q["language"]]
        assert q["activity"][-1]["kind"] == "erasure" and q["activity"][-1]["text"] == erased
        before = books[number]
        for kept in ("number", "status", "total", "net", "tax_total", "lines", "created_at", "valid_until", "schedule",
                     "revision", "consent"):
            assert q[kept] == before[kept], kept
        assert q["eligibility"]["status"] == before["eligibility"]["status"]
        assert q["eligibility"]["reasons"] == ([ERASED] if before["eligibility"]["reasons"] else [])
        # Every figure still replays: only the erased answers' eligibility is left out.
        for revision in range(1, q["revision"] + 1):
            verified = client.get(f"/api/v1/quotes/{number}/revisions/{revision}/verify", headers=sales).get_json()
            assert verified == {"matches": True, "differences": []}
    with database.reading() as session:
        assert {r.inputs["client"] for r in session.scalars(select(QuoteRevision))} == {ERASED}
        assert session.scalars(select(IdempotencyKey)).all() == []
        audit = session.scalars(select(AuditEntry).where(AuditEntry.kind == "personal_data").order_by(AuditEntry.id)).all()
        assert [(e.actor, e.action, e.subject, e.after) for e in audit] == [
            ("ada", "erase", "email", {"quotes": numbers[:2]}),
            ("ada", "erase", "phone", {"quotes": [numbers[2]]}),
        ]
        planted = session.scalars(select(AuditEntry).where(AuditEntry.action == "call")).one()
        assert planted.after == {"customer": ERASED, "summary": ERASED, "sessions": 4}
        status_moves = session.scalars(select(AuditEntry).where(AuditEntry.action == "status")).all()
        assert [e.after for e in status_moves] == [{"status": "sent"}]  # what names nobody stays


def test_erasure_also_erases_an_admins_note_on_a_manual_discount(client, sales, admin, database):
    # Free text, as a desk note is: it may name anybody, not only the customer.
    body = {**STAFF_QUOTE, "manual_discount": {"percent": "12", "reason": "Loyal customer"}}
    number = staff_quote(client, sales, body)["number"]
    r = client.post(f"/api/v1/quotes/{number}/approval", json={"decision": "reject", "note": "Her sister works here"},
                    headers=admin)
    assert r.status_code == 200 and r.get_json()["approval"]["note"] == "Her sister works here"

    assert client.post("/api/v1/admin/customers/erase", json={"email": EMAIL}, headers=admin).status_code == 200
    q = client.get(f"/api/v1/quotes/{number}", headers=sales).get_json()
    assert q["approval"]["status"] == "rejected" and q["approval"]["note"] == ERASED
    assert "sister" not in dump(database).lower()
    with database.reading() as session:
        decision = session.scalars(select(AuditEntry).where(AuditEntry.action == "approval")).one()
        assert decision.after["note"] == ERASED and decision.after["approval"] == "rejected"


# A person written as the desk writes people: a Turkish capital İ in the address, the phone
# with punctuation; and named again, in other spellings, in every free text there is.
ILKER = "İlker Zeytinoğlu"
ILKER_EMAIL = "İLKER.ISIK@example.com"
ILKER_PHONE = "+90 (532) 765-43-21"
ABOUT_ILKER = f"{ILKER} (ilker.isik@example.com, 0532 765 43 21) is Ayşe Hanım's friend"
# What must be found nowhere afterwards: text folded (no case, no accents, ı is i), phone digits without punctuation.
ILKER_TRACES = ("ilker", "zeytinoglu", "isik@example.com", "5327654321")
ILKER_BYTES = (b"lker", b"zeytino", b"isik@", b"5327654321")


def _folded(text: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[ ()+./-]", "", bare.casefold().replace("ı", "i"))


def ilker_in(text: str) -> list[str]:
    folded = _folded(text)
    return [trace for trace in ILKER_TRACES if _folded(trace) in folded]


def sqlite_bytes(database) -> bytes:
    """The SQLite files, byte for byte: the database and its write-ahead log."""
    path = Path(database.engine.url.database)
    return b"".join(f.read_bytes() for f in (path, path.with_name(path.name + "-wal")) if f.exists())


def ilker_in_files(database) -> list[bytes]:
    """The traces in the bytes of the SQLite files, in any case, without punctuation."""
    found = sqlite_bytes(database).lower().translate(None, b" ()+.-/")
    return [trace for trace in ILKER_BYTES if trace.translate(None, b" ()+.-/") in found]


def documents(client, sales, number: str) -> str:
    """The quote's HTML document and the text of its PDF."""
    html = client.get(f"/api/v1/quotes/{number}/document", headers={**sales, "Accept": "text/html"})
    pdf = client.get(f"/api/v1/quotes/{number}/document", headers={**sales, "Accept": "application/pdf"})
    assert html.status_code == 200 and pdf.status_code == 200
    return html.get_data(as_text=True) + "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)


def test_erasure_by_another_spelling_leaves_no_free_text_about_the_person_anywhere(app, client, ctx, sales, admin, database):
    # The API: a desk quote in Turkish with everything a person can type, approved with a note, noted, revised.
    body = {**QUOTE, "language": "tr", "customer": {"name": ILKER, "email": ILKER_EMAIL, "phone": ILKER_PHONE},
            "notes": ABOUT_ILKER, "manual_discount": {"percent": "30", "reason": ABOUT_ILKER}}
    desk = staff_quote(client, sales, body, **{"Idempotency-Key": "ilker"})["number"]
    decided = client.post(f"/api/v1/quotes/{desk}/approval", json={"decision": "approve", "note": ABOUT_ILKER}, headers=admin)
    assert decided.status_code == 200, decided.get_json()
    assert client.post(f"/api/v1/quotes/{desk}/notes", json={"text": ABOUT_ILKER}, headers=sales).status_code == 201
    revised = client.post(f"/api/v1/quotes/{desk}/revisions",
                          json={"manual_discount": {"amount": "500.00", "reason": f"Again: {ABOUT_ILKER}"}}, headers=sales)
    assert revised.status_code == 201, revised.get_json()
    # The website: the address in lower case, the phone with its trunk prefix.
    web = request_quote(client, {**REQUEST, "customer": {"name": ILKER.upper(), "email": "ilker.isik@example.com",
                                                         "phone": "0532 765 43 21"}})
    # The console: a quote by phone only (written with 0090), its notes and discount, a note, an admin's approval note.
    seller, desk_admin = signed_in(app, ctx, "sel", "sales"), signed_in(app, ctx, "dora", "admin")
    form = {"csrf_token": csrf_token(seller, "/desk/quotes/new"), "clinic": "ist-nisantasi",
            "specialist_level": "dermatologist", "sessions": "4", "area": ["face"], "start_date": QUOTE["start_date"],
            "customer_name": ILKER.lower(), "customer_phone": "0090 532 765 43 21", "notes": ABOUT_ILKER,
            "discount_kind": "percent", "discount_value": "30", "discount_reason": ABOUT_ILKER}
    created = seller.post("/desk/quotes/new", data=form)
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    console = created.headers["Location"].rsplit("/", 1)[1]
    token = csrf_token(seller, f"/desk/quotes/{console}")
    assert seller.post(f"/desk/quotes/{console}/notes", data={"text": ABOUT_ILKER, "csrf_token": token}).status_code == 302
    approved = desk_admin.post(f"/desk/approvals/{console}", data={
        "decision": "approve", "note": ABOUT_ILKER, "csrf_token": csrf_token(desk_admin, "/desk/approvals")})
    assert approved.status_code == 302
    # payments-users: payments whose reference names him, from the API and from the console (on an accepted quote).
    if client.get(f"/api/v1/quotes/{console}", headers=sales).get_json()["approval"]["status"] == "pending":
        assert client.post(f"/api/v1/quotes/{console}/approval", json={"decision": "approve"},
                           headers=admin).status_code == 200
    for status in ("sent", "accepted"):
        moved = client.patch(f"/api/v1/quotes/{console}", json={"status": status}, headers=sales)
        assert moved.status_code == 200, moved.get_json()
    paid = client.post(f"/api/v1/quotes/{console}/payments", headers=sales, json={
        "kind": "payment", "amount": "1000.00", "method": "bank_transfer", "received_on": TODAY.isoformat(), "reference": ABOUT_ILKER})
    assert paid.status_code == 201, paid.get_json()
    token = csrf_token(seller, f"/desk/quotes/{console}")
    recorded = seller.post(f"/desk/quotes/{console}/payments", data={
        "kind": "payment", "amount": "250,50", "method": "cash", "received_on": TODAY.isoformat(),
        "reference": ABOUT_ILKER, "csrf_token": token})
    assert recorded.status_code == 302, recorded.get_data(as_text=True)[:2000]
    numbers = [desk, web, console]
    assert all(ilker_in(documents(client, sales, n)) for n in numbers)
    assert set(ilker_in(dump(database))) == set(ILKER_TRACES)  # the checks below would see him
    if database.is_sqlite:
        assert ilker_in_files(database)

    # Exported and erased by the address in other capitals (İ as I), then by the number written another way.
    found = client.get("/api/v1/admin/customers", query_string={"email": "Ilker.Isik@EXAMPLE.com"}, headers=admin)
    assert sorted(q["number"] for q in found.get_json()["quotes"]) == sorted([desk, web])
    found = client.get("/api/v1/admin/customers", query_string={"phone": "+90 532 7654321"}, headers=admin)
    assert sorted(q["number"] for q in found.get_json()["quotes"]) == sorted(numbers)
    by_email = client.post("/api/v1/admin/customers/erase", json={"email": "ilker.ISIK@example.COM"}, headers=admin)
    assert sorted(by_email.get_json()["numbers"]) == sorted([desk, web])
    by_phone = client.post("/api/v1/admin/customers/erase", json={"phone": "532 765 4321"}, headers=admin)
    assert by_phone.get_json()["numbers"] == [console]

    if database.is_sqlite:
        assert ilker_in_files(database) == []
    assert ilker_in(dump(database)) == []
    for number in numbers:
        assert ilker_in(documents(client, sales, number)) == [], number
        q = client.get(f"/api/v1/quotes/{number}", headers=sales).get_json()
        assert q["customer"] == {"name": ERASED, "email": None, "phone": None}
        if number != web:
            assert q["manual_discount"]["reason"] == ERASED and q["approval"]["note"] in (None, ERASED)
        for revision in range(1, q["revision"] + 1):  # the erased reason's line still replays
            verified = client.get(f"/api/v1/quotes/{number}/revisions/{revision}/verify", headers=sales).get_json()
            assert verified == {"matches": True, "differences": []}, (number, revision)
    # The payments are books: kept, their amounts too; only their references are erased.
    kept = client.get(f"/api/v1/quotes/{console}/payments", headers=sales).get_json()
    assert [(p["amount"], p["reference"]) for p in kept["items"]] == [("1000.00", ERASED), ("250.50", ERASED)]
    assert kept["paid_total"] == "1250.50"
    # The reason's line reads as a replay of the erased inputs writes it, in the quote's language.
    lines = client.get(f"/api/v1/quotes/{desk}", headers=sales).get_json()["lines"]
    assert lines[-1]["kind"] == "manual_discount" and ERASED in lines[-1]["description"]


def test_erasure_takes_the_manual_discounts_reason_and_sqlites_files_forget_it(client, sales, admin, database):
    # Staff write the reason freely, about anybody: it goes wholesale, from the inputs, the line and the document.
    reason = "Ayşe Hanım'ın arkadaşı Feridun Quokka, 0532 111 22 33"
    number = staff_quote(client, sales, {**STAFF_QUOTE, "manual_discount": {"amount": "100.00", "reason": reason}})["number"]
    # The customer's documents never print staff's reason ("Special discount"); the quote keeps it until erased.
    assert "Quokka" not in documents(client, sales, number) and "Special discount" in documents(client, sales, number)
    assert "quokka" in dump(database).lower()
    assert not database.is_sqlite or b"Quokka" in sqlite_bytes(database)

    assert client.post("/api/v1/admin/customers/erase", json={"email": EMAIL}, headers=admin).get_json()["quotes_changed"] == 1
    assert "quokka" not in dump(database).lower() and "5321112233" not in dump(database).replace(" ", "")
    assert "Quokka" not in documents(client, sales, number)
    q = client.get(f"/api/v1/quotes/{number}", headers=sales).get_json()
    assert q["manual_discount"] == {"amount": "100.00", "reason": ERASED}
    assert client.get(f"/api/v1/quotes/{number}/revisions/1/verify", headers=sales).get_json()["matches"] is True
    assert not database.is_sqlite or b"Quokka" not in sqlite_bytes(database)


def test_erasing_twice_or_somebody_unknown_is_safe_and_says_so(client, sales, admin):
    request_quote(client)
    first = client.post("/api/v1/admin/customers/erase", json={"email": EMAIL}, headers=admin).get_json()
    assert first["quotes_changed"] == 1
    again = client.post("/api/v1/admin/customers/erase", json={"email": EMAIL}, headers=admin)
    assert again.status_code == 200
    assert again.get_json() == {
        "quotes_changed": 0, "numbers": [],
        "detail": "No quote holds this e-mail address or phone number (or it was erased already); nothing was changed.",
    }
    unknown = client.post("/api/v1/admin/customers/erase", json={"phone": "+90 500 000 00 01"},
                          headers={**admin, "Accept-Language": "tr"})
    assert unknown.get_json()["quotes_changed"] == 0 and "hiçbir şey değiştirilmedi" in unknown.get_json()["detail"]
    assert client.get("/api/v1/admin/customers", query_string={"email": EMAIL}, headers=admin).get_json()["quotes"] == []


def test_an_erased_quote_still_renders_its_document(client, sales, admin):
    number = request_quote(client)
    client.post("/api/v1/admin/customers/erase", json={"email": EMAIL}, headers=admin)
    html = client.get(f"/api/v1/quotes/{number}/document", headers={**sales, "Accept": "text/html"})
    assert html.status_code == 200
    page = html.get_data(as_text=True)
    assert ERASED in page and "Planted" not in page and "pregnan" not in page.lower()
    pdf = client.get(f"/api/v1/quotes/{number}/document", headers={**sales, "Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert ERASED in text and "Planted" not in text


def test_an_erased_quote_can_still_be_revised_and_moved(client, sales, admin):
    number = request_quote(client)
    client.post("/api/v1/admin/customers/erase", json={"email": EMAIL}, headers=admin)
    revised = client.post(f"/api/v1/quotes/{number}/revisions", json={"sessions": 5}, headers=sales)
    assert revised.status_code == 201
    assert revised.get_json()["eligibility"] == {"status": "unknown", "reasons": []}  # no answers any more
    assert client.patch(f"/api/v1/quotes/{number}", json={"status": "declined"}, headers=sales).status_code == 200


# --- health answers stay out of lists, searches and the audit log ---------------------------------


def test_health_answers_stay_out_of_the_list_and_the_search(client, sales):
    number = request_quote(client)
    items = client.get("/api/v1/quotes", headers=sales).get_json()["items"]
    [item] = [i for i in items if i["number"] == number]
    assert set(item) == {"number", "revision", "status", "source", "clinic", "customer", "created_by", "created_at",
                         "valid_until", "follow_up_on", "assigned_to", "currency", "total", "eligibility", "approval"}
    assert set(item["eligibility"]) == {"status"}  # the status the desk triages by; never the answers or reasons
    # (Timestamps and numbers are left out: they hold digits such as "47" by chance.)
    listed = str([{k: v for k, v in i.items() if k not in ("created_at", "number")} for i in items]).lower()
    assert "pregnan" not in listed and "skin" not in listed and "47" not in listed
    for q in ("pregnan", "postponed", "true", "serious_skin", "47"):
        assert client.get("/api/v1/quotes", query_string={"q": q}, headers=sales).get_json()["items"] == [], q
    assert client.get("/api/v1/quotes", query_string={"q": "planted"}, headers=sales).get_json()["items"][0]["number"] == number


# --- retention -----------------------------------------------------------------------------------


def _set(database, number: str, *, at: datetime, **fields) -> None:
    """Make a quote (and its whole activity) as old as ``at``."""
    with database.transaction() as session:
        quote_id = session.scalar(select(Quote.id).where(Quote.number == number))
        session.execute(update(Quote).where(Quote.id == quote_id).values(created_at=at, **fields))
        session.execute(update(QuoteActivity).where(QuoteActivity.quote_id == quote_id).values(at=at))


def _erased(client, sales, number: str) -> bool:
    return client.get(f"/api/v1/quotes/{number}", headers=sales).get_json()["customer"]["name"] == ERASED


def test_retention_erases_stale_website_requests_from_the_day_after_the_retention_period(app, client, ctx, sales, database):
    day = TODAY - timedelta(days=730)  # so that the day they go, day + 731, is TODAY + 1
    # The first and the last second of that day at the clinics (retention counts the clinics' days).
    start, end = start_of(day), start_of(day + timedelta(days=1)) - timedelta(seconds=1)
    quotes = {name: request_quote(client) for name in (
        "new-first-second", "new-last-second", "declined", "sent-expired", "draft-expired", "sent-valid",
        "accepted", "touched-recently", "younger",
    )}
    quotes["staff"] = staff_quote(client, sales)["number"]
    for name in ("declined",):
        client.patch(f"/api/v1/quotes/{quotes[name]}", json={"status": "declined"}, headers=sales)
    for name in ("sent-expired", "sent-valid", "accepted"):
        client.patch(f"/api/v1/quotes/{quotes[name]}", json={"status": "sent"}, headers=sales)
    client.patch(f"/api/v1/quotes/{quotes['accepted']}", json={"status": "accepted"}, headers=sales)
    client.patch(f"/api/v1/quotes/{quotes['draft-expired']}", json={"status": "draft"}, headers=sales)
    for name, number in quotes.items():
        _set(database, number, at=end if name == "new-last-second" else start)
    for name in ("sent-expired", "draft-expired"):
        _set(database, quotes[name], at=start, valid_until=day + timedelta(days=30))
    _set(database, quotes["younger"], at=start + timedelta(days=1))
    # A note a year later: the desk was still in touch.
    with database.transaction() as session:
        quote_id = session.scalar(select(Quote.id).where(Quote.number == quotes["touched-recently"]))
        session.add(QuoteActivity(quote_id=quote_id, at=start + timedelta(days=365), by="sam", kind="note", text="Still thinking."))

    runner = app.test_cli_runner()
    ctx.clock = lambda: day + timedelta(days=730)  # the last day they are kept
    kept = runner.invoke(args=["maintenance"])
    assert kept.exit_code == 0, kept.output
    assert "Erased the personal data of 0 website request(s)" in kept.output
    assert not any(_erased(client, sales, n) for n in quotes.values())

    ctx.clock = lambda: day + timedelta(days=731)
    run = runner.invoke(args=["maintenance"])
    assert run.exit_code == 0, run.output
    stale = {"new-first-second", "new-last-second", "declined", "sent-expired", "draft-expired"}
    assert {name for name, n in quotes.items() if _erased(client, sales, n)} == stale
    assert f"Erased the personal data of {len(stale)} website request(s)" in run.output
    assert all(quotes[name] in run.output for name in stale)
    again = runner.invoke(args=["maintenance"])
    assert "Erased the personal data of 0 website request(s)" in again.output

    ctx.clock = lambda: day + timedelta(days=732)
    later = runner.invoke(args=["maintenance"])
    assert "Erased the personal data of 1 website request(s)" in later.output and quotes["younger"] in later.output
    with database.reading() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "retention").order_by(AuditEntry.id)).all()
        assert {(e.kind, e.subject, e.after["retention_days"]) for e in entries} == {("personal_data", "website requests", 730)}
        assert [sorted(e.after["quotes"]) for e in entries] == [sorted(quotes[n] for n in stale), [quotes["younger"]]]


def test_retention_removes_idempotency_keys_older_than_their_time_to_live(app, client, sales, database):
    for key in ("old", "just-old", "just-young", "young"):
        request_quote(client, {**REQUEST, "sessions": len(key)}, **{"Idempotency-Key": key})
    now = datetime.now(UTC)
    ages = {"old": timedelta(days=30), "just-old": timedelta(hours=48, minutes=1),
            "just-young": timedelta(hours=47, minutes=59), "young": timedelta(minutes=1)}
    with database.transaction() as session:
        for key, age in ages.items():
            session.execute(update(IdempotencyKey).where(IdempotencyKey.key == key).values(created_at=now - age))
    result = app.test_cli_runner().invoke(args=["maintenance"])
    assert result.exit_code == 0, result.output
    assert "Removed 2 idempotency key(s)" in result.output
    with database.reading() as session:
        assert sorted(session.scalars(select(IdempotencyKey.key))) == ["just-young", "young"]
    # A retry with a removed key stores a new quote; with a kept one, it answers the first.
    assert client.post("/api/v1/quote-requests", json={**REQUEST, "sessions": 5},
                       headers={"Idempotency-Key": "young"}).headers.get("Idempotent-Replayed") == "true"


# --- the command line ---------------------------------------------------------------------------


def test_customers_show_and_erase_at_the_terminal(app, client, sales):
    number = request_quote(client)
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["customers", "show", "--phone", "+905551234567"])
    assert shown.exit_code == 0, shown.output
    import json

    data = json.loads(shown.output)
    assert [q["number"] for q in data["quotes"]] == [number]
    assert data["quotes"][0]["customer"]["name"] == NAME
    assert data["quotes"][0]["revisions"][0]["inputs"]["client"]["age"] == 47
    # The number as the desk writes it at home: the same person.
    home = json.loads(runner.invoke(args=["customers", "show", "--phone", "0555 123 45 67"]).output)
    assert [q["number"] for q in home["quotes"]] == [number]
    assert runner.invoke(args=["customers", "show"]).exit_code == 1
    assert runner.invoke(args=["customers", "show", "--email", "x"]).exit_code == 1
    erased = runner.invoke(args=["customers", "erase", "--email", EMAIL])
    assert erased.exit_code == 0 and f"Personal data erased from quote {number}." in erased.output
    assert erased.output.strip().endswith("1 quote(s) changed")
    again = runner.invoke(args=["customers", "erase", "--email", EMAIL])
    assert again.exit_code == 0 and again.output.strip().endswith("0 quote(s) changed")
    assert json.loads(runner.invoke(args=["customers", "show", "--email", EMAIL]).output)["quotes"] == []
    assert _erased(client, sales, number)
