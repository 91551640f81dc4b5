"""The admins' pages: price tables, versions, the audit log, users, spreadsheets (role admin).

Each row of a price table is saved through the per-item use case
(``services.price_items``) with the ETag the page was rendered with, parsed by
the item's schema as the API parses it (``interface.schemas.price_list.ITEM_SCHEMAS``):
a stale ETag is refused by the service, and the page then says who changed
what since, shows the current values and keeps what the admin typed.
"""

from __future__ import annotations

import json
from datetime import date, datetime, tzinfo
from typing import Any, Mapping

from flask import Response, abort, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError, fields

from ...adapters import clock, spreadsheets
from ...domain import price_list as document
from ...domain.errors import DomainError, Invalid, StaleVersion, VersionRequired
from ...domain.numbers import local_decimal
from ...domain.price_list.changes import diff
from ...domain.text import LANGUAGES, T
from ...interface.schemas.admin import AuditQuerySchema, UserDetailsSchema
from ...interface.i18n import current as page_language
from ...interface.schemas.fields import DecimalString, flatten_messages
from ...interface.schemas.price_list import ITEM_SCHEMAS, DryRunSchema, PriceListSchema, TranslationsField
from ...interface.schemas.price_list import WholeNested
from ...services import audit, price_changes, price_items, price_lists, users
from ...services.price_items import KINDS, Kind
from . import auth, words
from .common import _, actor, bp, field_errors, flash_error, requires, say, services, typed_decimal, whole_number

MAX_UPLOAD = 1024 * 1024


def clinic_time() -> tzinfo:
    """The clinics' clock (Turkey: Europe/Istanbul, UTC+3 all year) for the dates typed and shown."""
    return clock.CLINIC_ZONE


def effective_from(raw: str | None) -> datetime | None:
    """A "takes effect" moment typed in a datetime-local field (clinic time); None when empty.

    The service checks that it is in the future (an :class:`Invalid` naming ``effective_from``).
    """
    text = (raw or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        message = _("A date and time such as 2027-01-01T09:00.")
        raise Invalid(message, {"effective_from": [message]}) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clinic_time())
    return moment


def local_time(moment: datetime | None) -> str:
    """A moment in clinic time, to show: 1 Ocak 2027 09:00 (desk-words: never ISO on a screen)."""
    return "" if moment is None else words.moment(moment)


@bp.app_template_filter("desk_local_time")
def desk_local_time(moment: datetime | None) -> str:
    return local_time(moment)


def _tried(outcome) -> dict[str, Any]:
    """A dry run as the API answers it (DryRunSchema, words in the page's language), with its moment in clinic time."""
    plain = DryRunSchema().dump(outcome)
    plain["effective_from_local"] = local_time(outcome.plan.effective_from)
    return plain


def state_labels() -> dict[str, str]:
    return {"current": _("in force"), "scheduled": _("scheduled"), "superseded": _("superseded"),
            "cancelled": _("cancelled")}


def kind_labels() -> dict[str, str]:
    return {
        "clinics": _("Clinics"), "areas": _("Areas"), "products": _("Products"),
        "specialist-levels": _("Specialist levels"), "campaigns": _("Campaigns"),
        "concerns": _("Skin concerns"),
    }


# --- The columns of a table, from the item's schema -----------------------------------------------


class Column:
    """One editable field of an item: a dotted path into it and how its text is read back."""

    def __init__(self, path: str, kind: str) -> None:
        self.path = path
        self.kind = kind  # text, decimal, int, bool, list
        # The header people read (a clinic's: Turkish words, not field names); the path where none is set.
        self.label = path
        # The object given whole (a clinic's bank_account) this column is a part of, if any.
        self.whole: str | None = None

    def show(self, item: Mapping[str, Any]) -> Any:
        value = _get(item, self.path)
        if self.kind == "list":
            return ", ".join(value or ())
        if self.kind == "bool":
            return bool(value)
        if self.kind == "decimal" and value is not None:
            return local_decimal(str(value), page_language().code)  # 4.400,00 on a Turkish page
        return "" if value is None else str(value)

    def read(self, form: Mapping[str, str], prefix: str) -> Any:
        name = prefix + self.path
        if self.kind == "bool":
            return name in form
        raw = (form.get(name) or "").strip()
        if self.kind == "list":
            return [part for part in raw.replace(",", " ").split() if part]
        if raw == "":
            return None
        if self.kind == "int":
            number = whole_number(raw, 11)
            return raw if number is None else number
        if self.kind == "decimal":
            return typed_decimal(raw)
        return raw

    def understood(self, form: Mapping[str, str], prefix: str) -> str | None:
        """How a number typed the page's way rather than the API's was read (4.400,5 → 4.400,5; 0,00 on an
        English page → 0.00), to say so; nothing for one typed as the API writes it (4400.50)."""
        raw = (form.get(prefix + self.path) or "").strip()
        if self.kind != "decimal" or not raw:
            return None
        plain = typed_decimal(raw)
        if plain == raw:  # typed as the API writes it: nothing to tell
            return None
        return _("“{typed}” was read as {value}.", typed=raw, value=local_decimal(plain, page_language().code))


def _say_understood(cols: list[Column], form: Mapping[str, str], prefix: str, changed: Mapping[str, Any]) -> None:
    """Say how each number that changed (``changed``, the item body saved) was read, where it was typed the page's way."""
    for column in cols:
        if _get(changed, column.path) is None:
            continue
        message = column.understood(form, prefix)
        if message:
            flash(message, "info")


def _get(item: Mapping[str, Any], path: str) -> Any:
    value: Any = item
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def _kind_of(field: fields.Field) -> str:
    if isinstance(field, fields.List):
        return "list"
    if isinstance(field, fields.Boolean):
        return "bool"
    if isinstance(field, fields.Integer):
        return "int"
    if isinstance(field, DecimalString):
        return "decimal"
    return "text"


def columns(kind: Kind, language: str) -> list[Column]:
    out: list[Column] = []
    for name, field in ITEM_SCHEMAS[kind.url]._declared_fields.items():
        if name == "code":
            continue
        if isinstance(field, TranslationsField):
            names = list(field.value_field.schema.fields) if field.value_field else ["name"]
            for other in LANGUAGES:
                if other != language:
                    out += [Column(f"translations.{other}.{n}", "text") for n in names]
        elif isinstance(field, fields.Nested):
            out += _nested_columns(name, field)
        else:
            out.append(Column(name, _kind_of(field)))
    for column in out:
        top = column.path.split(".")[0]
        if isinstance(ITEM_SCHEMAS[kind.url]._declared_fields.get(top), WholeNested):
            column.whole = top
    labels = column_labels(kind)
    for column in out:
        column.label = labels.get(column.path, column.path)
    return out


def column_labels(kind: Kind) -> dict[str, str]:
    """The headers of a table's columns in the page's language, by field path (never the field names)."""
    language_names = {"tr": _("Turkish"), "en": _("English")}
    if kind.url == "clinics":
        labels = {
            "name": _("Clinic name"), "city": _("City"), "price_factor": _("Price factor"), "tax_rate": _("VAT rate"),
            "prices_include_tax": _("Prices include VAT"), "address": _("Address"), "phone": _("Phone"),
            "email": _("E-mail"), "deposit_percent": _("Deposit (%)"), "bank_account.holder": _("Account holder"),
            "bank_account.bank": _("Bank"), "bank_account.iban": _("IBAN"),
        }
    else:
        labels = {
            "name": _("Name"), "size_cm2": _("Size (cm²)"), "price": _("Price"),
            "extra_cm2_price": _("Price per extra cm²"), "multiplier": _("Multiplier"), "starts_on": _("Starts on"),
            "ends_on": _("Ends on"), "clinics": _("Clinics"), "min_sessions": _("Fewest sessions"),
            "required_areas": _("Areas it needs"), "coupon": _("Coupon"), "stackable": _("Combines with others"),
            "priority": _("Priority"), "benefit.type": _("Benefit"), "benefit.value": _("Benefit's value"),
            "max_uses": _("Most uses"),
            # desk-words: a skin concern's columns.
            "products": _("Products"), "maintenance_per_year": _("Maintenance sessions a year"),
        }
        severities = {"mild": _("mild"), "moderate": _("moderate"), "pronounced": _("pronounced")}
        for severity, in_words in severities.items():
            for field, label in (("sessions_min", _("fewest sessions")), ("sessions_max", _("most sessions")),
                                 ("recommended", _("sessions suggested"))):
                labels[f"severities.{severity}.{field}"] = _("{severity}: {field}", severity=in_words, field=label)
    for other in LANGUAGES:
        in_language = language_names.get(other, other)
        labels[f"translations.{other}.name"] = (_("Clinic name ({language})", language=in_language) if kind.url == "clinics"
                                                else _("Name ({language})", language=in_language))
        labels[f"translations.{other}.city"] = _("City ({language})", language=in_language)
    return labels


def _nested_columns(path: str, field: fields.Nested) -> list[Column]:
    """A nested object's fields, one column each, however deep (a concern's severities.mild.sessions_min)."""
    out: list[Column] = []
    for sub, f in field.schema.fields.items():
        if isinstance(f, fields.Nested):
            out += _nested_columns(f"{path}.{sub}", f)
        else:
            out.append(Column(f"{path}.{sub}", _kind_of(f)))
    return out


def _changes(cols: list[Column], form: Mapping[str, str], prefix: str, current: Mapping[str, Any] | None) -> dict:
    """What the row's form says, as an item body: only what differs from ``current`` (all of it for a new item)."""
    body: dict[str, Any] = {}
    for column in cols:
        value = column.read(form, prefix)
        if current is not None:
            was = _get(current, column.path)
            if value == was or (value is None and was in (None, "", [])) or (
                column.kind == "list" and value == list(was or [])
            ):
                continue
        elif value is None:
            continue
        _set(body, column.path, value)
    # An object given whole (a clinic's bank account): all its parts as typed once one changed; none when all are empty.
    for name in {column.whole for column in cols if column.whole and column.whole in body}:
        parts = {c.path.split(".", 1)[1]: c.read(form, prefix) for c in cols if c.whole == name}
        body[name] = None if all(v is None for v in parts.values()) else parts
    return body


# --- Price tables ---------------------------------------------------------------------------------


def _who_changed(kind: Kind, code: str, since_version: int) -> list[dict[str, Any]]:
    """The versions after ``since_version`` that touched this item: who, when, and which fields."""
    ctx = services()
    prefix = f"{kind.key}.{code}"
    found = []
    newer = sorted(v.version for v in price_lists.list_versions(ctx) if v.version > since_version)[-10:]
    for version in newer:
        stored = price_lists.get_document(ctx, version)
        before = price_lists.get_document(ctx, version - 1).document if version > 1 else None
        touched = [
            (path[len(prefix) + 1:] or path, was, now) for path, was, now in diff(before, stored.document)
            if path == prefix or path.startswith(prefix + ".")
        ]
        if touched:
            found.append({"info": stored.info, "changes": touched})
    return found


def _render_table(kind: Kind, *, status: int = 200, row_state: Mapping[str, Any] | None = None):
    ctx = services()
    stored = price_lists.get_document(ctx)
    items = stored.document[kind.key]
    cols = columns(kind, stored.document.get("language", "tr"))
    etags = {item["code"]: price_items.etag_of(kind, item) for item in items}
    schedule_at = (request.values.get("effective_from") or "").strip()[:40]
    return render_template(
        "desk/prices.html", kind=kind, kinds=KINDS, labels=kind_labels(), items=items, cols=cols, etags=etags,
        version=stored.info.version, state=row_state or {}, schedule_at=schedule_at,
    ), status


@bp.get("/prices")
@requires("admin")
def price_tables():
    return redirect(url_for("desk.price_table", kind="clinics"))


def _kind(url: str) -> Kind:
    kind = KINDS.get(url)
    if kind is None:
        abort(404)
    return kind


@bp.get("/prices/<string:kind>")
@requires("admin")
def price_table(kind: str):
    return _render_table(_kind(kind))


@bp.post("/prices/<string:kind>/<string:code>")
@requires("admin")
def save_row(kind: str, code: str):
    """Save one row with the ETag it was shown with; on a stale one, tell who changed what and keep the typing."""
    found = _kind(kind)
    ctx = services()
    etag = request.form.get("etag", "")
    raw_version = request.form.get("version", "")
    seen_version = whole_number(raw_version) or 0
    prefix = f"{code}:"
    typed = {key[len(prefix):]: value for key, value in request.form.items() if key.startswith(prefix)}
    try:
        current = price_items.get_item(ctx, found, code)
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("desk.price_table", kind=kind))
    cols = columns(found, price_lists.get_document(ctx).document.get("language", "tr"))
    changes = _changes(cols, request.form, prefix, current.data)
    state: dict[str, Any] = {"code": code, "typed": typed}
    dry = bool(request.form.get("dry_run"))
    schedule_at = (request.form.get("effective_from") or "").strip()
    back = {"effective_from": schedule_at} if schedule_at else {}
    try:
        when = effective_from(schedule_at)
    except DomainError as error:
        state["errors"] = field_errors(error)
        state["message"] = say(error.detail)
        return _render_table(found, status=422, row_state=state)
    if request.form.get("delete") and not dry and not request.form.get("confirmed"):
        # One click never deletes: the page says what will happen and asks again (a form, no script needed).
        return _confirm_delete(found, current.data, etag=etag, version=raw_version, schedule_at=schedule_at, when=when)
    if request.form.get("delete"):
        try:
            outcome = price_items.delete_item(ctx, found, code, [etag], actor(), effective_from=when, dry_run=dry)
        except StaleVersion:
            state.update(stale=_who_changed(found, code, seen_version), current=current.data)
            return _render_table(found, status=409, row_state=state)
        except DomainError as error:
            flash_error(error)
        else:
            if dry:
                state["dry"] = _tried(outcome)
                return _render_table(found, row_state=state)
            flash(_("{code} deleted.", code=code), "info")
        return redirect(url_for("desk.price_table", kind=kind, **back))
    if not changes and current.etag == etag:
        flash(_("Nothing changed in {code}.", code=code), "info")
        return redirect(url_for("desk.price_table", kind=kind, _anchor=f"row-{code}", **back))
    try:
        loaded = ITEM_SCHEMAS[found.url](partial=True).load(changes)
        outcome = price_items.update_item(ctx, found, code, loaded, [etag], actor(), effective_from=when, dry_run=dry)
    except ValidationError as error:
        state["errors"] = field_errors(flatten_messages(error.messages))
        return _render_table(found, status=422, row_state=state)
    except StaleVersion:
        state.update(stale=_who_changed(found, code, seen_version), current=current.data)
        return _render_table(found, status=409, row_state=state)
    except DomainError as error:
        state["errors"] = field_errors(error) or {"": [say(error.detail)]}
        state["message"] = say(error.detail)
        return _render_table(found, status=422, row_state=state)
    if dry:
        # Nothing stored: the row keeps what was typed, to save it as tried.
        state["dry"] = _tried(outcome)
        return _render_table(found, row_state=state)
    _say_understood(cols, request.form, prefix, changes)
    if when is not None:
        flash(_("{code} saved as version {version}, taking effect on {moment}.", code=code, version=outcome.version,
                moment=local_time(when)), "info")
    else:
        flash(_("{code} saved.", code=code), "info")
    return redirect(url_for("desk.price_table", kind=kind, _anchor=f"row-{code}", **back))


def _confirm_delete(kind: Kind, item: Mapping[str, Any], *, etag: str, version: str, schedule_at: str,
                    when: datetime | None):
    """The page that asks before a row is deleted: what goes, when, and what stays."""
    code = item.get("code", "")
    table = kind_labels()[kind.url]
    named = item.get("name")
    what = [
        _("{code} ({name}) is taken out of the price list: the list gets a new version without it.", code=code, name=named)
        if named else _("{code} is taken out of the price list: the list gets a new version without it.", code=code),
        _("It takes effect on {moment}; until then the prices in force stay as they are.", moment=local_time(when))
        if when is not None else _("It takes effect at once: new quotes and revisions can no longer choose it."),
        _("Quotes already saved keep their prices. A campaign or a skin concern that names it stops the deletion."),
    ]
    fields_ = {"etag": etag, "version": version, "delete": "1"}
    if schedule_at:
        fields_["effective_from"] = schedule_at
    back = url_for("desk.price_table", kind=kind.url, _anchor=f"row-{code}",
                   **({"effective_from": schedule_at} if schedule_at else {}))
    return render_template(
        "desk/confirm.html", title=_("Delete {code} from {table}?", code=code, table=table), what=what,
        action=url_for("desk.save_row", kind=kind.url, code=code), fields=fields_,
        confirm=_("Delete {code}", code=code), back=back,
    )


@bp.post("/prices/<string:kind>")
@requires("admin")
def add_row(kind: str):
    found = _kind(kind)
    ctx = services()
    cols = columns(found, price_lists.get_document(ctx).document.get("language", "tr"))
    body = _changes(cols, request.form, "new:", None)
    body["code"] = (request.form.get("new:code") or "").strip()
    state: dict[str, Any] = {"code": "new", "typed": {k[4:]: v for k, v in request.form.items() if k.startswith("new:")}}
    # Like a row's save: the page's schedule and "Try first" hold for an added row too.
    dry = bool(request.form.get("dry_run"))
    schedule_at = (request.form.get("effective_from") or "").strip()
    back = {"effective_from": schedule_at} if schedule_at else {}
    try:
        when = effective_from(schedule_at)
        loaded = ITEM_SCHEMAS[found.url]().load(body)
        outcome = price_items.add_item(ctx, found, loaded, actor(), effective_from=when, dry_run=dry)
    except ValidationError as error:
        state["errors"] = field_errors(flatten_messages(error.messages))
        return _render_table(found, status=422, row_state=state)
    except DomainError as error:
        state["errors"] = field_errors(error) or {"": [say(error.detail)]}
        state["message"] = say(error.detail)
        return _render_table(found, status=422, row_state=state)
    if dry:
        # Nothing stored: the new row keeps what was typed, to add it as tried.
        state["dry"] = _tried(outcome)
        return _render_table(found, row_state=state)
    _say_understood(cols, request.form, "new:", body)
    if when is not None:
        flash(_("{code} added as version {version}, taking effect on {moment}.", code=body["code"],
                version=outcome.version, moment=local_time(when)), "info")
    else:
        flash(_("{code} added.", code=body["code"]), "info")
    return redirect(url_for("desk.price_table", kind=kind, **back))


# --- Spreadsheets ---------------------------------------------------------------------------------


@bp.get("/price-list.<string:fmt>")
@requires("admin")
def download(fmt: str):
    stored = price_lists.get_document(services())
    version = stored.info.version
    if fmt == "csv":
        text, mimetype = spreadsheets.to_csv(stored.document), "text/csv"
    elif fmt == "yaml":
        text, mimetype = spreadsheets.to_yaml({"version": version, **stored.document}), "application/yaml"
    else:
        abort(404)
    response = Response(text, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="price-list-v{version}.{fmt}"'
    return response


def _expected_version(raw: str) -> int | None:
    """The version the upload form was shown with: the save is refused if another came since.

    A form without it (hand-made) answers as the API does without ``If-Match``.
    """
    version = whole_number(raw)
    if version is None or version < 0:
        raise VersionRequired(T("Reload the page: the form does not say which version it was made from."))
    return version or None


def csv_understood(reading: spreadsheets.CsvReading) -> list[str]:
    """How a CSV was read, in words: its separator, decimal mark and encoding, its rows, and a few cells read
    otherwise than as written (“4.400,00” read as 4400,00; “1.12.2026” as 1 December 2026)."""
    how = [{";": _("semicolon-separated"), "\t": _("tab-separated")}.get(reading.delimiter, _("comma-separated"))]
    if reading.decimal_comma:
        how.append(_("decimal-comma"))
    encoding = {"cp1254": _("Windows-1254 (Turkish) encoded"), "utf-16": _("UTF-16 encoded")}.get(reading.encoding)
    if encoding:
        how.append(encoding)
    sentence = _("Read as a {how} file: {rows} rows.", how=", ".join(how), rows=reading.lines)
    said = [sentence[:1].upper() + sentence[1:]]
    language = page_language().code
    for typed, plain, kind in reading.examples:
        if kind == "day":
            value: Any = date.fromisoformat(plain)
        else:  # the number without grouping, with the page's decimal mark: 4400,00 on a Turkish page
            value = plain.replace(".", ",") if language == "tr" else plain
        if str(value) != typed:
            said.append(_("“{typed}” was read as {value}.", typed=typed, value=value))
    return said


@bp.post("/price-list")
@requires("admin")
def upload():
    """A whole price list from a CSV or YAML file, checked as the API's PUT checks it; errors name row and cell.

    A CSV may be as a spreadsheet saved it (semicolons, decimal commas, Windows-1254: ``spreadsheets.read_csv``);
    how it was read is said above the outcome, whatever it is.
    """
    upload_file = request.files.get("file")
    expected = request.form.get("version", "")
    rows: dict = {}
    errors: dict[str, list[str]] = {}
    message = None
    if upload_file is None or not upload_file.filename:
        message = _("Choose a CSV or YAML file.")
    else:
        raw = upload_file.read(MAX_UPLOAD + 1)
        name = upload_file.filename.lower()
        try:
            if len(raw) > MAX_UPLOAD:
                raise Invalid(_("The file is too large."))
            if name.endswith(".csv"):
                reading = spreadsheets.read_csv(raw)
                doc, rows = reading.doc, reading.rows
                for said in csv_understood(reading):
                    flash(said, "info")
            elif name.endswith((".yaml", ".yml")):
                doc = spreadsheets.from_yaml(raw.decode("utf-8-sig"))
            else:
                raise Invalid(_("Choose a CSV or YAML file."))
            if not isinstance(doc, dict):
                raise Invalid(_("The file does not hold a price list."))
            doc.pop("version", None)
            when = effective_from(request.form.get("effective_from"))
            dry = bool(request.form.get("dry_run"))
            body = PriceListSchema().load(doc)
            info = price_lists.replace_price_list(
                services(), document.from_plain(body),
                expected_version=_expected_version(expected),
                by=actor(), effective_from=when, dry_run=dry,
            )
            if dry:
                tried = _tried(price_changes.preview(services(), info))
                if rows:
                    tried["errors"] = spreadsheets.relabel(tried["errors"], rows)
                return render_template("desk/dry_run.html", dry=tried, name=upload_file.filename,
                                       version=expected, schedule_at=request.form.get("effective_from", ""))
        except UnicodeDecodeError:
            message = _("The file is not UTF-8 text.")  # a YAML file (a CSV may be Windows-1254 too)
        except ValidationError as error:
            errors = spreadsheets.relabel(flatten_messages(error.messages), rows) if rows else flatten_messages(error.messages)
            message = _("The file has errors; nothing was saved.")
        except DomainError as error:
            errors = spreadsheets.relabel(error.errors, rows) if rows else error.errors
            message = say(error.detail)
        else:
            if when is not None:
                flash(_("Price list version {version} saved from {name}, taking effect on {moment}.",
                        version=info.version, name=upload_file.filename, moment=local_time(when)), "info")
            else:
                flash(_("Price list version {version} saved from {name}.", version=info.version, name=upload_file.filename), "info")
            return redirect(url_for("desk.versions"))
    return render_template(
        "desk/upload_errors.html", message=message, errors=field_errors(errors)
    ), 422


# --- Versions and the audit log -------------------------------------------------------------------


@bp.get("/versions")
@requires("admin")
def versions():
    ctx = services()
    found = price_lists.list_versions(ctx)
    chosen = request.args.get("version", "")
    shown = None
    if found:
        number = whole_number(chosen) or found[0].version
        stored = price_lists.get_document(ctx, number)
        before = price_lists.get_document(ctx, number - 1).document if number > 1 else None
        shown = {"info": stored.info, "changes": diff(before, stored.document) if before else []}
    return render_template("desk/versions.html", versions=found, shown=shown,
                           newest=found[0].version if found else None, states=state_labels(),
                           scheduled=[v for v in found if v.state == "scheduled"])


@bp.post("/versions/<int(max=2147483647):version>/cancel")
@requires("admin")
def cancel_version(version: int):
    """Cancel a scheduled version (the service lays the later waiting ones again without it)."""
    try:
        price_lists.cancel_version(services(), version, actor())
    except DomainError as error:
        flash_error(error)
        for path, messages in field_errors(error).items():
            flash(words.error_line(path, messages), "error")
    else:
        flash(_("Version {version} is cancelled: it will not take effect.", version=version), "info")
    return redirect(url_for("desk.versions"))


def _short(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@bp.app_template_filter("desk_short")
def desk_short(value: Any) -> str:
    return _short(value)


@bp.get("/audit")
@requires("admin")
def audit_log():
    raw = {k: v for k, v in request.args.items() if k != "lang" and v.strip()}
    errors: dict[str, list[str]] = {}
    page = None
    try:
        page = audit.entries(services(), AuditQuerySchema(unknown="exclude").load(raw))
    except ValidationError as error:
        errors = field_errors(flatten_messages(error.messages))
    except DomainError as error:
        errors = field_errors(error) or {"cursor": [say(error.detail)]}
    next_args = {**{k: v for k, v in raw.items() if k != "cursor"}, "cursor": page.next_cursor} if page and page.next_cursor else None
    return render_template("desk/audit.html", page=page, errors=errors, filters=raw, kinds=audit.KINDS,
                           next_args=next_args, first=bool(raw.get("cursor")))


# --- Users ----------------------------------------------------------------------------------------


def user_languages() -> list[tuple[str, str]]:
    """The choices of a user's mail language: the default, Turkish, English."""
    return [("", _("Default language")), ("tr", _("Turkish")), ("en", _("English"))]


def _users_page(created=None, errors=None, form=None, editing=None, status=200, password_errors=None,
                password_for=None):
    """The users page; ``errors`` of the new-user form, or of ``editing``'s details form, in words;
    ``password_errors`` of the password form, which has ``password_for`` chosen."""
    return render_template(
        "desk/users.html", users=users.list_users(services()), roles=users.ROLES, languages=user_languages(),
        created=created,
        errors=errors or {}, form=form or {}, editing=editing,
        password_errors=password_errors or {}, password_for=password_for or request.args.get("password_for", ""),
        password_min=users.MIN_PASSWORD, password_max=users.MAX_PASSWORD,
    ), status


def _details_errors(error: ValidationError | DomainError) -> dict[str, list[str]]:
    raw = flatten_messages(error.messages) if isinstance(error, ValidationError) else field_errors(error)
    return {path: [say(m) for m in messages] for path, messages in raw.items()}


@bp.get("/users")
@requires("admin")
def user_list():
    return _users_page()


@bp.post("/users")
@requires("admin")
def create_user():
    name = (request.form.get("name") or "").strip()
    role = request.form.get("role") or ""
    form = {"name": name, "role": role, "full_name": request.form.get("full_name", ""),
            "email": request.form.get("email", ""), "language": request.form.get("language", "")}
    try:
        details = UserDetailsSchema().load({"full_name": form["full_name"], "email": form["email"],
                                            "language": form["language"]})
        created = users.create_user(services(), name, role, by=actor(), **details)
    except ValidationError as error:
        return _users_page(errors=_details_errors(error), form=form, status=422)
    except DomainError as error:
        if not error.errors:
            flash_error(error)
            return redirect(url_for("desk.user_list"))
        return _users_page(errors=_details_errors(error), form=form, status=422)
    # The token is shown on this answer only (not stored, not in a redirect's flash).
    return _users_page(created=created)


@bp.post("/users/<string:name>/details")
@requires("admin")
def set_user_details(name: str):
    """A user's full name, e-mail and mail language (blank clears one)."""
    form = {"full_name": request.form.get("full_name", ""), "email": request.form.get("email", "")}
    if "language" in request.form:
        form["language"] = request.form.get("language", "")
    try:
        changed = users.set_details(services(), name, UserDetailsSchema().load(form), by=actor())
    except ValidationError as error:
        return _users_page(errors=_details_errors(error), form=form, editing=name, status=422)
    except DomainError as error:
        if not error.errors:
            flash_error(error)
            return redirect(url_for("desk.user_list"))
        return _users_page(errors=_details_errors(error), form=form, editing=name, status=422)
    flash(_("The details of {name} are saved.", name=changed.name), "info")
    return redirect(url_for("desk.user_list"))


@bp.route("/users/<string:name>/revoke", methods=["GET", "POST"])
@requires("admin")
def revoke_user(name: str):
    """Asks first (GET, or a POST without ``confirmed``: the page says what will happen), then revokes."""
    if request.method == "GET" or not request.form.get("confirmed"):
        found = users.get_user(services(), name)  # NotFound: the console's 404 page
        if not found.active:
            flash(_("{name} has no access to remove.", name=name), "info")
            return redirect(url_for("desk.user_list"))
        what = [
            _("{name} can no longer sign in to the console, their API token stops working at once, and their "
              "open console sessions end.", name=name),
            _("Their quotes, notes and the audit log stay as they are. To let them in again, create the user anew: "
              "they get a new token and need a new password."),
        ]
        if name == actor():
            what.append(_("This is your own user: you will be signed out."))
        return render_template(
            "desk/confirm.html", title=_("Remove the access of {name}?", name=name), what=what,
            action=url_for("desk.revoke_user", name=name), fields={}, confirm=_("Remove access"),
            back=url_for("desk.user_list", _anchor=f"user-{name}"),
        )
    try:
        users.revoke_user(services(), name, by=actor())
    except DomainError as error:
        flash_error(error)
    else:
        flash(_("The access of {name} is removed: their token and console sessions no longer work.", name=name), "info")
    return redirect(url_for("desk.user_list"))


@bp.post("/users/password")
@requires("admin")
def set_user_password():
    """Set or reset a user's console password (typed twice), with the rules and hashing of
    ``quoteapi users set-password``; the user's console sessions end (the service's doing), and it is
    audit-logged. The password is never shown back: a refused form comes back with both fields empty."""
    name = (request.form.get("name") or "").strip()
    password = request.form.get("password") or ""
    again = request.form.get("password_again") or ""
    problems: dict[str, list[str]] = {}
    if not password:
        problems["password"] = [_("Type the new password.")]
    elif again != password:
        problems["password_again"] = [_("The two passwords differ; type the same password twice.")]
    if not problems:
        try:
            users.set_password(services(), name, password, by=actor())
        except DomainError as error:
            problems = field_errors(error) or {"name": [say(error.detail)]}
    if problems:
        # Said at the top too: the form is at the bottom of a long page (its field is focused, without script).
        flash(_("The password was not set; see below."), "error")
        return _users_page(password_errors=problems, password_for=name, status=422)
    if name == actor():
        # Every session of theirs ended, this one too: a new one, as signing in with the new password gives.
        auth.begin_session(users.check_password(services(), name, password))
        flash(_("Your console password is changed; your other console sessions were ended."), "info")
    else:
        flash(_("The console password of {name} is set; their open console sessions were ended.", name=name), "info")
    return redirect(url_for("desk.user_list"))


@bp.post("/users/<string:name>/role")
@requires("admin")
def set_user_role(name: str):
    role = request.form.get("role") or ""
    try:
        changed = users.set_role(services(), name, role, by=actor())
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("desk.user_list"))
    label = _("admin") if changed.role == "admin" else _("sales")
    flash(_("{name} now has the role {role}.", name=name, role=label), "info")
    if name == actor() and changed.role != "admin":
        # Their own role is read again on the next request: the Users page is no longer theirs.
        return redirect(url_for("desk.today"))
    return redirect(url_for("desk.user_list"))
