"""Estimate benchmarks: the engine in process, and `POST /api/v1/estimates` against bare Flask.

Run with `.venv/bin/python bench/estimates.py [--quick]` (or `make bench`); it
prints figures and asserts nothing. Every request carries one of 256 distinct
bodies (bench/workload.py), cycled by `wrk` (Debian package `wrk`, installed
by this script as root when missing), which shares the machine's cores with
the server: the ratios are the figures to compare.

Three servers run one after the other under the same gunicorn settings
(`config/gunicorn.conf.py`, as `make run`): quoteapi with the public rate
limit off, quoteapi with a limit too high to reach (so its cost is measured,
not its 429s) on the storage `make run` uses (a memory-mapped file, or `--storage`),
and a bare Flask app answering each body with quoteapi's answer to it.
Each gets a 2 s warm-up, a run at its peak (16 connections), and a run paced
at half that peak for the latency a visitor sees under load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.workload import cpu_us, encoded, estimate_bodies, peak_and_half  # noqa: E402
from config import gunicorn_workers  # noqa: E402
from quoteapi.adapters import clock  # noqa: E402
from quoteapi.interface.schemas.estimates import EstimateRequestSchema, estimate_request  # noqa: E402
from quoteapi.adapters.i18n import language  # noqa: E402
from quoteapi.domain.price_list import from_plain  # noqa: E402
from quoteapi.domain.pricing import price  # noqa: E402
from quoteapi.domain.pricing.model import SEVERITIES  # noqa: E402
from quoteapi.domain.pricing.plain import estimate_to_plain  # noqa: E402
from quoteapi.services.price_lists import demo_document  # noqa: E402
from tests.e2e.server import BIN, free_port, server_env  # noqa: E402

# Never reached by the benchmark: the limiter's cost is measured, not its 429s.
UNREACHABLE_LIMIT = "10000000/minute"
TARGET_RATIO = 0.60
TARGET_P99_MS = 10.0


def per_second(call, items: list, seconds: float) -> float:
    """Calls per second of this process's CPU time, the best of three loops (``workload.cpu_us``)."""
    return 1e6 / cpu_us(call, items, seconds, rounds=3)


def with_concerns(bodies: list[dict], seed: int = 28) -> list[dict]:
    """The same bodies, each with 1 to 3 of the demo list's skin concerns; half leave ``sessions`` out (issue 28)."""
    import random

    rng = random.Random(seed)
    concerns = [c["code"] for c in demo_document(clock.today()).get("concerns", ())]
    out = []
    for body in bodies:
        chosen = rng.sample(concerns, rng.choice((1, 1, 1, 2, 3)))
        body = {**body, "concerns": [{"code": code, "severity": rng.choice(SEVERITIES)} for code in chosen]}
        if rng.random() < 0.5:
            del body["sessions"]
        out.append(body)
    return out


def in_process(bodies: list[dict], seconds: float) -> dict[str, float]:
    import orjson

    today = clock.today()
    price_list = from_plain(demo_document(today), version=1)
    schema = EstimateRequestSchema()
    raw = encoded(bodies)
    requests_ = [estimate_request(schema.load(b)) for b in bodies]
    tr = language("tr")

    def full_path(body: bytes) -> None:
        loaded = schema.load(orjson.loads(body))
        orjson.dumps(estimate_to_plain(price(price_list, estimate_request(loaded), today), tr))

    concerned = with_concerns(bodies)
    concerned_raw = encoded(concerned)
    concerned_requests = [estimate_request(schema.load(b)) for b in concerned]
    return {
        "engine": per_second(lambda r: price(price_list, r, today), requests_, seconds),
        "load": per_second(lambda b: schema.load(orjson.loads(b)), raw, seconds),
        "full": per_second(full_path, raw, seconds),
        "engine_concerns": per_second(lambda r: price(price_list, r, today), concerned_requests, seconds),
        "full_concerns": per_second(full_path, concerned_raw, seconds),
    }


def start(app: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**env, "QUOTEAPI_BIND": f"127.0.0.1:{port}", "QUOTEAPI_WORKERS": str(gunicorn_workers())}
    with log.open("ab") as out:
        process = subprocess.Popen([str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", app], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/readyz", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    sys.exit(f"{app} did not start: {log.read_text()[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait()


def storage_uri(kind: str, work: Path) -> tuple[str, subprocess.Popen | None]:
    if kind == "memory":
        return "memory://", None
    if kind == "mmap":
        return f"mmap:///{work / 'ratelimits.bin'}", None
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return f"redis://127.0.0.1:{port}", server


def http(bodies: list[dict], seconds: float, storage: str) -> dict[str, dict[str, float]]:
    work = Path(tempfile.mkdtemp(prefix="quoteapi-bench-"))
    raw = encoded(bodies)
    env = server_env(f"sqlite:///{work / 'bench.sqlite3'}", QUOTEAPI_PUBLIC_RATE_LIMIT="none")
    for command in (["db", "upgrade"], ["seed-demo", "--if-empty"]):
        subprocess.run([str(BIN / "quoteapi"), *command], cwd=ROOT, env=env, check=True, capture_output=True)
    results: dict[str, dict[str, float]] = {}
    process, url = start("wsgi:app", env, work / "quoteapi.log")
    try:
        answers = []
        with requests.Session() as session:
            for body in raw:
                answer = session.post(url + "/api/v1/estimates", data=body, headers={"Content-Type": "application/json"}, timeout=5)
                assert answer.status_code == 200, answer.text
                answers.append([body.decode(), answer.content.decode()])
        (work / "answers.json").write_text(json.dumps(answers, ensure_ascii=False), "utf-8")
        results["quoteapi, rate limit off"] = peak_and_half(url + "/api/v1/estimates", raw, seconds, master=process.pid)
    finally:
        stop(process)
    uri, redis_server = storage_uri(storage, work)
    limited = {**env, "QUOTEAPI_PUBLIC_RATE_LIMIT": UNREACHABLE_LIMIT, "QUOTEAPI_RATELIMIT_STORAGE_URI": uri}
    process, url = start("wsgi:app", limited, work / "limited.log")
    try:
        results[f"quoteapi, rate limit on ({storage})"] = peak_and_half(url + "/api/v1/estimates", raw, seconds, master=process.pid)
    finally:
        stop(process)
        if redis_server:
            stop(redis_server)
    process, url = start("bench.bare:app", {**env, "QUOTEAPI_BENCH_ANSWERS_FILE": str(work / "answers.json")}, work / "bare.log")
    try:
        for body, answer in answers[:5]:
            got = requests.post(url + "/api/v1/estimates", data=body.encode(), headers={"Content-Type": "application/json"}, timeout=5)
            assert got.content == answer.encode()
        results["bare Flask, same answers"] = peak_and_half(url + "/api/v1/estimates", raw, seconds, master=process.pid)
    finally:
        stop(process)
    return results


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.machine())
    workers = gunicorn_workers()
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, gunicorn sync workers: {workers}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs")
    parser.add_argument("--storage", choices=("mmap", "memory", "redis"), default="mmap",
                        help="the rate limit's storage for the 'rate limit on' server (default: mmap, as make run)")
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    args, _ = parser.parse_known_args()
    bodies = estimate_bodies()
    print(f"machine: {machine()}")
    print(f"bodies: {len(bodies)} distinct estimate requests, cycled")
    figures = in_process(bodies, 0.5 if args.quick else 2.0)
    print("in process, one core:")
    print(f"  engine only (pricing.price):                {figures['engine']:>9,.0f} estimates/s")
    print(f"  schema load only (orjson + marshmallow):    {figures['load']:>9,.0f} bodies/s")
    print(f"  schema load + engine + plain form + JSON:   {figures['full']:>9,.0f} estimates/s")
    print("  with 1-3 skin concerns in the body (half without sessions):")
    print(f"    engine only (pricing.price):              {figures['engine_concerns']:>9,.0f} estimates/s")
    print(f"    schema load + engine + plain form + JSON: {figures['full_concerns']:>9,.0f} estimates/s")
    if args.no_http:
        return
    results = http(bodies, 5 if args.quick else 15, args.storage)
    base = results["bare Flask, same answers"]
    print("HTTP POST /api/v1/estimates, wrk -t2 -c16 on the same cores (peak), then paced at half the peak:")
    for name, r in results.items():
        print(f"  {name:<34} {r['rps']:>7,.0f} req/s = {r['rps'] / base['rps']:>4.0%} of bare"
              f"   p50 {r['p50']:5.2f} ms  p99 {r['p99']:6.2f} ms"
              f"   | at {r['half_rps']:>6,.0f} req/s: p50 {r['half_p50']:5.2f} ms  p99 {r['half_p99']:6.2f} ms"
              f"   | server CPU {r['cpu_us']:6.0f} us/request")
    on = next(r for name, r in results.items() if "rate limit on" in name)
    off = results["quoteapi, rate limit off"]
    print(f"  ratio quoteapi / bare Flask: {off['rps'] / base['rps']:.0%} with the rate limit off, "
          f"{on['rps'] / base['rps']:.0%} with it on (target >= {TARGET_RATIO:.0%}: "
          f"{'met' if on['rps'] / base['rps'] >= TARGET_RATIO else 'NOT met'})")
    print(f"  server CPU per request, bare Flask / quoteapi (the throughput ratio on cores of their own):"
          f" {base['cpu_us'] / off['cpu_us']:.0%} with the rate limit off, {base['cpu_us'] / on['cpu_us']:.0%} with it on")
    print(f"  p99 at half the peak, rate limit on: {on['half_p99']:.2f} ms (target < {TARGET_P99_MS:g} ms: "
          f"{'met' if on['half_p99'] < TARGET_P99_MS else 'NOT met'})")


if __name__ == "__main__":
    main()
