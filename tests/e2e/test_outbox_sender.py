"""`make run` alone delivers mail: gunicorn starts the outbox's sender beside itself, and stops it."""

from __future__ import annotations

import os
import re
import time

import pytest

from quoteapi.adapters import clock
from quoteapi.adapters.db import Database
from quoteapi.adapters.db import outbox_store

from .server import Gunicorn, cli, server_env

pytestmark = pytest.mark.e2e


def test_the_embedded_sender_writes_a_queued_mail_within_10_seconds_and_stops_with_the_server(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    mail = tmp_path / "outbox"
    env = server_env(url, QUOTEAPI_OUTBOX_SENDER="embedded", QUOTEAPI_MAIL_DIRECTORY=str(mail))
    cli(env, "db", "upgrade")
    log = tmp_path / "gunicorn.log"
    server = Gunicorn(env, log, workers=1).start()
    try:
        database = Database(url)
        with database.transaction() as session:
            outbox_store.enqueue(session, kind="staff-notice", language="tr", recipient="sam@clinic.example",
                                 payload={"number": "Q-0001-000001", "event": "accepted", "text": None, "user": "sam"},
                                 now=clock.now())
        database.dispose()
        queued = time.monotonic()
        while not list(mail.glob("*.eml")) and time.monotonic() - queued < 10:
            time.sleep(0.1)
        assert len(list(mail.glob("*.eml"))) == 1, log.read_text()[-3000:]
        found = re.search(r"outbox sender started beside the server \(pid (\d+)\)", log.read_text())
        assert found, log.read_text()[-3000:]
        pid = int(found.group(1))
    finally:
        server.stop()
    # The sender went with the server.
    deadline = time.monotonic() + 15
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)


def test_without_the_setting_gunicorn_starts_no_sender(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    env = server_env(url, QUOTEAPI_MAIL_DIRECTORY=str(tmp_path / "outbox"))
    cli(env, "db", "upgrade")
    log = tmp_path / "gunicorn.log"
    server = Gunicorn(env, log, workers=1).start()
    server.stop()
    assert "outbox sender started" not in log.read_text()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose (its parent, the test's gunicorn, has exited and init reaps it).
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
