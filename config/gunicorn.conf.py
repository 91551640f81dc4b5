"""Gunicorn settings for `make run` and the benchmark (environment overrides)."""

import multiprocessing
import os

bind = os.environ.get("QUOTEAPI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("QUOTEAPI_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 10
# Each worker builds its own database engine after the fork (no preload).
preload_app = False
accesslog = os.environ.get("QUOTEAPI_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("QUOTEAPI_LOG_LEVEL", "info").lower()
# Behind a proxy, forwarded client addresses (for the rate limit) are trusted
# only from these addresses.
forwarded_allow_ips = os.environ.get("QUOTEAPI_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Gunicorn's control socket (for `gunicornc`) is off unless a path is given:
# its default path is shared by every server of the same user on the host.
control_socket = os.environ.get("QUOTEAPI_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
