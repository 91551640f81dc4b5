"""The outbox's sender: messages stored with the change that caused them, delivered outside any request.

:func:`deliver_due` claims the messages that are due (several senders never take
the same one: ``adapters/db/outbox_store.claim_due``), renders each in its
language and hands it to the mailer, with no transaction open while the mail
server is talked to; then it records the outcome in a transaction of its own:

- delivered: ``sent``, and for a quote's e-mail an activity line (without the address);
- a temporary failure (a 4xx reply, a server down or slow): tried again after
  :data:`BACKOFF`; once the retries are used up, as a permanent failure;
- a permanent failure (a 5xx reply, a refused recipient, a message that cannot be
  rendered): ``failed`` with the server's reply, an activity line saying why, and
  for a quote's e-mail a notice to staff (``undeliverable``).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..adapters import clock, documents
from ..adapters import mail as mails
from ..adapters.db import models as rows
from ..adapters.db import document_store, outbox_store
from ..adapters.db import quote_store as store
from ..adapters.i18n import language
from ..domain.text import N_
from . import digests, notices

if TYPE_CHECKING:
    from ..domain.pricing.model import PriceList
    from ..domain.quotes import Quote
    from .context import Context

log = logging.getLogger(__name__)

# How long to wait after each temporary failure; after the last, the message has failed.
BACKOFF = (
    timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10),
    timedelta(minutes=30), timedelta(hours=2), timedelta(hours=6),
)
# How long a claim holds: past it, a message whose sender died mid-way is claimed again.
LEASE = timedelta(minutes=15)
# Messages claimed at a time.
BATCH = 50

# The activity's kind for the lines the sender writes.
ACTIVITY_KIND = "email"
DELIVERED = N_("E-mail with the quote delivered.")
UNDELIVERABLE = N_("The e-mail with the quote could not be delivered: {reason}")


@dataclass(frozen=True)
class Outcome:
    """What became of one message: ``sent``, ``retry`` (with when), ``failed`` or ``skipped`` (dropped meanwhile)."""

    message_id: int
    kind: str
    result: str
    attempts: int
    reply: str | None = None
    due_at: datetime | None = None
    number: str | None = None


@dataclass
class Delivery:
    """One run of :func:`deliver_due`."""

    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for o in self.outcomes if o.result == result)

    @property
    def sent(self) -> int:
        return self.count("sent")

    @property
    def retried(self) -> int:
        return self.count("retry")

    @property
    def failed(self) -> int:
        return self.count("failed")


@dataclass(frozen=True)
class Settings:
    """What the sender needs besides the database: where mail comes from, and the console's address."""

    mail_from: str = mails.DEFAULT_FROM
    # The app's public base URL (QUOTEAPI_PUBLIC_URL): the console's page of a quote in staff notices.
    public_url: str | None = None
    # How long to wait after each temporary failure (QUOTEAPI_OUTBOX_RETRY_SECONDS); after the last, failed.
    backoff: tuple[timedelta, ...] = BACKOFF


class Unrenderable(Exception):
    """A message that cannot become a mail (its quote is gone, its payload is broken): failed, never retried."""


def deliver_due(ctx: Context, mailer: mails.Mailer, *, limit: int = BATCH, settings: Settings = Settings(),
                now: Callable[[], datetime] = clock.now, stop: Callable[[], bool] = lambda: False) -> Delivery:
    """Deliver the messages due now (up to ``limit``); what became of each.

    When ``stop()`` turns true (the sender was asked to stop), the messages claimed and not yet
    tried are put back, due at once, for the next sender.
    """
    delivery = Delivery()
    moment = now()
    with ctx.database.transaction() as session:
        claimed = outbox_store.claim_due(session, moment, limit, moment + LEASE)
    down: mails.DeliveryFailed | None = None
    try:
        for index, message_id in enumerate(claimed):
            if stop():
                with ctx.database.transaction() as session:
                    outbox_store.release(session, claimed[index:], now())
                break
            if down is not None:
                # The server could not be reached a moment ago: the rest wait for the next try, as that one does.
                delivery.outcomes.append(_record(ctx, message_id, down, now(), settings))
                continue
            outcome, down = _deliver_one(ctx, mailer, message_id, settings, now)
            delivery.outcomes.append(outcome)
    finally:
        mailer.close()
    return delivery


def _deliver_one(ctx: Context, mailer: mails.Mailer, message_id: int, settings: Settings,
                 now: Callable[[], datetime]) -> tuple[Outcome, mails.DeliveryFailed | None]:
    """One message rendered, sent and recorded; with the failure when the mail server could not be reached."""
    try:
        prepared = _prepare(ctx, message_id, settings)
    except Unrenderable as error:
        return _record(ctx, message_id, mails.DeliveryFailed(str(error), temporary=False), now(), settings), None
    except Exception as error:  # a broken message fails alone: the sender goes on with the others
        log.exception("outbox message %s could not be rendered", message_id)
        reply = f"the message could not be rendered ({type(error).__name__})"
        return _record(ctx, message_id, mails.DeliveryFailed(reply, temporary=False), now(), settings), None
    if prepared is None:
        return Outcome(message_id, "?", "skipped", 0), None
    mail, key = prepared
    try:
        message = mails.build_message(mail, settings.mail_from, now())
        mailer.deliver(message, mail.to, key)
    except mails.DeliveryFailed as failure:
        return _record(ctx, message_id, failure, now(), settings), failure if failure.connection else None
    except Exception as error:  # a message the mailer cannot take (never seen; kept from looping all the same)
        log.exception("outbox message %s could not be sent", message_id)
        reply = f"the message could not be sent ({type(error).__name__})"
        return _record(ctx, message_id, mails.DeliveryFailed(reply, temporary=False), now(), settings), None
    return _record(ctx, message_id, None, now(), settings), None


def _prepare(ctx: Context, message_id: int, settings: Settings) -> tuple[mails.Mail, str] | None:
    """The mail of a claimed message, rendered outside any transaction; None when it was dropped meanwhile."""
    with ctx.database.reading() as session:
        message = outbox_store.get(session, message_id)
        if message is None or message.state != "sending":
            return None
        if not message.recipient:
            raise Unrenderable("the message has no recipient")
        key = f"{clock.local(message.created_at):%Y%m%d-%H%M%S}-{message.id:06d}"
        payload = dict(message.payload or {})
        if message.kind == "staff-notice":
            quote_row = session.get(rows.Quote, message.quote_id) if message.quote_id is not None else None
            customer_name = quote_row.customer_name if quote_row is not None else None
            return mails.render_notice(_notice(message, payload, settings, customer_name)), key
        if message.kind == "digest":
            return mails.render_digest(digests.digest_mail(session, message, payload, settings.public_url)), key
        if message.kind != "quote":
            raise Unrenderable(f"no message of kind {message.kind!r} is known")
        quote_row = outbox_store.quote_to_mail(session, message.quote_id) if message.quote_id is not None else None
        if quote_row is None:
            raise Unrenderable("the message's quote is missing")
        quote = store.quote_of(quote_row, ctx.today())
        people = staff_by_name(session, {quote.assigned_to, payload.get("by"), quote.created_by})
        recipient, code = message.recipient, message.language
        pdf = _stored_pdf(session, payload.get("document"), message.quote_id, quote.revision, code)
    price_list = ctx.price_lists.current()
    return mails.render_quote(_quote_mail(quote, price_list, payload, people, recipient, code, pdf)), key


def _stored_pdf(session: Session, document_id: Any, quote_id: int, revision: int, code: str) -> bytes | None:
    """The PDF made when the quote was sent (``"document"`` in the payload), if it is still stored and is the
    quote's current revision in the message's language; None: the sender makes it (messages queued before
    documents were stored, a document erased or removed by retention meanwhile)."""
    if not isinstance(document_id, int) or isinstance(document_id, bool):
        return None
    document = document_store.get(session, document_id)
    if document is None or (document.quote_id, document.revision, document.language) != (quote_id, revision, code):
        return None
    return bytes(document.pdf)


def document_html(quote: Quote, price_list: PriceList, people: Mapping[str, rows.User], by: Any,
                  code: str) -> tuple[Quote, str | None, str]:
    """The quote in the mail's language, who prepared it (as the mail and the PDF name them) and the
    document's HTML (what its PDF is made of): the same for the send that stores the PDF and the sender."""
    lang = language(code if code in ("tr", "en") else quote.language)
    quote = dataclasses.replace(quote, language=lang.code)
    preparer = next((people[n] for n in (quote.assigned_to, by, quote.created_by) if n in people), None)
    prepared_by = (preparer.full_name or preparer.name) if preparer else None
    return quote, prepared_by, documents.render_html(quote, price_list, prepared_by=prepared_by)


def staff_by_name(session: Session, names: set[str | None]) -> dict[str, rows.User]:
    """The users of these names (None and unknown names left out), by name: a mail's preparer and Reply-To."""
    wanted = [n for n in names if n]
    if not wanted:
        return {}
    return {u.name: u for u in session.scalars(select(rows.User).where(rows.User.name.in_(wanted)))}


def _notice(message: rows.OutboxMessage, payload: Mapping[str, Any], settings: Settings,
            customer_name: str | None = None) -> mails.StaffNotice:
    number = str(payload.get("number") or "")
    if not number:
        raise Unrenderable("the notice names no quote")
    link = f"{settings.public_url.rstrip('/')}/desk/quotes/{number}" if settings.public_url else None
    text, decision, by = payload.get("text"), payload.get("decision"), payload.get("by")
    return mails.StaffNotice(
        to=message.recipient or "", language=message.language, number=number, event=str(payload.get("event") or ""),
        text=text if isinstance(text, str) else None, user=payload.get("user"), link=link,
        customer_name=customer_name, decision=decision if isinstance(decision, str) else None,
        by=by if isinstance(by, str) else None,
    )


def _deposit(quote: Quote, clinic: Any) -> mails.Deposit | None:
    """The quote's deposit (``Quote.deposit``: ``{"percent", "amount"}``, or an object with those) and where to pay it."""
    deposit = getattr(quote, "deposit", None)
    if deposit is None:
        return None
    if isinstance(deposit, Mapping):
        amount, percent = deposit.get("amount"), deposit.get("percent")
    else:
        amount, percent = getattr(deposit, "amount", deposit), getattr(deposit, "percent", None)
    if amount is None or Decimal(amount) <= 0:
        return None
    account = getattr(clinic, "bank_account", None)
    return mails.Deposit(
        amount=Decimal(amount), percent=Decimal(percent) if percent is not None else None,
        holder=getattr(account, "holder", None), bank=getattr(account, "bank", None), iban=getattr(account, "iban", None),
    )


def _quote_mail(quote: Quote, price_list: PriceList, payload: Mapping[str, Any], people: Mapping[str, rows.User],
                recipient: str, code: str, stored_pdf: bytes | None = None) -> mails.QuoteMail:
    quote, prepared_by, html = document_html(quote, price_list, people, payload.get("by"), code)
    lang = language(quote.language)
    clinic = price_list.clinic_by_code.get(quote.estimate.clinic)
    contact = mails.Contact(
        name=lang.render(price_list.name_of(clinic)) if clinic else quote.estimate.clinic,
        address=getattr(clinic, "address", None),
        phone=documents.phone_text(clinic.phone) if clinic and clinic.phone else None,
        email=getattr(clinic, "email", None),
    )
    assigned = people.get(quote.assigned_to or "")
    # The PDF stored when the quote was sent; else made now (the PDF names who prepared it as the mail does).
    pdf = stored_pdf if stored_pdf is not None else _pdf(html)
    message = payload.get("message")
    return mails.QuoteMail(
        to=recipient, language=lang.code, number=quote.number, revision=quote.revision,
        customer_name=quote.customer.name, clinic=contact,
        link=payload.get("link") if isinstance(payload.get("link"), str) else None,
        message=message if isinstance(message, str) else None,
        prepared_by=prepared_by,
        currency=quote.estimate.currency, total=quote.estimate.total, valid_until=quote.valid_until,
        pdf=pdf, pdf_name=f"{documents.file_name(quote)}.pdf",
        reply_to=(assigned.email if assigned and assigned.email else None) or contact.email,
        deposit=_deposit(quote, clinic),
    )


# The last documents made, by the SHA-256 of their HTML: a reminder of an unchanged quote, or one
# sent to several addresses, reuses its PDF (WeasyPrint takes 0.1-0.5 s a document; the HTML 1 ms).
# A document is ~15-40 KB: 256 of them, a few MB.
_PDFS: OrderedDict[str, bytes] = OrderedDict()
_PDFS_LOCK = threading.Lock()
PDF_CACHE_SIZE = 256


def _pdf(html: str) -> bytes:
    key = documents.html_sha256(html)
    with _PDFS_LOCK:
        pdf = _PDFS.get(key)
        if pdf is not None:
            _PDFS.move_to_end(key)
            return pdf
    pdf = documents.render_pdf(html)
    with _PDFS_LOCK:
        _PDFS[key] = pdf
        while len(_PDFS) > PDF_CACHE_SIZE:
            _PDFS.popitem(last=False)
    return pdf


def _record(ctx: Context, message_id: int, failure: mails.DeliveryFailed | None, now: datetime,
            settings: Settings) -> Outcome:
    """The outcome of one try, in a transaction of its own."""
    with ctx.database.transaction() as session:
        message = outbox_store.claimed(session, message_id)
        if message is None:
            return Outcome(message_id, "?", "skipped", 0)
        message.attempts += 1
        quote = session.get(rows.Quote, message.quote_id) if message.quote_id is not None else None
        number = quote.number if quote is not None else (message.payload or {}).get("number")
        if failure is None:
            message.state, message.sent_at, message.last_error = "sent", now, None
            if message.kind == "quote" and quote is not None:
                outbox_store.add_activity(session, quote, now, ACTIVITY_KIND, DELIVERED)
            return Outcome(message_id, message.kind, "sent", message.attempts, number=number)
        message.last_error = failure.reply
        if failure.temporary and message.attempts <= len(settings.backoff):
            message.state, message.due_at = "pending", now + settings.backoff[message.attempts - 1]
            return Outcome(message_id, message.kind, "retry", message.attempts, failure.reply, message.due_at, number)
        message.state = "failed"
        if message.kind == "quote" and quote is not None:
            outbox_store.add_activity(session, quote, now, ACTIVITY_KIND, UNDELIVERABLE, reason=failure.reply)
            notices.notify_staff(session, quote, "undeliverable", now, text=failure.reply,
                                 default_language=ctx.default_language)
        return Outcome(message_id, message.kind, "failed", message.attempts, failure.reply, number=number)


def counts(ctx: Context) -> dict[str, int]:
    """How many messages the outbox holds in each state."""
    with ctx.database.reading() as session:
        return outbox_store.count_by_state(session)
