"""quoteapi: pricing and quoting API for dermatherapy clinics."""

from .app import create_app

__all__ = ["create_app"]
