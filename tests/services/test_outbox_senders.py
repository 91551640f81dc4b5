"""Several senders at once never send one message twice (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: queued writers)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from quoteapi.adapters import clock
from quoteapi.adapters import mail as mails
from quoteapi.adapters.db import models as rows
from quoteapi.adapters.db import outbox_store
from quoteapi.adapters.db.migrate import upgrade
from quoteapi.services import outbox
from quoteapi.services.context import Context

from ..conftest import TODAY, run_together
from ..smtp_server import SmtpServer

COUNT = 240


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/senders.sqlite3"
    else:
        url = request.getfixturevalue("pg_cluster").create_database(f"quoteapi_senders_{tmp_path.name[-12:].lower().replace('-', '_')}")
    context = Context.build(url, price_list_check_seconds=0.0)
    upgrade(context.database)
    context.database.dispose()
    return url


def sender(url: str) -> Context:
    context = Context.build(url, price_list_check_seconds=0.0)
    context.clock = lambda: TODAY
    return context


def queue(ctx: Context, count: int) -> None:
    with ctx.database.transaction() as session:
        for i in range(count):
            outbox_store.enqueue(session, kind="staff-notice", language="tr", recipient=f"user{i}@clinic.example",
                                 payload={"number": f"Q-0001-{i:06d}", "event": "accepted", "text": None, "user": "sam"},
                                 now=clock.now())


def test_two_senders_at_once_deliver_each_message_exactly_once(url):
    first, second = sender(url), sender(url)
    queue(first, COUNT)

    def drain(ctx: Context, mailer: mails.Mailer) -> int:
        delivered = 0
        while True:
            done = outbox.deliver_due(ctx, mailer, limit=4)
            if not done.outcomes:
                return delivered
            delivered += done.sent

    with SmtpServer() as smtp:
        mailers = [mails.SmtpMailer(mails.SmtpSettings.from_url(smtp.url, 5.0)) for _ in range(2)]
        counts = run_together(lambda: drain(first, mailers[0]), lambda: drain(second, mailers[1]))
    received = Counter(r for m in smtp.received for r in m.recipients)
    assert len(smtp.received) == COUNT
    assert set(received.values()) == {1}
    assert sum(counts) == COUNT and all(c > 0 for c in counts), counts
    with first.database.reading() as session:
        states = Counter(session.scalars(select(rows.OutboxMessage.state)))
    assert states == {"sent": COUNT}
    first.database.dispose()
    second.database.dispose()


@pytest.mark.postgresql
def test_a_claim_skips_the_rows_another_sender_holds_without_waiting(pg_cluster, tmp_path):
    url = pg_cluster.create_database("quoteapi_claims")
    setup = sender(url)
    upgrade(setup.database)
    queue(setup, 10)
    now = clock.now()
    first, second = sender(url), sender(url)
    with first.database.transaction() as one:
        taken = outbox_store.claim_due(one, now, 4, now + timedelta(minutes=15))
        # The first claim is not committed: its rows are locked, and the second claim takes others at once.
        with second.database.transaction() as two:
            other = outbox_store.claim_due(two, now, 10, now + timedelta(minutes=15))
    assert len(taken) == 4 and len(other) == 6
    assert not set(taken) & set(other)
    with setup.database.reading() as session:
        assert Counter(session.scalars(select(rows.OutboxMessage.state))) == {"sending": 10}
    # Claimed and not done (a sender that died): claimed again once the lease is over, not before.
    with setup.database.transaction() as session:
        assert outbox_store.claim_due(session, now + timedelta(minutes=14), 10, now + timedelta(minutes=30)) == []
        assert len(outbox_store.claim_due(session, now + timedelta(minutes=16), 10, now + timedelta(minutes=30))) == 10
    for ctx in (setup, first, second):
        ctx.database.dispose()
