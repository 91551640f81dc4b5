"""What the benchmarks send, and how: realistic estimate bodies and `wrk` runs that cycle them.

The bodies are drawn from the demo price list with a fixed seed: different
clinics, areas (some measured, most at their reference size), products,
specialist levels, course lengths, start dates (none, or today up to four
months ahead), coupons (none, the demo's FRIEND10, an unknown one) and, for
some, the health questions. The same seed gives the same bodies on any
machine (their start dates are counted from the day of the run), and none
repeats, so no cache of answers could serve the load.

`wrk` (Debian package) sends them: a Lua script holds every body and each
request takes the next one. A run at a given rate paces each of wrk's threads
to a schedule (LuaJIT's FFI reads the monotonic clock), so that latency can
be read at a load below the peak.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from quoteapi.adapters import clock  # noqa: E402
from quoteapi.services.price_lists import demo_document  # noqa: E402

SEED = 13
DEFAULT_COUNT = 256
THREADS = 2
CONNECTIONS = 16


def cpu_us(call, items, seconds: float, rounds: int = 5) -> float:
    """The lowest CPU microseconds per call of ``call(item)`` over a few timed loops through ``items``.

    CPU time, not the wall clock: on a machine shared with other work, time
    spent waiting for a core is not counted against the code measured.
    """
    items = list(items)
    best = float("inf")
    for _ in range(rounds):
        count, started = 0, time.process_time()
        while (elapsed := time.process_time() - started) < seconds:
            for item in items:
                call(item)
            count += len(items)
        best = min(best, elapsed / count * 1e6)
    return best


def estimate_bodies(count: int = DEFAULT_COUNT, today: date | None = None, seed: int = SEED) -> list[dict[str, Any]]:
    """``count`` distinct estimate bodies, deterministic for a seed and a day."""
    today = today or clock.today()
    doc = demo_document(today)
    rng = random.Random(seed)
    clinics = [c["code"] for c in doc["clinics"]]
    areas = doc["areas"]
    products = [p["code"] for p in doc["products"]]
    levels = [lvl["code"] for lvl in doc["specialist_levels"]]
    coupons = [c["coupon"] for c in doc["campaigns"] if c.get("coupon")]
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    while len(out) < count:
        chosen = rng.sample(areas, rng.choice((1, 1, 1, 2, 2, 3)))
        body: dict[str, Any] = {
            "clinic": rng.choice(clinics),
            "areas": [
                {"code": a["code"]} if rng.random() < 0.7
                else {"code": a["code"], "size_cm2": str(int(a["size_cm2"] * rng.uniform(0.6, 1.8)))}
                for a in chosen
            ],
            "products": rng.sample(products, rng.choice((0, 0, 1, 1, 2, 3))),
            "specialist_level": rng.choice(levels),
            "sessions": rng.choice((1, 2, 3, 3, 4, 5, 6, 6, 8, 10, 12)),
        }
        if rng.random() < 0.8:
            body["start_date"] = (today + timedelta(days=rng.randrange(0, 120))).isoformat()
        draw = rng.random()
        if draw < 0.25 and coupons:
            body["coupon"] = rng.choice(coupons)
        elif draw < 0.35:
            body["coupon"] = "NOT-A-CODE"
        if rng.random() < 0.2:
            body["client"] = {
                "age": rng.randrange(18, 70), "pregnant": False, "active_skin_infection": False,
                "open_wounds": False, "serious_skin_condition": False,
            }
        key = json.dumps(body, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(body)
    return out


def quote_bodies(count: int = DEFAULT_COUNT, today: date | None = None) -> list[dict[str, Any]]:
    """Estimate bodies with a customer each: what the sales desk stores."""
    return [
        {**body, "customer": {"name": f"Bench Customer {i}", "email": f"bench{i}@example.com"}}
        for i, body in enumerate(estimate_bodies(count, today))
    ]


def encoded(bodies: list[dict[str, Any]]) -> list[bytes]:
    """The bytes each request carries (compact JSON, UTF-8)."""
    return [json.dumps(b, separators=(",", ":"), ensure_ascii=False).encode() for b in bodies]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is missing: install the Debian package wrk (apt-get install wrk)")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, capture_output=True)
    return shutil.which("wrk")


_LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local bodies = {
%(bodies)s
}
local headers = {["Content-Type"] = "application/json"%(headers)s}
local rate = %(rate)s          -- requests per second for all threads; 0: as fast as possible
local threads = %(threads)d
local counter = 0
local interval = rate > 0 and (1000.0 * threads / rate) or 0
local next_at = nil

function init(args)
  counter = offset or 0
end

function setup(thread)
  thread:set("offset", math.random(0, #bodies - 1))
end

function request()
  counter = counter + 1
  return wrk.format("POST", nil, headers, bodies[(counter %% #bodies) + 1])
end

function delay()
  if interval == 0 then return 0 end
  local now = now_ms()
  if next_at == nil then next_at = now end
  next_at = next_at + interval
  local wait = next_at - interval - now
  if wait < 0 then return 0 end
  return wait
end
"""


def lua_script(bodies: list[bytes], rate: float = 0, headers: dict[str, str] | None = None) -> Path:
    def literal(raw: bytes) -> str:
        text = raw.decode()
        assert "]==]" not in text
        return f"[==[{text}]==]"

    extra = "".join(f', ["{k}"] = "{v}"' for k, v in (headers or {}).items())
    script = _LUA % {
        "bodies": ",\n".join(literal(b) for b in bodies),
        "headers": extra,
        "rate": float(rate),
        "threads": THREADS,
    }
    path = Path(tempfile.mkdtemp(prefix="quoteapi-wrk-")) / "bodies.lua"
    path.write_text(script)
    return path


def server_cpu_seconds(master: int | tuple[int, ...] | None) -> float:
    """User + system CPU seconds used so far by the children of a server's master process(es) (Linux /proc)."""
    if master is None:
        return 0.0
    masters = (master,) if isinstance(master, int) else master
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) in masters:  # fields[1] is the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def run_wrk(url: str, script: Path, seconds: float, connections: int = CONNECTIONS, master: int | tuple[int, ...] | None = None) -> dict[str, float]:
    """One wrk run: requests per second and latency percentiles (ms); any non-2xx answer stops the benchmark.

    With the gunicorn master's pid, also the workers' CPU time per request
    (``cpu_us``): on a machine shared with other work, where requests per
    second move with the neighbours' load, what one request costs the server
    stays comparable.
    """
    cpu_before = server_cpu_seconds(master)
    out = subprocess.run(
        [ensure_wrk(), f"-t{THREADS}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
         "--timeout", "10s", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    )
    if "Non-2xx" in out.stdout or "Socket errors" in out.stdout:
        sys.exit(f"the server answered errors under load; figures would be meaningless:\n{out.stdout}\n{out.stderr[:2000]}")

    def latency(percentile: str) -> float:
        value, unit = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", out.stdout, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    cpu = server_cpu_seconds(master) - cpu_before
    total = int(re.search(r"(\d+) requests in", out.stdout).group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out.stdout).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "cpu_us": cpu / total * 1e6 if master and total else float("nan"),
    }


def peak_and_half(url: str, bodies: list[bytes], seconds: float, headers: dict[str, str] | None = None,
                  half: bool = True, master: int | tuple[int, ...] | None = None) -> dict[str, float]:
    """The peak (16 connections as fast as they go), then latency at half that rate."""
    script = lua_script(bodies, headers=headers)
    run_wrk(url, script, 2)  # warm-up: every worker has loaded the price list, connections are open
    peak = run_wrk(url, script, seconds, master=master)
    result = {"rps": peak["rps"], "p50": peak["p50"], "p99": peak["p99"], "cpu_us": peak["cpu_us"]}
    if half:
        paced = run_wrk(url, lua_script(bodies, rate=peak["rps"] / 2, headers=headers), seconds)
        result.update(half_rps=paced["rps"], half_p50=paced["p50"], half_p99=paced["p99"])
    return result
