"""Rate-limit counters in a memory-mapped file: one budget per address for all the workers of a machine.

A ``limits`` storage for the fixed-window strategy (the scheme ``mmap:///path``,
registered by importing this module), two system calls a hit:

- the file is a table of ``SLOTS`` windows of 32 bytes, mapped into every
  process that counts: a key's 16-byte BLAKE2b digest, when its window ends
  (seconds since the epoch, a double) and its count;
- a key lives in one of ``PROBES`` neighbouring slots from the one its digest
  names; a hit takes its window there, or a free or ended one, and when all
  of them hold windows still running, the one that ends first is given up
  (65,536 slots: far more addresses than a minute's traffic of a clinic's site);
- one ``flock`` on the file, held for the few microseconds of a hit, makes every
  read and write of the table exclusive between processes; a lock of the
  process' own does so between its threads (``flock`` belongs to the open
  file, which a process' threads share). A process that dies holding the lock
  releases it with its file;
- nothing is written to disk on purpose: the kernel writes the pages back when
  it likes, and counters need no durability.

Each process opens and maps the file itself, on first use and again after a
fork (a forked child's inherited file would share the parent's lock).

What happens to the file under running workers costs one more system call a hit,
a ``stat`` of the path once the lock is held:

- a file deleted or replaced (another inode at the path) is let go and the path
  opened again (made again, if it is gone), so every worker counts in the one
  file at the path, not some in an orphan;
- a file cut short (``truncate``, ``: >``) is laid out again to its full length
  before the map is touched: a page of the map beyond the end of the file would
  kill the process (SIGBUS). The windows still in the file keep their counts;
- a path that cannot be opened (a directory there, a parent that is a file, no
  permission) fails the hit with the ``OSError``: what to do then is the
  caller's (the public limit lets the request through, the console's sign-in
  refuses it), and :class:`FailureLog` says it once, not every request.

The size is checked under the lock, so a cut made by any process that takes it
is always seen. A cut by one that does not (the shell's ``truncate``) is seen at
the next hit; one landing in the few microseconds between that hit's check and
its last read of the map would still fault (docs/decisions.md).
"""

from __future__ import annotations

import fcntl
import logging
import mmap
import os
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from hashlib import blake2b
from pathlib import Path
from typing import ClassVar

from limits.errors import ConfigurationError
from limits.storage import Storage

SCHEME = "mmap"
SLOTS = 65_536
PROBES = 8
_MAGIC = b"quoteapi-rate-limit-v1\0\0\0\0\0\0\0\0\0\0"  # 32 bytes: the header
_SLOT = struct.Struct("<16sdq")  # digest, window end, count
_HEADER = len(_MAGIC)
_SIZE = _HEADER + SLOTS * _SLOT.size
_EMPTY = bytes(16)

log = logging.getLogger(__name__)

# The forks this process descends from: a forked child opens and maps the file again.
_FORKS = [0]


def _forked() -> None:
    _FORKS[0] += 1


os.register_at_fork(after_in_child=_forked)


def path_of(uri: str) -> Path:
    """The file of ``mmap:///relative/path`` or ``mmap:////absolute/path`` (as SQLAlchemy writes SQLite's)."""
    prefix = f"{SCHEME}:///"
    if not uri.startswith(prefix) or len(uri) == len(prefix):
        raise ConfigurationError(f"a shared-memory rate-limit storage is {prefix}path/to/file, not {uri!r}")
    return Path(uri[len(prefix):].split("?", 1)[0])


class _Table:
    """This process' view of the file: its descriptor (the lock), its mapping (the slots), its identity."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                opened = os.fstat(self.fd)
                if opened.st_size < _SIZE:
                    os.ftruncate(self.fd, _SIZE)  # a new file: zeros, read as free slots
                if os.pread(self.fd, _HEADER, 0) != _MAGIC:
                    # New, or another layout: start empty. Zeros are written rather than the file shrunk,
                    # since a process still mapping a longer file would fault on the pages cut off.
                    os.pwrite(self.fd, bytes(_SIZE), 0)
                    os.pwrite(self.fd, _MAGIC, 0)
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            self.map = mmap.mmap(self.fd, _SIZE)
        except BaseException:
            os.close(self.fd)
            raise
        self.identity = (opened.st_dev, opened.st_ino)

    def restore(self) -> None:
        """Lay out again a file cut short under the map (the lock held): its full length, its header."""
        os.ftruncate(self.fd, _SIZE)  # the bytes cut off come back as zeros: free slots
        if self.map[:_HEADER] != _MAGIC:
            self.map[:_HEADER] = _MAGIC

    def close(self) -> None:
        try:
            self.map.close()
        finally:
            os.close(self.fd)


class SharedMemoryStorage(Storage):
    """A ``limits`` storage for the fixed-window strategy, shared through one memory-mapped file."""

    STORAGE_SCHEME: ClassVar[list[str]] = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        self.path = path_of(uri or "")
        self._where = os.fspath(self.path)
        self._table: _Table | None = None
        self._forks = -1
        self._thread_lock = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return OSError

    def _open(self) -> _Table:
        if self._forks != _FORKS[0] or self._table is None:
            self._table = None  # a fork's inherited table is the parent's: left to it, not closed
            self._table = _Table(self.path)
            self._forks = _FORKS[0]
        return self._table

    def _reopen(self) -> _Table:
        """Let go of a file no longer at the path, and open what is there now."""
        old, self._table = self._table, None
        if old is not None:
            old.close()
        return self._open()

    @contextmanager
    def _locked(self) -> Iterator[_Table]:
        """This process' table, held exclusively (from its other threads, then from other processes), at its full size.

        Once the lock is held, one ``stat`` of the path: another inode there (or none) and the
        path is opened again; a file shorter than the table is laid out again before the map is read.
        """
        with self._thread_lock:
            table = self._open()
            while True:
                fcntl.flock(table.fd, fcntl.LOCK_EX)
                try:
                    now = os.stat(self._where)
                except FileNotFoundError:
                    now = None
                except BaseException:  # no path to the file any more (a parent that is a file, no permission)
                    fcntl.flock(table.fd, fcntl.LOCK_UN)
                    raise
                if now is not None and (now.st_dev, now.st_ino) == table.identity:
                    break
                fcntl.flock(table.fd, fcntl.LOCK_UN)
                table = self._reopen()  # deleted or replaced: the file at the path, made if need be
            try:
                if now.st_size < _SIZE:
                    log.warning("the rate-limit counters' file %s was cut short (%d bytes); laid out again",
                                self.path, now.st_size)
                    table.restore()
                yield table
            finally:
                fcntl.flock(table.fd, fcntl.LOCK_UN)

    def _update(self, key: str, change) -> int:
        """Run ``change(count, ends, now) -> (count, ends)`` on ``key``'s window under the lock; its new count."""
        digest = blake2b(key.encode("utf-8"), digest_size=16).digest()
        first = int.from_bytes(digest[:8], "little") % SLOTS
        with self._locked() as table:
            view, unpack, pack = table.map, _SLOT.unpack_from, _SLOT.pack_into
            now = time.time()
            chosen = None  # (offset, window end) of the slot to take if the key has none
            for probe in range(PROBES):
                offset = _HEADER + ((first + probe) % SLOTS) * _SLOT.size
                found, ends, count = unpack(view, offset)
                if found == digest:
                    count, ends = change(count if ends > now else 0, ends if ends > now else 0.0, now)
                    pack(view, offset, digest, ends, count)
                    return count
                free = found == _EMPTY or ends <= now
                if chosen is None or (free and chosen[1] > 0.0) or (not free and chosen[1] > ends > 0.0):
                    chosen = (offset, 0.0 if free else ends)
            count, ends = change(0, 0.0, now)
            if count or ends:
                pack(view, chosen[0], digest, ends, count)
            return count

    def _read(self, key: str) -> tuple[int, float]:
        seen: list[tuple[int, float]] = []

        def look(count: int, ends: float, now: float) -> tuple[int, float]:
            seen.append((count, ends if ends > now else now))
            return count, ends

        self._update(key, look)
        return seen[0]

    # -- the Storage interface -----------------------------------------------

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count ``amount`` more hits on ``key``; a new window of ``expiry`` seconds if none is open."""
        return self._update(key, lambda count, ends, now: (count + amount, ends or now + expiry))

    def decr(self, key: str, amount: int = 1) -> int:
        return self._update(key, lambda count, ends, now: (max(count - amount, 0), ends))

    def get(self, key: str) -> int:
        return self._read(key)[0]

    def get_expiry(self, key: str) -> float:
        """When ``key``'s window ends (now, if it has none)."""
        return self._read(key)[1]

    def clear(self, key: str) -> None:
        self._update(key, lambda count, ends, now: (0, 0.0))

    def reset(self) -> int | None:
        with self._locked() as table:
            table.map[_HEADER:] = bytes(_SIZE - _HEADER)
        return None

    def check(self) -> bool:
        """Whether the file at the path can be opened, locked and counted in (opened again if it was replaced)."""
        try:
            with self._locked():
                pass
        except OSError:
            return False
        return True


class FailureLog:
    """Says once that a counter store fails, with its traceback, and once that it works again.

    A store that fails fails every request: a traceback each time would bury the
    log. Each worker says it once (its own instance), and again after a recovery.
    """

    def __init__(self, logger: logging.Logger, failing: str, recovered: str) -> None:
        self.logger, self.failing_message, self.recovered_message = logger, failing, recovered
        self.failing = False

    def failed(self) -> None:
        """Call from an ``except`` block: the first failure in a row is logged with its traceback."""
        if not self.failing:
            self.failing = True
            self.logger.error(self.failing_message, exc_info=True)

    def worked(self) -> None:
        if self.failing:
            self.failing = False
            self.logger.warning(self.recovered_message)
