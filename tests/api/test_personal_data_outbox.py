"""Personal data of the customer's side: links and outbox messages in the export, the erasure and the retention."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from quoteapi.adapters import clock
from quoteapi.adapters.db.models import OutboxMessage, QuoteLink
from quoteapi.adapters.db import link_store, outbox_store, quote_store
from quoteapi.services import outbox, personal_data

from ..bodies import QUOTE
from ..conftest import TODAY

EMAIL = "zubeyde.planted@example.com"
BODY = {**QUOTE, "customer": {"name": "Zübeyde Planted", "email": EMAIL}}


def sent_and_queued(client, sales_headers, database, tmp_path) -> tuple[str, str]:
    """A quote sent by e-mail once (delivered) and again (still queued), as the send use case does it; its token."""
    r = client.post("/api/v1/quotes", json=BODY, headers=sales_headers)
    assert r.status_code == 201, r.get_json()
    number = r.get_json()["number"]
    now = clock.now()
    with database.transaction() as session:
        quote = quote_store.load(session, number)
        token = link_store.new_link(session, quote, "email", "sam", now)
        payload = {"number": number, "revision": 1, "link": f"https://q.example/q/{token}", "message": "Hi Zübeyde", "by": "sam"}
        outbox_store.enqueue(session, kind="quote", language="tr", recipient=EMAIL, payload=payload, now=now, quote=quote)
    return number, token


def test_export_lists_links_and_messages_and_erasure_revokes_drops_and_forgets(client, app, ctx, sales_headers, admin_headers,
                                                                               database, tmp_path):
    number, token = sent_and_queued(client, sales_headers, database, tmp_path)
    with database.transaction() as session:  # a notice to staff about her quote: not hers to see
        outbox_store.enqueue(session, kind="staff-notice", language="tr", recipient="sam@clinic.example",
                             payload={"number": number, "event": "question", "text": "?", "user": "sam"},
                             now=clock.now(), quote=quote_store.load(session, number))
    delivered = outbox.deliver_due(ctx, _files(tmp_path))
    assert [o.result for o in delivered.outcomes] == ["sent", "sent"]
    with database.transaction() as session:  # a reminder, queued and not yet sent
        quote = quote_store.load(session, number)
        link_store.new_link(session, quote, "whatsapp", "sam", clock.now())
        outbox_store.enqueue(session, kind="quote", language="tr", recipient=EMAIL,
                             payload={"number": number, "revision": 1, "link": "x", "message": None, "by": "sam"},
                             now=clock.now(), quote=quote)

    data = client.get("/api/v1/admin/customers", query_string={"email": EMAIL}, headers=admin_headers).get_json()
    [exported] = data["quotes"]
    assert [(link["channel"], link["revoked_at"]) for link in exported["links"]] == [("email", None), ("whatsapp", None)]
    assert all(link["created_at"] for link in exported["links"])
    assert [(m["kind"], m["state"], m["recipient"]) for m in exported["messages"]] == [
        ("quote", "sent", EMAIL), ("quote", "pending", EMAIL)]
    assert exported["messages"][0]["sent_at"] and exported["messages"][1]["sent_at"] is None

    r = client.post("/api/v1/admin/customers/erase", json={"email": EMAIL}, headers=admin_headers)
    assert r.status_code == 200 and r.get_json()["numbers"] == [number]
    with database.reading() as session:
        found, works = link_store.find(session, token, TODAY)
        assert found is not None and not works
        assert all(link.revoked_at is not None for link in session.scalars(select(QuoteLink)))
        messages = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [(m.state, m.recipient, m.payload) for m in messages] == [("sent", None, {}), ("sent", None, {}), ("dropped", None, {})]
    # The dropped message is never sent; the activity keeps that one was delivered, without the address.
    assert outbox.deliver_due(ctx, _files(tmp_path), now=lambda: clock.now() + timedelta(days=1)).outcomes == []
    quote = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    texts = [a["text"] for a in quote["activity"]]
    assert any(a["kind"] == "email" for a in quote["activity"])
    assert not any("zubeyde" in t.lower() or "planted" in t.lower() for t in texts)
    after = client.get("/api/v1/admin/customers", query_string={"email": EMAIL}, headers=admin_headers).get_json()
    assert after["quotes"] == []  # erased: her address is nowhere to find her by


def test_retention_deletes_old_messages_that_are_done_and_keeps_waiting_ones(client, ctx, sales_headers, database, tmp_path):
    sent_and_queued(client, sales_headers, database, tmp_path)
    sent_and_queued(client, sales_headers, database, tmp_path)
    outbox.deliver_due(ctx, _files(tmp_path), limit=1)  # one sent, one still pending
    old = clock.now() - timedelta(days=800)
    with database.transaction() as session:
        session.execute(update(OutboxMessage).values(created_at=old))
    done = personal_data.maintain(ctx, retention_days=730, idempotency_ttl_hours=48, by="test")
    assert done.messages_removed == 1
    with database.reading() as session:
        assert [m.state for m in session.scalars(select(OutboxMessage))] == ["pending"]
    # A young message stays, whatever its state.
    assert personal_data.maintain(ctx, retention_days=730, idempotency_ttl_hours=48, by="test").messages_removed == 0


def _files(tmp_path):
    from quoteapi.adapters.mail import FileMailer

    return FileMailer(tmp_path / "outbox")
