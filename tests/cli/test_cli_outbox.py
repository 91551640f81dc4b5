"""`quoteapi outbox send-due` and `quoteapi outbox run`, and the mail settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config import ConfigError, load
from quoteapi.adapters import clock
from quoteapi.adapters.db import Database
from quoteapi.adapters.db import outbox_store
from quoteapi.adapters.db.migrate import upgrade

from ..smtp_server import SmtpServer

ROOT = Path(__file__).resolve().parents[2]


def notice(database: Database, recipient: str = "sam@clinic.example", number: str | None = "Q-0001-000007",
           now=None) -> None:
    with database.transaction() as session:
        outbox_store.enqueue(session, kind="staff-notice", language="tr", recipient=recipient,
                             payload={"number": number, "event": "question", "text": "Ne zaman?", "user": "sam"},
                             now=now or clock.now())


def test_send_due_delivers_what_is_due_once_and_prints_the_counts(app, ctx, tmp_path):
    notice(ctx.database)
    notice(ctx.database)
    notice(ctx.database, number=None)  # names no quote: it cannot be rendered
    app.config.update(MAIL_DIRECTORY=str(tmp_path / "mail"))
    result = app.test_cli_runner().invoke(args=["outbox", "send-due"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"2 delivered, 0 to retry, 1 failed (files in {tmp_path / 'mail'})."
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 2
    again = app.test_cli_runner().invoke(args=["outbox", "send-due"])
    assert again.output.splitlines()[-1].startswith("0 delivered, 0 to retry, 0 failed")


def test_send_due_to_an_smtp_server(app, ctx):
    notice(ctx.database)
    with SmtpServer() as smtp:
        app.config.update(MAIL_URL=smtp.url, MAIL_FROM="Klinik <desk@clinic.example>")
        result = app.test_cli_runner().invoke(args=["outbox", "send-due"])
    assert result.output.splitlines()[-1] == f"1 delivered, 0 to retry, 0 failed (smtp://127.0.0.1:{smtp.port})."
    mail = smtp.received[0].message
    assert mail["From"].addresses[0].addr_spec == "desk@clinic.example"
    assert "/desk/quotes/Q-0001-000007" in mail.get_body(("plain",)).get_content()


def test_run_delivers_as_messages_fall_due_and_stops_on_sigterm(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    database = Database(url)
    upgrade(database)
    with SmtpServer() as smtp:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("QUOTEAPI_")},
               "QUOTEAPI_DATABASE_URL": url, "QUOTEAPI_MAIL_URL": smtp.url, "QUOTEAPI_OUTBOX_POLL_SECONDS": "0.5"}
        sender = subprocess.Popen([sys.executable, "-c", "from quoteapi.app import main; main()", "outbox", "run"],
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            # Due at the epoch: the sender is another process, on the real clock, whatever moment this suite is at.
            notice(database, now=datetime.fromtimestamp(0, UTC))
            deadline = time.monotonic() + 20
            while not smtp.received and time.monotonic() < deadline and sender.poll() is None:
                time.sleep(0.1)
            assert len(smtp.received) == 1
        finally:
            sender.send_signal(signal.SIGTERM)
            output = sender.communicate(timeout=20)[0]
    database.dispose()
    assert sender.returncode == 0, output
    assert "staff-notice message 1 about Q-0001-000007 delivered" in output
    assert "sender stopped" in output


@pytest.mark.parametrize("value", ["http://mail.example.com", "smtp://", "smtp://mail.example.com:99999",
                                   "smtp://mail.example.com?starttls=maybe", "smtp://mail.example.com?tls=true"])
def test_a_mail_url_that_is_none_is_refused_with_its_name(value):
    with pytest.raises(ConfigError, match="QUOTEAPI_MAIL_URL"):
        load({"QUOTEAPI_MAIL_URL": value})


@pytest.mark.parametrize("value", ["smtp://mail.example.com", "smtp://u:p%40ss@mail.example.com:587?starttls=true",
                                   "smtps://u:p@mail.example.com:465"])
def test_mail_urls_of_both_schemes_are_taken(value):
    assert load({"QUOTEAPI_MAIL_URL": value})["MAIL_URL"] == value


@pytest.mark.parametrize("value", ["nobody", "a@b\r\nBcc: c@d", "@example.com"])
def test_a_mail_from_that_is_no_address_is_refused(value):
    with pytest.raises(ConfigError, match="QUOTEAPI_MAIL_FROM"):
        load({"QUOTEAPI_MAIL_FROM": value})


def test_the_mail_settings_default_to_files_and_a_local_sender():
    settings = load({})
    assert settings["MAIL_URL"] is None and settings["MAIL_FROM"] == "quoteapi@localhost"
    assert settings["MAIL_DIRECTORY"].endswith("instance/outbox") and settings["OUTBOX_POLL_SECONDS"] == 2.0


def test_the_waits_between_tries_are_a_setting():
    assert load({})["OUTBOX_RETRY_SECONDS"] == (30.0, 120.0, 600.0, 1800.0, 7200.0, 21600.0)
    assert load({"QUOTEAPI_OUTBOX_RETRY_SECONDS": "2, 5,60"})["OUTBOX_RETRY_SECONDS"] == (2.0, 5.0, 60.0)
    with pytest.raises(ConfigError, match="QUOTEAPI_OUTBOX_RETRY_SECONDS"):
        load({"QUOTEAPI_OUTBOX_RETRY_SECONDS": "2,soon"})
