"""The quote's PDFs as they were sent (``sent_documents``)."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from . import models as rows


def _made_from(revision: int, language: str, html_sha256: str) -> tuple[ColumnElement[bool], ...]:
    """A document made from exactly this HTML (its revision and language as well)."""
    Document = rows.SentDocument
    return (Document.html_sha256 == html_sha256, Document.revision == revision, Document.language == language)


def find(session: Session, quote_id: int, revision: int, language: str, html_sha256: str) -> rows.SentDocument | None:
    """The newest document of this quote made from exactly this HTML (its revision and language as well)."""
    Document = rows.SentDocument
    return session.scalars(
        select(Document).where(Document.quote_id == quote_id, *_made_from(revision, language, html_sha256))
        .order_by(Document.id.desc()).limit(1)
    ).first()


def pdf_of_number(session: Session, number: str, revision: int, language: str, html_sha256: str) -> bytes | None:
    """The bytes of the newest document of quote ``number`` made from exactly this HTML, if one is stored."""
    Document = rows.SentDocument
    pdf = session.scalar(
        select(Document.pdf).join(rows.Quote, rows.Quote.id == Document.quote_id)
        .where(rows.Quote.number == number, *_made_from(revision, language, html_sha256))
        .order_by(Document.id.desc()).limit(1)
    )
    return bytes(pdf) if pdf is not None else None


def exists(session: Session, quote_id: int, revision: int, language: str, html_sha256: str) -> bool:
    """Whether such a document is stored (without reading its bytes)."""
    Document = rows.SentDocument
    return session.scalar(
        select(Document.id).where(Document.quote_id == quote_id, *_made_from(revision, language, html_sha256)).limit(1)
    ) is not None


def add(session: Session, *, quote_id: int, revision: int, language: str, html_sha256: str, pdf: bytes,
        now: datetime) -> rows.SentDocument:
    document = rows.SentDocument(quote_id=quote_id, revision=revision, language=language, html_sha256=html_sha256,
                                 pdf=pdf, created_at=now, used_at=now)
    session.add(document)
    session.flush()
    return document


def get(session: Session, document_id: int) -> rows.SentDocument | None:
    return session.get(rows.SentDocument, document_id)


def of_quotes(session: Session, quote_ids: Sequence[int]) -> Sequence[tuple[int, int, int, str, str, int, datetime]]:
    """(id, quote_id, revision, language, html_sha256, size in bytes, created_at) of these quotes' documents."""
    if not quote_ids:
        return []
    Document = rows.SentDocument
    return session.execute(
        select(Document.id, Document.quote_id, Document.revision, Document.language, Document.html_sha256,
               func.length(Document.pdf), Document.created_at)
        .where(Document.quote_id.in_(quote_ids)).order_by(Document.id)
    ).all()


def delete_of_quotes(session: Session, quote_ids: Sequence[int]) -> int:
    """An erasure: the quotes' documents (they print the person's name, address and answers) are deleted."""
    if not quote_ids:
        return 0
    Document = rows.SentDocument
    return session.execute(
        delete(Document).where(Document.quote_id.in_(quote_ids)).execution_options(synchronize_session=False)
    ).rowcount or 0


def delete_unused_before(session: Session, cutoff: datetime) -> int:
    """Retention: documents no send has used since ``cutoff`` are deleted (their messages go at the same cutoff)."""
    Document = rows.SentDocument
    return session.execute(
        delete(Document).where(Document.used_at < cutoff).execution_options(synchronize_session=False)
    ).rowcount or 0
