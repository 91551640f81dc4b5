"""The quote's PDF made when it is sent and kept (``sent_documents``): the e-mail attaches exactly those
bytes, a reminder of an unchanged quote reuses them, a new revision makes a new one; erasure, export and
retention cover them. On both databases, with a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from quoteapi.adapters import clock
from quoteapi.adapters import mail as mails
from quoteapi.adapters.db import outbox_store, quote_store
from quoteapi.adapters.db.models import OutboxMessage, SentDocument
from quoteapi.services import outbox, personal_data, sending
from quoteapi.services.commands import SendQuote

from ..bodies import FACE_QUOTE
from ..smtp_server import SmtpServer

EMAIL = "deniz.sent@example.com"


def create(client, headers) -> str:
    body = {**FACE_QUOTE, "customer": {"name": "Deniz Sentürk", "email": EMAIL}}
    r = client.post("/api/v1/quotes", json=body, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["number"]


def send(client, headers, number) -> None:
    r = client.post(f"/api/v1/quotes/{number}/send", json={"channel": "email"}, headers=headers)
    assert r.status_code == 200, r.get_json()


def documents(database) -> list[tuple[int, int, str, bytes]]:
    with database.reading() as s:
        return [(d.id, d.revision, d.html_sha256, bytes(d.pdf)) for d in s.scalars(select(SentDocument).order_by(SentDocument.id))]


def payloads(database) -> list[dict]:
    with database.reading() as s:
        return [dict(m.payload) for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def delivered_pdfs(ctx) -> list[bytes]:
    with SmtpServer() as smtp:
        done = outbox.deliver_due(ctx, mails.SmtpMailer(mails.SmtpSettings.from_url(smtp.url, 5.0)))
    assert all(o.result == "sent" for o in done.outcomes), done.outcomes
    return [next(p for p in r.message.iter_attachments() if p.get_content_type() == "application/pdf").get_content()
            for r in smtp.received]


def test_a_send_stores_the_pdf_a_reminder_reuses_it_a_revision_makes_a_new_one(client, ctx, sales_headers, database,
                                                                                 monkeypatch):
    number = create(client, sales_headers)
    send(client, sales_headers, number)
    [(first_id, revision, digest, pdf)] = documents(database)
    assert revision == 1 and pdf.startswith(b"%PDF") and len(digest) == 64
    assert payloads(database)[0]["document"] == first_id

    send(client, sales_headers, number)  # a reminder of the unchanged quote: no new PDF
    assert [d[0] for d in documents(database)] == [first_id]
    assert [p["document"] for p in payloads(database)] == [first_id, first_id]

    # The sender makes no PDF: it attaches exactly the stored bytes, to both mails.
    def no_rendering(html):
        raise AssertionError("the sender made a PDF")

    monkeypatch.setattr(outbox.documents, "render_pdf", no_rendering)
    assert delivered_pdfs(ctx) == [pdf, pdf]
    monkeypatch.undo()

    r = client.post(f"/api/v1/quotes/{number}/revisions", json={"sessions": 6, "products": []}, headers=sales_headers)
    assert r.status_code == 201, r.get_json()
    send(client, sales_headers, number)
    stored = documents(database)
    assert [d[1] for d in stored] == [1, 2] and stored[1][2] != digest and stored[1][3] != pdf
    assert payloads(database)[-1]["document"] == stored[1][0]
    assert delivered_pdfs(ctx) == [stored[1][3]]


def test_a_message_without_a_stored_document_still_gets_its_pdf(client, ctx, sales_headers, database):
    """Messages queued before documents were stored (or whose document is gone) are rendered as before."""
    number = create(client, sales_headers)
    send(client, sales_headers, number)
    with database.transaction() as s:
        quote = quote_store.load(s, number)
        outbox_store.enqueue(s, kind="quote", language=quote.language, recipient=EMAIL, now=clock.now(), quote=quote,
                             payload={"number": number, "revision": 1, "link": "https://q.example/q/x", "message": None,
                                      "by": "sam"})
        outbox_store.enqueue(s, kind="quote", language=quote.language, recipient=EMAIL, now=clock.now(), quote=quote,
                             payload={"number": number, "revision": 1, "link": "https://q.example/q/y", "message": None,
                                      "by": "sam", "document": 999999})
    [(_, _, _, pdf)] = documents(database)
    stored, old, missing = delivered_pdfs(ctx)
    assert stored == pdf
    assert old.startswith(b"%PDF") and missing.startswith(b"%PDF")


def test_a_quote_changed_between_the_pdf_and_the_transaction_stores_none(client, ctx, sales_headers, database,
                                                                        monkeypatch):
    number = create(client, sales_headers)
    real = sending._made_document

    def then_changed(ctx_, cmd, today):
        made = real(ctx_, cmd, today)
        with database.transaction() as s:  # someone edits the customer's name meanwhile
            quote_store.load(s, number).customer_name = "Deniz Sentürk Yılmaz"
        return made

    monkeypatch.setattr(sending, "_made_document", then_changed)
    sending.send_quote(ctx, SendQuote(number, "sam", "email", "https://host"))
    assert documents(database) == []
    assert "document" not in payloads(database)[0]
    [pdf] = delivered_pdfs(ctx)  # the sender makes it, of the quote as it is now
    assert pdf.startswith(b"%PDF")


def test_export_lists_erasure_deletes_and_retention_removes_the_stored_pdfs(client, ctx, sales_headers, admin_headers,
                                                                            database):
    number = create(client, sales_headers)
    send(client, sales_headers, number)
    [(_, _, digest, pdf)] = documents(database)
    data = client.get("/api/v1/admin/customers", query_string={"email": EMAIL}, headers=admin_headers).get_json()
    [exported] = data["quotes"]
    [document] = exported["documents"]
    assert (document["revision"], document["html_sha256"], document["size"]) == (1, digest, len(pdf))
    assert document["language"] in ("tr", "en") and document["created_at"]

    r = client.post("/api/v1/admin/customers/erase", json={"email": EMAIL}, headers=admin_headers)
    assert r.status_code == 200 and r.get_json()["numbers"] == [number]
    assert documents(database) == []

    # Retention: a PDF no send has used since the cutoff goes; a young one stays.
    other = create(client, sales_headers)
    send(client, sales_headers, other)
    kept = create(client, sales_headers)
    send(client, sales_headers, kept)
    with database.transaction() as s:
        quote_id = quote_store.load(s, other).id
        s.execute(update(SentDocument).where(SentDocument.quote_id == quote_id)
                  .values(used_at=clock.now() - timedelta(days=800)))
    done = personal_data.maintain(ctx, retention_days=730, idempotency_ttl_hours=48, by="test")
    assert done.documents_removed == 1
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(SentDocument)) == 1
        assert s.scalar(select(SentDocument.quote_id)) == quote_store.load(s, kept).id


def test_the_customers_link_serves_the_stored_pdf_when_it_is_the_same_document(client, sales_headers, database):
    number = create(client, sales_headers)
    r = client.post(f"/api/v1/quotes/{number}/send", json={"channel": "email"}, headers=sales_headers)
    path = "/q/" + r.get_json()["link"].rsplit("/", 1)[1] + "/document"
    [(_, _, _, pdf)] = documents(database)
    served = client.get(path)
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert served.data == pdf
    with database.transaction() as s:  # marked, to tell the stored bytes from bytes made again
        s.execute(update(SentDocument).values(pdf=pdf + b"%stored"))
    assert client.get(path).data == pdf + b"%stored"
    # Another quote sent by link only stores nothing: its PDF is made at the request.
    other = create(client, sales_headers)
    r = client.post(f"/api/v1/quotes/{other}/send", json={"channel": "link"}, headers=sales_headers)
    made = client.get("/q/" + r.get_json()["link"].rsplit("/", 1)[1] + "/document")
    assert made.status_code == 200 and made.data.startswith(b"%PDF") and made.data != pdf
    assert len(documents(database)) == 1


def test_a_retry_with_the_same_idempotency_key_makes_no_pdf(client, sales_headers, database, monkeypatch):
    number = create(client, sales_headers)
    headers = {**sales_headers, "Idempotency-Key": "send-once-1"}
    send(client, headers, number)
    made = []
    real = sending._made_document
    monkeypatch.setattr(sending, "_made_document", lambda *args: made.append(args) or real(*args))
    send(client, headers, number)  # answered again: nothing new queued, no document made nor looked up
    assert made == [] and len(payloads(database)) == 1 and len(documents(database)) == 1
