"""The console's sign-in: passwords, sessions, CSRF, rate limit, fixation, redirects, roles."""

from __future__ import annotations

import os
import stat

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from quoteapi import create_app
from quoteapi.adapters.db import ConsoleSession, User, aware
from quoteapi.domain.errors import Invalid, NotFound
from quoteapi.services import users
from quoteapi.web.desk import instance_secret

from ..bodies import QUOTE
from ..conftest import TEST_SETTINGS, empty, run_together
from ..days import TODAY
from quoteapi.web.desk import open_sign_in_limit

from .desk_helpers import PASSWORD, csrf_token, sign_in, staff


@pytest.fixture
def ada(ctx):
    staff(ctx, "ada", "admin")
    return "ada"


@pytest.fixture
def sam(ctx):
    staff(ctx, "sam", "sales")
    return "sam"


# --- passwords ----------------------------------------------------------------------------------


def test_only_a_slow_salted_hash_is_stored(ctx, database):
    staff(ctx, "ada", "admin")
    staff(ctx, "bea", "admin")
    with database.reading() as session:
        hashes = {name: h for name, h in session.execute(select(User.name, User.password_hash)).all()}
    assert hashes["ada"].startswith("$argon2id$") and PASSWORD not in hashes["ada"]
    assert hashes["ada"] != hashes["bea"]  # salted
    assert users.check_password(ctx, "ada", PASSWORD).name == "ada"
    for name, password in (("ada", "wrong password!"), ("nobody", PASSWORD), ("ada", "")):
        with pytest.raises(Invalid):
            users.check_password(ctx, name, password)
    with pytest.raises(Invalid):
        users.set_password(ctx, "ada", "short")
    with pytest.raises(NotFound):
        users.set_password(ctx, "nobody", PASSWORD)


def test_cli_set_password_reads_the_first_line_of_standard_input(app, ctx):
    users.create_user(ctx, "cem", "sales")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "set-password", "cem"], input="a long passphrase\nignored\n")
    assert result.exit_code == 0, result.output
    assert "a long passphrase" not in result.output
    assert users.check_password(ctx, "cem", "a long passphrase").role == "sales"
    too_short = runner.invoke(args=["users", "set-password", "cem"], input="short\n")
    assert too_short.exit_code == 1
    missing = runner.invoke(args=["users", "set-password", "nobody"], input="a long passphrase\n")
    assert missing.exit_code == 1


# --- signing in and out -------------------------------------------------------------------------


def test_sign_in_and_out(client, ada):
    assert client.get("/desk/").status_code == 302
    answer = sign_in(client, "ada")
    assert answer.status_code == 302 and answer.headers["Location"] == "/desk/"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/desk/").status_code == 200
    out = client.post("/desk/sign-out", data={"csrf_token": csrf_token(client, "/desk/")})
    assert out.status_code == 302
    assert client.get("/desk/").status_code == 302


def test_a_wrong_password_or_user_is_refused_with_one_message(client, ada):
    for name, password in (("ada", "not the password"), ("nobody", PASSWORD)):
        answer = sign_in(client, name, password)
        assert answer.status_code == 401
        assert "The user name or the password is wrong." in answer.get_data(as_text=True) or \
            "Kullanıcı adı ya da parola yanlış." in answer.get_data(as_text=True)
    assert client.get("/desk/").status_code == 302


def test_failed_sign_ins_are_rate_limited_per_address_and_name(client, ada, sam):
    for _ in range(5):
        assert sign_in(client, "ada", "not the password").status_code == 401
    limited = sign_in(client, "ada", PASSWORD)  # even the right password waits
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert client.get("/desk/").status_code == 302
    assert sign_in(client, "sam").status_code == 302  # another name is not blocked


def test_concurrent_wrong_passwords_are_checked_no_more_often_than_the_limit(client, ada, tmp_path):
    # 32 browsers at one address, released together: the check and the count are one step, so
    # no more than 5 passwords (QUOTEAPI_SIGN_IN_RATE_LIMIT) are ever checked. Fewer may be: each
    # attempt counts on the name's budget and then on the address's (20), and one of the name's first
    # five can reach the address's counter after 20 others did (seen: 4 checked). On the counters'
    # file the workers share in production.
    client.application.config["RATELIMIT_STORAGE_URI"] = f"mmap:///{tmp_path / 'ratelimits.bin'}"
    open_sign_in_limit(client.application)
    browsers = [client.application.test_client() for _ in range(32)]
    tokens = [csrf_token(browser) for browser in browsers]

    def guess(browser, token):
        return lambda: browser.post("/desk/sign-in", data={"name": "ada", "password": "not the password",
                                                           "csrf_token": token}).status_code

    answers = run_together(*(guess(b, t) for b, t in zip(browsers, tokens)))
    checked = answers.count(401)
    assert 1 <= checked <= 5 and sorted(answers) == [401] * checked + [429] * (32 - checked)


def test_a_right_password_clears_the_name_s_count_but_not_the_address_s(client, ada):
    for _ in range(4):
        assert sign_in(client, "ada", "not the password").status_code == 401
    assert sign_in(client, "ada").status_code == 302
    client.post("/desk/sign-out", data={"csrf_token": csrf_token(client, "/desk/")})
    for _ in range(4):  # the name's 5 a minute start again after the right password
        assert sign_in(client, "ada", "not the password").status_code == 401
    assert sign_in(client, "ada").status_code == 302


def test_failed_sign_ins_are_rate_limited_per_address_whatever_the_names(client, ada):
    # 20 a minute per address (QUOTEAPI_SIGN_IN_ADDRESS_RATE_LIMIT): 4 names x 5 wrong guesses...
    for guess in range(20):
        assert sign_in(client, f"guess-{guess // 5}", "not the password").status_code == 401
    # ... and this address is kept out, whatever the name and even with the right password
    limited = sign_in(client, "ada", PASSWORD)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    # another address is not
    other = client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert sign_in(other, "ada").status_code == 302


def test_sign_in_fails_closed_while_the_counters_cannot_be_opened(database_url, tmp_path, caplog, monkeypatch):
    path = tmp_path / "ratelimits.bin"
    path.mkdir()  # a directory where the counters' file should be: it cannot be opened
    app = create_app({"DATABASE_URL": database_url, **TEST_SETTINGS, "RATELIMIT_STORAGE_URI": f"mmap:///{path}"},
                     environ={"QUOTEAPI_ENV": "testing"})
    try:
        empty(app.extensions["quoteapi"].database)
        with app.app_context():
            staff(app.extensions["quoteapi"], "ada", "admin")
        checked = []
        check_password = users.check_password
        monkeypatch.setattr(users, "check_password", lambda *a: checked.append(a) or check_password(*a))
        caplog.set_level("WARNING", logger="quoteapi")
        client = app.test_client()
        answers = [sign_in(client, "ada", "not the password") for _ in range(14)] + [sign_in(client, "ada")]
        assert {a.status_code for a in answers} == {503}
        assert {a.headers["Retry-After"] for a in answers} == {"30"}
        page = answers[-1].get_data(as_text=True)
        assert "Signing in is unavailable for a moment" in page or "Oturum açma şu an kullanılamıyor" in page
        assert checked == [], "no password is checked without its count"
        assert client.get("/desk/").status_code == 302
        said = [r for r in caplog.records if r.name == "quoteapi.web.desk.auth"]
        assert len(said) == 1 and said[0].levelname == "ERROR" and said[0].exc_info, "logged once, not per attempt"
        assert app.test_client().get("/readyz").status_code == 503

        path.rmdir()  # repaired: checked and counted again
        assert [sign_in(client, "ada", "not the password").status_code for _ in range(6)] == [401] * 5 + [429]
        assert len(checked) == 5
        assert app.test_client().get("/readyz").status_code == 200
        assert "works again" in [r for r in caplog.records if r.name == "quoteapi.web.desk.auth"][-1].getMessage()
    finally:
        app.extensions["quoteapi"].database.dispose()


def test_the_session_cookie_is_secure_in_production(database_url):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x" * 32}, environ={"QUOTEAPI_ENV": "production"})
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["SESSION_COOKIE_HTTPONLY"] is True and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
        answer = app.test_client().get("/desk/sign-in", base_url="https://desk.example")
        assert "Secure" in answer.headers["Set-Cookie"]
    finally:
        app.extensions["quoteapi"].database.dispose()
    dev = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x" * 32},
                     environ={"QUOTEAPI_ENV": "production", "QUOTEAPI_SESSION_COOKIE_SECURE": "false"})
    assert dev.config["SESSION_COOKIE_SECURE"] is False
    dev.extensions["quoteapi"].database.dispose()


def test_the_generated_secret_key_is_made_once_and_kept(tmp_path):
    path = tmp_path / "instance" / "secret_key"
    first = instance_secret(path)
    assert len(first) >= 40 and instance_secret(path) == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


# --- CSRF ----------------------------------------------------------------------------------------


def test_csrf_is_on_and_refuses_writes_without_a_token(app, client, ada, sales_headers):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    no_token = client.post("/desk/sign-in", data={"name": "ada", "password": PASSWORD})
    assert no_token.status_code == 400
    assert sign_in(client, "ada").status_code == 302
    number = client.post("/api/v1/quotes", json=QUOTE, headers=sales_headers).get_json()["number"]  # bearer: no CSRF
    for data in ({"text": "no token"}, {"text": "forged", "csrf_token": "forged"}):
        refused = client.post(f"/desk/quotes/{number}/notes", data=data)
        assert refused.status_code == 400
    quote = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert [a["kind"] for a in quote["activity"]] == ["created"]
    with_token = client.post(f"/desk/quotes/{number}/notes", data={"text": "Called", "csrf_token": csrf_token(client, "/desk/")})
    assert with_token.status_code == 302
    quote = client.get(f"/api/v1/quotes/{number}", headers=sales_headers).get_json()
    assert [a["kind"] for a in quote["activity"]] == ["created", "note"]


# --- session fixation and open redirects -----------------------------------------------------------


def test_a_cookie_from_before_sign_in_is_not_signed_in_after(app, client, ada):
    client.get("/desk/sign-in")
    before = client.get_cookie("quoteapi_desk")
    assert before is not None
    assert sign_in(client, "ada").status_code == 302
    after = client.get_cookie("quoteapi_desk")
    assert after.value != before.value
    planted = app.test_client()
    planted.set_cookie("quoteapi_desk", before.value)
    assert planted.get("/desk/").status_code == 302  # to the sign-in page
    assert client.get("/desk/").status_code == 200


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
     "/desk\\@evil.example", "https://evil.example/desk/", "///evil.example", "/deskevil", " //evil.example"],
)
def test_next_never_leaves_the_console(client, ada, target):
    answer = sign_in(client, "ada", next_url=target)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/desk/"


def test_next_brings_you_back_to_a_console_page(client, ada):
    asked = client.get("/desk/quotes?status=sent")
    assert asked.status_code == 302 and "next=/desk/quotes?status%3Dsent" in asked.headers["Location"]
    answer = sign_in(client, "ada", next_url="/desk/quotes?status=sent")
    assert answer.headers["Location"] == "/desk/quotes?status=sent"


# --- losing access -----------------------------------------------------------------------------


def test_a_revoked_user_is_out_at_the_next_request(ctx, client, ada, sam):
    assert sign_in(client, "sam").status_code == 302
    assert client.get("/desk/quotes").status_code == 200
    users.revoke_user(ctx, "sam", by="ada")
    thrown_out = client.get("/desk/quotes")
    assert thrown_out.status_code == 302 and thrown_out.headers["Location"].startswith("/desk/sign-in")
    assert client.get("/desk/").status_code == 302


def test_a_revoked_user_made_again_does_not_bring_old_sessions_back(ctx, client, ada, sam):
    assert sign_in(client, "sam").status_code == 302
    users.revoke_user(ctx, "sam", by="ada")
    users.create_user(ctx, "sam", "sales", by="ada")
    assert client.get("/desk/").status_code == 302
    # The name may belong to someone else now: the old password no longer signs in.
    assert sign_in(client, "sam").status_code != 302


def test_a_new_password_ends_the_old_sessions(ctx, client, sam):
    assert sign_in(client, "sam").status_code == 302
    users.set_password(ctx, "sam", "another long password")
    assert client.get("/desk/").status_code == 302
    assert sign_in(client, "sam", "another long password").status_code == 302
    assert client.get("/desk/").status_code == 200


def _copy_of(client):
    """Another browser holding a copy of ``client``'s console cookie (as someone who copied it would)."""
    name = client.application.config["SESSION_COOKIE_NAME"]
    copy = client.application.test_client()
    copy.set_cookie(name, client.get_cookie(name).value)
    return copy


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(ctx, database, client, sam):
    assert sign_in(client, "sam").status_code == 302
    copy = _copy_of(client)
    assert copy.get("/desk/").status_code == 200  # the copy works while the session is open
    other = client.application.test_client()  # the same user, signed in on another computer
    assert sign_in(other, "sam").status_code == 302
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(ConsoleSession)) == 2
    assert client.post("/desk/sign-out", data={"csrf_token": csrf_token(client, "/desk/")}).status_code == 302
    refused = copy.get("/desk/quotes")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/desk/sign-in")
    assert other.get("/desk/").status_code == 200  # only that session ended
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(ConsoleSession)) == 1


def test_only_the_hash_of_a_session_token_is_stored_and_ended_sessions_are_swept(ctx, database, client, sam):
    assert sign_in(client, "sam").status_code == 302
    with client.session_transaction() as cookie:
        token = cookie["sid"]
    with database.transaction() as session:
        row = session.scalars(select(ConsoleSession)).one()
        assert row.token_hash == users.hash_token(token) and token not in row.token_hash
        lifetime = aware(row.expires_at) - aware(row.created_at)
        assert lifetime == client.application.permanent_session_lifetime
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)  # the session has run its time
    assert client.get("/desk/").status_code == 302
    assert sign_in(client, "sam").status_code == 302  # a new sign-in sweeps the ended row out
    with database.reading() as session:
        assert [users.hash_token(token)] != session.scalars(select(ConsoleSession.token_hash)).all()
        assert session.scalar(select(func.count()).select_from(ConsoleSession)) == 1


def test_a_session_in_use_is_renewed_once_half_its_time_has_passed(ctx, database, client, sam):
    assert sign_in(client, "sam").status_code == 302
    lifetime = client.application.permanent_session_lifetime

    def end_moved_to(seconds_left: float):
        with database.transaction() as session:
            row = session.scalars(select(ConsoleSession)).one()
            row.expires_at = datetime.now(UTC) + timedelta(seconds=seconds_left)
        assert client.get("/desk/").status_code == 200
        with database.reading() as session:
            return aware(session.scalars(select(ConsoleSession.expires_at)).one()) - datetime.now(UTC)

    kept = end_moved_to(lifetime.total_seconds() * 0.75)  # used recently: not written again
    assert kept < lifetime * 0.76
    renewed = end_moved_to(lifetime.total_seconds() * 0.25)  # more than half gone: the end moves
    assert lifetime - timedelta(minutes=1) < renewed <= lifetime


def test_a_cookie_from_before_server_sessions_signs_nobody_in(ctx, client, sam):
    user_id = users.check_password(ctx, "sam", PASSWORD).id
    with client.session_transaction() as cookie:  # what a session cookie held before migration 0008
        cookie["uid"] = user_id
        cookie["fp"] = users.check_password(ctx, "sam", PASSWORD).fingerprint
    answer = client.get("/desk/quotes")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/desk/sign-in")


def test_revoking_or_a_new_password_deletes_the_user_s_sessions(ctx, database, client, ada, sam):
    for name in ("sam", "ada"):
        assert sign_in(client.application.test_client(), name).status_code == 302

    def sessions_of(name: str) -> int:
        with database.reading() as session:
            return session.scalar(select(func.count()).select_from(ConsoleSession).join(User).where(User.name == name))

    assert sessions_of("sam") == sessions_of("ada") == 1
    users.set_password(ctx, "ada", "another long password")
    users.revoke_user(ctx, "sam", by="ada")
    assert sessions_of("sam") == sessions_of("ada") == 0


def test_a_user_without_a_password_cannot_sign_in(ctx, client):
    users.create_user(ctx, "tok", "admin")  # a token only
    assert sign_in(client, "tok", "").status_code in (400, 401)
    assert sign_in(client, "tok", PASSWORD).status_code == 401


# --- roles and pages -------------------------------------------------------------------------


ADMIN_PAGES = ["/desk/prices/clinics", "/desk/prices/areas", "/desk/prices/products", "/desk/prices/specialist-levels",
               "/desk/prices/campaigns", "/desk/versions", "/desk/audit", "/desk/users"]


def _a_quote(client, headers) -> str:
    return client.post("/api/v1/quotes", json=QUOTE, headers=headers).get_json()["number"]


def test_sales_cannot_reach_admin_pages(client, sam):
    assert sign_in(client, "sam").status_code == 302
    for path in [*ADMIN_PAGES, "/desk/prices", "/desk/price-list.csv"]:
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/desk/")
    assert client.post("/desk/users", data={"csrf_token": token, "name": "x", "role": "admin"}).status_code == 403
    assert "Price tables" not in client.get("/desk/?lang=en").get_data(as_text=True)


def test_every_desk_page_answers_for_an_admin(client, ada, sales_headers):
    number = _a_quote(client, sales_headers)
    assert sign_in(client, "ada").status_code == 302
    pages = ["/desk/", "/desk/quotes", "/desk/quotes?status=new&q=ay", "/desk/quotes/new", f"/desk/quotes/{number}",
             f"/desk/quotes/{number}?lang=en", f"/desk/quotes/{number}/document?format=html", *ADMIN_PAGES]
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.get_data(as_text=True)[:500])
        assert answer.mimetype == "text/html"
    pdf = client.get(f"/desk/quotes/{number}/document")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert number == f"Q-{TODAY.year}-000001"
    assert client.get(f"/desk/quotes/Q-{TODAY.year - 1}-000001").status_code == 404  # the same number, last year


def test_the_language_switch_is_on_every_page_and_sticks(client, ada):
    assert sign_in(client, "ada").status_code == 302
    turkish = client.get("/desk/").get_data(as_text=True)
    assert "Takip zamanı gelenler" in turkish and 'href="/desk/?lang=en"' in turkish
    assert '<html lang="tr">' in turkish
    english = client.get("/desk/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "Follow-ups due" in english and 'href="/desk/quotes?lang=en"' in english
