"""config/gunicorn.conf.py: a server exposed without a proxy in front says so when it starts."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

CONF = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"


class Log:
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warning(self, message: str, *args: object) -> None:
        self.warnings.append(message % args)


class Server:
    def __init__(self) -> None:
        self.log = Log()


@pytest.mark.parametrize(("bind", "hops", "warned"), [
    ("127.0.0.1:8000", "0", False),
    ("localhost:8000", "", False),
    ("[::1]:8000", "0", False),
    ("unix:/run/quoteapi.sock", "0", False),
    ("0.0.0.0:8000", "0", True),
    ("[::]:8000", "", True),
    ("10.0.0.11:8000", "0", True),
    ("10.0.0.11:8000", "1", False),  # nginx in front, as deploy/ lays it out
])
def test_an_exposed_server_without_a_proxy_warns_of_slow_clients(monkeypatch, bind, hops, warned):
    monkeypatch.setenv("QUOTEAPI_BIND", bind)
    monkeypatch.setenv("QUOTEAPI_PROXY_HOPS", hops)
    conf = runpy.run_path(str(CONF))
    assert conf["worker_class"] == "sync"
    server = Server()
    conf["when_ready"](server)
    assert bool(server.log.warnings) is warned
    if warned:
        assert "nginx" in server.log.warnings[0] and bind in server.log.warnings[0]
