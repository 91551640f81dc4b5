"""The admins' day-one tools in the console: a CSV as Turkish Excel saves it, console passwords set
from the users page, and a confirmation before revoking a user or deleting a price row."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from quoteapi.adapters import spreadsheets
from quoteapi.adapters.i18n import language
from quoteapi.domain.numbers import local_decimal
from quoteapi.services import audit, price_items, price_lists, users
from quoteapi.services.price_items import KINDS

from ..days import day
from .desk_helpers import PASSWORD, csrf_token, messages, sign_in, signed_in, staff

# The console's pages over the same services as the API, whose tests run on both databases: SQLite here,
# so that make test keeps its 15 minutes (docs/decisions.md, "The suite's four runs").
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

NEW_PASSWORD = "kırmızı elma sepette"


def as_turkish_excel(text: str, *, encoding: str = "cp1254", changes: dict[tuple[str, str, str], str] | None = None) -> bytes:
    """The console's CSV download as Turkish Excel saves it: semicolons, decimal commas with thousands grouped,
    days as 1.12.2026, DOĞRU/YANLIŞ, CRLF, Windows-1254 (or UTF-8 with a BOM). ``changes``: (section, code,
    column) → the cell as typed in Excel."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    rows = csv.DictReader(io.StringIO(text))
    writer.writerow(rows.fieldnames)
    for row in rows:
        for column, value in row.items():
            if value and (column in spreadsheets.DECIMALS or (column == "value" and row["code"] in spreadsheets.DECIMALS)):
                row[column] = local_decimal(value, "tr")
            elif value and column in spreadsheets.DATES:
                row[column] = first_day(value)
            elif value in ("true", "false") and column in spreadsheets.BOOLEANS:
                row[column] = "DOĞRU" if value == "true" else "YANLIŞ"
        for (section, code, column), typed in (changes or {}).items():
            if row["section"] == section and row["code"] == code:
                row[column] = typed
        writer.writerow(row.values())
    data = out.getvalue()
    return codecs_bom(encoding) + data.encode("utf-8" if encoding == "utf-8-sig" else encoding)


def codecs_bom(encoding: str) -> bytes:
    return b"\xef\xbb\xbf" if encoding == "utf-8-sig" else b""


def upload(admin, ctx, data: bytes, lang: str, name: str = "fiyatlar.csv", **fields):
    token = csrf_token(admin, "/desk/prices/areas")
    form = {"csrf_token": token, "version": str(price_lists.list_versions(ctx)[0].version),
            "file": (io.BytesIO(data), name), **fields}
    return admin.post(f"/desk/price-list?lang={lang}", data=form, content_type="multipart/form-data")


# --- Part 1: a CSV as Turkish Excel saves it ------------------------------------------------------


def test_a_turkish_excel_file_is_saved_and_what_was_understood_is_said(ctx, admin):
    before = price_lists.get_document(ctx).document
    sheet = admin.get("/desk/price-list.csv").get_data(as_text=True)
    data = as_turkish_excel(sheet, changes={("area", "face", "price"): "4.400,00"})
    assert b";" in data and b"\r\n" in data and "Kadıköy".encode("cp1254") in data  # the bytes Excel writes
    saved = upload(admin, ctx, data, "tr")
    assert saved.status_code == 302
    page = admin.get(saved.headers["Location"])
    said = messages(page)
    lines = sum(1 for line in sheet.splitlines()[1:] if line.strip(","))
    assert ("Noktalı virgülle ayrılmış, ondalık virgüllü, Windows-1254 (Türkçe) kodlamalı bir dosya olarak okundu: "
            f"{lines} satır.") in said
    assert "“4.400,00” 4400,00 olarak okundu." in said
    assert not any("section" in m for m in said)
    after = price_lists.get_document(ctx).document
    assert price_items.get_item(ctx, KINDS["areas"], "face").data["price"] == "4400.00"
    # Nothing else changed: every other price, factor, day and yes/no was read as it was written.
    assert {**after, "areas": [a for a in after["areas"] if a["code"] != "face"]} == {
        **before, "areas": [a for a in before["areas"] if a["code"] != "face"]}


def test_the_same_file_in_utf_8_with_a_bom_is_said_in_english_and_a_day_is_read(ctx, admin):
    sheet = admin.get("/desk/price-list.csv").get_data(as_text=True)
    campaign = next(r for r in csv.DictReader(io.StringIO(sheet)) if r["section"] == "campaign")
    ends = day(40)
    data = as_turkish_excel(sheet, encoding="utf-8-sig", changes={
        ("campaign", campaign["code"], "ends_on"): f"{ends.day}.{ends.month}.{ends.year}",
        ("area", "face", "price"): "4.250,50"})
    tried = upload(admin, ctx, data, "en", dry_run="1")  # tried first: nothing stored, the words said all the same
    assert tried.status_code == 200 and "Read as a semicolon-separated, decimal-comma file: " in tried.get_data(as_text=True)
    assert price_items.get_item(ctx, KINDS["areas"], "face").data["price"] == "4000.00"
    saved = upload(admin, ctx, data, "en")
    assert saved.status_code == 302
    said = messages(admin.get(saved.headers["Location"]))
    assert any(m.startswith("Read as a semicolon-separated, decimal-comma file: ") for m in said)
    assert "“4.250,50” was read as 4250.50." in said
    first = next(r for r in csv.DictReader(io.StringIO(sheet)) if r["starts_on"])["starts_on"]
    assert f"“{first_day(first)}” was read as {language('en').day_format(date.fromisoformat(first))}." in said
    assert price_items.get_item(ctx, KINDS["areas"], "face").data["price"] == "4250.50"
    assert price_items.get_item(ctx, KINDS["campaigns"], campaign["code"]).data["ends_on"] == ends.isoformat()


def first_day(iso: str) -> str:
    year, month, date_ = iso.split("-")
    return f"{int(date_)}.{int(month)}.{year}"


def test_a_wrong_cell_in_a_semicolon_file_is_named_by_row_never_a_missing_section_column(ctx, admin):
    sheet = admin.get("/desk/price-list.csv").get_data(as_text=True)
    data = as_turkish_excel(sheet, changes={("area", "neck", "price"): "çok"})
    refused = upload(admin, ctx, data, "tr")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(r"<code>row \d+\.price</code>", page)
    assert "section" not in page
    assert any(m.startswith("Noktalı virgülle ayrılmış") for m in messages(refused))
    # A file without the column really is told so, whatever its separator.
    missing = upload(admin, ctx, "code;name;price\r\nneck;Boyun;1.800,00\r\n".encode("cp1254"), "en")
    assert missing.status_code == 422 and "section" in missing.get_data(as_text=True)


def test_the_api_and_the_cli_read_the_same_file(app, ctx, client, admin_headers, tmp_path):
    sheet = client.get("/api/v1/admin/price-list", headers={**admin_headers, "Accept": "text/csv"})
    data = as_turkish_excel(sheet.get_data(as_text=True), changes={("area", "face", "price"): "4.100,00"})
    for content_type, price in (("text/csv; charset=windows-1254", "4100.00"), ("text/csv", "4200.00")):
        typed = local_decimal(price, "tr").encode()
        put = client.put("/api/v1/admin/price-list", data=data.replace(b"4.100,00", typed), content_type=content_type,
                         headers={**admin_headers, "If-Match": "*"})
        assert put.status_code == 200, put.get_json()
        assert price_items.get_item(ctx, KINDS["areas"], "face").data["price"] == price
    data = data.replace(b"4.100,00", b"4.200,00")
    bad = client.put("/api/v1/admin/price-list", data=data.replace("4.200,00".encode(), b"dort"), content_type="text/csv",
                     headers={**admin_headers, "If-Match": "*"})
    assert bad.status_code == 422 and any(k.endswith(".price") and k.startswith("row ") for k in bad.get_json()["errors"])
    path = tmp_path / "fiyatlar.csv"
    path.write_bytes(data.replace("4.200,00".encode(), "4.300,00".encode()))
    done = app.test_cli_runner().invoke(args=["price-list", "import", str(path)])
    assert done.exit_code == 0, done.output
    assert price_items.get_item(ctx, KINDS["areas"], "face").data["price"] == "4300.00"


# --- Part 2: console passwords from the users page ------------------------------------------------


def _password_form(client, name: str, password: str, again: str | None = None, lang: str = "en"):
    token = csrf_token(client, "/desk/users")
    return client.post(f"/desk/users/password?lang={lang}", data={
        "csrf_token": token, "name": name, "password": password, "password_again": password if again is None else again})


def test_an_admin_sets_a_users_password_and_they_sign_in_with_it(app, ctx, admin):
    staff(ctx, "cem", "sales")
    cem = app.test_client()
    assert sign_in(cem, "cem").status_code == 302
    page = admin.get("/desk/users?lang=tr&password_for=cem").get_data(as_text=True)
    assert '<option value="cem" selected>' in page and 'autocomplete="new-password"' in page
    assert "set-password" not in page  # no server command to run
    assert "Parola belirle" in page and "Panel parolası" in page
    differ = _password_form(admin, "cem", NEW_PASSWORD, "kirmizi elma sepette")
    assert differ.status_code == 422 and "The two passwords differ" in differ.get_data(as_text=True)
    assert "The password was not set; see below." in messages(differ)  # at the top of a long page
    assert re.search(r'id="pw-new"[^>]* autofocus', differ.get_data(as_text=True))  # and its field focused
    short = _password_form(admin, "cem", "kısa", lang="tr")
    text = short.get_data(as_text=True)
    assert short.status_code == 422 and "10" in text and "kısa" not in text  # never shown back
    assert NEW_PASSWORD not in differ.get_data(as_text=True) and "kirmizi elma" not in differ.get_data(as_text=True)
    assert sign_in(app.test_client(), "cem").status_code == 302  # nothing changed yet
    done = _password_form(admin, "cem", NEW_PASSWORD, lang="tr")
    assert done.status_code == 302
    said = messages(admin.get(done.headers["Location"]))
    assert "cem kullanıcısının panel parolası belirlendi; açık panel oturumları kapatıldı." in said
    assert not any(NEW_PASSWORD in m for m in said)
    # Their open session ended; the old password no longer works, the new one does.
    assert cem.get("/desk/").status_code == 302
    assert sign_in(app.test_client(), "cem").status_code == 401
    assert sign_in(app.test_client(), "cem", NEW_PASSWORD).status_code == 302
    entry = audit.entries(ctx, {"kind": "user", "limit": 10}).items[0]
    assert (entry.actor, entry.action, entry.subject) == ("ada", "password", "user cem")
    assert NEW_PASSWORD not in repr(entry)


def test_an_admin_resets_their_own_password_and_stays_signed_in_here_only(app, ctx, admin):
    other_browser = app.test_client()
    assert sign_in(other_browser, "ada").status_code == 302
    assert _password_form(admin, "ada", NEW_PASSWORD).status_code == 302
    assert admin.get("/desk/users").status_code == 200  # this browser: a new session
    assert other_browser.get("/desk/users").status_code == 302  # every other one ended
    assert sign_in(app.test_client(), "ada", NEW_PASSWORD).status_code == 302


def test_the_password_form_is_guarded_like_every_console_form(app, ctx, admin, seller):
    staff(ctx, "cem", "sales")
    assert admin.post("/desk/users/password", data={"name": "cem", "password": NEW_PASSWORD,
                                                    "password_again": NEW_PASSWORD}).status_code == 400  # no CSRF token
    assert _password_form(seller, "cem", NEW_PASSWORD).status_code == 403
    users.revoke_user(ctx, "cem")
    gone = _password_form(admin, "cem", NEW_PASSWORD)
    assert gone.status_code == 422 and "No active user" in gone.get_data(as_text=True)
    assert _password_form(admin, "nobody", NEW_PASSWORD).status_code == 422
    empty = _password_form(admin, "ada", "")
    assert empty.status_code == 422 and "Type the new password." in empty.get_data(as_text=True)
    assert sign_in(app.test_client(), "ada").status_code == 302  # nothing changed


# --- Part 3: confirmations ---------------------------------------------------------------------


def test_revoking_a_user_asks_first_and_says_what_happens(app, ctx, admin):
    created = users.create_user(ctx, "cem", "sales")
    users_page = admin.get("/desk/users?lang=tr").get_data(as_text=True)
    assert f'action="/desk/users/cem/revoke' not in users_page  # no one-click form any more
    link = re.search(r'<a class="button secondary" href="(/desk/users/cem/revoke[^"]*)"[^>]*>Erişimi kaldır</a>', users_page)
    assert link
    ask = admin.get(link.group(1).replace("&amp;", "&"))
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200
    assert "cem kullanıcısının erişimi kaldırılsın mı?" in page
    assert "API anahtarı hemen çalışmaz" in page and "Vazgeç" in page
    assert users.authenticate(ctx, created.token) is not None  # asking changed nothing
    # A POST without the confirmation (an old page, a stray click) asks again, changes nothing.
    token = csrf_token(admin, "/desk/users")
    again = admin.post("/desk/users/cem/revoke?lang=en", data={"csrf_token": token})
    assert again.status_code == 200 and "Remove the access of cem?" in again.get_data(as_text=True)
    assert users.authenticate(ctx, created.token) is not None
    confirm = re.search(r'<section class="card confirm".*?</form>', page, re.S).group(0)
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirm))
    done = admin.post(link.group(1).replace("&amp;", "&"), data=form)
    assert done.status_code == 302 and users.authenticate(ctx, created.token) is None
    assert any("erişimi kaldırıldı" in m for m in messages(admin.get(done.headers["Location"])))
    assert admin.get("/desk/users/nobody/revoke").status_code == 404
    assert admin.get("/desk/users/cem/revoke", follow_redirects=True).status_code == 200  # already revoked: told so


def test_deleting_a_price_row_asks_first_with_what_and_when(ctx, admin):
    page = admin.get("/desk/prices/products?lang=tr").get_data(as_text=True)
    code = re.search(r'<tr id="row-([a-z0-9-]+)"', page).group(1)
    row = re.search(rf'<form id="f-{code}".*?</form>', page, re.S).group(0)
    form = dict(re.findall(r'name="(csrf_token|etag|version)" value="([^"]*)"', row))
    ask = admin.post(f"/desk/prices/products/{code}?lang=tr", data={**form, "delete": "1"})
    text = ask.get_data(as_text=True)
    assert ask.status_code == 200
    assert f"{code}, Ürünler tablosundan silinsin mi?" in text and "Hemen geçerli olur" in text
    assert any(p["code"] == code for p in price_items.list_items(ctx, KINDS["products"]).items)  # still there
    confirm = re.search(r'<section class="card confirm".*?<form method="post" action="([^"]+)".*?</form>', text, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirm.group(0)))
    assert fields["etag"] == form["etag"] and fields["confirmed"] == "1" and fields["delete"] == "1"
    done = admin.post(confirm.group(1).replace("&amp;", "&"), data=fields)
    assert done.status_code == 302
    assert all(p["code"] != code for p in price_items.list_items(ctx, KINDS["products"]).items)
    # Scheduled: the page says when it takes effect.
    areas = admin.get("/desk/prices/areas?lang=en").get_data(as_text=True)
    row = re.search(r'<form id="f-neck".*?</form>', areas, re.S).group(0)
    form = dict(re.findall(r'name="(csrf_token|etag|version)" value="([^"]*)"', row))
    later = f"{day(300).isoformat()}T09:00"
    scheduled = admin.post("/desk/prices/areas/neck?lang=en", data={**form, "delete": "1", "effective_from": later})
    assert scheduled.status_code == 200 and "It takes effect on" in scheduled.get_data(as_text=True)
    assert f'name="effective_from" value="{later}"' in scheduled.get_data(as_text=True)
