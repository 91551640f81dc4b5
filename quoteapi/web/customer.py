"""The customer's link (``/q/<token>``): the quote as a page for a phone, the PDF, the sessions as a calendar file.

No sign-in: the token in the path is the key (adapters/db/link_store.py). The
page is server-rendered, with no script: the estimator's style sheet and a few
rules of its own (static/customer/), so it needs no build step and no CDN. It
speaks the quote's language (``?lang=`` switches), and its forms (accept, ask,
decline, ask for a new quote) post back here with the app's Flask-WTF CSRF
token (the session cookie holds it, as the console's forms do).

Every answer carries ``Cache-Control: no-store``, ``Referrer-Policy:
no-referrer`` and ``X-Robots-Tag: noindex``. Each client address has a budget
of requests to these pages, and a smaller one of tokens that open nothing
(``QUOTEAPI_LINK_RATE_LIMIT``, ``QUOTEAPI_LINK_MISS_RATE_LIMIT``), counted in the
app's rate-limit storage as the console's sign-in limit is (the ``limits``
library; no import of the API edge). A store that fails lets the pages through
(the tokens are 256 random bits: the limit slows guessing, it does not make it
impossible), logged once.
"""

from __future__ import annotations

import logging
import math
import time
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException
from wtforms.validators import ValidationError

from ..adapters import clock, documents
from ..adapters.i18n import language, money_text
from ..adapters.shared_counters import FailureLog
from ..domain.acceptance import ACCEPTANCE, DECLINE_REASONS, NAME_MAX
from ..domain.price_list.iban import grouped
from ..domain.characters import refused_character
from ..domain.consent import CONSENT
from ..domain.errors import Conflict, DomainError, Invalid, NotFound
from ..domain.text import LANGUAGES, T
from ..interface.i18n import current
from ..services import customer_link, quote_documents
from ..services.context import Context

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static" / "customer"
bp = Blueprint("customer", __name__, template_folder="templates", static_folder=str(STATIC_DIR),
               static_url_path="/q-assets")

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}
# A token is 43 characters (256 bits, URL-safe base64); anything far longer is not looked up.
TOKEN_MAX = 100
EXTENSION = "quoteapi.link_limit"
OFF = ("none", "off", "")
# The clinics' time zone: the calendar file's events are there.
ZONE = "Europe/Istanbul"


def services() -> Context:
    return current_app.extensions["quoteapi"]


# --- rate limits -----------------------------------------------------------------------------------


class LinkLimit:
    """Requests to the link's pages per address, and tokens that open nothing per address."""

    def __init__(self, pages: str, misses: str, storage_uri: str) -> None:
        self.pages = tuple(parse_many(pages)) if pages.lower() not in OFF else ()
        self.misses = tuple(parse_many(misses)) if misses.lower() not in OFF else ()
        self.storage = storage_from_string(storage_uri)
        self.limiter = FixedWindowRateLimiter(self.storage)
        self.failures = FailureLog(
            log,
            "the link pages' rate-limit store failed: the customer's pages are let through unlimited until it works again",
            "the link pages' rate-limit store works again: the customer's pages are limited again",
        )

    def _hit(self, items, scope: str, count: bool = True) -> int | None:
        """Count (or only test) one request in ``scope``; the seconds to wait when a budget is spent, else None."""
        address = request.remote_addr or "-"
        try:
            if count:
                spent = [item for item in items if not self.limiter.hit(item, "customer-link", scope, address)]
            else:
                spent = [item for item in items if not self.limiter.test(item, "customer-link", scope, address)]
            if self.failures.failing:
                self.failures.worked()
            if not spent:
                return None
            reset = max(self.limiter.get_window_stats(item, "customer-link", scope, address).reset_time for item in spent)
        except Exception:  # noqa: BLE001  (the store's own errors differ by backend)
            self.failures.failed()
            return None
        return max(1, math.ceil(reset - time.time()))

    def check(self) -> int | None:
        """Before the page: this request counted; also refused while the address's misses are spent."""
        waited = self._hit(self.pages, "pages") if self.pages else None
        if waited is None and self.misses:
            waited = self._hit(self.misses, "misses", count=False)
        return waited

    def missed(self) -> None:
        if self.misses:
            self._hit(self.misses, "misses")


def open_link_limit(app: Flask) -> None:
    """Open the link pages' counters (each worker after the fork; the test suite for every test)."""
    pages, misses = app.config["LINK_RATE_LIMIT"], app.config["LINK_MISS_RATE_LIMIT"]
    if pages.lower() in OFF and misses.lower() in OFF:
        app.extensions[EXTENSION] = None
        return
    limit = LinkLimit(pages, misses, app.config["RATELIMIT_STORAGE_URI"])
    app.extensions[EXTENSION] = limit
    app.extensions.setdefault("quoteapi.counter_stores", []).append(limit.storage)


@bp.app_template_filter("phone_text")
def phone_text(e164: str) -> str:
    """A clinic's phone (stored in E.164) as people read it: +90 212 000 01 01."""
    return documents.phone_text(e164)


@bp.before_request
def rate_limit():
    if request.endpoint in ("customer.static", "customer.robots"):
        return None
    limit = current_app.extensions.get(EXTENSION)
    seconds = None if limit is None else limit.check()
    if seconds is None:
        return None
    lang = current().code
    return message_page(429, lang, T("Too many requests from your address. Please try again in {seconds} seconds.",
                                     seconds=seconds), headers={"Retry-After": str(seconds)})


@bp.after_request
def private_headers(response: Response) -> Response:
    if request.endpoint == "customer.robots":
        return response
    for name, value in HEADERS.items():
        if name == "Content-Security-Policy" and response.mimetype != "text/html":
            continue
        response.headers[name] = value
    return response


# --- texts -----------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _money(value: str, currency: str, code: str) -> str:
    """An amount as the documents write it (``4.800,00 ₺``): the same few hundred figures, written once each."""
    return money_text(Decimal(value), currency, code)


class Formatter(documents.Formatter):
    """The documents' formats, money from a cache (Babel's currency symbol look-up is most of its cost)."""

    def money(self, value: str | Decimal) -> str:
        return _money(str(value), self.currency, self.code)

    @staticmethod
    def iban(text: str) -> str:
        """An IBAN in groups of four, as banks print it (``TR12 0006 ...``)."""
        return grouped("".join(text.split()).upper())


class Page:
    """The texts and formats of one page in one language."""

    def __init__(self, code: str, currency: str = "TRY") -> None:
        self.code = code
        self.language = language(code)
        self.fmt = Formatter(currency, code)

    def __call__(self, msgid: str, **values: Any) -> str:
        if not values:  # most of the page's texts: the catalogue's translation, looked up once
            return self.language.template(msgid)
        return self.language.render(T(msgid, **values))

    def say(self, text: Any) -> str:
        return self.language.render(text)


def _lang_of(quote_language: str | None = None) -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return quote_language if quote_language in LANGUAGES else current().code


def message_page(status: int, code: str, message: Any, *, headers: dict[str, str] | None = None,
                 clinic: customer_link.ClinicContact | None = None) -> Response:
    page = Page(code)
    body = render_template("customer/message.html", _=page, page=page, status=status, message=page.say(message),
                           clinic=clinic, clinic_name=page.say(clinic.name) if clinic else None,
                           languages=_language_links(code))
    response = current_app.response_class(body, status=status, mimetype="text/html")
    response.headers["Content-Language"] = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _language_links(code: str) -> list[tuple[str, str, str, bool]]:
    labels = {"tr": "Türkçe", "en": "English"}
    path = request.path if request.method == "GET" else request.path.rsplit("/", 1)[0]
    return [(c, labels[c], f"{path}?lang={c}", c == code) for c in LANGUAGES]


def _token(token: str) -> str:
    return token if len(token) <= TOKEN_MAX else ""


def _not_opened(error: NotFound, code: str) -> Response:
    """404 for a token nobody was given; 410 for one that stopped working, saying how to reach the clinic."""
    limit = current_app.extensions.get(EXTENSION)
    if error.kind != "link-gone":
        if limit is not None:
            limit.missed()
        return message_page(404, code, T("This link does not open any quote. Please check that you copied the whole "
                                         "link from the message you received, or contact the clinic."))
    try:
        clinic = customer_link.clinic_of_gone_link(services(), _token(request.view_args.get("token", "")))
    except Exception:
        log.warning("the clinic of a gone link could not be read", exc_info=True)
        clinic = None
    return message_page(410, code, T("This link no longer works: the quote it opened has ended or was withdrawn. "
                                     "Please contact the clinic for a new quote."), clinic=clinic)


# --- the page --------------------------------------------------------------------------------------


def _render(view: customer_link.CustomerQuote, code: str, token: str, *, status: int = 200,
            errors: dict[str, list[str]] | None = None, message: str | None = None, done: str | None = None,
            form: dict[str, str] | None = None) -> Response:
    page = Page(code, view.estimate.get("currency") or "TRY")
    estimate = view.estimate
    body = render_template(
        "customer/quote.html", _=page, page=page, fmt=page.fmt, view=view, estimate=estimate, token=token,
        clinic_name=page.say(view.clinic.name), clinic_city=page.say(view.clinic.city),
        kind_labels={kind: page.language.gettext(label) for kind, label in documents.KIND_LABELS.items()},
        wording=ACCEPTANCE.in_language(code), wording_version=ACCEPTANCE.version,
        consent=CONSENT.in_language(code),
        reasons=[(key, page.say(text)) for key, text in DECLINE_REASONS.items()],
        errors=errors or {}, message=message, done=done, form=form or {},
        name_max=NAME_MAX, question_max=customer_link.QUESTION_MAX,
        languages=_language_links(code), lang_query=f"?lang={code}",
        acceptance_at=_local_moment(view.acceptance.get("at")) if view.acceptance else None,
        csrf=generate_csrf(),
    )
    response = current_app.response_class(body, status=status, mimetype="text/html")
    response.headers["Content-Language"] = code
    return response


def _local_moment(text: str | None) -> datetime | None:
    if not text:
        return None
    return clock.local(datetime.fromisoformat(text))


@bp.get("/q/")
def no_token():
    """/q/ without a token: the page that says a link opens nothing, never the API's JSON."""
    return message_page(404, _lang_of(), T("This link does not open any quote. Please check that you copied the whole "
                                           "link from the message you received, or contact the clinic."))


@bp.get("/q/<token>")
def quote_page(token: str):
    try:
        view = customer_link.open_link(services(), _token(token))
    except NotFound as error:
        return _not_opened(error, _lang_of())
    done = request.args.get("done")
    return _render(view, _lang_of(view.language), token, done=done if done in ("question", "renewed") else None)


def _posted(token: str, action) -> Response:
    """A form's post: the CSRF token checked, the use case run, then back to the page (or the page with what went wrong)."""
    code = _lang_of()
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        raise CSRFError()
    if any(refused_character(v, lines=True) is not None for vs in request.form.listvalues() for v in vs):
        message = T("A field holds a control character or an invisible text-direction character; remove it and try again.")
        return _failed(token, code, Invalid(message, {"form": [message]}), 422)
    try:
        return action(code)
    except NotFound as error:
        return _not_opened(error, code)
    except Invalid as error:
        return _failed(token, code, error, 422)
    except Conflict as error:
        return _failed(token, code, error, 409)


def _failed(token: str, code: str, error: DomainError, status: int) -> Response:
    try:
        view = customer_link.read(services(), _token(token))
    except NotFound as missing:
        return _not_opened(missing, code)
    code = _lang_of(view.language)
    page = Page(code)
    errors = {field: [page.say(m) for m in messages] for field, messages in (error.errors or {}).items()}
    message = page.say(error.detail) if error.detail else None
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    return _render(view, code, token, status=status, errors=errors, message=message, form=form)


def _back(token: str, code: str, done: str | None = None, anchor: str = "") -> Response:
    query = f"?lang={code}" + (f"&done={done}" if done else "")
    return redirect(url_for("customer.quote_page", token=token) + query + anchor, code=303)


@bp.post("/q/<token>/accept")
def accept(token: str):
    def run(code: str) -> Response:
        customer_link.accept(services(), _token(token), customer_link.Acceptance(
            name=request.form.get("name", ""),
            ticked=request.form.get("agree") == "yes",
            address=request.remote_addr,
            user_agent=request.headers.get("User-Agent"),
            wording_version=request.form.get("wording_version", ""),
        ))
        return _back(token, code, anchor="#answer")

    return _posted(token, run)


@bp.post("/q/<token>/question")
def question(token: str):
    def run(code: str) -> Response:
        customer_link.ask(services(), _token(token), request.form.get("text"))
        return _back(token, code, "question", "#answer")

    return _posted(token, run)


@bp.post("/q/<token>/decline")
def decline(token: str):
    def run(code: str) -> Response:
        customer_link.decline(services(), _token(token), request.form.get("reason"), request.form.get("text"))
        return _back(token, code, anchor="#answer")

    return _posted(token, run)


@bp.post("/q/<token>/renew")
def renew(token: str):
    def run(code: str) -> Response:
        customer_link.ask_again(services(), _token(token), request.form.get("consent") == "yes")
        return _back(token, code, "renewed", "#answer")

    return _posted(token, run)


# --- the PDF and the calendar file -----------------------------------------------------------------


@bp.get("/q/<token>/document")
def document(token: str):
    try:
        quote = customer_link.document(services(), _token(token))
    except NotFound as error:
        return _not_opened(error, _lang_of())
    html = quote_documents.quote_html(services(), quote)  # the desk's document, "Prepared by" included
    # The PDF stored when it was sent, when that was made from this very HTML; else made now.
    response = current_app.response_class(quote_documents.pdf_of(services(), quote, html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{documents.file_name(quote)}.pdf"'
    return response


@bp.get("/q/<token>/sessions.ics")
def calendar(token: str):
    try:
        view = customer_link.read(services(), _token(token))
    except NotFound as error:
        return _not_opened(error, _lang_of())
    code = _lang_of(view.language)
    response = current_app.response_class(sessions_calendar(view, code, request.host), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{view.number}-sessions.ics"'
    return response


def sessions_calendar(view: customer_link.CustomerQuote, code: str, host: str) -> bytes:
    """One all-day event per planned session (the clinic gives the hour when booking), at the clinic."""
    from icalendar import Calendar, Event

    _ = Page(code)
    name = _.say(view.clinic.name)
    place = ", ".join(p for p in (name, view.clinic.address, _.say(view.clinic.city)) if p)
    calendar = Calendar()
    calendar.add("prodid", "-//quoteapi//customer link//" + code.upper())
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Sessions of quote {number}", number=view.number))
    calendar.add("x-wr-timezone", ZONE)
    days = customer_link.sessions(view)
    stamp = clock.now()
    for index, day in enumerate(days, start=1):
        event = Event()
        event.add("uid", f"{view.number}-r{view.revision}-{index}@{host.split(':')[0] or 'quoteapi'}")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", _("{clinic}: session {index} of {count}", clinic=name, index=index, count=len(days)))
        event.add("location", place)
        details = [_("Quote {number}. The clinic confirms the time of each session.", number=view.number)]
        if view.clinic.phone:
            details.append(_("Phone: {phone}", phone=documents.phone_text(view.clinic.phone)))
        event.add("description", "\n".join(details))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawlers keep off the customers' links (each answer of which also says noindex) and the console."""
    response = current_app.response_class("User-agent: *\nDisallow: /q/\nDisallow: /desk/\n", mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/q/<token>/<path:rest>", methods=["GET", "POST"])
def elsewhere(token: str, rest: str):
    """Any other address under a link: the link's own 404 page, with its headers."""
    return message_page(404, _lang_of(), T("There is nothing at this address."))


# --- errors ----------------------------------------------------------------------------------------


@bp.errorhandler(CSRFError)
def csrf_refused(error: CSRFError):
    return message_page(400, _lang_of(), T("The form was too old or was not sent from this page. Go back, reload the "
                                           "page and try again."))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    status = error.code or 500
    if status == 404:
        return message_page(404, _lang_of(), T("There is nothing at this address."))
    if status == 405:
        return message_page(405, _lang_of(), T("This method is not allowed here."))
    if status == 413:
        return message_page(413, _lang_of(), T("What you sent is too long."))
    return message_page(status, _lang_of(), T("Something went wrong. Please try again later or contact the clinic."))


@bp.errorhandler(Exception)
def unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return http_error(error)
    if isinstance(error, (OperationalError, PoolTimeout)):
        return message_page(503, _lang_of(), T("The page is unavailable for a moment. Please try again in a few "
                                               "seconds."), headers={"Retry-After": "2"})
    log.exception("the customer's page failed")
    return message_page(500, _lang_of(), T("Something went wrong. Please try again later or contact the clinic."))
