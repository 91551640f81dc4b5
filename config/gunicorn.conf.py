"""Gunicorn settings for `make run` and the benchmark (environment overrides)."""

import os
import subprocess
import sys

from config import gunicorn_workers

bind = os.environ.get("QUOTEAPI_BIND", "127.0.0.1:8000")
workers = gunicorn_workers()
# Sync workers: one request each at a time, read from the socket by the worker itself, so a
# client that sends its request a byte at a time holds a worker until `timeout` kills it
# (3 such connections kept /healthz waiting 36 s). gthread only raises that to workers x
# threads connections (gunicorn has no deadline for reading a whole request) and would undo
# docs/performance.md's figures. The answer is nginx in front (deploy/nginx/quoteapi.conf),
# which reads each request whole before passing it on: docs/decisions.md, "Slow clients".
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


def _exposed(address: str, proxy_hops: str) -> bool:
    """Whether gunicorn listens beyond this machine with no proxy said to be in front."""
    if proxy_hops.strip() not in ("", "0"):
        return False
    host = address.rsplit(":", 1)[0].strip("[]") if not address.startswith("unix:") else "unix"
    return host not in ("unix", "localhost", "::1") and not host.startswith("127.")


# The outbox's sender beside the server: with QUOTEAPI_OUTBOX_SENDER=embedded (what `make run`
# sets) the master starts `quoteapi outbox run` when it is ready and stops it when it exits, so
# that a single command delivers mail. In production the sender is a service of its own
# (deploy/quoteapi-outbox.service) and this stays unset.
_sender: "subprocess.Popen[bytes] | None" = None


def _start_sender(server) -> None:
    global _sender
    command = [sys.executable, "-c", "from quoteapi.app import main; main()", "outbox", "run"]
    _sender = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    server.log.info("outbox sender started beside the server (pid %s)", _sender.pid)


def _stop_sender(server) -> None:
    global _sender
    if _sender is None:
        return
    sender, _sender = _sender, None
    if sender.poll() is None:
        sender.terminate()
        try:
            sender.wait(timeout=graceful_timeout)
        except subprocess.TimeoutExpired:
            sender.kill()
            sender.wait()
        except ChildProcessError:  # already reaped by the master's SIGCHLD handler
            pass


def when_ready(server) -> None:
    if _exposed(bind, os.environ.get("QUOTEAPI_PROXY_HOPS", "")):
        server.log.warning(
            "listening on %s with no proxy in front (QUOTEAPI_PROXY_HOPS=0): a few clients sending "
            "slowly can hold every sync worker. Put nginx in front (deploy/nginx/quoteapi.conf).", bind,
        )
    if os.environ.get("QUOTEAPI_OUTBOX_SENDER", "").strip().lower() == "embedded":
        _start_sender(server)


def on_exit(server) -> None:
    _stop_sender(server)
