"""The price-list document: its plain form, its whole-document rules, its changes."""

from .changes import describe, diff
from .codec import from_plain, to_plain
from .patches import apply_patch, make_patch
from .rules import validate, warnings

__all__ = ["apply_patch", "describe", "diff", "from_plain", "make_patch", "to_plain", "validate", "warnings"]
