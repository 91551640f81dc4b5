"""The memory-mapped rate-limit storage (mmap:///): every hit counted once, from any thread or process; windows expire."""

from __future__ import annotations

import multiprocessing
import os
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
from quoteapi.adapters import shared_counters
from quoteapi.adapters.shared_counters import SharedMemoryStorage

KEY = "LIMITER/127.0.0.1/public/10/1/minute"


@pytest.fixture
def uri(tmp_path) -> str:
    """The storage the workers of a machine share (the default): a memory-mapped file."""
    return f"mmap:///{tmp_path / 'limits' / 'ratelimits.bin'}"


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


def _hit_in_a_child(storage: SharedMemoryStorage, barrier, hits: int, out) -> None:
    barrier.wait()
    out.put([storage.incr(KEY, 60) for _ in range(hits)])


def test_hits_from_many_processes_count_once_each(uri):
    """Forked workers that inherit a storage already in use, as gunicorn's would with preload."""
    storage = storage_from_string(uri)
    assert storage.incr("parent", 60) == 1  # the parent's own mapping and lock, which no child may reuse
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
    """The first hits of several workers race to create the file and lay out its table."""
    uri = f"mmap:///{tmp_path / 'fresh.bin'}"
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
    assert storage_from_string(uri).get(KEY) == processes


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


# --- the file changed under running workers ----------------------------------------------------


def _hit_across_a_cut(uri: str, cut_to: int, out) -> None:
    """In a child process (a fault kills it, not the suite): count, cut the file short, count again."""
    storage = storage_from_string(uri)
    before = [storage.incr(KEY, 60), storage.incr("another", 60)]
    os.truncate(storage.path, cut_to)  # an operator's `truncate -s`, which takes no lock
    after = [storage.incr(KEY, 60), storage.incr(KEY, 60)]
    out.put((before, after, os.path.getsize(storage.path), storage_from_string(uri).get(KEY)))


@pytest.mark.parametrize("cut_to", [0, 5, shared_counters._HEADER + 3])
def test_a_file_cut_short_under_a_running_storage_is_laid_out_again_and_kills_nobody(uri, cut_to):
    fork = multiprocessing.get_context("fork")
    out = fork.Queue()
    child = fork.Process(target=_hit_across_a_cut, args=(uri, cut_to, out))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0, "the child died (SIGBUS is -7)"
    before, after, size, seen_by_another = out.get(timeout=5)
    assert before == [1, 1]
    assert after == [1, 2], "the cut took the counts with it; counting starts again, once each"
    assert size == shared_counters._SIZE
    assert seen_by_another == 2, "another process finds the same table, its header intact"


def test_a_deleted_file_is_made_again_and_every_worker_counts_in_it(uri):
    first, second = storage_from_string(uri), storage_from_string(uri)
    assert [first.incr(KEY, 60), second.incr(KEY, 60)] == [1, 2]
    os.unlink(first.path)
    restarted = storage_from_string(uri)  # a worker started after the deletion makes a new file
    assert restarted.incr(KEY, 60) == 1
    assert [first.incr(KEY, 60), second.incr(KEY, 60)] == [2, 3], "the old workers count in the new file too"
    assert first.get(KEY) == second.get(KEY) == restarted.get(KEY) == 3


def test_a_replaced_file_is_opened_again(uri):
    first, second = storage_from_string(uri), storage_from_string(uri)
    assert [first.incr(KEY, 60), second.incr(KEY, 60)] == [1, 2]
    replacement = first.path.with_name("new.bin")
    replacement.write_bytes(b"")
    os.replace(replacement, first.path)  # a new inode at the path, as a restore or a deploy would leave
    assert [first.incr(KEY, 60), second.incr(KEY, 60)] == [1, 2]
    assert storage_from_string(uri).get(KEY) == 2
    assert first.path.read_bytes().startswith(b"quoteapi-rate-limit-v1")


def test_a_storage_that_counted_fails_once_its_file_is_replaced_by_a_directory_then_recovers(uri):
    storage = storage_from_string(uri)
    assert storage.incr(KEY, 60) == 1
    storage.path.unlink()
    storage.path.mkdir()
    with pytest.raises(OSError):
        storage.incr(KEY, 60)
    assert not storage.check()
    storage.path.rmdir()
    assert storage.check() and storage.incr(KEY, 60) == 1


def test_a_hit_that_cannot_reach_the_path_any_more_leaves_the_file_unlocked(tmp_path):
    import fcntl

    folder = tmp_path / "limits"
    storage = storage_from_string(f"mmap:///{folder / 'ratelimits.bin'}")
    assert storage.incr(KEY, 60) == 1
    moved = folder.rename(tmp_path / "moved")
    folder.write_bytes(b"")  # the folder is now a file: the path cannot be looked up
    with pytest.raises(OSError):
        storage.incr(KEY, 60)
    fd = os.open(moved / "ratelimits.bin", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError while the failed hit holds it
    finally:
        os.close(fd)
    assert storage_from_string(f"mmap:///{moved / 'ratelimits.bin'}").incr(KEY, 60) == 2
