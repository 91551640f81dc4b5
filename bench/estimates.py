"""Estimate benchmarks: the engine in process, and the HTTP API against bare Flask.

Run with `.venv/bin/python bench/estimates.py [--quick]` (or `make bench`); it
prints figures and asserts nothing. HTTP load comes from `wrk` (Debian
package `wrk`, installed by this script as root when missing), which shares
the machine's cores with the server: the ratio is the figure to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quoteapi.domain.pricing import price  # noqa: E402
from quoteapi.domain.pricing.model import AreaRequest, EstimateRequest  # noqa: E402
from quoteapi.api.schemas.estimates import EstimateRequestSchema, estimate_request  # noqa: E402
from quoteapi.domain.price_list import from_plain  # noqa: E402
from quoteapi.domain.pricing.plain import estimate_to_plain  # noqa: E402
from quoteapi.domain.pricing import price as price_on  # noqa: E402
from quoteapi.services.price_lists import demo_document  # noqa: E402
from tests.e2e.server import BIN, free_port, server_env  # noqa: E402

# 2 areas, 2 products, 6 sessions, on a day when campaigns run.
BODY = {
    "clinic": "ist-nisantasi",
    "areas": [{"code": "face"}, {"code": "neck"}],
    "products": ["hyaluronic-acid", "vitamin-cocktail"],
    "specialist_level": "nurse",
    "sessions": 6,
    "start_date": "2026-12-25",
}


def per_second(call, seconds: float, rounds: int = 3) -> float:
    """The best of a few timed loops, in calls per second."""
    best = 0.0
    for _ in range(rounds):
        count, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            for _ in range(200):
                call()
            count += 200
        best = max(best, count / elapsed)
    return best


def in_process(seconds: float) -> dict[str, float]:
    price_list = from_plain(demo_document(), version=1)
    request = EstimateRequest(
        clinic="ist-nisantasi",
        areas=(AreaRequest("face"), AreaRequest("neck")),
        specialist_level="nurse",
        sessions=6,
        start_date=date(2026, 12, 25),
        products=("hyaluronic-acid", "vitamin-cocktail"),
    )
    applied = price(price_list, request).applied_campaigns
    assert applied, "no campaign applies: the benchmark would not measure step 8"
    schema = EstimateRequestSchema()
    raw = json.dumps(BODY)

    def full_path() -> None:
        loaded = schema.load(json.loads(raw))
        json.dumps(estimate_to_plain(price_on(price_list, estimate_request(loaded), date.today())))

    return {
        "engine": per_second(lambda: price(price_list, request), seconds),
        "full": per_second(full_path, seconds),
        "campaigns": ", ".join(applied),
    }


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is missing: install the Debian package wrk (apt-get install wrk)")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk")


def start(app: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**env, "QUOTEAPI_BIND": f"127.0.0.1:{port}"}
    with log.open("ab") as out:
        process = subprocess.Popen([str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", app], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.post(url + "/api/v1/estimates", json=BODY, timeout=2)
            return process, url
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    sys.exit(f"{app} did not start: {log.read_text()[-2000:]}")


def load(wrk: str, url: str, seconds: int, connections: int) -> dict[str, float]:
    script = Path(tempfile.mkdtemp()) / "post.lua"
    body = json.dumps(BODY).replace("\\", "\\\\").replace('"', '\\"')
    script.write_text(f'wrk.method = "POST"\nwrk.body = "{body}"\nwrk.headers["Content-Type"] = "application/json"\n')
    subprocess.run([wrk, "-t2", f"-c{connections}", "-d2s", "-s", str(script), url + "/api/v1/estimates"], capture_output=True, check=True)
    out = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url + "/api/v1/estimates"],
        capture_output=True, text=True, check=True,
    ).stdout
    if "Non-2xx" in out:
        sys.exit(f"the server answered errors under load; figures would be meaningless:\n{out}")

    def latency(percentile: str) -> float:
        value, unit = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
    }


def http(seconds: int, connections: int) -> dict[str, dict[str, float]]:
    wrk = ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="quoteapi-bench-"))
    env = server_env(f"sqlite:///{work / 'bench.sqlite3'}", QUOTEAPI_PUBLIC_RATE_LIMIT="none")
    for command in (["db", "upgrade"], ["seed-demo", "--if-empty"]):
        subprocess.run([str(BIN / "quoteapi"), *command], cwd=ROOT, env=env, check=True, capture_output=True)
    results = {}
    process, url = start("wsgi:app", env, work / "quoteapi.log")
    try:
        answer = requests.post(url + "/api/v1/estimates", json=BODY, timeout=5)
        assert answer.status_code == 200 and answer.json()["applied_campaigns"], answer.text
        (work / "body.json").write_bytes(answer.content)
        results["quoteapi"] = load(wrk, url, seconds, connections)
    finally:
        process.terminate()
        process.wait()
    limited = {**env, "QUOTEAPI_PUBLIC_RATE_LIMIT": "100000000/minute"}
    process, url = start("wsgi:app", limited, work / "limited.log")
    try:
        results["quoteapi, rate limit on"] = load(wrk, url, seconds, connections)
    finally:
        process.terminate()
        process.wait()
    bare_env = {**env, "QUOTEAPI_BENCH_BODY_FILE": str(work / "body.json")}
    process, url = start("bench.bare:app", bare_env, work / "bare.log")
    try:
        assert requests.post(url + "/api/v1/estimates", json=BODY, timeout=5).content == (work / "body.json").read_bytes()
        results["bare Flask"] = load(wrk, url, seconds, connections)
    finally:
        process.terminate()
        process.wait()
    return results


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.machine())
    workers = os.environ.get("QUOTEAPI_WORKERS", str((os.cpu_count() or 1) * 2 + 1))
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, gunicorn sync workers: {workers}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    figures = in_process(0.5 if args.quick else 2.0)
    print(f"in process, one core, request with campaigns ({figures['campaigns']}):")
    print(f"  engine only (pricing.price):                     {figures['engine']:>9,.0f} estimates/s")
    print(f"  schema load + engine + JSON answer:              {figures['full']:>9,.0f} estimates/s")
    results = http(5 if args.quick else 15, 16)
    print("HTTP POST /api/v1/estimates, wrk -t2 -c16 on the same 2 cores:")
    for name, r in results.items():
        print(f"  {name:<28} {r['rps']:>8,.0f} req/s   p50 {r['p50']:6.2f} ms   p99 {r['p99']:6.2f} ms")
    base = results["bare Flask"]["rps"]
    print(f"  ratio quoteapi / bare Flask: {results['quoteapi']['rps'] / base:.0%}"
          f" (rate limit on: {results['quoteapi, rate limit on']['rps'] / base:.0%})")


if __name__ == "__main__":
    main()
