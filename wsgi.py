"""The gunicorn entry point: ``gunicorn wsgi:app``."""

from quoteapi import create_app

app = create_app()
