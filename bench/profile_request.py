"""Where one `POST /api/v1/estimates` spends its time, in process (no HTTP server, no client).

Run with `.venv/bin/python bench/profile_request.py [--limit 10000000/minute]
[--storage mmap:///WORK/ratelimits.bin] [--profile]`. It prints the CPU time per request through
the whole WSGI app, for the 256 bodies of bench/workload.py, next to the
steps measured alone (schema load, request mapping, price-list check,
engine, plain form and JSON), and with ``--profile`` the functions cProfile
finds most expensive.

On a machine shared with other work, CPU time per request varies by a third
from run to run. ``--count N [--count-app bare]`` instead runs the 256
requests N times (after one warm-up pass) through quoteapi (or the bare app)
inside ``functools.reduce``, and prints nothing else. Under Valgrind, which
counts the instructions executed whatever the neighbours do,

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*functools_reduce*' \
        --callgrind-out-file=/tmp/count.out \
        .venv/bin/python bench/profile_request.py --count 2 --limit 10000000/minute
    grep ^summary /tmp/count.out

gives the instructions of 512 requests (about five minutes, most of it
importing the app under Valgrind).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import json
import os
import pstats
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from bench.workload import cpu_us, encoded, estimate_bodies  # noqa: E402
from quoteapi.adapters import clock  # noqa: E402
from quoteapi import create_app  # noqa: E402
from quoteapi.adapters.db.migrate import upgrade  # noqa: E402
from quoteapi.adapters.i18n import language  # noqa: E402
from quoteapi.interface.schemas.estimates import EstimateRequestSchema, estimate_request  # noqa: E402
from quoteapi.domain.pricing import price  # noqa: E402
from quoteapi.domain.pricing.plain import estimate_to_plain  # noqa: E402
from quoteapi.services import price_lists  # noqa: E402


def requester(wsgi):
    """One call of ``wsgi`` with an environ of the benchmark (its body under ``quoteapi.body``), answered 200."""

    def start_response(status, headers, exc_info=None):
        assert status.startswith("200"), status
        return lambda data: None

    def request(environ) -> None:
        environ = dict(environ)
        environ["wsgi.input"] = io.BytesIO(environ["quoteapi.body"])
        answer = wsgi(environ, start_response)
        for _ in answer:
            pass
        answer.close()

    return request


def count(call, items: list, rounds: int) -> None:
    """``rounds`` passes over ``items`` inside one C call Valgrind can count alone (see the module's doc)."""
    for item in items:  # warm-up: caches filled, connections open
        call(item)
    functools.reduce(lambda _, item: call(item), items * rounds, None)


def build(limit: str, storage: str, work: Path, counting: bool = False):
    # Counting under Valgrind, a request takes ~100 ms: the once-a-second price-list check would
    # query the database every few requests and make two counts of the same code differ by 13 %.
    check = {"PRICE_LIST_CHECK_SECONDS": 1e9} if counting else {}
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}", "PUBLIC_RATE_LIMIT": limit,
         "RATELIMIT_STORAGE_URI": storage.replace("WORK", str(work)), **check},
        environ={"QUOTEAPI_ENV": "production", "QUOTEAPI_LOG_LEVEL": "WARNING"},
    )
    ctx = app.extensions["quoteapi"]
    upgrade(ctx.database)
    if not price_lists.current_version(ctx):
        price_lists.seed_demo(ctx)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", default="none")
    parser.add_argument("--storage", default="mmap:///WORK/ratelimits.bin")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--count", type=int, default=0, help="run the requests N times inside functools.reduce, for Valgrind")
    parser.add_argument("--count-app", choices=("quoteapi", "bare"), default="quoteapi", help="which app --count runs")
    args, _ = parser.parse_known_args()
    work = Path(tempfile.mkdtemp(prefix="quoteapi-profile-"))
    app = build(args.limit, args.storage, work, counting=bool(args.count))
    ctx = app.extensions["quoteapi"]
    bodies = estimate_bodies()
    raw = encoded(bodies)
    environs = [
        EnvironBuilder(path="/api/v1/estimates", method="POST", data=body, content_type="application/json",
                       environ_base={"REMOTE_ADDR": "10.1.2.3"}).get_environ()
        for body in raw
    ]
    request = requester(app.wsgi_app)
    for environ, body in zip(environs, raw):
        environ["quoteapi.body"] = body
    if args.count and args.count_app == "quoteapi":
        count(request, environs, args.count)
    whole = cpu_us(request, environs, args.seconds) if not args.count else 0.0
    schema = EstimateRequestSchema()
    loaded = [schema.load(orjson.loads(b)) for b in raw]
    mapped = [estimate_request(item) for item in loaded]
    price_list = ctx.price_lists.current()
    today = clock.today()
    priced = [price(price_list, r, today) for r in mapped]
    tr = language("tr")
    steps = {} if args.count else {
        "orjson + schema load": cpu_us(lambda b: schema.load(orjson.loads(b)), raw, args.seconds),
        "request mapping": cpu_us(estimate_request, loaded, args.seconds),
        "price-list check (cache hit)": cpu_us(lambda _: ctx.price_lists.current(), raw, args.seconds),
        "engine (pricing.price)": cpu_us(lambda r: price(price_list, r, today), mapped, args.seconds),
        "plain form + orjson": cpu_us(lambda e: orjson.dumps(estimate_to_plain(e, tr)), priced, args.seconds),
    }
    # The bare app of bench/bare.py, answering each body with quoteapi's answer, through the same harness.
    answers = work / "answers.json"
    client = app.test_client()
    answers.write_text(json.dumps([[b.decode(), client.post("/api/v1/estimates", data=b, content_type="application/json")
                                    .get_data(as_text=True)] for b in raw], ensure_ascii=False), "utf-8")
    os.environ["QUOTEAPI_BENCH_ANSWERS_FILE"] = str(answers)
    from bench import bare

    bare_request = requester(bare.app.wsgi_app)

    if args.count:
        if args.count_app == "bare":
            count(bare_request, environs, args.count)
        print(f"counted {args.count} x {len(environs)} requests through {args.count_app}")
        return
    bare_us = cpu_us(bare_request, environs, args.seconds)
    print(f"bare Flask (bench/bare.py), same harness: {bare_us:.1f} us CPU per request")
    print(f"POST /api/v1/estimates in process, limit {args.limit}: {whole:.1f} us CPU per request "
          f"({whole - bare_us:.1f} us more than bare Flask)")
    for name, us in steps.items():
        print(f"  {name:<30} {us:7.1f} us")
    rest = whole - sum(steps.values())
    print(f"  {'Flask, hooks, parsing, rest':<30} {rest:7.1f} us")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(10):
            for environ in environs:
                request(environ)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
