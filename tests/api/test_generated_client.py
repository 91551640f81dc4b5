"""The OpenAPI description builds a Python client with openapi-python-client, without
a single warning, and the generated client drives the API (on both databases).

The client is generated once for the module, from what ``GET /api/openapi.json``
serves, by the generator pinned in the ``dev`` extras (its ruff post-hooks are
turned off: formatting does not matter to a client that is only imported).
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from quoteapi import create_app

from ..conftest import TEST_SETTINGS

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "quoteapi_generated_client"
# openapi-python-client reads binary answers as application/octet-stream: a PDF is one (its documented
# content_type_overrides, as docs/api-conventions.md tells integrators).
CONFIG = "post_hooks: []\ncontent_type_overrides:\n  application/pdf: application/octet-stream\n"
BASE_URL = "http://testserver"


@pytest.fixture(scope="module")
def generation(tmp_path_factory) -> SimpleNamespace:
    out = tmp_path_factory.mktemp("generated-client")
    # Serving the description touches no database: this app's stays an empty file.
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{out / 'unused.sqlite3'}", **TEST_SETTINGS},
        environ={"QUOTEAPI_ENV": "testing"},
    )
    response = app.test_client().get("/api/openapi.json")
    app.extensions["quoteapi"].database.dispose()
    assert response.status_code == 200
    (out / "openapi.json").write_bytes(response.get_data())
    (out / "config.yaml").write_text(CONFIG)
    result = subprocess.run(
        [
            str(GENERATOR), "generate",
            "--path", "openapi.json",
            "--output-path", PACKAGE,
            "--meta", "none",
            "--config", "config.yaml",
            "--fail-on-warning",
        ],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return SimpleNamespace(root=out, result=result, output=result.stdout + result.stderr)


def test_the_description_generates_a_client_without_warnings(generation):
    # The generator only says it is generating: anything more is a warning (conflicting
    # enums, a schema it cannot process, a response it leaves out, a missing post-hook).
    lines = [line for line in generation.output.splitlines() if line.strip()]
    assert lines == [f"Generating {PACKAGE}"], generation.output
    assert generation.result.returncode == 0, generation.output


@pytest.fixture(scope="module")
def generated(generation):
    """The generated package, imported: its ``client``, ``api`` and ``models``."""
    assert (generation.root / PACKAGE / "client.py").is_file(), generation.output
    sys.path.insert(0, str(generation.root))
    try:
        package = importlib.import_module(PACKAGE)
        yield SimpleNamespace(
            client=package,
            estimates=importlib.import_module(f"{PACKAGE}.api.public.create_estimate"),
            create_quote=importlib.import_module(f"{PACKAGE}.api.quotes.create_quote"),
            patch_quote=importlib.import_module(f"{PACKAGE}.api.quotes.patch_quote"),
            revise_quote=importlib.import_module(f"{PACKAGE}.api.quotes.revise_quote"),
            list_quotes=importlib.import_module(f"{PACKAGE}.api.quotes.list_quotes"),
            get_price_list=importlib.import_module(f"{PACKAGE}.api.admin.get_price_list"),
            get_document=importlib.import_module(f"{PACKAGE}.api.quotes.get_document"),
            get_document_page=importlib.import_module(f"{PACKAGE}.api.quotes.get_document_page"),
            get_quote=importlib.import_module(f"{PACKAGE}.api.quotes.get_quote"),
            models=importlib.import_module(f"{PACKAGE}.models"),
        )
    finally:
        sys.path.remove(str(generation.root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def token(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


@pytest.fixture
def clients(generated, app, admin_headers, sales_headers):
    """Generated clients on the app through WSGI: anonymous, sales and admin."""
    transport = httpx.WSGITransport(app=app)
    public = generated.client.Client(base_url=BASE_URL).set_httpx_client(
        httpx.Client(transport=transport, base_url=BASE_URL)
    )
    # The authenticated clients build their own httpx client, with the token header.
    sales = generated.client.AuthenticatedClient(
        base_url=BASE_URL, token=token(sales_headers), httpx_args={"transport": transport}
    )
    admin = generated.client.AuthenticatedClient(
        base_url=BASE_URL, token=token(admin_headers), httpx_args={"transport": transport}
    )
    with public, sales, admin:
        yield public, sales, admin


def test_the_generated_client_drives_the_api(generated, clients):
    m = generated.models
    public, sales, admin = clients
    course = {
        "clinic": "ist-nisantasi",
        "areas": [m.AreaChoice(code="face")],
        "specialist_level": "nurse",
        "sessions": 4,
    }

    # createEstimate, anonymous: every field of the answer is in the model.
    r = generated.estimates.sync_detailed(client=public, body=m.EstimateRequest(**course))
    assert r.status_code == HTTPStatus.OK, r.content
    estimate, answer = r.parsed, json.loads(r.content)
    assert isinstance(estimate, m.Estimate)
    assert estimate.total == answer["total"]
    assert estimate.eligibility.status is m.EligibilityStatus.UNKNOWN
    assert [line.kind for line in estimate.lines] == [m.LineKind(line["kind"]) for line in answer["lines"]]
    assert estimate.to_dict() == answer

    # createQuote, with the sales token.
    customer = m.StaffCustomer(name="Ayşe Yılmaz", email="ayse@example.com")
    r = generated.create_quote.sync_detailed(client=sales, body=m.QuoteCreate(**course, customer=customer))
    assert r.status_code == HTTPStatus.CREATED, r.content
    quote = r.parsed
    assert isinstance(quote, m.Quote)
    assert re.fullmatch(r"Q-\d{4}-\d{6}", quote.number)
    assert quote.revision == 1
    assert quote.total == estimate.total
    assert quote.customer.name == "Ayşe Yılmaz"
    assert quote.to_dict() == json.loads(r.content)

    # patchQuote: the status moves along.
    r = generated.patch_quote.sync_detailed(quote.number, client=sales, body=m.QuotePatch(status=m.QuotePatchStatus.SENT))
    assert r.status_code == HTTPStatus.OK, r.content
    assert isinstance(r.parsed, m.Quote)
    assert r.parsed.status is m.QuoteStatus.SENT

    # reviseQuote: six sessions, a second revision of the same quote.
    r = generated.revise_quote.sync_detailed(quote.number, client=sales, body=m.RevisionChangesPatch(sessions=6))
    assert r.status_code == HTTPStatus.CREATED, r.content
    revised = r.parsed
    assert isinstance(revised, m.Quote)
    assert (revised.number, revised.revision, revised.sessions) == (quote.number, 2, 6)
    assert revised.status is m.QuoteStatus.DRAFT  # new figures the customer has not seen
    assert len(revised.schedule) == 6

    # listQuotes: a summary's eligibility is the estimate's Eligibility, status only.
    r = generated.list_quotes.sync_detailed(client=sales)
    assert r.status_code == HTTPStatus.OK, r.content
    [summary] = r.parsed.items
    assert (summary.number, summary.revision, summary.status) == (quote.number, 2, m.QuoteSummaryStatus.DRAFT)
    assert isinstance(summary.eligibility, m.Eligibility)
    assert summary.eligibility.status is m.EligibilityStatus.UNKNOWN
    assert summary.total == revised.total

    # getPriceList: admins only; the sales token gets a parsed problem.
    r = generated.get_price_list.sync_detailed(client=sales)
    assert r.status_code == HTTPStatus.FORBIDDEN
    assert isinstance(r.parsed, m.Problem) and r.parsed.status == 403
    r = generated.get_price_list.sync_detailed(client=admin)
    assert r.status_code == HTTPStatus.OK, r.content
    price_list = r.parsed
    assert isinstance(price_list, m.PriceList)
    assert price_list.version == json.loads(r.content)["version"]
    assert "ist-nisantasi" in {clinic.code for clinic in price_list.clinics}
    assert "nurse" in {level.code for level in price_list.specialist_levels}


def test_the_generated_client_downloads_the_pdf_as_the_server_sends_it(generated, clients, app, sales_headers):
    """Issue 31: getDocument declares one media type, so the client types the PDF as bytes (a File),
    not text: what it hands over is byte for byte what the server sent; the page has its own operation."""
    m = generated.models
    _public, sales, _admin = clients
    course = {"clinic": "ist-kadikoy", "areas": [m.AreaChoice(code="neck")], "specialist_level": "nurse", "sessions": 2}
    customer = m.StaffCustomer(name="Jane Doe", email="jane@example.com")
    r = generated.create_quote.sync_detailed(client=sales, body=m.QuoteCreate(**course, customer=customer, language=m.QuoteCreateLanguage.EN))
    assert r.status_code == HTTPStatus.CREATED, r.content
    number = r.parsed.number

    r = generated.get_document.sync_detailed(number, client=sales)
    assert r.status_code == HTTPStatus.OK
    assert r.headers["Content-Type"] == "application/pdf" and r.headers["Content-Language"] == "en"
    payload = r.parsed.payload.read()
    assert payload == r.content and payload.startswith(b"%PDF-") and b"\xef\xbf\xbd" not in payload[:8]
    assert len(payload) > 1000
    # The same PDF a plain HTTP client gets (the document renders the same bytes for the same quote).
    direct = app.test_client().get(f"/api/v1/quotes/{number}/document", headers=sales_headers)
    assert direct.status_code == 200 and direct.data == payload

    r = generated.get_document_page.sync_detailed(number, client=sales)
    assert r.status_code == HTTPStatus.OK and isinstance(r.parsed, str) and '<html lang="en">' in r.parsed
