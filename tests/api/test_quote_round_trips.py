"""What one quote creation asks of the database (docs/performance.md, "Quote creation, second pass").

On SQLite and PostgreSQL: the token look-up is one statement outside any
transaction, still asked at every request (a revocation by another worker
holds at the next one); a worker whose copy of the price list is older than
the version in force prices the quote with that version on the connection its
transaction already holds, never a second one while the counter row is locked.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from quoteapi.adapters.db import AuditEntry

from quoteapi import create_app
from quoteapi.services import users

from ..bodies import FACE_ESTIMATE as ESTIMATE
from ..bodies import FACE_QUOTE as BODY
from ..conftest import TEST_SETTINGS, TODAY


def _in_transaction(dbapi_connection) -> bool:
    """Whether the driver's connection is inside a transaction (sqlite3 or psycopg)."""
    if hasattr(dbapi_connection, "in_transaction"):
        return dbapi_connection.in_transaction
    from psycopg.pq import TransactionStatus

    return dbapi_connection.info.transaction_status != TransactionStatus.IDLE


@contextmanager
def watching(engine):
    """The statements sent and the pool check-outs made inside the block, with whether
    each statement ran inside a transaction."""
    seen: dict[str, list] = {"statements": [], "checkouts": []}

    def executed(conn, cursor, statement, parameters, context, executemany):
        seen["statements"].append((statement, _in_transaction(conn.connection.dbapi_connection)))

    def checked_out(dbapi_connection, record, proxy):
        seen["checkouts"].append(dbapi_connection)

    event.listen(engine, "after_cursor_execute", executed)
    event.listen(engine, "checkout", checked_out)
    try:
        yield seen
    finally:
        event.remove(engine, "after_cursor_execute", executed)
        event.remove(engine, "checkout", checked_out)


def test_the_token_look_up_is_one_statement_outside_a_transaction(ctx):
    token = users.create_user(ctx, "tess", "sales").token
    with watching(ctx.database.engine) as seen:
        assert users.authenticate(ctx, token) == users.Principal("tess", "sales")
        assert users.authenticate(ctx, token + "x") is None
    assert len(seen["checkouts"]) == 2
    assert [in_transaction for _, in_transaction in seen["statements"]] == [False, False]
    assert all("users" in statement for statement, _ in seen["statements"])


def test_a_console_session_user_is_one_statement_outside_a_transaction(ctx):
    """The desk's check at every request (users.session_user): one statement, as the token's look-up;
    a new password or a revocation still ends the session at the next request."""
    password = "a long enough password"
    lifetime = 12 * 3600
    users.create_user(ctx, "tess", "sales")
    users.set_password(ctx, "tess", password)
    signed = users.check_password(ctx, "tess", password)
    token = users.start_session(ctx, signed, lifetime)
    with watching(ctx.database.engine) as seen:
        assert users.session_user(ctx, token, signed.fingerprint, lifetime) == signed
        assert users.session_user(ctx, token, "another fingerprint", lifetime) is None
        assert users.session_user(ctx, token + "x", signed.fingerprint, lifetime) is None
    assert len(seen["checkouts"]) == 3
    assert [in_transaction for _, in_transaction in seen["statements"]] == [False, False, False]
    users.set_password(ctx, "tess", "another long password")
    assert users.session_user(ctx, token, signed.fingerprint, lifetime) is None
    again = users.check_password(ctx, "tess", "another long password")
    token = users.start_session(ctx, again, lifetime)
    assert users.session_user(ctx, token, again.fingerprint, lifetime) == again
    users.revoke_user(ctx, "tess")
    assert users.session_user(ctx, token, again.fingerprint, lifetime) is None


def test_a_revocation_by_another_worker_holds_at_the_next_request(app, database_url, ctx, admin_headers):
    other = create_app({"DATABASE_URL": database_url, **TEST_SETTINGS}, environ={"QUOTEAPI_ENV": "testing"})
    other.extensions["quoteapi"].clock = lambda: TODAY
    worker = other.test_client()
    token = users.create_user(ctx, "tess", "sales").token
    headers = {"Authorization": f"Bearer {token}"}
    try:
        assert worker.get("/api/v1/quotes", headers=headers).status_code == 200
        assert app.test_client().delete("/api/v1/admin/users/tess", headers=admin_headers).status_code == 204
        assert worker.get("/api/v1/quotes", headers=headers).status_code == 401
        assert users.authenticate(other.extensions["quoteapi"], token) is None
    finally:
        other.extensions["quoteapi"].database.dispose()


def test_a_stale_worker_prices_on_the_connection_its_transaction_holds(database_url, client, sales_headers,
                                                                        admin_headers):
    slow = create_app({"DATABASE_URL": database_url, **TEST_SETTINGS, "PRICE_LIST_CHECK_SECONDS": 3600.0},
                      environ={"QUOTEAPI_ENV": "testing"})
    slow_ctx = slow.extensions["quoteapi"]
    slow_ctx.clock = lambda: TODAY
    worker = slow.test_client()
    try:
        assert worker.post("/api/v1/estimates", json=ESTIMATE).get_json()["price_list_version"] == 1  # cached now
        etag = client.get("/api/v1/admin/areas/face", headers=admin_headers).headers["ETag"]
        r = client.patch("/api/v1/admin/areas/face", json={"price": "4100.00"}, headers={**admin_headers, "If-Match": etag})
        assert r.status_code == 200
        with watching(slow_ctx.database.engine) as seen:
            quote = worker.post("/api/v1/quotes", json=BODY, headers=sales_headers)
        assert quote.status_code == 201, quote.get_data(as_text=True)
        assert quote.get_json()["price_list_version"] == 2
        assert quote.get_json()["lines"][0]["unit_price"] == "4100.00"
        # The token's look-up, then the quote's transaction: nothing else.
        assert len(seen["checkouts"]) == 2
        # The worker's copy is checked again at its next request, and it has the new version.
        assert worker.post("/api/v1/estimates", json=ESTIMATE).get_json()["price_list_version"] == 2
        assert slow_ctx.price_lists.current().version == 2
    finally:
        slow_ctx.database.dispose()


@pytest.mark.parametrize(
    "lang, extra",
    [
        ("tr", {"language": "en"}),  # stored and answered in English, asked in Turkish
        ("en", {"manual_discount": {"percent": "50", "reason": "Loyal customer"}}),  # above the limit: an approval
    ],
)
def test_a_creation_is_core_statements_in_one_transaction_and_answers_as_it_reads_back(
    database_url, client, sales_headers, lang, extra
):
    """Without an Idempotency-Key a creation runs Core statements on one connection, and makes an ORM
    session (on that connection, in that transaction) only for what needs one: here an approval's audit
    entry. The answer reuses the estimate's stored plain form: it equals a later read, byte for byte."""
    worker = create_app({"DATABASE_URL": database_url, **TEST_SETTINGS, "PRICE_LIST_CHECK_SECONDS": 3600.0},
                        environ={"QUOTEAPI_ENV": "testing"})
    ctx = worker.extensions["quoteapi"]
    ctx.clock = lambda: TODAY
    sessions = []

    def began(session, transaction, connection):
        sessions.append(connection)

    try:
        assert worker.test_client().post("/api/v1/estimates", json=ESTIMATE).status_code == 200  # the list cached
        event.listen(Session, "after_begin", began)
        try:
            with watching(ctx.database.engine) as seen:
                created = worker.test_client().post(
                    f"/api/v1/quotes?lang={lang}", json={**BODY, **extra}, headers=sales_headers
                )
        finally:
            event.remove(Session, "after_begin", began)
        assert created.status_code == 201, created.get_data(as_text=True)
        quote = created.get_json()
        # The token's look-up, then the creation's transaction: nothing else.
        assert len(seen["checkouts"]) == 2
        assert [in_transaction for _, in_transaction in seen["statements"]][0] is False
        assert all(in_transaction for _, in_transaction in seen["statements"][1:])
        with ctx.database.reading() as session:
            entries = session.scalars(select(AuditEntry.action).where(AuditEntry.subject == quote["number"])).all()
        if "manual_discount" in extra:
            assert quote["approval"]["status"] == "pending" and entries == ["approval-requested"]
            # The audit entry, then the admins told (notices.py: who has an e-mail, their messages queued).
            assert len(sessions) == 1 and any("INSERT INTO audit_log" in statement for statement, _ in seen["statements"])
        else:
            assert quote["language"] == "en" and quote["lines"][0]["description"] != ""
            assert sessions == [] and entries == []
    finally:
        ctx.database.dispose()
    again = client.get(f"{created.headers['Location']}?lang={lang}", headers=sales_headers)
    assert again.get_data() == created.get_data()
