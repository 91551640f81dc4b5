"""Database access: engine and sessions built from config, never at import."""

from .database import Database, aware
from .models import (
    AuditEntry,
    Base,
    ConsoleSession,
    IdempotencyKey,
    PriceListVersion,
    Quote,
    QuoteActivity,
    QuoteCounter,
    QuoteRevision,
    User,
)

__all__ = [
    "AuditEntry",
    "Base",
    "ConsoleSession",
    "Database",
    "IdempotencyKey",
    "PriceListVersion",
    "Quote",
    "QuoteActivity",
    "QuoteCounter",
    "QuoteRevision",
    "User",
    "aware",
]
