"""Rate-limit counters in a SQLite file: one budget per address for all the workers of a machine.

``limits`` (the library api/limits.py counts the public limit with) keeps its counters in a storage named by
a URI. ``memory://`` is per process, so gunicorn's workers each count on their
own; ``redis://`` is shared but needs a server. ``sqlite:///path`` (registered
here, by importing this module) keeps the fixed-window counters in one file
that every process on the machine opens:

- one row per key: ``(key, count, expires_at)``; a hit is one atomic
  ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING count``, which starts a new
  window when the old one has expired (as Redis' INCR + EXPIRE do);
- WAL and ``synchronous=NORMAL``: a hit writes the log without an fsync
  (counters need no durability), and readers never wait for the writer;
- a writer that finds another process writing tries again after a short pause
  (50 µs, doubling up to 5 ms, for at most 5 s) instead of failing, rather than
  SQLite's own busy handler, which sleeps a whole millisecond at least;
- each process deletes expired rows at most once a minute, so the file stays
  the size of the addresses seen in the last window.

Each thread of each process has its own connection, opened on first use (so a
process that forks, or an app that never serves a public request, never
shares or opens one).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import ClassVar

from limits.errors import ConfigurationError
from limits.storage import Storage

SCHEME = "sqlite"
# How long a hit may wait for another process's write before failing.
BUSY_TIMEOUT_SECONDS = 5.0
FIRST_PAUSE_SECONDS = 50e-6
LAST_PAUSE_SECONDS = 0.005
# How often a process sweeps out expired windows.
PURGE_EVERY_SECONDS = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rate_limit_counters (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID
"""
# Old values on the right of SET: an expired window restarts at this hit.
_HIT = """
INSERT INTO rate_limit_counters (key, count, expires_at) VALUES (?1, ?2, ?3 + ?4)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN rate_limit_counters.expires_at <= ?3 THEN excluded.count
                 ELSE rate_limit_counters.count + excluded.count END,
    expires_at = CASE WHEN rate_limit_counters.expires_at <= ?3 THEN excluded.expires_at
                      ELSE rate_limit_counters.expires_at END
RETURNING count
"""
_GET = "SELECT count, expires_at FROM rate_limit_counters WHERE key = ? AND expires_at > ?"
_DECR = "UPDATE rate_limit_counters SET count = max(count - ?, 0) WHERE key = ? AND expires_at > ? RETURNING count"
_PURGE = "DELETE FROM rate_limit_counters WHERE expires_at <= ?"


def path_of(uri: str) -> Path:
    """The file of ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` (SQLAlchemy's form)."""
    prefix = f"{SCHEME}:///"
    if not uri.startswith(prefix) or len(uri) == len(prefix):
        raise ConfigurationError(f"a SQLite rate-limit storage is {prefix}path/to/file, not {uri!r}")
    return Path(uri[len(prefix):].split("?", 1)[0])


# The forks this process descends from (each child counts one more): a forked child (a gunicorn worker)
# opens its own connection. Counted at the fork, rather than asking os.getpid() (a system call) on every hit.
_FORKS = [0]


def _forked() -> None:
    _FORKS[0] += 1


os.register_at_fork(after_in_child=_forked)


class SQLiteStorage(Storage):
    """A ``limits`` storage for the fixed-window strategy, shared through one SQLite file."""

    STORAGE_SCHEME: ClassVar[list[str]] = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        self.path = path_of(uri or "")
        self._local = threading.local()
        self._next_purge = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    # -- connections ---------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        forks = _FORKS[0]
        if getattr(local, "forks", None) != forks:  # first use in this thread, or a forked child
            local.connection = self._connect()
            local.forks = forks
        return local.connection

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: each statement commits on its own (the upsert is atomic).
        # timeout=0: no SQLite busy handler; a busy statement fails at once and _run tries it again sooner.
        connection = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        # WAL is a property of the file: the first process sets it, the others find it set.
        # Changing the journal mode answers "locked" at once (busy_timeout does not cover it)
        # while another worker creates the file: wait for it like any other lock.
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")
                connection.execute(_SCHEMA)
                return connection
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _run(self, statement: str, parameters: tuple = ()) -> sqlite3.Cursor:
        """One statement on this thread's connection, waiting its turn while another process writes.

        SQLite's own busy handler sleeps 1, 2, 5, 10... ms between tries, though a
        hit holds the write lock for some 30 µs: under load a fifth of the hits
        slept a whole millisecond. Here the pauses start at 50 µs and double, up
        to 5 ms, for at most ``BUSY_TIMEOUT_SECONDS``. A statement refused as busy
        did nothing, so trying it again counts once.
        """
        connection = self._connection()
        deadline, pause = None, FIRST_PAUSE_SECONDS
        while True:
            try:
                return connection.execute(statement, parameters)
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                    raise
                now = time.monotonic()
                if deadline is None:
                    deadline = now + BUSY_TIMEOUT_SECONDS
                elif now > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, LAST_PAUSE_SECONDS)

    # -- the Storage interface -----------------------------------------------

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count ``amount`` more hits on ``key``; a new window of ``expiry`` seconds if none is open."""
        now = time.time()
        count = self._run(_HIT, (key, amount, now, expiry)).fetchone()[0]
        if now >= self._next_purge:
            self._next_purge = now + PURGE_EVERY_SECONDS
            self._run(_PURGE, (now,))
        return count

    def decr(self, key: str, amount: int = 1) -> int:
        row = self._run(_DECR, (amount, key, time.time())).fetchone()
        return row[0] if row else 0

    def get(self, key: str) -> int:
        row = self._run(_GET, (key, time.time())).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        """When ``key``'s window ends (now, if it has none)."""
        now = time.time()
        row = self._run(_GET, (key, now)).fetchone()
        return row[1] if row else now

    def clear(self, key: str) -> None:
        self._run("DELETE FROM rate_limit_counters WHERE key = ?", (key,))

    def reset(self) -> int | None:
        return self._run("DELETE FROM rate_limit_counters").rowcount

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True
