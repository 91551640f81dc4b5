"""Marshmallow schemas of the HTTP API, one module per resource: they parse requests,
serialise answers and generate the OpenAPI description."""
