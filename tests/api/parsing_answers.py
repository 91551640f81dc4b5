"""What the API answers to careless and hostile request bodies and queries, as one JSON document.

Run as ``python -m tests.api.parsing_answers [OUT]``: it builds an app on a
fresh SQLite file, walks every operation that takes a body or a query (as its
OpenAPI description says), sends each of the bodies and queries below in
Turkish and in English, and writes the status, headers and body of every
answer, with the bytes of ``GET /api/openapi.json``. What changes with the
moment is written as placeholders: instants (``<instant>``), days
(``<today+4>``, ``<today+4, en>``) and the year of the quote number in the
paths (``Q-<year>-000001``); the Content-Length of such an answer is that of
its body so written. So the answers of any two days, or of any moment the
suite travels to, compare.

tests/api/test_request_parsing.py requires the document to be the one pinned
in tests/api/data/ (``answers.json.gz``: every answer and the description;
``public_problems.json``: the answers of the two public writes, readable).
When an answer or the description changes on purpose, pin the new ones:
``PYTHONHASHSEED=0 python -m tests.api.parsing_answers --pin``, and read
the diff of public_problems.json.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import tempfile
from datetime import date
from pathlib import Path

from ..moment import travel_from_environment

travel_from_environment()  # on the moment of the suite that runs this (pytest --now), before TODAY is read

from quoteapi import create_app  # noqa: E402
from quoteapi.adapters.db.migrate import upgrade  # noqa: E402
from quoteapi.interface.schemas.fields import FIRST_DAY, LAST_DAY  # noqa: E402
from quoteapi.services import price_lists, users  # noqa: E402

from ..bodies import QUOTE, QUOTE_REQUEST, SIMPLE_ESTIMATE  # noqa: E402
from ..days import TODAY, a_year_after  # noqa: E402

# Bodies every JSON operation is sent: (name, content type, bytes).
BODIES: tuple[tuple[str, str | None, bytes], ...] = (
    ("empty", "application/json", b""),
    ("blank", "application/json", b"  \n"),
    ("empty, no type", None, b""),
    ("empty object", "application/json", b"{}"),
    ("unknown field", "application/json", b'{"no_such_field": 1}'),
    ("wrong types", "application/json", json.dumps({
        "clinic": 7, "areas": "face", "sessions": "six", "name": [], "code": {}, "price": 1.5, "role": "boss",
        "text": 3, "decision": "maybe", "customer": "x", "status": 9, "version": "v",
    }).encode()),
    ("nulls", "application/json", json.dumps({
        "clinic": None, "areas": [None], "sessions": None, "name": None, "code": None, "price": None,
    }).encode()),
    ("array", "application/json", b"[1, 2]"),
    ("null", "application/json", b"null"),
    ("string", "application/json", b'"text"'),
    ("invalid JSON", "application/json", b'{"clinic": '),
    ("invalid UTF-8", "application/json", b'{"clinic": "\xff\xfe"}'),
    ("deep nesting", "application/json", b"[" * 100_000 + b"]" * 100_000),
    ("huge integer", "application/json", b'{"sessions": ' + b"9" * 40 + b"}"),
    ("problem+json type", "application/problem+json", b'{"sessions": 0}'),
    ("JSON with a charset", "application/json; charset=utf-8", json.dumps(SIMPLE_ESTIMATE).encode()),
    ("JSON in capitals", "Application/JSON", b'{"sessions": 0}'),
    ("text/plain", "text/plain", json.dumps(SIMPLE_ESTIMATE).encode()),
    ("no content type", None, json.dumps(SIMPLE_ESTIMATE).encode()),
    ("form", "application/x-www-form-urlencoded", b"clinic=ist-kadikoy&sessions=1"),
    ("csv", "text/csv", b"a,b\n1,2\n"),
    ("yaml", "application/yaml", b"clinic: 1\n"),
    ("too large", "application/json", b'{"notes": "' + b"x" * 1_100_000 + b'"}'),
    ("estimate", "application/json", json.dumps(SIMPLE_ESTIMATE).encode()),
    ("estimate, bad fields", "application/json", json.dumps({**SIMPLE_ESTIMATE, "sessions": 0, "start_date": "2026-13-01"}).encode()),
    ("quote, bad fields", "application/json", json.dumps({**QUOTE, "customer": {"name": "", "phone": "x"}}).encode()),
    ("quote request, no consent", "application/json", json.dumps({**QUOTE_REQUEST, "consent": False}).encode()),
)
# Queries every operation with a query schema is sent (a write also gets its body's "empty object").
QUERIES = ("", "dry_run=maybe", "clinic=", "clinic=no-such", "clinic=ist-kadikoy&extra=1", "limit=0", "limit=x&cursor=%%%",
           "created_to=9999-12-31", "effective_from=yesterday", "status=nope&status=sent", "lang=en&dry_run=true")
LANGUAGES = ({"Accept-Language": "tr"}, {"Accept-Language": "en"}, {})
# Instants the answers carry (audit entries, quotes): the only part that changes from run to run.
INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?")
# Days the answers carry (start dates, schedules, the maintenance advice), written relative to TODAY:
# as the API writes them (2026-12-05), as Turkish text does (05.12.2026), and as English text does (5 Dec 2026).
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAY = re.compile(
    r"(?<![\d.-])(?P<iso_y>\d{4})-(?P<iso_m>\d\d)-(?P<iso_d>\d\d)(?![\d-])"
    r"|(?<![\d.])(?P<tr_d>\d\d)\.(?P<tr_m>\d\d)\.(?P<tr_y>\d{4})(?![\d.])"
    rf"|(?<![\d.])(?P<en_d>\d{{1,2}}) (?P<en_m>{'|'.join(_MONTHS)}) (?P<en_y>\d{{4}})(?!\d)"
)
PATH_VALUES = {"number": f"Q-{TODAY.year}-000001", "code": "face", "revision": "1", "version": "1", "name": "nobody",
               "payment_id": "1"}
NUMBER_AS_WRITTEN = "Q-<year>-000001"


def _report_default_start() -> date:
    """The pipeline report's default ``from`` (services/reports.default_range): its distance from today
    varies with the day of the month, so it has a placeholder of its own."""
    from quoteapi.services.reports import default_range

    return default_range(TODAY, None, None)[0]


def relative_day(match: re.Match) -> str:
    """TODAY as ``<today>``, a year after it in Turkish as ``<a year after today, tr>``, another day as ``<today+N>``.

    The bounds a day field accepts (fields.FIRST_DAY, LAST_DAY) are the same every day, and stay as written.
    """
    if match["iso_y"]:
        y, m, d, written = match["iso_y"], match["iso_m"], match["iso_d"], ""
    elif match["tr_y"]:
        y, m, d, written = match["tr_y"], match["tr_m"], match["tr_d"], ", tr"
    else:
        y, m, d, written = match["en_y"], str(_MONTHS.index(match["en_m"]) + 1), match["en_d"], ", en"
    try:
        found = date(int(y), int(m), int(d))
    except ValueError:
        return match[0]  # not a day (2026-13-01 is sent to be refused)
    if found in (FIRST_DAY, LAST_DAY):
        return match[0]
    if found == a_year_after(TODAY):
        return f"<a year after today{written}>"
    offset = (found - TODAY).days
    return f"<today{offset:+d}{written}>" if offset else f"<today{written}>"


def without_days(text: str) -> str:
    return DAY.sub(relative_day, text)


def number_as_written(text: str) -> str:
    """The quote number of the paths with its year as a placeholder."""
    return text.replace(PATH_VALUES["number"], NUMBER_AS_WRITTEN)


def written(text: str) -> str:
    """An answer's body with its placeholders: instants, days, and the year of the quote number."""
    # The report's default "from" (the first of the month eleven months back) is no fixed distance from today.
    text = text.replace(f'"from":"{_report_default_start().isoformat()}"', '"from":"<the report\'s default start>"')
    return number_as_written(without_days(INSTANT.sub("<instant>", text)))


def as_written(name: str, value: str, text: str) -> list[str]:
    """A header of an answer whose body is ``text``. Its Content-Length is that of the body with its
    placeholders when it has any: ``1 Dec 2027`` and ``28 Feb 2029`` are not as long."""
    if name == "Content-Length":
        body = written(text)
        if body != text:
            value = str(len(body.encode()))
    return [name, number_as_written(value)]


# A rule's variables as the description writes them: <int(max=2147483647):version> is {version}.
PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def takes(operation: dict) -> set[str]:
    """Where an operation takes arguments, as its description says: "json" (a request body), "query"."""
    found = {"json"} if "requestBody" in operation else set()
    if any(p.get("in") == "query" for p in operation.get("parameters", [])):  # not the language's ($ref)
        found.add("query")
    return found


def answers() -> dict:
    work = Path(tempfile.mkdtemp(prefix="quoteapi-parsing-"))
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}", "PUBLIC_RATE_LIMIT": "none", "TESTING": True},
        environ={"QUOTEAPI_LOG_LEVEL": "ERROR"},
    )
    ctx = app.extensions["quoteapi"]
    upgrade(ctx.database)
    price_lists.seed_demo(ctx)
    admin = {"Authorization": f"Bearer {users.create_user(ctx, 'ada', 'admin').token}"}
    client = app.test_client()
    out: dict = {"openapi": client.get("/api/openapi.json").get_data(as_text=True), "answers": []}
    paths = json.loads(out["openapi"])["paths"]
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods))):
        if not rule.rule.startswith("/api/v1"):
            continue
        path = rule.build(PATH_VALUES, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            locations = takes(paths[PARAMETER.sub(r"{\1}", rule.rule)][method.lower()])
            cases = []
            if "json" in locations:
                cases += [(name, "", content_type, data) for name, content_type, data in BODIES]
            if "query" in locations:
                cases += [(f"query {q}", q, "application/json", b"{}" if "json" in locations else None) for q in QUERIES]
            for name, query, content_type, data in cases:
                for language in LANGUAGES:
                    headers = {**admin, **language}
                    if content_type:
                        headers["Content-Type"] = content_type
                    response = client.open(path, method=method, query_string=query, headers=headers, data=data)
                    text = response.get_data(as_text=True)
                    out["answers"].append({
                        "request": number_as_written(f"{method} {path}?{query} [{name}] {language}"),
                        "status": response.status,
                        "headers": sorted(as_written(k, v, text) for k, v in response.headers.items() if k not in ("ETag", "Date")),
                        "body": written(text[:4000]),
                    })
    return out


DATA = Path(__file__).with_name("data")
PINNED = DATA / "answers.json.gz"
PUBLIC_PINNED = DATA / "public_problems.json"
PUBLIC_WRITES = ("POST /api/v1/estimates?", "POST /api/v1/quote-requests?")


def public_problems(document: dict) -> list[dict]:
    """The answers of the website's two writes (estimates, quote requests)."""
    return [a for a in document["answers"] if a["request"].startswith(PUBLIC_WRITES)]


def read_pinned() -> dict:
    return json.loads(gzip.decompress(PINNED.read_bytes()).decode("utf-8"))


def main() -> None:
    document = answers()
    text = json.dumps(document, ensure_ascii=False, indent=1)
    if sys.argv[1:] == ["--pin"]:
        PINNED.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
        PUBLIC_PINNED.write_text(json.dumps(public_problems(document), ensure_ascii=False, indent=1), "utf-8")
    elif len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text, "utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
