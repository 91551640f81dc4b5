"""The price-list document: its plain form, its whole-document rules, its changes."""

from .changes import describe, diff
from .codec import from_plain, to_plain
from .rules import validate

__all__ = ["describe", "diff", "from_plain", "to_plain", "validate"]
