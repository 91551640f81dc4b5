"""Outbox benchmark: queued e-mails delivered to a local SMTP server (aiosmtpd, in a process of its own).

Run with `.venv/bin/python bench/outbox.py [--quick] [--count 1000] [--quotes 50] [--distinct 1000]`; it prints
figures and asserts nothing. Three runs on a fresh SQLite database, each with one sender
(`services/outbox.deliver_due`, as `quoteapi outbox run` calls it, batches of 50):

1. ``--count`` notices to staff (rendered from templates, no PDF);
2. ``--count`` quote e-mails (HTML + text + the PDF + the link) over ``--quotes`` quotes,
   as reminders are: each quote's PDF is made once and reused (the sender keeps the last 32);
3. ``--distinct`` quote e-mails, each for a quote of its own, queued as the send use case
   queues them (``services/sending.send_quote``, one after the other, as the send requests would):
   each send makes the quote's PDF before its transaction and stores it (``sent_documents``),
   and the sender attaches the stored bytes. Two figures: the time to queue (what the send
   requests paid, the PDFs' making included) and the delivery.

The target (issue 27) is 1,000 queued e-mails delivered in under 60 s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quoteapi.adapters import clock  # noqa: E402
from quoteapi.adapters import mail as mails  # noqa: E402
from quoteapi.adapters.db import outbox_store, quote_store  # noqa: E402
from quoteapi.adapters.db.migrate import upgrade  # noqa: E402
from quoteapi.domain.pricing.model import AreaRequest, EstimateRequest  # noqa: E402
from quoteapi.domain.quotes import Customer  # noqa: E402
from quoteapi.services import outbox, price_lists, quotes, sending  # noqa: E402
from quoteapi.services.commands import CreateQuote, SendQuote  # noqa: E402
from quoteapi.services.context import Context  # noqa: E402
from tests.smtp_server import free_port  # noqa: E402


def smtp_server(port: int, received, ready) -> None:
    """A counting SMTP server (run in its own process, so that it does not share the sender's core)."""
    import asyncio

    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope):
            with received.get_lock():
                received.value += 1
            return "250 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        asyncio.run(asyncio.sleep(10**6))
    finally:
        controller.stop()


def fresh_context(directory: Path, name: str) -> Context:
    ctx = Context.build(f"sqlite:///{directory / name}.sqlite3", price_list_check_seconds=60.0)
    upgrade(ctx.database)
    price_lists.seed_demo(ctx)
    return ctx


def make_quotes(ctx: Context, count: int) -> list[str]:
    numbers = []
    for i in range(count):
        inputs = EstimateRequest("ist-kadikoy", (AreaRequest("face"),), "aesthetician", 1 + i % 6)
        customer = Customer(f"Müşteri {i}", f"customer{i}@example.com", None)
        numbers.append(quotes.create_quote(ctx, CreateQuote(inputs=inputs, customer=customer, source="staff", by="sam")).quote.number)
    return numbers


def queue_quote_mails(ctx: Context, numbers: list[str], count: int) -> None:
    now = clock.now()
    with ctx.database.transaction() as session:
        rows = {n: quote_store.load(session, n) for n in numbers}
        for i in range(count):
            number = numbers[i % len(numbers)]
            outbox_store.enqueue(session, kind="quote", language="tr", recipient=f"customer{i}@example.com",
                                 payload={"number": number, "revision": 1, "link": f"https://q.example/q/token{i}",
                                          "message": "Görüşmek üzere.", "by": "sam"}, now=now, quote=rows[number])


def send_quote_mails(ctx: Context, numbers: list[str]) -> tuple[float, float]:
    """Each quote sent by e-mail as POST .../send does it (the PDF made and stored); wall and CPU seconds."""
    started, cpu = time.perf_counter(), time.process_time()
    for number in numbers:
        sending.send_quote(ctx, SendQuote(number, "sam", "email", "https://q.example", message="Görüşmek üzere."))
    return time.perf_counter() - started, time.process_time() - cpu


def queue_notices(ctx: Context, count: int) -> None:
    now = clock.now()
    with ctx.database.transaction() as session:
        for i in range(count):
            outbox_store.enqueue(session, kind="staff-notice", language="tr", recipient=f"staff{i}@clinic.example",
                                 payload={"number": f"Q-0000-{i:06d}", "event": "accepted", "text": None, "user": "sam"},
                                 now=now)


def deliver_all(ctx: Context, port: int) -> tuple[float, float, int]:
    """Wall-clock seconds, the sender's CPU seconds, and how many were sent."""
    mailer = mails.SmtpMailer(mails.SmtpSettings.from_url(f"smtp://127.0.0.1:{port}", 10.0))
    started, cpu = time.perf_counter(), time.process_time()
    sent = 0
    while True:
        done = outbox.deliver_due(ctx, mailer)
        if not done.outcomes:
            break
        sent += done.sent
    return time.perf_counter() - started, time.process_time() - cpu, sent


def one_sender(url: str, port: int, start, results) -> None:
    """A sender process of its own (as a second `quoteapi outbox run` would be)."""
    ctx = Context.build(url, price_list_check_seconds=60.0)
    start.wait()
    results.put(deliver_all(ctx, port))
    ctx.database.dispose()


def deliver_with(ctx: Context, port: int, senders: int) -> tuple[float, float, int]:
    """Wall-clock seconds from the start to the last sender's end, CPU seconds of all senders, messages sent."""
    if senders == 1:
        return deliver_all(ctx, port)
    start, results = multiprocessing.Event(), multiprocessing.Queue()
    url = str(ctx.database.engine.url)
    processes = [multiprocessing.Process(target=one_sender, args=(url, port, start, results)) for _ in range(senders)]
    for p in processes:
        p.start()
    time.sleep(1.0)  # each has imported and connected
    began = time.perf_counter()
    start.set()
    done = [results.get() for _ in processes]
    for p in processes:
        p.join()
    return time.perf_counter() - began, sum(d[1] for d in done), sum(d[2] for d in done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--quotes", type=int, default=50, help="quotes the --count quote e-mails are spread over")
    parser.add_argument("--distinct", type=int, default=1000, help="quote e-mails each for a quote of its own (0: skip)")
    parser.add_argument("--senders", type=int, default=1, help="sender processes at once (claims keep them apart)")
    parser.add_argument("--quick", action="store_true", help="200 e-mails and 20 distinct quotes: a smoke run")
    args, _ = parser.parse_known_args()
    if args.quick:
        args.count, args.quotes, args.distinct = 200, 10, 20

    port = free_port()
    received = multiprocessing.Value("i", 0)
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=smtp_server, args=(port, received, ready), daemon=True)
    server.start()
    ready.wait(10)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    try:
        with tempfile.TemporaryDirectory() as directory:
            print(f"{args.senders} sender process(es)", flush=True)
            runs = [("staff notices (no PDF)", "notices", args.count, 0),
                    (f"quote e-mails over {args.quotes} quotes (PDF made once per quote)", "reminders", args.count, args.quotes)]
            if args.distinct:
                runs.append(("quote e-mails, a quote each (PDF made and stored at the send)", "distinct", args.distinct,
                             args.distinct))
            for label, name, count, quote_count in runs:
                ctx = fresh_context(Path(directory), name)
                if name == "distinct":
                    queued, queued_cpu = send_quote_mails(ctx, make_quotes(ctx, quote_count))
                    print(f"{count:>6} sends queuing {label}: {queued:7.1f} s, {queued / count * 1000:5.0f} ms a send; "
                          f"CPU {queued_cpu:6.1f} s (one after the other, in this process)", flush=True)
                elif quote_count:
                    queue_quote_mails(ctx, make_quotes(ctx, quote_count), count)
                else:
                    queue_notices(ctx, count)
                before = received.value
                seconds, cpu, sent = deliver_with(ctx, port, args.senders)
                got = received.value - before
                print(f"{count:>6} {label}: {seconds:7.1f} s, {sent / seconds:6.1f} e-mails/s; the sender's CPU "
                      f"{cpu:6.1f} s ({sent} sent, {got} received by the server)", flush=True)
                ctx.database.dispose()
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
