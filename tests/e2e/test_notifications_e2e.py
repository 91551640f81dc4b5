"""Staff notifications end to end (issue 29): gunicorn with its outbox sender beside it, an SMTP server in
process (tests/smtp_server.py), the `quoteapi` CLI; no browser.

An approval is requested (the admin gets mail in Turkish) and decided (the sales user who asked gets it,
in English); the customer accepts on the link (the assigned user gets mail); `quoteapi notify digest`
queues the morning digest, which arrives too. One test: one server start.
"""

from __future__ import annotations

import re
import time

import pytest
import requests

from quoteapi.adapters.db.migrate import upgrade
from quoteapi.services import price_lists, users
from quoteapi.services.context import Context

from ..smtp_server import SmtpServer, free_port
from .server import ROOT, Gunicorn, cli, server_env

pytestmark = pytest.mark.e2e


def wait_for(smtp: SmtpServer, count: int, seconds: float = 20) -> list:
    deadline = time.monotonic() + seconds
    while len(smtp.received) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(smtp.received) >= count, [r.message["Subject"] for r in smtp.received]
    return [r.message for r in smtp.received]


def to(message) -> str:
    return message["To"].addresses[0].addr_spec


def test_approvals_an_acceptance_and_the_digest_arrive_as_mail(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    smtp_port = free_port()
    env = server_env(url, QUOTEAPI_PUBLIC_RATE_LIMIT="none", QUOTEAPI_SECRET_KEY_FILE=str(tmp_path / "secret_key"),
                     QUOTEAPI_MAIL_URL=f"smtp://127.0.0.1:{smtp_port}", QUOTEAPI_MAIL_FROM="teklif@example.com",
                     QUOTEAPI_OUTBOX_SENDER="embedded", QUOTEAPI_OUTBOX_POLL_SECONDS="0.3",
                     PYTHONPATH=str(ROOT))  # the CLI of this checkout (a worktree), as gunicorn's wsgi:app is
    # The database made in process (a CLI start costs seconds; `users create --language` has its own tests).
    ctx = Context.build(url)
    upgrade(ctx.database)
    price_lists.seed_demo(ctx)
    sam = users.create_user(ctx, "sam", "sales", email="sam@clinic.example", language="en").token
    ada = users.create_user(ctx, "ada", "admin", email="ada@clinic.example", language="tr").token
    ctx.database.dispose()
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=1)
    server.env["QUOTEAPI_PUBLIC_URL"] = server.url
    with SmtpServer(port=smtp_port) as smtp:
        server.start()
        try:
            def api(token: str, method: str, path: str, **kwargs):
                answer = requests.request(method, server.url + path, headers={"Authorization": f"Bearer {token}"},
                                          timeout=20, **kwargs)
                assert answer.status_code < 300, answer.text
                return answer.json()

            # sam prices a quote with a manual discount above the limit: ada is asked, in Turkish.
            quote = api(sam, "POST", "/api/v1/quotes", json={
                "clinic": "ist-nisantasi", "areas": [{"code": "face"}], "specialist_level": "aesthetician",
                "sessions": 3, "customer": {"name": "Ayşe Yılmaz", "email": "ayse@example.com"}, "language": "tr",
                "manual_discount": {"percent": "30", "reason": "Friend of the clinic"},
            })
            number = quote["number"]
            assert quote["approval"]["status"] == "pending"
            [asked] = wait_for(smtp, 1)
            assert to(asked) == "ada@clinic.example" and asked["Subject"] == f"{number} numaralı teklif onayınızı bekliyor"
            assert f"{server.url}/desk/quotes/{number}" in asked.get_body(("plain",)).get_content()

            # ada approves: sam learns it by mail, in English, with the note.
            api(ada, "POST", f"/api/v1/quotes/{number}/approval", json={"decision": "approve", "note": "Once only."})
            decided = wait_for(smtp, 2)[1]
            assert to(decided) == "sam@clinic.example"
            assert decided["Subject"] == f"The manual discount on quote {number} was approved"
            assert "Once only." in decided.get_body(("plain",)).get_content()

            # sam sends it (the link alone: no PDF to make); the customer accepts on the link: sam (assigned) is told.
            api(sam, "PATCH", f"/api/v1/quotes/{number}", json={"assigned_to": "sam"})
            link = api(sam, "POST", f"/api/v1/quotes/{number}/send", json={"channel": "link"})["link"]
            customer = requests.Session()
            page = customer.get(link, timeout=20).text
            form = dict(re.findall(r'name="(csrf_token|wording_version)" value="([^"]+)"', page))
            accepted = customer.post(f"{link}/accept", data={**form, "name": "Ayşe Yılmaz", "agree": "yes"}, timeout=20)
            assert accepted.status_code == 200 and api(sam, "GET", f"/api/v1/quotes/{number}")["status"] == "accepted"
            notice = wait_for(smtp, 3)[2]
            assert to(notice) == "sam@clinic.example" and notice["Subject"] == f"Quote {number} was accepted"
            assert "Ayşe Yılmaz" in notice.get_body(("plain",)).get_content()

            # The morning digest: the customer opened the link since; one message, to sam (the only sales user).
            printed = cli({**server.env, "QUOTEAPI_DEFAULT_LANGUAGE": "en"}, "notify", "digest")
            assert printed.strip() == "Digest: 1 message(s) queued; 0 sales user(s) had nothing to tell and got none."
            digest = wait_for(smtp, 4)[3]
            assert to(digest) == "sam@clinic.example" and digest["Subject"].startswith("Your day at the desk")
            text = digest.get_body(("plain",)).get_content()
            assert "Customers who opened their link since your last digest (1)" in text and number in text
            # Another server's timer the same morning: no second digest.
            again = cli({**server.env, "QUOTEAPI_DEFAULT_LANGUAGE": "en"}, "notify", "digest").strip().splitlines()
            assert again == ["Digest: 0 message(s) queued; 0 sales user(s) had nothing to tell and got none.",
                             "1 sales user(s) got today's digest already (--again sends it again)."]
        finally:
            server.stop()
