"""A throw-away PostgreSQL cluster for the test run: initdb + pg_ctl in a temp dir.

PostgreSQL refuses to run as root, and CI runs as root: then the cluster is
owned by, and run as, the ``postgres`` system user.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class PostgresUnavailable(Exception):
    """No PostgreSQL server binaries here, or the cluster would not start."""


def find_bindir() -> Path | None:
    """The newest PostgreSQL bin directory with initdb and pg_ctl."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    except (OSError, subprocess.SubprocessError):
        pass
    for path in candidates:
        if (path / "initdb").exists() and (path / "pg_ctl").exists():
            return path
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayCluster:
    """One cluster, started once per test session and deleted at the end."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_bindir()
        self.port = 0
        self.root: Path | None = None
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd="/")

    def _ensure_postgres_user(self) -> None:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--home-dir", "/var/lib/postgresql", "--shell", "/bin/sh", "postgres"],
                check=True,
            )

    def start(self) -> str:
        if self.bindir is None:
            raise PostgresUnavailable(
                "no initdb/pg_ctl under /usr/lib/postgresql/*/bin (install the Debian package postgresql)"
            )
        self.root = Path(tempfile.mkdtemp(prefix="quoteapi-pg-"))
        if self._as_postgres:
            self._ensure_postgres_user()
            shutil.chown(self.root, "postgres", "postgres")
        data, log = self.root / "data", self.root / "server.log"
        done = self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C")
        if done.returncode != 0:
            self.stop()
            raise PostgresUnavailable(f"initdb failed: {done.stderr[-2000:]}")
        # Two test processes (pytest-xdist) may be handed the same free port: try another.
        for _attempt in range(3):
            self.port = _free_port()
            options = " ".join(
                f"-c {setting}"
                for setting in (
                    f"port={self.port}",
                    "listen_addresses=127.0.0.1",
                    f"unix_socket_directories={self.root}",
                    # A test cluster: durability buys nothing here, speed does.
                    "fsync=off",
                    "synchronous_commit=off",
                    "full_page_writes=off",
                    "max_connections=300",
                )
            )
            done = self._run("pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start")
            if done.returncode == 0:
                break
        else:
            tail = log.read_text()[-2000:] if log.exists() else done.stderr
            self.stop()
            raise PostgresUnavailable(f"pg_ctl start failed: {tail}")
        atexit.register(self.stop)
        return self.create_database("quoteapi_test")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create a database in the cluster; its SQLAlchemy URL."""
        done = self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        if done.returncode != 0:
            raise PostgresUnavailable(f"createdb {name} failed: {done.stderr}")
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and delete the cluster; safe to call twice."""
        if self.root is None:
            return
        data = self.root / "data"
        if (data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None
