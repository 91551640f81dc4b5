"""The business rules as pure code: pricing, the price-list document, the quote workflow.

Nothing here does I/O or imports Flask, marshmallow, SQLAlchemy or any other layer.
"""
