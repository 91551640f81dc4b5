"""Gunicorn settings for `make run` and the benchmark (environment overrides)."""

import os

from config import gunicorn_workers

bind = os.environ.get("QUOTEAPI_BIND", "127.0.0.1:8000")
workers = gunicorn_workers()
worker_class = "sync"
timeout = 30
graceful_timeout = 10
# Past these limits gunicorn answers by itself (414 or 431, not problem+json)
# before the app sees the request: the largest line it allows, far above any
# URL this API takes (docs/security.md).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Each worker builds its own database engine after the fork (no preload).
preload_app = False
accesslog = os.environ.get("QUOTEAPI_ACCESS_LOG", "-")
# Access-log lines keep no personal data: query values such as ?q= and ?email= are redacted.
logger_class = "config.gunicorn_logging.PrivateAccessLogger"
errorlog = "-"
loglevel = os.environ.get("QUOTEAPI_LOG_LEVEL", "info").lower()
# Gunicorn trusts no proxy header itself (its default trusts X-Forwarded-Proto
# from 127.0.0.1, and never sets the client address anyway): the app decides,
# through Werkzeug's ProxyFix and QUOTEAPI_PROXY_HOPS (quoteapi/api/limits.py).
forwarded_allow_ips = ""
secure_scheme_headers = {}
# Gunicorn's control socket (for `gunicornc`) is off unless a path is given:
# its default path is shared by every server of the same user on the host.
control_socket = os.environ.get("QUOTEAPI_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
