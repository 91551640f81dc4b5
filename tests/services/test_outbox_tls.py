"""The sender over TLS: STARTTLS with a login (smtp://...?starttls=true), and TLS from the start (smtps://)."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from quoteapi.adapters import clock
from quoteapi.adapters import mail as mails
from quoteapi.adapters.db import outbox_store
from quoteapi.services import outbox

from ..smtp_server import Handler, free_port

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command for a test certificate")


@pytest.fixture
def certificate(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


def login(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=auth_data.login == b"desk" and auth_data.password == b"s3cret:x")


def queue(ctx) -> None:
    with ctx.database.transaction() as session:
        outbox_store.enqueue(session, kind="staff-notice", language="tr", recipient="sam@clinic.example",
                             payload={"number": "Q-0001-000009", "event": "accepted", "text": None, "user": "sam"},
                             now=clock.now())


def test_starttls_with_a_login(ctx, certificate):
    server_tls, client_tls = certificate
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=server_tls, require_starttls=True,
                            authenticator=login, auth_require_tls=True)
    controller.start()
    try:
        queue(ctx)
        settings = mails.SmtpSettings.from_url(f"smtp://desk:s3cret%3Ax@127.0.0.1:{port}?starttls=true", 5.0)
        done = outbox.deliver_due(ctx, mails.SmtpMailer(settings, client_tls))
        assert [o.result for o in done.outcomes] == ["sent"]
        queue(ctx)
        wrong = mails.SmtpSettings.from_url(f"smtp://desk:wrong@127.0.0.1:{port}?starttls=true", 5.0)
        refused = outbox.deliver_due(ctx, mails.SmtpMailer(wrong, client_tls))
        # Our own credentials refused: a setting to fix, kept and retried, not the message's failure.
        assert [o.result for o in refused.outcomes] == ["retry"]
    finally:
        controller.stop()
    assert len(handler.received) == 1


def test_tls_from_the_start(ctx, certificate):
    server_tls, client_tls = certificate
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=server_tls)
    controller.start()
    try:
        queue(ctx)
        settings = mails.SmtpSettings.from_url(f"smtps://127.0.0.1:{port}", 5.0)
        done = outbox.deliver_due(ctx, mails.SmtpMailer(settings, client_tls))
        # A server whose certificate is not trusted is not talked to.
        queue(ctx)
        untrusted = outbox.deliver_due(ctx, mails.SmtpMailer(settings))
    finally:
        controller.stop()
    assert [o.result for o in done.outcomes] == ["sent"]
    assert [o.result for o in untrusted.outcomes] == ["retry"] and "TLS" in untrusted.outcomes[0].reply
    assert len(handler.received) == 1
