"""The production layout, for real: nginx (TLS) in front of two gunicorn servers, PostgreSQL and Redis.

nginx runs deploy/nginx/quoteapi.conf itself, with its addresses, ports and
paths replaced, a self-signed certificate made here, and QUOTEAPI_PROXY_HOPS=1
on the app servers. Distinct visitors are distinct source addresses on the
loopback (127.0.0.2, 127.0.0.3, ...), which nginx sees as $remote_addr.

PostgreSQL stopping under load is tests/e2e/test_database_outage.py.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
from requests.adapters import HTTPAdapter

from .server import ROOT, Gunicorn, free_port, server_env, site_setup

pytestmark = [pytest.mark.e2e, pytest.mark.postgresql]

SITE = ROOT / "deploy" / "nginx" / "quoteapi.conf"
STATIC = ROOT / "quoteapi" / "web" / "static" / "estimator"
LIMIT = 3  # per minute and client address
MAX_BODY = 1024 * 1024  # QUOTEAPI_MAX_CONTENT_LENGTH's default, and nginx's client_max_body_size


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


class RedisServer:
    """A redis-server on a fixed port, that the test can stop and start again."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    return self
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        self.stop()
                        raise
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class SourceAddressAdapter(HTTPAdapter):
    """Connections from one local address: one visitor as nginx sees it."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made now and deleted with the temp dir."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=30,
    )
    return cert, key


def site_for_test(upstreams: list[int], https_port: int, http_port: int, cert: Path, key: Path, logs: Path) -> str:
    """deploy/nginx/quoteapi.conf on this machine: only addresses, ports and paths change."""
    site = SITE.read_text()
    replacements = {
        "server 10.0.0.11:8000 ": f"server 127.0.0.1:{upstreams[0]} ",
        "server 10.0.0.12:8000 ": f"server 127.0.0.1:{upstreams[1]} ",
        "    listen 80;\n    listen [::]:80;\n": f"    listen 127.0.0.1:{http_port};\n",
        "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n": f"    listen 127.0.0.1:{https_port} ssl http2;\n",
        "/etc/ssl/quoteapi/fullchain.pem": str(cert),
        "/etc/ssl/quoteapi/privkey.pem": str(key),
        "/srv/quoteapi/quoteapi/web/static/estimator/": f"{STATIC}/",
        "/var/log/nginx/quoteapi.access.log": str(logs / "access.log"),
        "/var/log/nginx/quoteapi.error.log": str(logs / "error.log"),
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx/quoteapi.conf no longer has {old!r}: update this test"
        site = site.replace(old, new)
    return site


def nginx_conf(directory: Path, site: Path) -> str:
    """The main context a packaged nginx.conf would give, in the temp dir, in the foreground."""
    mime = Path("/etc/nginx/mime.types")
    types = f"include {mime};" if mime.exists() else (
        "types { text/html html; text/css css; application/javascript js; application/json json; }")
    # As root, the workers would run as nobody, who may not read a checkout under /root.
    user = "user root root;" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {directory / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
daemon off;
{user}
worker_processes 1;
pid {directory / 'nginx.pid'};
error_log {directory / 'error.log'} info;
events {{ worker_connections 256; }}
http {{
    {types}
    default_type application/octet-stream;
    access_log {directory / 'access.log'};
{temp}
    include {site};
}}
"""


class Nginx:
    def __init__(self, binary: str, directory: Path, upstreams: list[int]) -> None:
        self.binary, self.directory = binary, directory
        self.port, self.http_port = free_port(), free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.cert, key = self_signed(directory)
        site = directory / "quoteapi.conf"
        site.write_text(site_for_test(upstreams, self.port, self.http_port, self.cert, key, directory))
        self.conf = directory / "nginx.conf"
        self.conf.write_text(nginx_conf(directory, site))
        self.command = [binary, "-p", str(directory), "-e", str(directory / "error.log"), "-c", str(self.conf)]
        self.process: subprocess.Popen | None = None

    def start(self) -> "Nginx":
        checked = subprocess.run([*self.command, "-t"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.directory / 'error.log').read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", verify=str(self.cert), timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"nginx did not answer in 15 s: {(self.directory / 'error.log').read_text()[-3000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # a fast shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Stack:
    def __init__(self, nginx: Nginx, servers: list[Gunicorn], redis_server: RedisServer, admin: dict, logs: list[Path]):
        self.nginx, self.servers, self.redis, self.admin, self.access_logs = nginx, servers, redis_server, admin, logs
        self.url = nginx.url

    def visitor(self, address: str) -> requests.Session:
        """A client whose connections come from ``address`` (127.0.0.0/8 is all ours)."""
        session = requests.Session()
        session.mount("https://", SourceAddressAdapter(address))
        session.mount("http://", SourceAddressAdapter(address))
        session.verify = str(self.nginx.cert)
        session.trust_env = False  # else REQUESTS_CA_BUNDLE would win over verify
        return session


def source_addresses_work() -> bool:
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.2", 0))
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def stack(pg_cluster, tmp_path_factory):
    binary = nginx_binary()
    if binary is None:
        pytest.skip("nginx is not installed (Debian package nginx; `make test` installs it as root)")
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; `make test` installs it as root)")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    if not source_addresses_work():
        pytest.skip("this system cannot send from 127.0.0.2 (distinct visitors on the loopback)")
    directory = tmp_path_factory.mktemp("proxy")
    redis_server = RedisServer(shutil.which("redis-server")).start()
    servers: list[Gunicorn] = []
    nginx = None
    try:
        url = pg_cluster.create_database(f"quoteapi_proxy_{uuid.uuid4().hex[:8]}")
        env = server_env(
            url,
            QUOTEAPI_ENV="production",
            QUOTEAPI_PROXY_HOPS="1",
            QUOTEAPI_PUBLIC_RATE_LIMIT=f"{LIMIT}/minute",
            QUOTEAPI_RATELIMIT_STORAGE_URI=redis_server.url,
        )
        token = site_setup(env, ("proxy-admin", "admin"))["proxy-admin"]
        logs = [directory / f"gunicorn-access-{i}.log" for i in range(2)]
        for i, log in enumerate(logs):
            server = Gunicorn({**env, "QUOTEAPI_ACCESS_LOG": str(log)}, directory / f"gunicorn-{i}.log", workers=2)
            servers.append(server.start())
        nginx = Nginx(binary, directory, [s.port for s in servers]).start()
        yield Stack(nginx, servers, redis_server, {"Authorization": f"Bearer {token}"}, logs)
    finally:
        if nginx:
            nginx.stop()
        for server in servers:
            server.stop()
        redis_server.stop()


def test_each_visitor_has_its_own_budget_through_the_proxy(stack):
    first = stack.visitor("127.0.0.2")
    # Round robin: the visitor's requests land on both servers, which count together in Redis.
    statuses = [first.get(stack.url + "/api/v1/clinics", timeout=10).status_code for _ in range(LIMIT)]
    assert statuses == [200] * LIMIT
    limited = first.get(stack.url + "/api/v1/clinics", timeout=10)
    assert limited.status_code == 429
    assert limited.headers["Content-Type"] == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0
    # Other visitors behind the same proxy are not touched.
    for address in ("127.0.0.3", "127.0.0.4"):
        assert stack.visitor(address).get(stack.url + "/api/v1/clinics", timeout=10).status_code == 200


def test_a_forged_x_forwarded_for_does_not_escape_the_budget(stack):
    visitor = stack.visitor("127.0.0.5")
    statuses = [
        visitor.get(stack.url + "/api/v1/clinics", headers={"X-Forwarded-For": f"203.0.113.{i}"}, timeout=10).status_code
        for i in range(LIMIT + 2)
    ]
    assert statuses == [200] * LIMIT + [429, 429]
    # Nor by naming an address that still has its budget.
    forged = visitor.get(stack.url + "/api/v1/clinics", headers={"X-Forwarded-For": "127.0.0.6"}, timeout=10)
    assert forged.status_code == 429
    assert stack.visitor("127.0.0.6").get(stack.url + "/api/v1/clinics", timeout=10).status_code == 200


def test_the_app_sees_https_and_the_public_port(stack):
    visitor = stack.visitor("127.0.0.7")
    # Werkzeug redirects a doubled slash to the canonical URL, built from the
    # request's scheme, host and port: what the app believes it was asked.
    # A client's own X-Forwarded-Proto is replaced by nginx's.
    r = visitor.get(stack.url + "/api//docs", headers={"X-Forwarded-Proto": "http"}, allow_redirects=False, timeout=10)
    assert r.status_code == 308
    assert r.headers["Location"] == f"https://127.0.0.1:{stack.nginx.port}/api/docs"
    # Plain HTTP is sent to HTTPS.
    r = visitor.get(f"http://127.0.0.1:{stack.nginx.http_port}/api/v1/clinics", allow_redirects=False, timeout=10)
    assert r.status_code == 301
    assert r.headers["Location"].startswith("https://127.0.0.1")
    assert stack.visitor("127.0.0.7").get(stack.url + "/healthz", timeout=10).headers["Strict-Transport-Security"]


def test_nginx_serves_the_estimator_and_compresses_json(stack):
    visitor = stack.visitor("127.0.0.8")
    for path, text in (("/estimator", "<html"), ("/estimator/", "<html"), ("/estimator/estimator.js", "")):
        r = visitor.get(stack.url + path, timeout=10)
        assert r.status_code == 200, path
        assert text in r.text
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert visitor.get(stack.url + "/estimator/estimator.js", timeout=10).content == (STATIC / "estimator.js").read_bytes()
    # The page's texts come from the app.
    assert visitor.get(stack.url + "/estimator/messages/tr.json", timeout=10).json()
    time.sleep(0.2)  # gunicorn writes its access log line after the answer
    logged = "".join(log.read_text() for log in stack.access_logs)
    assert "/estimator/messages/tr.json" in logged
    assert "estimator.js" not in logged and "GET /estimator " not in logged and "GET /estimator/ " not in logged

    r = visitor.get(stack.url + "/api/openapi.json", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert r.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in r.headers["Vary"]
    assert r.json()["openapi"]


def test_admin_etags_stay_strong_so_if_match_works_through_the_proxy(stack):
    admin = stack.visitor("127.0.0.9")
    admin.headers.update(stack.admin)
    r = admin.get(stack.url + "/api/v1/admin/areas/face", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert r.status_code == 200
    assert "Content-Encoding" not in r.headers
    assert not r.headers["ETag"].startswith("W/")
    changed = admin.patch(stack.url + "/api/v1/admin/areas/face", json={"price": "4300.00"},
                          headers={"If-Match": r.headers["ETag"]}, timeout=10)
    assert changed.status_code == 200, changed.text


def test_bodies_above_one_mib_are_refused_by_nginx_as_problem_json(stack):
    sales = stack.visitor("127.0.0.10")
    sales.headers.update({**stack.admin, "Content-Type": "application/json"})
    # Exactly the limit passes nginx and the app reads it (and finds no valid quote in it).
    at_limit = b'{"padding": "' + b" " * (MAX_BODY - 16) + b'"}'
    at_limit += b" " * (MAX_BODY - len(at_limit))
    assert len(at_limit) == MAX_BODY
    r = sales.post(stack.url + "/api/v1/quotes", data=at_limit, timeout=30)
    assert r.status_code == 422, r.text[:300]
    r = sales.post(stack.url + "/api/v1/quotes", data=at_limit + b" ", timeout=30)
    assert r.status_code == 413
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["status"] == 413


def test_readyz_follows_redis_and_recovers_without_a_restart(stack):
    direct = [requests.Session() for _ in stack.servers]
    try:
        stack.redis.stop()
        for server, session in zip(stack.servers, direct):
            started = time.monotonic()
            r = session.get(server.url + "/readyz", timeout=10)
            assert time.monotonic() - started < 2.5
            assert r.status_code == 503, r.text
            assert r.headers["Content-Type"] == "application/problem+json"
            assert int(r.headers["Retry-After"]) > 0
            assert "Redis" in r.json()["detail"]
        # nginx passes the app's 503 on as it is (no retry: it is an answer).
        r = stack.visitor("127.0.0.11").get(stack.url + "/readyz", timeout=10)
        assert r.status_code == 503
        assert r.headers["Content-Type"] == "application/problem+json"
        # The site keeps answering meanwhile: the limit fails open (logged), it does not fail the visitor.
        assert stack.visitor("127.0.0.12").get(stack.url + "/api/v1/clinics", timeout=10).status_code == 200
    finally:
        stack.redis.start()
    for server, session in zip(stack.servers, direct):
        deadline = time.monotonic() + 5
        while (r := session.get(server.url + "/readyz", timeout=10)).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert r.status_code == 200, r.text
    assert stack.visitor("127.0.0.11").get(stack.url + "/api/v1/clinics", timeout=10).status_code == 200


def test_stopping_one_app_server_loses_no_request_nginx_can_retry(stack):
    """GETs keep answering 200 while one gunicorn stops: nginx retries them on the other."""
    stopping = stack.servers[1]
    statuses: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()
    paths = ["/healthz", "/readyz", "/api/v1/admin/price-list", "/api/v1/quotes?limit=5"]

    def stream(n: int) -> None:
        session = stack.visitor(f"127.0.0.{20 + n}")
        session.headers.update(stack.admin)
        i = 0
        while not done.is_set():
            try:
                statuses.append(session.get(stack.url + paths[(i + n) % len(paths)], timeout=15).status_code)
            except requests.RequestException as exc:  # a lost request
                errors.append(exc)
            i += 1

    threads = [threading.Thread(target=stream, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        before = len(statuses)
        stopping.stop()
        time.sleep(1.5)
        after = len(statuses)
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=30)
    try:
        assert errors == []
        assert before > 10 and after - before > 20, (before, after)
        assert set(statuses) == {200}, sorted(set(statuses))
        # nginx met the stopping server (refused or reset connections) and retried elsewhere.
        assert re.search(r"upstream server temporarily disabled", (stack.nginx.directory / "error.log").read_text())
        # With no app server left, nginx's own answer is a problem+json 503 too.
        stack.servers[0].stop()
        r = stack.visitor("127.0.0.30").get(stack.url + "/healthz", timeout=15)
        assert r.status_code == 503
        assert r.headers["Content-Type"] == "application/problem+json"
        assert r.headers["Retry-After"] == "5"
        assert r.json()["status"] == 503
    finally:
        for server in stack.servers:  # same ports: nginx sends to them again
            if server.process.poll() is not None:
                server.start()
    # Both were marked failed: nginx clears that once none is left to try, and
    # sends to them again from the next request on.
    visitor = stack.visitor("127.0.0.30")
    deadline = time.monotonic() + 12
    while (r := visitor.get(stack.url + "/healthz", timeout=15)).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert r.status_code == 200
