"""Users' mail language (issue 29): the users API, the CLI (`users create/set --language`) and `notify digest`."""

from __future__ import annotations

from sqlalchemy import select, update

from quoteapi.adapters.db import models as rows
from quoteapi.services import quotes, users

from ..days import day
from ..services.conftest import create_command

A = "/api/v1/admin"


def test_the_api_creates_reads_changes_and_clears_a_language(client, admin_headers, ctx):
    r = client.post(f"{A}/users", json={"name": "nur", "role": "sales", "language": "en"}, headers=admin_headers)
    assert r.status_code == 201 and r.get_json()["language"] == "en"
    assert client.get(f"{A}/users/nur", headers=admin_headers).get_json()["language"] == "en"
    r = client.patch(f"{A}/users/nur", json={"language": "tr"}, headers=admin_headers)
    assert r.status_code == 200 and r.get_json()["language"] == "tr"
    r = client.patch(f"{A}/users/nur", json={"language": None}, headers=admin_headers)
    assert r.status_code == 200 and r.get_json()["language"] is None
    entries = client.get(f"{A}/audit-log?kind=user", headers=admin_headers).get_json()["items"]
    assert [(e["before"]["language"], e["after"]["language"]) for e in entries if e["action"] == "details"] == [
        ("tr", None), ("en", "tr")]

    for bad in ("de", "TR", 3, "t\u202er"):
        r = client.patch(f"{A}/users/nur", json={"language": bad}, headers=admin_headers)
        assert r.status_code == 422 and "language" in r.get_json()["errors"], bad
    r = client.post(f"{A}/users", json={"name": "eve", "role": "sales", "language": "fr"}, headers=admin_headers)
    assert r.status_code == 422 and "language" in r.get_json()["errors"]
    assert users.get_user(ctx, "nur").language is None


def test_the_cli_sets_a_language_and_queues_the_digest(app, ctx):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["users", "create", "deniz", "--role", "sales", "--email", "deniz@example.com",
                            "--language", "en"])
    assert r.exit_code == 0, r.output
    assert users.get_user(ctx, "deniz").language == "en"
    r = runner.invoke(args=["users", "set", "deniz", "--language", "tr"])
    assert r.exit_code == 0 and "language tr" in r.output and users.get_user(ctx, "deniz").language == "tr"
    bad = runner.invoke(args=["users", "set", "deniz", "--language", "xx"])
    assert bad.exit_code == 1 and "--language" in bad.output and users.get_user(ctx, "deniz").language == "tr"
    r = runner.invoke(args=["users", "set", "deniz", "--language", ""])
    assert r.exit_code == 0 and users.get_user(ctx, "deniz").language is None
    users.create_user(ctx, "lee", "sales", email="lee@example.com")

    # Nothing to tell anyone: nothing queued, and it says so (in the default language, Turkish).
    r = runner.invoke(args=["notify", "digest"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == ("Günlük özet: 0 ileti kuyruğa alındı; bildirecek bir şeyi olmayan 2 satış "
                                "kullanıcısına ileti gönderilmedi.")

    # A follow-up due for deniz: one message, to deniz.
    created = quotes.create_quote(ctx, create_command(by="deniz"))
    with ctx.database.transaction() as session:
        session.execute(update(rows.Quote).where(rows.Quote.number == created.quote.number)
                        .values(assigned_to="deniz", follow_up_on=day(0)))
    app.config["DEFAULT_LANGUAGE"] = "en"
    r = runner.invoke(args=["notify", "digest"])
    assert r.output.strip() == "Digest: 1 message(s) queued; 1 sales user(s) had nothing to tell and got none."
    with ctx.database.reading() as session:
        [digest] = session.scalars(select(rows.OutboxMessage).where(rows.OutboxMessage.kind == "digest")).all()
        assert (digest.recipient, digest.payload["follow_ups"][0][0]) == ("deniz@example.com", created.quote.number)
        assert users.get_user(ctx, "deniz").language is None and digest.language == ctx.default_language

