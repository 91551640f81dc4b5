"""Marshmallow schemas, one module per resource: they parse requests, console forms and
price-list files, serialise answers and generate the OpenAPI description."""
