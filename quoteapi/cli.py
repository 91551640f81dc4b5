"""The ``quoteapi`` command: a Flask CLI group for admins and the sales desk."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from marshmallow import ValidationError

from .adapters import spreadsheets
from .domain import price_list as document
from .domain.errors import DomainError
from .domain.personal_data import Person
from .interface.schemas.admin import UserDetailsSchema
from .interface.schemas.customers import CustomerDataSchema, CustomerQuerySchema
from .interface.schemas.estimates import EstimateRequestSchema, estimate_request
from .interface.schemas.fields import flatten_messages
from .interface.schemas.price_list import PriceListSchema
from .services import estimates, personal_data, price_changes, price_lists, users
from .services.context import Context
from .services.verification import verify_all


def _ctx() -> Context:
    return current_app.extensions["quoteapi"]


def _actor() -> str:
    """Who made a change from the command line, for versions and the audit log."""
    return f"cli:{getpass.getuser()}"


def _fail(message: str, errors: dict[str, list[str]] | None = None) -> None:
    click.echo(f"Error: {message}", err=True)
    for path, msgs in (errors or {}).items():
        click.echo(f"  {path}: {' '.join(map(str, msgs))}", err=True)
    sys.exit(1)


# --- db ---------------------------------------------------------------------

db = AppGroup("db", help="Database schema.")


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema (Alembic)."""
    from .adapters.db.migrate import upgrade

    upgrade(_ctx().database, revision)
    click.echo(f"Database schema is at {revision}.")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when a price list exists.")
def seed_demo(if_empty: bool) -> None:
    """Load the demo price list (only into an empty database)."""
    try:
        info = price_lists.seed_demo(_ctx())
    except DomainError as exc:
        if if_empty:
            click.echo("A price list is already loaded; the demo was not loaded.")
            return
        _fail(str(exc))
    click.echo(f"Demo price list loaded as version {info.version}.")


# --- users ------------------------------------------------------------------

users_group = AppGroup("users", help="Users and their tokens.")


def _user_details(full_name: str | None, email: str | None, language: str | None = None) -> dict[str, str | None]:
    """The options given, checked as the API checks them (UserDetailsSchema)."""
    given = {k: v for k, v in (("full_name", full_name), ("email", email), ("language", language)) if v is not None}
    try:
        return UserDetailsSchema().load(given)
    except ValidationError as error:
        _fail("Invalid options.", {f"--{k.replace('_', '-')}": v for k, v in flatten_messages(error.messages).items()})
        raise  # pragma: no cover - _fail exits


@users_group.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(users.ROLES), required=True)
@click.option("--full-name", default=None, help="Their full name, as customers read it on quotes.")
@click.option("--email", default=None, help="Their e-mail address (notices; the Reply-To of quotes they send).")
@click.option("--language", default=None, help="The language of their notices and digest: tr or en (default: DEFAULT_LANGUAGE).")
def users_create(name: str, role: str, full_name: str | None, email: str | None, language: str | None) -> None:
    """Create a user; prints the token, alone, as the last line."""
    details = _user_details(full_name, email, language)
    try:
        created = users.create_user(_ctx(), name, role, by=_actor(), **details)
    except DomainError as exc:
        _fail(str(exc.detail))
    click.echo(f"Created {role} user {name!r}. The token is shown once; keep it safe:")
    click.echo(created.token)


@users_group.command("list")
def users_list() -> None:
    """List users: name, role, active or revoked, full name, e-mail and language."""
    for user in users.list_users(_ctx()):
        state = "active" if user.active else f"revoked {user.revoked_at:%Y-%m-%d}"
        extra = "  ".join(v for v in (user.full_name, user.email, user.language) if v)
        click.echo(f"{user.name:<24} {user.role:<6} {state:<18} {extra}".rstrip())


@users_group.command("set")
@click.argument("name")
@click.option("--full-name", default=None, help='Their full name; "" clears it.')
@click.option("--email", default=None, help='Their e-mail address; "" clears it.')
@click.option("--language", default=None, help='The language of their notices and digest: tr or en; "" for the default.')
def users_set(name: str, full_name: str | None, email: str | None, language: str | None) -> None:
    """Change a user's full name, e-mail and/or language (an option left out is kept)."""
    details = _user_details(full_name, email, language)
    if not details:
        _fail("Give --full-name, --email and/or --language.")
    try:
        user = users.set_details(_ctx(), name, details, by=_actor())
    except DomainError as exc:
        _fail(str(exc.detail), {k: [str(m) for m in v] for k, v in exc.errors.items()} or None)
    click.echo(f"{user.name}: full name {user.full_name or '-'}, e-mail {user.email or '-'}, "
               f"language {user.language or '-'}.")


@users_group.command("revoke")
@click.argument("name")
def users_revoke(name: str) -> None:
    """Revoke a user's token."""
    try:
        users.revoke_user(_ctx(), name, by=_actor())
    except DomainError as exc:
        _fail(str(exc.detail))
    click.echo(f"Revoked {name!r}.")


@users_group.command("set-password")
@click.argument("name")
def users_set_password(name: str) -> None:
    """Set a user's password for the staff console (/desk), read from standard input.

    At a terminal it is asked twice without echo; from a pipe, the first line is the password.
    Only a slow salted hash (argon2id) is stored.
    """
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            _fail("The two passwords differ.")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        users.set_password(_ctx(), name, password, by=_actor())
    except DomainError as exc:
        _fail(str(exc.detail))
    click.echo(f"Password set for {name!r}.")


# --- price list -------------------------------------------------------------

price_list_group = AppGroup("price-list", help="Export and import the whole price list.")


FORMATS = (".json", ".yaml", ".yml", ".csv")


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise click.BadParameter("Use a .json, .yaml, .yml or .csv file.", param_hint="FILE")
    return suffix


@price_list_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def price_list_export(file: Path) -> None:
    """Write the current price list to FILE (.json, .yaml, .csv)."""
    suffix = _format(file)
    stored = price_lists.get_document(_ctx())
    doc = stored.document
    if suffix == ".json":
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    elif suffix == ".csv":
        text = spreadsheets.to_csv(doc)
    else:
        text = spreadsheets.to_yaml(doc)
    file.write_text(text, "utf-8")
    click.echo(f"Exported version {stored.info.version} to {file}.")


def _timestamp(_ctx_, _param, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("Use an ISO 8601 timestamp with its offset, e.g. 2027-01-01T00:00:00+03:00.") from None
    if moment.tzinfo is None:
        raise click.BadParameter("Give the offset too, e.g. 2027-01-01T00:00:00+03:00.")
    return moment


@price_list_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", default=None, help="Name recorded as the author of the version (default: cli:<login>).")
@click.option("--dry-run", is_flag=True, help="Check FILE and print what it would change (open quotes, catalogue); store nothing.")
@click.option("--effective-from", callback=_timestamp, metavar="TIMESTAMP",
              help="Schedule the change: a future ISO 8601 timestamp with its offset.")
def price_list_import(file: Path, by: str | None, dry_run: bool, effective_from: datetime | None) -> None:
    """Replace the price list with FILE (.json, .yaml, .csv); nothing changes on any error."""
    ctx = _ctx()
    suffix = _format(file)
    rows: dict = {}
    invalid = f"{file} is not a valid price list; nothing was changed."
    try:
        if suffix == ".csv":  # as a spreadsheet saved it: UTF-8 or Windows-1254, commas or semicolons
            reading = spreadsheets.read_csv(file.read_bytes())
            data, rows = reading.doc, reading.rows
        elif suffix == ".json":
            data = json.loads(file.read_text("utf-8"))
        else:
            data = spreadsheets.from_yaml(file.read_text("utf-8"))
        if not isinstance(data, dict):
            _fail(invalid, {"_body": ["Must be a JSON object."]})
        data.pop("version", None)
        price_list = document.from_plain(PriceListSchema().load(data))
        before = price_lists.current_version(ctx)
        info = price_lists.replace_price_list(
            ctx, price_list, expected_version=price_lists.ANY_VERSION, by=by or _actor(),
            effective_from=effective_from, dry_run=dry_run,
        )
        if dry_run:
            _print_dry_run(file, price_changes.preview(ctx, info), rows)
            return
    except (ValueError, UnicodeDecodeError) as exc:
        _fail(f"{file} could not be read: {exc}")
    except ValidationError as exc:
        _fail(invalid, spreadsheets.relabel(flatten_messages(exc.messages), rows))
    except DomainError as exc:
        _fail(invalid, spreadsheets.relabel(exc.errors, rows) or {"_": [exc.detail]})
    if before and info.version == before.version:
        click.echo(f"{file} holds no changes; the price list stays at version {info.version}.")
    elif info.state == "scheduled":
        click.echo(f"Scheduled {file} as version {info.version} from {info.effective_from.isoformat()}: {info.summary}")
    else:
        click.echo(f"Imported {file} as version {info.version}: {info.summary}")
    for warning in info.warnings:
        click.echo(f"Warning: {warning.message}")


def _table(headers: list[str], lines: list[list[str]], right: set[int] = frozenset()) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *lines)]

    def row(values) -> str:
        cells = [str(v).rjust(w) if i in right else str(v).ljust(w) for i, (v, w) in enumerate(zip(values, widths))]
        return "  ".join(cells).rstrip()

    click.echo(row(headers))
    for line in lines:
        click.echo(row(line))


def _signed(value) -> str:
    return f"{value:+.2f}"


def _print_dry_run(file: Path, dry: price_changes.DryRun, rows: dict) -> None:
    plan = dry.plan
    click.echo(f"Dry run of {file}: nothing was stored.")
    if not plan.valid:
        _fail(f"{file} would be refused:", spreadsheets.relabel(plan.errors, rows))
    if plan.version is None:
        click.echo("No changes.")
        return
    when = f"from {plan.effective_from.isoformat()}" if plan.state == "scheduled" else "at once"
    click.echo(f"It would become version {plan.version}, in force {when}: {plan.summary}")
    for warning in plan.warnings:
        click.echo(f"Warning: {warning.message}")
    impact = dry.impact
    click.echo(
        f"Open quotes: {impact.open_quotes} (dearer {impact.dearer}, cheaper {impact.cheaper}, unchanged "
        f"{impact.unchanged}, cannot be priced {impact.unpriced_count}); difference {_signed(impact.difference_total)}"
    )
    if impact.largest_changes:
        click.echo("")
        click.echo("Largest changes:")
        _table(["quote", "clinic", "total now", "revised", "difference"],
               [[c.number, c.clinic, f"{c.total_before:.2f}", f"{c.total_after:.2f}", _signed(c.difference)]
                for c in impact.largest_changes], right={2, 3, 4})
    for unpriced in impact.unpriced:
        click.echo(f"Cannot be priced: {unpriced.number}: {unpriced.reason}")
    changed = [a for a in impact.catalog if a.changed]
    if changed:
        click.echo("")
        click.echo("One session, per clinic:")
        money = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
        _table(["clinic", "area", "before", "after"],
               [[a.clinic, a.area, money(a.before), money(a.after)] for a in changed], right={2, 3})


@price_list_group.command("versions")
def price_list_versions() -> None:
    """Every version, newest first: when it takes effect, its state, who made it and what changed."""
    found = price_lists.list_versions(_ctx())
    _table(
        ["version", "effective_from", "state", "by", "summary"],
        [[v.version, v.effective_from.isoformat(timespec="seconds"), v.state, v.created_by or "", _short(v.summary)]
         for v in found],
        right={0},
    )


def _short(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- estimate ---------------------------------------------------------------


def _resolve(code: str, known: list[str]) -> str:
    """The desk may type a unique prefix or the initials of a code (``ha``)."""
    if code in known:
        return code
    prefixed = [k for k in known if k.startswith(code)]
    if len(prefixed) == 1:
        return prefixed[0]
    initials = [k for k in known if "".join(w[0] for w in k.split("-") if w) == code]
    if len(initials) == 1:
        return initials[0]
    return code  # unknown: the engine names it


class WholeNumber(click.ParamType):
    """An integer of ASCII digits (click's ``int`` takes ``٥`` for 5)."""

    name = "integer"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        digits = text[1:] if text[:1] == "-" else text
        if not (digits.isascii() and digits.isdigit()):
            self.fail(f"{value!r} is not a whole number of digits 0-9.", param, ctx)
        return int(text)


@click.command("estimate")
@with_appcontext
@click.option("--clinic", required=True)
@click.option("--area", "areas", multiple=True, required=True, help="CODE or CODE:SIZE_CM2; repeat for more.")
@click.option("--product", "products", multiple=True, help="Repeat for more.")
@click.option("--level", required=True, help="Specialist level.")
@click.option("--sessions", type=WholeNumber(), required=True)
@click.option("--start-date", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--coupon")
def estimate_command(clinic, areas, products, level, sessions, start_date, coupon) -> None:
    """Print an itemised estimate as a table."""
    price_list = _ctx().price_lists.current()
    area_codes = [a.code for a in price_list.areas]
    body: dict[str, Any] = {
        "clinic": _resolve(clinic, [c.code for c in price_list.clinics]),
        "areas": [],
        "products": [_resolve(p, [p.code for p in price_list.products]) for p in products],
        "specialist_level": _resolve(level, [lv.code for lv in price_list.specialist_levels]),
        "sessions": sessions,
        "coupon": coupon,
    }
    for area in areas:
        code, _, size = area.partition(":")
        body["areas"].append({"code": _resolve(code, area_codes), **({"size_cm2": size} if size else {})})
    if start_date:
        body["start_date"] = start_date.date().isoformat()
    try:
        result = estimates.estimate(_ctx(), estimate_request(EstimateRequestSchema().load(body)))
    except ValidationError as exc:
        _fail("The estimate has invalid options.", flatten_messages(exc.messages))
    except DomainError as exc:
        _fail("The estimate has invalid options.", exc.errors)
    click.echo(render_table(result))


def render_table(e) -> str:
    """An estimate as a fixed-width table for a terminal."""
    rows = [(str(line.description), str(line.quantity), f"{line.unit_price:.2f}", f"{line.amount:.2f}") for line in e.lines]
    headers = ("Item", "Qty", "Unit", f"Amount ({e.currency})")
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(4)]

    def fmt(row) -> str:
        return "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )

    rule = "-" * len(fmt(headers))
    out = [f"Estimate for {e.clinic}, {e.sessions} session(s) from {e.start_date} (price list v{e.price_list_version})", rule, fmt(headers), rule]
    out += [fmt(r) for r in rows]
    out.append(rule)
    tax_note = "included" if e.total == e.net else "added"
    for label, value in (
        ("Subtotal", e.subtotal),
        ("Discounts", -e.discount_total),
        ("Net", e.net),
        (f"Tax {(e.tax_rate * 100).normalize():f} % ({tax_note})", e.tax_total),
        ("Total", e.total),
        ("Per session", e.per_session),
    ):
        out.append(fmt((label, "", "", f"{value:.2f}")))
    out.append(rule)
    out.append("Campaigns: " + (", ".join(e.applied_campaigns) or "none"))
    out.append(f"Eligibility: {e.eligibility.status.value}" + "".join(f"\n  - {r}" for r in e.eligibility.reasons))
    out.append("Sessions: " + ", ".join(d.isoformat() for d in e.schedule))
    return "\n".join(out)


# --- quotes -----------------------------------------------------------------

quotes_group = AppGroup("quotes", help="Stored quotes.")


@quotes_group.command("verify")
def quotes_verify() -> None:
    """Price every stored revision again with its own price-list version and dates; list what differs."""
    checked = differ = 0
    for number, revision, verification in verify_all(_ctx()):
        checked += 1
        if not verification.matches:
            differ += 1
            click.echo(f"{number} revision {revision}:")
            for d in verification.differences:
                click.echo(f"  {d.field}: stored {d.stored!r}, replayed {d.replayed!r}")
    click.echo(f"{checked} revisions checked, {differ} differ")
    if differ:
        sys.exit(1)


# --- personal data -----------------------------------------------------------

customers_group = AppGroup("customers", help="Personal data (KVKK, GDPR): export or erase what is stored about a person.")


def _person(email: str | None, phone: str | None) -> Person:
    """The person named by --email or --phone, checked as the API checks them."""
    given = {name: value for name, value in (("email", email), ("phone", phone)) if value is not None}
    try:
        return Person(**CustomerQuerySchema().load(given))
    except ValidationError as exc:
        _fail("Name one person with --email or --phone.", flatten_messages(exc.messages))


@customers_group.command("show")
@click.option("--email")
@click.option("--phone")
def customers_show(email: str | None, phone: str | None) -> None:
    """Print everything stored about a person as JSON (what GET /api/v1/admin/customers answers)."""
    data = personal_data.find_customer(_ctx(), _person(email, phone))
    click.echo(json.dumps(CustomerDataSchema().dump(data), indent=2, ensure_ascii=False))


@customers_group.command("erase")
@click.option("--email")
@click.option("--phone")
def customers_erase(email: str | None, phone: str | None) -> None:
    """Erase a person's personal data from every quote, note and audit entry; safe to repeat."""
    erasure = personal_data.erase_customer(_ctx(), _person(email, phone), by=_actor())
    click.echo(str(erasure.detail))
    click.echo(f"{erasure.quotes_changed} quote(s) changed")


@click.command("maintenance")
@with_appcontext
def maintenance() -> None:
    """Apply the retention rules (run daily from cron): old idempotency keys, stale website requests, old outbox messages."""
    config = current_app.config
    done = personal_data.maintain(
        _ctx(), retention_days=config["RETENTION_DAYS"], idempotency_ttl_hours=config["IDEMPOTENCY_TTL_HOURS"],
        by=_actor(),
    )
    click.echo(
        f"Removed {done.idempotency_keys_removed} idempotency key(s) stored before "
        f"{done.idempotency_cutoff:%Y-%m-%d %H:%M} UTC (QUOTEAPI_IDEMPOTENCY_TTL_HOURS={config['IDEMPOTENCY_TTL_HOURS']})."
    )
    erased = f": {', '.join(done.requests_erased)}" if done.requests_erased else ""
    click.echo(
        f"Erased the personal data of {len(done.requests_erased)} website request(s) new, declined or expired and "
        f"untouched since before {done.retention_cutoff:%Y-%m-%d} (QUOTEAPI_RETENTION_DAYS={config['RETENTION_DAYS']}){erased}."
    )
    click.echo(f"Removed {done.messages_removed} outbox message(s) created before {done.retention_cutoff:%Y-%m-%d}.")
    click.echo(f"Removed {done.documents_removed} sent PDF(s) unused since {done.retention_cutoff:%Y-%m-%d}.")


# --- outbox -------------------------------------------------------------------

outbox_group = AppGroup("outbox", help="The outbox's sender: e-mail to customers and staff.")


def _outbox_setup() -> tuple[Any, Any]:
    """The mailer the settings name (QUOTEAPI_MAIL_URL, else .eml files) and the sender's settings."""
    import os

    from .adapters import mail
    from .services import outbox

    config = current_app.config
    mailer = mail.mailer_for(config.get("MAIL_URL"), config["MAIL_DIRECTORY"], config["MAIL_TIMEOUT"])
    # QUOTEAPI_PUBLIC_URL (checked with the settings), else where `make run` listens: the console's links in notices.
    public_url = config.get("PUBLIC_URL") or f"http://{os.environ.get('QUOTEAPI_BIND') or '127.0.0.1:8000'}"
    backoff = tuple(timedelta(seconds=s) for s in config["OUTBOX_RETRY_SECONDS"])
    return mailer, outbox.Settings(mail_from=config["MAIL_FROM"], public_url=public_url, backoff=backoff)


def _log_outcomes(delivery: Any, log: Any) -> None:
    for o in delivery.outcomes:
        about = f"{o.kind} message {o.message_id}" + (f" about {o.number}" if o.number else "")
        if o.result == "sent":
            log.info("%s delivered", about)
        elif o.result == "retry":
            log.warning("%s not delivered (try %s), retried at %s: %s", about, o.attempts,
                        f"{o.due_at:%Y-%m-%d %H:%M:%S} UTC", o.reply)
        elif o.result == "failed":
            log.error("%s failed after %s tries: %s", about, o.attempts, o.reply)


@outbox_group.command("send-due")
@click.option("--limit", type=click.IntRange(1, 10000), default=500, show_default=True,
              help="The most messages to deliver in this run.")
def outbox_send_due(limit: int) -> None:
    """Deliver the messages that are due, once, and print how many went, will be retried, failed."""
    import logging

    from .services import outbox

    mailer, settings = _outbox_setup()
    total = outbox.Delivery()
    while len(total.outcomes) < limit:
        done = outbox.deliver_due(_ctx(), mailer, limit=min(outbox.BATCH, limit - len(total.outcomes)),
                                  settings=settings)
        _log_outcomes(done, logging.getLogger("quoteapi.outbox"))
        total.outcomes += done.outcomes
        if len(done.outcomes) == 0 or done.retried:
            break
    click.echo(f"{total.sent} delivered, {total.retried} to retry, {total.failed} failed ({mailer.description}).")


@outbox_group.command("run")
def outbox_run() -> None:
    """Deliver messages as they fall due, every QUOTEAPI_OUTBOX_POLL_SECONDS, until SIGTERM or SIGINT."""
    import logging
    import signal
    import threading

    from .services import outbox

    log = logging.getLogger("quoteapi.outbox")
    mailer, settings = _outbox_setup()
    poll = current_app.config["OUTBOX_POLL_SECONDS"]
    stop = threading.Event()

    def stopping(signum: int, _frame: Any) -> None:
        log.info("%s received, stopping after the current message", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stopping)
    log.info("sender started, delivering to %s every %s s", mailer.description, poll)
    while not stop.is_set():
        try:
            done = outbox.deliver_due(_ctx(), mailer, settings=settings, stop=stop.is_set)
        except Exception:  # the database away for a moment: said once per poll, tried again
            log.exception("could not read the outbox")
            done = outbox.Delivery()
        _log_outcomes(done, log)
        # A full batch: more may be due at once; otherwise wait for the next poll.
        if len(done.outcomes) < outbox.BATCH or done.retried:
            stop.wait(poll)
    log.info("sender stopped")


# --- notifications -------------------------------------------------------------

notify_group = AppGroup("notify", help="Staff notifications: the morning digest.")


@notify_group.command("digest")
@click.option("--again", is_flag=True, help="Queue it even to users who got today's digest already.")
def notify_digest(again: bool) -> None:
    """Queue the morning digest to each active sales user with an e-mail (run each working morning).

    Each gets one message in their language: today's follow-ups, the quotes expiring this week, the
    new website requests nobody has taken, and the customers who opened their link since the last
    digest; a user with nothing to tell gets none, and one who got today's gets no second one (so the
    timer may run on every app server) unless --again. The outbox's sender delivers them.
    """
    from .adapters.i18n import language
    from .domain.text import T
    from .services import digests

    done = digests.queue_digests(_ctx(), again=again)
    said = T("Digest: {queued} message(s) queued; {skipped} sales user(s) had nothing to tell and got none.",
             queued=done.queued, skipped=done.skipped)
    speaking = language(current_app.config["DEFAULT_LANGUAGE"])
    click.echo(speaking.render(said))
    if done.already:
        click.echo(speaking.render(T("{already} sales user(s) got today's digest already (--again sends it again).",
                                     already=done.already)))


def register(app: Flask) -> None:
    for command in (db, seed_demo, users_group, price_list_group, quotes_group, estimate_command, customers_group,
                    maintenance, outbox_group, notify_group):
        app.cli.add_command(command)
