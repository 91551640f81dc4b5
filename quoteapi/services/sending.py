"""Sending a quote to its customer (api.md revision 3), and revoking the customer's links.

One transaction per send: the move to ``sent`` (with its activity line and audit entry;
none for a reminder), a new customer link, for an e-mail the outbox message and the
quote's PDF as sent (``sent_documents``), and the activity line that says how it was
sent. A step that fails leaves none of them. The e-mail itself is rendered and
delivered later by the outbox's sender, which attaches the stored PDF.

The PDF (WeasyPrint, ~120 ms) is made before the transaction, from the quote as read
then; in the transaction the document's HTML is made again (~1 ms) from the locked
quote, and the PDF is stored only when the two HTMLs' SHA-256 are the same (else the
quote changed in between: no document, and the sender makes the PDF as before). A
reminder of an unchanged quote reuses the document already stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..adapters import clock, documents, phones
from ..adapters.db import document_store, link_store, outbox_store
from ..adapters.db import quote_store as store
from ..adapters.i18n import language
from ..domain import quotes as workflow
from ..domain.errors import Conflict, DomainError, Invalid
from ..domain.quotes import Quote
from ..domain.text import N_, T
from . import outbox as sender
from .commands import SendQuote
from .quotes import set_status

if TYPE_CHECKING:
    from .context import Context


@dataclass(frozen=True, slots=True)
class Sent:
    """A send's result: the quote (now ``sent``), the customer's link, and for WhatsApp the ``wa.me`` URL
    the sales user opens; ``replayed`` when an idempotency key answered an earlier send."""

    quote: Quote
    channel: str
    link: str
    whatsapp_url: str | None = None
    replayed: bool = False


def send_quote(ctx: Context, cmd: SendQuote) -> Sent:
    """Send the quote by ``cmd.channel``; a quote already ``sent`` is sent again (a reminder).

    With an idempotency key, a retry with the same key and body answers the first send
    again (the same link) and changes nothing; another body under the key is a 409.
    """
    assert cmd.channel in workflow.CHANNELS, cmd.channel
    today = ctx.today()
    clinic_name = _clinic_names(ctx)
    scope = f"send:{cmd.by}"
    made = None
    if cmd.channel == "email" and not _key_used(ctx, scope, cmd.idempotency_key):  # a retry makes no PDF
        made = _made_document(ctx, cmd, today)
    if cmd.idempotency_key is None:
        with ctx.database.transaction() as session:
            return _send(session, cmd, today, clinic_name, ctx, made)
    digest = workflow.fingerprint(
        {"number": cmd.number, "channel": cmd.channel, "to": cmd.to, "message": cmd.message}
    )
    try:
        with ctx.database.transaction() as session:
            replay = _replayed(session, scope, cmd.idempotency_key, digest, today)
            if replay is not None:
                return replay
            claim = store.claim_key(session, scope, cmd.idempotency_key, digest)
            sent = _send(session, cmd, today, clinic_name, ctx, made)
            store.settle_key_answer(claim, {"number": sent.quote.number, "channel": sent.channel, "link": sent.link,
                                            "whatsapp_url": sent.whatsapp_url})
            return sent
    except IntegrityError:  # a concurrent retry with the same key claimed it first
        with ctx.database.reading() as session:
            replay = _replayed(session, scope, cmd.idempotency_key, digest, today)
            if replay is None:  # pragma: no cover - the winner's row is committed by now
                raise
            return replay


def _key_used(ctx: Context, scope: str, key: str | None) -> bool:
    if key is None:
        return False
    with ctx.database.reading() as session:
        return store.find_key_answer(session, scope, key) is not None


def _replayed(session: Session, scope: str, key: str, digest: str, today: Any) -> Sent | None:
    """The earlier send under this key, answered again with the quote as it is now; None for a new key."""
    found = store.find_key_answer(session, scope, key)
    if found is None:
        return None
    request_hash, answer = found
    if request_hash != digest:
        raise Conflict(
            T("This Idempotency-Key was used with another body; use a new key for a new request."),
            {"Idempotency-Key": [T("Reused with another body.")]},
            kind="idempotency-key-reused",
        )
    quote = store.quote_of(store.load(session, answer["number"]), today)
    return Sent(quote, answer["channel"], answer["link"], answer.get("whatsapp_url"), replayed=True)


def _clinic_names(ctx: Context) -> dict[tuple[str, str], str]:
    """(clinic code, language) → the clinic's name in the list in force, for the WhatsApp message."""
    try:
        price_list = ctx.price_lists.current()
    except DomainError:  # no list: the message names the clinic by its code
        return {}
    return {
        (clinic.code, code): language(code).render(price_list.name_of(clinic))
        for clinic in price_list.clinics for code in ("tr", "en")
    }


@dataclass(frozen=True, slots=True)
class _Made:
    """The quote's document made before the send's transaction: its HTML's SHA-256, and its PDF
    (None when a document of that HTML was stored already: a reminder of an unchanged quote)."""

    html_sha256: str
    pdf: bytes | None


def _html_of(ctx: Context, session: Session, quote: Any, by: str, today: Any) -> tuple[int, str, str] | None:
    """(revision, language, HTML) of the document the quote's e-mail attaches, as the sender makes it."""
    try:
        price_list = ctx.price_lists.current()
    except DomainError:  # no list in force: the sender will fail the message as it always did
        return None
    domain_quote = store.quote_of(quote, today)
    people = sender.staff_by_name(session, {domain_quote.assigned_to, by, domain_quote.created_by})
    shown, _, html = sender.document_html(domain_quote, price_list, people, by, quote.language)
    return shown.revision, shown.language, html


def _made_document(ctx: Context, cmd: SendQuote, today: Any) -> _Made | None:
    """The quote's PDF made outside any transaction (it takes ~120 ms); None when the send will be refused."""
    with ctx.database.reading() as session:
        try:
            quote = store.load(session, cmd.number)
            workflow.check_send(quote.number, workflow.effective_status(quote.status, quote.valid_until, today),
                                quote.valid_until, quote.approval or workflow.APPROVAL_NOT_NEEDED)
        except DomainError:  # the send itself says why, in its transaction
            return None
        if not (cmd.to or quote.customer_email):
            return None
        made = _html_of(ctx, session, quote, cmd.by, today)
        if made is None:
            return None
        revision, code, html = made
        digest = documents.html_sha256(html)
        if document_store.exists(session, quote.id, revision, code, digest):
            return _Made(digest, None)
    return _Made(digest, documents.render_pdf(html))


def _document(ctx: Context, session: Session, quote: Any, by: str, today: Any, made: _Made | None,
              now: Any) -> int | None:
    """The stored document of this send (made now, or the one an unchanged quote's last send stored); None
    when there is none (the quote changed since it was made): the sender then makes the PDF."""
    if made is None:
        return None
    current = _html_of(ctx, session, quote, by, today)
    if current is None or documents.html_sha256(current[2]) != made.html_sha256:
        return None
    revision, code, _ = current
    document = document_store.find(session, quote.id, revision, code, made.html_sha256)
    if document is not None:
        document.used_at = now
        return document.id
    if made.pdf is None:  # the one it was to reuse is gone (erased meanwhile)
        return None
    return document_store.add(session, quote_id=quote.id, revision=revision, language=code,
                              html_sha256=made.html_sha256, pdf=made.pdf, now=now).id


def _send(session: Session, cmd: SendQuote, today: Any, clinic_names: dict[tuple[str, str], str],
          ctx: Context, made: _Made | None) -> Sent:
    quote = store.locked(session, cmd.number, cmd.precondition, today)  # a replay answers without it
    current = workflow.effective_status(quote.status, quote.valid_until, today)
    again = workflow.check_send(quote.number, current, quote.valid_until,
                                quote.approval or workflow.APPROVAL_NOT_NEEDED)
    recipient = phone = None
    if cmd.channel == "email":
        recipient = cmd.to or quote.customer_email
        if not recipient:
            raise Invalid(
                T("Quote {number} has no customer e-mail address: give one in `to`.", number=quote.number),
                {"to": [T("The customer has no e-mail address; give one here.")]},
            )
    elif cmd.channel == "whatsapp":
        phone = phones.e164(quote.customer_phone)
        if phone is None:
            problem = (T("The customer has no phone number.") if not (quote.customer_phone or "").strip()
                       else T("The customer's phone number is not a number WhatsApp can reach."))
            raise Invalid(
                T("Quote {number} cannot be sent by WhatsApp: {problem}", number=quote.number, problem=problem),
                {"customer.phone": [problem]},
            )
    now = clock.now()
    # The document as it was made before this transaction, if the locked quote still makes the same HTML.
    document = _document(ctx, session, quote, cmd.by, today, made, now) if cmd.channel == "email" else None
    if not again:
        set_status(session, quote, "sent", cmd.by, now)
    token = link_store.new_link(session, quote, cmd.channel, cmd.by, now)
    link = workflow.customer_link(cmd.link_base, token)
    if cmd.channel == "email":
        payload: dict[str, Any] = {"number": quote.number, "revision": quote.revision, "link": link,
                                   "message": cmd.message, "by": cmd.by}
        if document is not None:
            payload["document"] = document
        outbox_store.enqueue(session, kind="quote", language=quote.language, recipient=recipient,
                             payload=payload, now=now, quote=quote)
    first, reminder = workflow.SENT_LINES[cmd.channel]
    store.add_activity(quote, now, cmd.by, "send", reminder if again else first)
    whatsapp = None
    if phone is not None:
        whatsapp = workflow.whatsapp_url(phone, _whatsapp_text(quote, link, cmd.message, clinic_names))
    session.flush()
    return Sent(store.quote_of(quote, today), cmd.channel, link, whatsapp)


def _whatsapp_text(quote: Any, link: str, message: str | None, clinic_names: dict[tuple[str, str], str]) -> str:
    """The WhatsApp message in the quote's language: the personal note, then the quote's link."""
    words = language(quote.language)
    clinic = clinic_names.get((quote.clinic, quote.language), quote.clinic)
    text = words.render(T("Hello {name}, your quote {number} from {clinic} is ready. You can read and accept it "
                          "here: {link}", name=quote.customer_name, number=quote.number, clinic=clinic, link=link))
    return f"{message}\n\n{text}" if message else text


# --- revoking the links --------------------------------------------------------------------


def revoke_links(ctx: Context, number: str, by: str) -> int:
    """Revoke every working link of the quote (the next send makes a new one); how many were revoked."""
    with ctx.database.transaction() as session:
        quote = store.load(session, number, for_update=True)
        now = clock.now()
        revoked = link_store.revoke_all(session, quote, now)
        if revoked:
            store.add_activity(quote, now, by, "link", N_("The customer's link was revoked; the next send makes a new one."))
        return revoked
