"""The SQLite rate-limit storage: every hit counted once, from any thread or process; windows expire."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
import threading
import time
from hashlib import blake2b

import pytest
from limits import parse
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

import config
from quoteapi.adapters import rate_limits, shared_counters
from quoteapi.adapters.rate_limits import SQLiteStorage
from quoteapi.adapters.shared_counters import SharedMemoryStorage

KEY = "LIMITER/127.0.0.1/public/10/1/minute"


@pytest.fixture
def sqlite_uri(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'limits' / 'ratelimits.sqlite3'}"


@pytest.fixture(params=["mmap", "sqlite"])
def uri(request, tmp_path) -> str:
    """Each storage shared by the workers of a machine: the memory-mapped file (the default) and SQLite."""
    if request.param == "mmap":
        return f"mmap:///{tmp_path / 'limits' / 'ratelimits.bin'}"
    return f"sqlite:///{tmp_path / 'limits' / 'ratelimits.sqlite3'}"


def test_the_uri_names_the_storage_and_its_file(sqlite_uri, tmp_path):
    storage = storage_from_string(sqlite_uri)
    assert isinstance(storage, SQLiteStorage)
    assert storage.path == tmp_path / "limits" / "ratelimits.sqlite3"
    assert not storage.path.exists(), "nothing is opened before the first hit"
    assert storage.check()
    assert storage.path.exists()
    assert SQLiteStorage("sqlite:///relative/limits.sqlite3").path.as_posix() == "relative/limits.sqlite3"
    with pytest.raises(ConfigurationError):
        storage_from_string("sqlite://")


def test_the_default_is_a_file_in_the_instance_folder_and_tests_count_in_memory():
    assert config.load({})["RATELIMIT_STORAGE_URI"] == f"mmap:///{config.INSTANCE_DIR / 'ratelimits.bin'}"
    assert config.load({"QUOTEAPI_RATELIMIT_STORAGE_URI": "redis://cache:6379"})["RATELIMIT_STORAGE_URI"] == "redis://cache:6379"
    assert config.load({"QUOTEAPI_ENV": "testing"})["RATELIMIT_STORAGE_URI"] == "memory://"


def test_a_window_counts_then_expires(uri):
    storage = storage_from_string(uri)
    assert storage.incr(KEY, 1) == 1
    assert storage.incr(KEY, 1, amount=2) == 3
    assert storage.get(KEY) == 3
    end = storage.get_expiry(KEY)
    assert time.time() < end <= time.time() + 1
    assert storage.incr(KEY, 1) == 4
    assert storage.get_expiry(KEY) == end, "a hit does not move the end of its window"
    time.sleep(end - time.time() + 0.05)
    assert storage.get(KEY) == 0
    assert storage.get_expiry(KEY) == pytest.approx(time.time(), abs=0.5)
    assert storage.incr(KEY, 1) == 1, "an expired window starts again at the next hit"
    assert storage.get_expiry(KEY) > end
    storage.clear(KEY)
    assert storage.get(KEY) == 0


def test_expired_windows_are_deleted_from_the_file(sqlite_uri):
    storage = storage_from_string(sqlite_uri)
    for i in range(5):
        storage.incr(f"gone/{i}", 1)
    storage.incr("kept", 60)
    time.sleep(1.05)
    storage._next_purge = 0.0  # the next hit sweeps (at most once a minute otherwise)
    storage.incr("kept", 60)
    with sqlite3.connect(storage.path) as db:
        assert db.execute("SELECT key, count FROM rate_limit_counters").fetchall() == [("kept", 2)]
    assert storage.reset() == 1


def test_the_fixed_window_limiter_over_a_shared_storage(uri):
    limiter = FixedWindowRateLimiter(storage_from_string(uri))
    item = parse("3/second")
    assert [limiter.hit(item, "10.0.0.1", "public") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit(item, "10.0.0.2", "public")
    assert not limiter.test(item, "10.0.0.1", "public")
    reset, remaining = limiter.get_window_stats(item, "10.0.0.1", "public")
    assert remaining == 0 and time.time() < reset <= time.time() + 1
    time.sleep(reset - time.time() + 0.05)
    assert limiter.test(item, "10.0.0.1", "public")
    assert limiter.hit(item, "10.0.0.1", "public")


def test_hits_from_many_threads_count_once_each(uri):
    storage = storage_from_string(uri)
    threads, hits = 8, 50
    barrier = threading.Barrier(threads)
    seen: list[int] = []

    def hit() -> None:
        barrier.wait()
        counts = [storage.incr(KEY, 60) for _ in range(hits)]
        seen.extend(counts)  # list.extend is atomic under the GIL

    workers = [threading.Thread(target=hit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(seen) == list(range(1, threads * hits + 1))
    assert storage.get(KEY) == threads * hits


def _hit_in_a_child(storage: SQLiteStorage, barrier, hits: int, out) -> None:
    barrier.wait()
    out.put([storage.incr(KEY, 60) for _ in range(hits)])


def test_hits_from_many_processes_count_once_each(uri):
    """Forked workers that inherit a storage already in use, as gunicorn's would with preload."""
    storage = storage_from_string(uri)
    assert storage.incr("parent", 60) == 1  # the parent's own connection, which no child may reuse
    fork = multiprocessing.get_context("fork")
    processes, hits = 5, 100
    barrier, out = fork.Barrier(processes), fork.Queue()
    children = [fork.Process(target=_hit_in_a_child, args=(storage, barrier, hits, out)) for _ in range(processes)]
    for child in children:
        child.start()
    seen = [count for _ in children for count in out.get(timeout=60)]
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    assert sorted(seen) == list(range(1, processes * hits + 1))
    assert storage.get(KEY) == processes * hits
    assert storage.incr("parent", 60) == 2


def test_processes_opening_a_new_file_at_once(tmp_path):
    """The first hits of several workers race to create the file, its table and WAL mode."""
    uri = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    fork = multiprocessing.get_context("fork")
    processes = 6
    barrier, out = fork.Barrier(processes), fork.Queue()
    children = [
        fork.Process(target=_hit_in_a_child, args=(storage_from_string(uri), barrier, 1, out)) for _ in range(processes)
    ]
    for child in children:
        child.start()
    seen = sorted(count for _ in children for count in out.get(timeout=60))
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    assert seen == list(range(1, processes + 1))
    with sqlite3.connect(tmp_path / "fresh.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_busy_file_makes_a_hit_wait_not_fail(sqlite_uri):
    storage = storage_from_string(sqlite_uri)
    storage.incr(KEY, 60)
    blocker = sqlite3.connect(storage.path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock for a moment
    threading.Timer(0.3, blocker.rollback).start()
    started = time.monotonic()
    assert storage.incr(KEY, 60) == 2
    assert time.monotonic() - started >= 0.25
    blocker.close()


def test_a_file_busy_for_longer_than_the_timeout_fails_the_hit_and_counts_nothing(sqlite_uri, monkeypatch):
    monkeypatch.setattr(rate_limits, "BUSY_TIMEOUT_SECONDS", 0.2)
    storage = storage_from_string(sqlite_uri)
    storage.incr(KEY, 60)
    blocker = sqlite3.connect(storage.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError) as failed:
        storage.incr(KEY, 60)
    assert failed.value.sqlite_errorcode == sqlite3.SQLITE_BUSY
    assert time.monotonic() - started >= 0.2
    blocker.rollback()
    blocker.close()
    assert storage.get(KEY) == 1  # the refused hit did not count
    assert storage.incr(KEY, 60) == 2


def _connections_in_a_child(storage: SQLiteStorage, out) -> None:
    inherited = storage._local.connection
    mine = storage._connection()
    out.put([mine is not inherited, storage._connection() is mine, storage.incr("child", 60)])


def test_a_forked_child_opens_its_own_connection_once(sqlite_uri):
    """The fork is noticed at the fork (os.register_at_fork), not by asking for the process id on every hit."""
    storage = storage_from_string(sqlite_uri)
    parent = storage._connection()
    assert storage._connection() is parent
    fork = multiprocessing.get_context("fork")
    out = fork.Queue()
    child = fork.Process(target=_connections_in_a_child, args=(storage, out))
    child.start()
    assert out.get(timeout=60) == [True, True, 1]
    child.join(timeout=60)
    assert child.exitcode == 0
    assert storage._connection() is parent
    assert storage.incr("child", 60) == 2


# --- the memory-mapped file (mmap:///, the default) --------------------------------------------


def test_the_mmap_uri_names_the_file_made_at_first_use(tmp_path):
    storage = storage_from_string(f"mmap:///{tmp_path / 'limits' / 'counters.bin'}")
    assert isinstance(storage, SharedMemoryStorage)
    assert not storage.path.exists(), "nothing is opened before the first hit"
    assert storage.check() and storage.path.exists()
    assert stat.S_IMODE(os.stat(storage.path).st_mode) == 0o600
    assert SharedMemoryStorage("mmap:///relative/counters.bin").path.as_posix() == "relative/counters.bin"
    with pytest.raises(ConfigurationError):
        storage_from_string("mmap://")


def test_a_file_of_another_layout_starts_empty(tmp_path):
    path = tmp_path / "counters.bin"
    path.write_bytes(b"something else entirely" * 100)
    storage = storage_from_string(f"mmap:///{path}")
    assert storage.incr(KEY, 60) == 1
    assert path.read_bytes().startswith(b"quoteapi-rate-limit-v1")
    assert storage_from_string(f"mmap:///{path}").incr(KEY, 60) == 2, "another process finds the same table"


def _keys_starting_at_one_slot(count: int) -> list[str]:
    """Keys whose digests name the same slot (a brute-force search, ~65,000 tries a key)."""
    found: dict[int, list[str]] = {}
    i = 0
    while True:
        key = f"LIMITER/10.0.{i}/public"
        digest = blake2b(key.encode(), digest_size=16).digest()
        keys = found.setdefault(int.from_bytes(digest[:8], "little") % shared_counters.SLOTS, [])
        keys.append(key)
        if len(keys) == count:
            return keys
        i += 1


def test_when_every_neighbouring_slot_is_taken_the_window_ending_first_is_given_up(tmp_path):
    storage = storage_from_string(f"mmap:///{tmp_path / 'counters.bin'}")
    keys = _keys_starting_at_one_slot(shared_counters.PROBES + 1)
    for n, key in enumerate(keys[:-1]):
        for _ in range(n + 1):
            storage.incr(key, 60 + n)  # the first key's window ends first
    assert [storage.get(key) for key in keys[:-1]] == list(range(1, shared_counters.PROBES + 1))
    assert storage.incr(keys[-1], 60) == 1
    assert storage.get(keys[0]) == 0, "the window ending first was given up"
    assert [storage.get(key) for key in keys[1:-1]] == list(range(2, shared_counters.PROBES + 1))
    storage.clear(keys[1])  # a cleared window frees its slot for the next newcomer
    assert storage.incr(keys[0], 60) == 1
    assert [storage.get(key) for key in keys[2:]] == [*range(3, shared_counters.PROBES + 1), 1]
    storage.reset()
    assert [storage.get(key) for key in keys] == [0] * len(keys)
