"""Errors the pricing rules raise: :class:`~quoteapi.domain.errors.Invalid` with messages per field."""

from __future__ import annotations

from ..errors import Invalid


class PricingError(Invalid):
    """Base of the pricing errors: ``errors`` maps field paths to messages."""

    def __init__(self, errors: dict[str, list], detail: str | None = None) -> None:
        super().__init__(
            detail or "; ".join(f"{path}: {' '.join(map(str, messages))}" for path, messages in errors.items()),
            errors,
        )


class EstimateInvalid(PricingError):
    """The request names something the price list does not have, or is out of range."""


class PriceListInvalid(PricingError):
    """A price list document breaks the rules of ``price-list.md``."""
