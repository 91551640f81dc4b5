"""Errors the pricing domain raises; the API maps them to problem+json."""

from __future__ import annotations


class PricingError(Exception):
    """Base of the domain's errors: ``errors`` maps field paths to messages."""

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None) -> None:
        self.errors = errors
        self.detail = detail or "; ".join(
            f"{path}: {' '.join(messages)}" for path, messages in errors.items()
        )
        super().__init__(self.detail)


class EstimateInvalid(PricingError):
    """The request names something the price list does not have, or is out of range."""


class PriceListInvalid(PricingError):
    """A price list document breaks the rules of ``price-list.md``."""
