"""Personal data (KVKK and GDPR): one person's export, their erasure, and the retention rules.

Where personal data lives (docs/security.md): a quote's customer fields and
notes; its revisions' inputs (the client's health answers, the manual
discount's reason) and estimates (the eligibility reasons drawn from the
answers, the line quoting the reason); its activity (notes the desk wrote); the
audit entries about it; the idempotency key that created it; its payments' references (free
text; the payments themselves are books and stay); its PDFs as sent (``sent_documents``: deleted). An erasure
replaces all of it with :data:`~quoteapi.domain.personal_data.ERASED` (e-mail
and phone become empty) and keeps numbers, amounts, statuses and dates, which
the books need.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from sqlalchemy.orm import Session

from ..adapters import clock
from ..adapters.db import aware
from ..adapters.db import document_store, link_store, outbox_store
from ..adapters.db import models as rows
from ..adapters.db import quote_store as store
from ..adapters.i18n import language
from ..domain.personal_data import (
    ERASED,
    CustomerData,
    CustomerDocument,
    CustomerLink,
    CustomerMessage,
    CustomerQuote,
    Erasure,
    Maintenance,
    Needles,
    Person,
    erased_estimate,
    erased_inputs,
    retention_cutoff,
    scrub,
    search_key,
)
from ..domain.pricing.engine import manual_description
from ..domain.text import N_
from . import audit

if TYPE_CHECKING:
    from .context import Context

# The audit log's kind for erasures and retention runs (services/audit.py KINDS).
KIND = "personal_data"
# Quotes erased per transaction by the retention rules.
BATCH = 200


# --- export -------------------------------------------------------------------------------


def find_customer(ctx: Context, person: Person) -> CustomerData:
    """Everything stored about one person: each of their quotes with its notes, consent and every revision's inputs,
    the links given out to it and the e-mail sent to the person about it (to which address, when, what became of it)."""
    today = ctx.today()
    with ctx.database.reading() as session:
        found = store.of_person(session, person)
        ids = [row.id for row in found]
        links: dict[int, list[CustomerLink]] = {}
        for link in link_store.of_quotes(session, ids):
            links.setdefault(link.quote_id, []).append(
                CustomerLink(link.channel, aware(link.created_at), aware(link.revoked_at)))
        messages: dict[int, list[CustomerMessage]] = {}
        for message in outbox_store.of_quotes(session, ids):
            if message.kind != "quote":  # a notice to staff is addressed to staff, not to the person
                continue
            messages.setdefault(message.quote_id, []).append(CustomerMessage(
                message.kind, message.state, message.recipient, aware(message.created_at), aware(message.sent_at),
                message.attempts))
        documents: dict[int, list[CustomerDocument]] = {}
        for _, quote_id, revision, code, digest, size, created_at in document_store.of_quotes(session, ids):
            documents.setdefault(quote_id, []).append(
                CustomerDocument(revision, code, digest, int(size or 0), aware(created_at)))
        return CustomerData(
            person,
            tuple(
                CustomerQuote(
                    store.quote_of(row, today),
                    tuple(store.revision_of(row.number, r) for r in row.revisions),
                    aware(row.erased_at),
                    tuple(links.get(row.id, ())),
                    tuple(messages.get(row.id, ())),
                    tuple(documents.get(row.id, ())),
                )
                for row in found
            ),
        )


# --- erasure ------------------------------------------------------------------------------


def _needles(quotes: Iterable[rows.Quote], person: Person | None = None) -> Needles:
    quotes = list(quotes)
    return Needles(
        names=[q.customer_name for q in quotes],
        emails=[q.customer_email for q in quotes] + ([person.email] if person and person.email else []),
        phones=[q.customer_phone for q in quotes] + ([person.phone] if person and person.phone else []),
    )


def _without_note(values: Any) -> Any:
    """``values`` with the free-text ``note`` an admin gave an approval decision erased."""
    if isinstance(values, dict) and values.get("note"):
        return {**values, "note": ERASED}
    return values


def _erase(session: Session, quotes: Sequence[rows.Quote], needles: Needles, by: str | None, now: datetime) -> tuple[str, ...]:
    """Replace the personal data of these quotes everywhere it is stored; their numbers."""
    numbers = tuple(q.number for q in quotes)
    if not numbers:
        return numbers
    for quote in quotes:
        quote.customer_name = ERASED
        quote.customer_email = None
        quote.customer_phone = None
        quote.customer_email_key = None
        quote.customer_phone_key = None
        quote.search_key = search_key(quote.number, None, None, None)
        quote.notes = ERASED if quote.notes else None
        # An admin's note on a manual discount is free text, as a desk note is: it may name anybody.
        quote.approval_note = ERASED if quote.approval_note else None
        # send: the words that came with a decline are free text too (its reason, a code, stays).
        quote.decline_note = ERASED if quote.decline_note else None
        quote.erased_at = now
        # The manual discount's reason is free text too: its line then reads as a replay of the
        # erased inputs writes it, in the quote's language, so that verification still matches.
        manual_line = language(quote.language).render(manual_description(ERASED))
        for revision in quote.revisions:
            revision.inputs = erased_inputs(revision.inputs)
            revision.estimate = erased_estimate(revision.estimate, manual_line)
        for line in quote.activity:
            if line.values is None:  # a note, as the desk wrote it
                line.text = ERASED
            else:  # a line the product wrote: its values name staff and statuses, unless they name the person
                line.values = scrub(line.values, needles, keys=frozenset())
                if line.kind == "approval":
                    line.values = _without_note(line.values)
                if line.kind == "decline":  # send: a decline's words
                    line.values = _without_note(line.values)
        # --- payments-users: a payment's amount, method and day are books and stay; its
        # reference is free text a person typed (it may name the payer): scrubbed. ---
        for payment in quote.payments:
            payment.reference = ERASED if payment.reference else None
        # --- end payments-users ---
        # Their links stop working; their mail still waiting is dropped, the rest forgets the address
        # (the activity keeps that a message was sent, and never held the address).
        link_store.revoke_all(session, quote, now)
        store.add_activity(quote, now, by, "erasure", N_("Personal data erased."))
    outbox_store.forget_recipients(session, [q.id for q in quotes])
    # The PDFs as sent print the person's name, contacts and answers: deleted (an e-mail still
    # waiting was dropped above; one that left named its document, which is gone).
    document_store.delete_of_quotes(session, [q.id for q in quotes])
    for entry in store.audit_entries_about(session, numbers):
        entry.before = scrub(entry.before, needles)
        entry.after = scrub(entry.after, needles)
        if entry.action == "approval":
            entry.after = _without_note(entry.after)
    # The key's fingerprint hashes the request (customer and answers included), and it is
    # only there for retries that come seconds later.
    store.forget_keys_of(session, numbers)
    session.flush()
    return numbers


def erase_customer(ctx: Context, person: Person, *, by: str | None) -> Erasure:
    """Erase one person's data from every quote that names them; safe to repeat (the second time changes 0 quotes).

    After the commit, the database forgets the overwritten values (SQLite keeps them in its
    write-ahead log and free pages until a checkpoint and a ``VACUUM``).

    The audit log records the erasure: who, when, whether the person was named
    by e-mail or phone, and the quotes changed; never the erased data.
    """
    with ctx.database.transaction() as session:
        quotes = store.of_person(session, person, for_update=True)
        now = clock.now()
        numbers = _erase(session, quotes, _needles(quotes, person), by, now)
        audit.record(session, actor=by, kind=KIND, action="erase", subject=person.named_by,
                     after={"quotes": list(numbers)})
    if numbers:
        ctx.database.forget_overwritten()
    return Erasure(numbers)


# --- retention ----------------------------------------------------------------------------


def maintain(ctx: Context, *, retention_days: int, idempotency_ttl_hours: int, by: str | None) -> Maintenance:
    """The retention rules, run daily: old idempotency keys go, stale website requests lose their personal data,
    old messages of the outbox go.

    Keys older than ``idempotency_ttl_hours`` are deleted. A website request
    still ``new``, ``declined`` or expired whose last activity is more than
    ``retention_days`` days old (counted in whole days of ``ctx.today()``) is
    erased like an erasure on request. A message of the outbox created before the same
    cutoff, and no longer waiting to be sent, is deleted (the quote's activity keeps what became of it),
    and so is a quote's PDF as sent that no send has used since that cutoff.
    """
    now = clock.now()
    keys_cutoff = now - timedelta(hours=idempotency_ttl_hours)
    cutoff = retention_cutoff(ctx.today(), retention_days, clock.CLINIC_ZONE)
    with ctx.database.transaction() as session:
        removed = store.forget_keys_before(session, keys_cutoff)
    with ctx.database.transaction() as session:
        messages_removed = outbox_store.delete_before(session, cutoff)
        documents_removed = document_store.delete_unused_before(session, cutoff)
    erased: list[str] = []
    while True:
        # Each batch commits with its own audit entry: an interrupted run leaves nothing unrecorded.
        with ctx.database.transaction() as session:
            batch = store.stale_requests(session, ctx.today(), cutoff, BATCH)
            if not batch:
                break
            numbers = [n for quote in batch for n in _erase(session, [quote], _needles([quote]), by, clock.now())]
            audit.record(session, actor=by, kind=KIND, action="retention", subject="website requests",
                         after={"quotes": numbers, "retention_days": retention_days})
        erased += numbers
    if erased:
        ctx.database.forget_overwritten()
    return Maintenance(removed, tuple(erased), keys_cutoff, cutoff, messages_removed, documents_removed)
