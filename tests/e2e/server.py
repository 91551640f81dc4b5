"""Start the real thing: the `quoteapi` CLI and gunicorn with `make run`'s config."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env: dict[str, str], *args: str) -> str:
    """Run the `quoteapi` console script; its standard output."""
    done = subprocess.run(
        [str(BIN / "quoteapi"), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"quoteapi {' '.join(args)} failed: {done.stdout}\n{done.stderr}")
    return done.stdout


# Several commands in one Python process: the import of the app, not the command, is most of a
# command's second or two, and a site's set-up (migrate, seed, users, passwords) runs up to ten.
_STEPS = """
import contextlib, io, json, sys
from quoteapi.app import main
outputs = []
for args, given in json.loads(sys.stdin.read()):
    sys.argv, sys.stdin, printed = ["quoteapi", *args], io.StringIO(given), io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            main()
        except SystemExit as exit:
            if exit.code not in (0, None):
                sys.exit(f"quoteapi {' '.join(args)} failed ({exit.code}): {printed.getvalue()}")
    outputs.append(printed.getvalue())
print(json.dumps(outputs))
"""


def cli_steps(env: dict[str, str], *steps: list[str] | tuple[list[str], str]) -> list[str]:
    """Run `quoteapi` commands in order in one process, as ``cli`` runs one; each step is its arguments,
    or (arguments, standard input). Their standard outputs, in order."""
    commands = [step if isinstance(step, tuple) else (step, "") for step in steps]
    done = subprocess.run([str(BIN / "python"), "-c", _STEPS], input=json.dumps(commands), env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def site_setup(env: dict[str, str], *users: tuple[str, ...], password: str | None = None) -> dict[str, str]:
    """Migrate, load the demo list and create ``users`` (name, role, more arguments of `users create`),
    each with ``password`` when given: {name: token}."""
    steps: list = [["db", "upgrade"], ["seed-demo", "--if-empty"]]
    for name, role, *more in users:
        steps.append(["users", "create", name, "--role", role, *more])
        if password is not None:
            steps.append((["users", "set-password", name], password + "\n"))
    printed = cli_steps(env, *steps)
    made = [out for out, step in zip(printed, steps) if isinstance(step, list) and step[:2] == ["users", "create"]]
    return {user[0]: out.strip().splitlines()[-1] for user, out in zip(users, made, strict=True)}


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTEAPI_")}
    # Rate-limit counters of their own (shared by the servers of this env), not
    # the instance folder's file that every run on this machine would share.
    limits = Path(tempfile.mkdtemp(prefix="quoteapi-ratelimits-")) / "ratelimits.bin"
    env.update(QUOTEAPI_DATABASE_URL=database_url, QUOTEAPI_ACCESS_LOG="/dev/null",
               QUOTEAPI_RATELIMIT_STORAGE_URI=f"mmap:///{limits}")
    env.update(extra)
    return env


class Gunicorn:
    """One gunicorn server, started as `make run` starts it."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 3) -> None:
        self.log = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "QUOTEAPI_BIND": f"127.0.0.1:{self.port}", "QUOTEAPI_WORKERS": str(workers)}
        self.process: subprocess.Popen | None = None

    def start(self) -> "Gunicorn":
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", "wsgi:app"],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:  # not listening yet, or busy starting
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn was not ready in 30 s: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
