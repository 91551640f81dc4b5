"""How the console words what the product stored: activity lines, the audit log, price changes, times.

What is stored stays as it is (an activity line keeps its message id and its
values, an audit entry its codes and JSON, a version its summary as written):
these functions write it for the reader, in the page's language, with the
people's full names, statuses in words, days and moments on the clinics' clock,
money, percentages and numbers the language's way.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from flask import g
from markupsafe import Markup, escape

from ...adapters import clock
from ...adapters.figures import number_text, percent_text, readable
from ...adapters.i18n import day_text, money_text
from ...domain.errors import DomainError
from ...domain.text import N_, T, Text
from ...interface.i18n import current
from ...services import users
from .common import _, bp, services

# --- days, moments, people -------------------------------------------------------------------------


def day(value: date | str | None) -> str:
    """A day as people write it: ``7 Aralık 2026``, ``7 December 2026``."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = clock.local_date(value)
    return day_text(value, current().code)


def moment(value: datetime | str | None) -> str:
    """A moment on the clinics' clock: ``7 Aralık 2026 14:05`` (never UTC, never ISO)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    local = clock.local(value)
    return f"{day_text(local.date(), current().code)} {local:%H:%M}"


def typed_moment(typed: str | None) -> str:
    """A moment typed in a datetime-local field (clinic time, ``2027-01-02T09:30``), in words."""
    try:
        found = datetime.fromisoformat(typed or "")
    except ValueError:
        return typed or ""
    if found.tzinfo is None:
        found = found.replace(tzinfo=clock.CLINIC_ZONE)
    return moment(found)


def full_names() -> dict[str, str]:
    """Users' full names by user name (the user name where none is set), read once per request."""
    names = g.get("desk_full_names")
    if names is None:
        try:
            names = {u.name: u.full_name or u.name for u in users.list_users(services())}
        except DomainError:
            names = {}
        g.desk_full_names = names
    return names


def person(name: str | None) -> str:
    """Who did something, as colleagues call them: the full name; the website or the customer in words."""
    if not name:
        return _("website")
    if name == "customer":
        return _("the customer")
    return full_names().get(name, name)


# --- money, percentages, codes in words --------------------------------------------------------------


def money(value: Any, currency: str = "TRY") -> str:
    try:
        return money_text(Decimal(str(value)), currency, current().code)
    except InvalidOperation:
        return str(value)


def percent(value: Any) -> str:
    try:
        return percent_text(Decimal(str(value)), current().code)
    except InvalidOperation:
        return str(value)


STATUSES = {
    "new": N_("New"), "draft": N_("Draft"), "sent": N_("Sent"), "accepted": N_("Accepted"),
    "declined": N_("Declined"), "expired": N_("Expired"),
}
APPROVALS = {
    "not_needed": N_("not needed"), "pending": N_("waiting for an admin"), "approved": N_("approved"),
    "rejected": N_("rejected"),
}
ROLES = {"admin": N_("admin"), "sales": N_("sales")}
PAYMENT_KINDS = {"payment": N_("payment"), "refund": N_("refund")}
PAYMENT_METHODS = {"bank_transfer": N_("bank transfer"), "card": N_("card"), "cash": N_("cash")}
DECLINE_REASONS = {
    "price": N_("The price"), "timing": N_("The timing"), "other_clinic": N_("Chose another clinic"),
    "medical": N_("Medical reasons"), "no_answer": N_("No answer from the customer"), "other": N_("Another reason"),
}


def status_word(code: str) -> str:
    return _(STATUSES[code]) if code in STATUSES else code


def code_words(value: str) -> str:
    """Status or approval codes in a message (``draft, sent``; ``none``) as words, lower case inside a sentence."""
    words = []
    for part in value.split(", "):
        if part in STATUSES:
            words.append(_(STATUSES[part]).lower() if current().code == "en" else _lower(_(STATUSES[part])))
        elif part in APPROVALS:
            words.append(_(APPROVALS[part]))
        elif part == "none":
            words.append(_("none"))
        else:
            return value
    return ", ".join(words)


def _lower(text: str) -> str:
    """Lower case by Turkish rules (I → ı, İ → i)."""
    return text.replace("I", "ı").replace("İ", "i").lower()


# The status buttons: what each does, the flow's next step first and declining last.
MOVE_LABELS = {
    "sent": N_("Mark as sent"), "accepted": N_("Mark as accepted"), "draft": N_("Back to draft"),
    "declined": N_("Mark as declined"),
}
MOVE_ORDER = ("sent", "accepted", "draft", "declined")


def move_label(target: str) -> str:
    return _(MOVE_LABELS[target]) if target in MOVE_LABELS else status_word(target)


def move_order(moves) -> list[str]:
    return sorted(moves, key=lambda m: MOVE_ORDER.index(m) if m in MOVE_ORDER else len(MOVE_ORDER))


# --- activity lines ------------------------------------------------------------------------------------

ACTIVITY_KINDS = {
    "created": N_("Created"), "note": N_("Note"), "status": N_("Status"), "revision": N_("Revision"),
    "assignment": N_("Assignee"), "follow-up": N_("Follow-up"), "approval": N_("Approval"), "send": N_("Sending"),
    "decline": N_("Declined"), "link": N_("Link"), "viewed": N_("Viewed"), "accepted": N_("Accepted"),
    "question": N_("Question"), "payment": N_("Payment"), "erasure": N_("Personal data"), "email": N_("E-mail"),
}


# Lines whose kind says already what their first word says: the screen leaves the word out.
SCREEN_TEXTS = {"Status {before} → {after}.": N_("{before} → {after}")}


def _is_number(value: Any) -> bool:
    try:
        Decimal(str(value))
    except InvalidOperation:
        return False
    return True


def activity_kind(kind: str) -> str:
    return _(ACTIVITY_KINDS[kind]) if kind in ACTIVITY_KINDS else _("Other")


def activity_text(text: Text | str, currency: str = "TRY") -> str:
    """An activity line in the page's language: statuses in words, days as days, money with its currency, people
    by name. A note (a plain string) is shown as typed."""
    if isinstance(text, str):
        return text
    values = dict(text.values)
    shown: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("before", "after") and value in STATUSES:
            shown[name] = status_word(value)
        elif name == "day" and isinstance(value, str):
            shown[name] = day(value)
        elif name == "amount":
            shown[name] = money(value, values.get("currency") or currency)
        elif name == "currency":
            shown[name] = ""
        elif name == "limit":  # "above the limit of {limit} percent": the sentence says percent
            shown[name] = number_text(Decimal(str(value)), current().code) if _is_number(value) else value
        elif name == "name" and isinstance(value, str):
            shown[name] = person(value)
        else:
            shown[name] = value
    written = current().render(T(SCREEN_TEXTS.get(text.msgid, text.msgid), **shown))
    return re.sub(r"\s+([.,;:])", r"\1", re.sub(r" {2,}", " ", written))


# --- the price list's changes ----------------------------------------------------------------------------

ITEM_KINDS = {
    "clinics": N_("Clinic"), "areas": N_("Area"), "products": N_("Product"), "specialist_levels": N_("Specialist level"),
    "campaigns": N_("Campaign"), "concerns": N_("Skin concern"), "session_tiers": N_("Course discount"),
}
SETTINGS = {
    "combination_discount_percent": N_("Combination discount"), "max_manual_discount_percent": N_("Manual discount limit"),
    "session_interval_days": N_("Days between sessions"), "currency": N_("Currency"), "language": N_("Language"),
}
FIELDS = {
    "name": N_("name"), "city": N_("city"), "price": N_("price"), "extra_cm2_price": N_("price per extra cm²"),
    "size_cm2": N_("size (cm²)"), "price_factor": N_("price factor"), "tax_rate": N_("VAT rate"),
    "prices_include_tax": N_("prices include VAT"), "address": N_("address"), "phone": N_("phone"), "email": N_("e-mail"),
    "deposit_percent": N_("deposit"), "holder": N_("account holder"), "bank": N_("bank"), "iban": N_("IBAN"),
    "multiplier": N_("multiplier"), "starts_on": N_("starts on"), "ends_on": N_("ends on"), "clinics": N_("clinics"),
    "min_sessions": N_("fewest sessions"), "required_areas": N_("areas it needs"), "coupon": N_("coupon"),
    "stackable": N_("combines with others"), "priority": N_("priority"), "type": N_("benefit"),
    "value": N_("benefit's value"), "max_uses": N_("most uses"), "discount_percent": N_("discount"),
    "sessions_min": N_("fewest sessions"), "sessions_max": N_("most sessions"), "recommended": N_("sessions suggested"),
    "interval_days": N_("days between sessions"), "products": N_("products"), "maintenance_per_year": N_("maintenance a year"),
    "text": N_("text"), "code": N_("code"),
}
LANGUAGE_NAMES = {"tr": N_("Turkish"), "en": N_("English")}
MONEY_FIELDS = {"price", "extra_cm2_price"}
PERCENT_FIELDS = {"deposit_percent", "discount_percent", "combination_discount_percent", "max_manual_discount_percent"}


def _item_name(kind: str, code: str) -> str:
    """An item of the price list by its name in the page's language (its code when it is gone)."""
    names = _names()
    return names.get((kind, code), code)


def _names() -> dict[tuple[str, str], str]:
    names = g.get("desk_item_names")
    if names is None:
        names = {}
        try:
            price_list = services().price_lists.current()
        except DomainError:
            price_list = None
        if price_list is not None:
            code = current().code
            for kind in ("clinics", "areas", "products", "specialist_levels", "campaigns", "concerns"):
                for item in getattr(price_list, kind, ()) or ():
                    try:
                        names[(kind, item.code)] = price_list.name_of(item).in_language(code)
                    except (AttributeError, KeyError, TypeError):
                        continue
        g.desk_item_names = names
    return names


def field_value(field: str, value: Any) -> str:
    """One value of the price list, written for people."""
    if value is None or value == "null":
        return "—"
    if isinstance(value, bool) or value in ("True", "False", "true", "false"):
        return _("yes") if value in (True, "True", "true") else _("no")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        return value[1:-1] or "—"
    if field in MONEY_FIELDS:
        return money(value)
    if field in PERCENT_FIELDS:
        return percent(value)
    if field == "tax_rate":
        try:
            return percent(Decimal(str(value)) * 100)
        except InvalidOperation:
            return str(value)
    if field in ("price_factor", "multiplier", "value", "size_cm2"):
        try:
            return number_text(Decimal(str(value)), current().code)
        except InvalidOperation:
            return str(value)
    if field in ("starts_on", "ends_on"):
        return day(str(value))
    if isinstance(value, Mapping):
        return "; ".join(f"{_field_label(k)}: {field_value(k, v)}" for k, v in value.items())
    return str(value)


def _field_label(path: str) -> str:
    parts = path.split(".")
    if parts[0] == "translations" and len(parts) >= 3:
        return _("{field} ({language})", field=_field_label(parts[-1]), language=_(LANGUAGE_NAMES.get(parts[1], parts[1])))
    last = parts[-1]
    if last in FIELDS:
        return _(FIELDS[last])
    return " ".join(p for p in parts if not p.isdigit()).replace("_", " ")


def _item_phrase(path: str) -> tuple[str, str]:
    """(what, field) of a dotted path of the document: ``areas.face.price`` is (Area “Tüm yüz”, price)."""
    parts = path.split(".")
    if parts[0] in SETTINGS and len(parts) == 1:
        return _(SETTINGS[parts[0]]), ""
    if parts[0] in ITEM_KINDS and len(parts) >= 2:
        kind = _(ITEM_KINDS[parts[0]])
        if parts[0] == "session_tiers":
            what = _("{kind} from {sessions} sessions", kind=kind, sessions=parts[1])
        else:
            what = _("{kind} “{name}”", kind=kind, name=_item_name(parts[0], parts[1]))
        return what, _field_label(".".join(parts[2:])) if len(parts) > 2 else ""
    return capital(_field_label(path)), ""


def capital(text: str) -> str:
    """``text`` with a capital first letter, by the page language's rules (Turkish: i → İ)."""
    if not text:
        return text
    first = text[0]
    if current().code == "tr" and first in "iı":
        first = {"i": "İ", "ı": "I"}[first]
    return first.upper() + text[1:]


def change_what(path: str) -> str:
    """The thing a change is about: ``Bölge “Tüm yüz”, fiyat``."""
    what, field = _item_phrase(path)
    return f"{what}, {field}" if field else what


def change_text(path: str, before: Any, after: Any) -> str:
    """One change of the price list: ``Bölge “Tüm yüz”, fiyat: 4.000,00 ₺ → 4.400,00 ₺``."""
    what, field = _item_phrase(path)
    last = path.split(".")[-1]
    if before is None and isinstance(after, Mapping) or after == "added":
        return _("{what} added", what=what)
    if after is None and isinstance(before, Mapping) or after == "removed":
        return _("{what} removed", what=what)
    if field:
        return _("{what}, {field}: {before} → {after}", what=what, field=field,
                 before=field_value(last, before), after=field_value(last, after))
    return _("{what}: {before} → {after}", what=what, before=field_value(last, before), after=field_value(last, after))


_SUMMARY_PART = re.compile(r"^(?P<path>[A-Za-z0-9_.\-]+) (?P<before>.*?) → (?P<after>.*)$")
_SUMMARY_EDGE = re.compile(r"^(?P<path>[A-Za-z0-9_.\-]+) (?P<what>added|removed)$")
SUMMARIES = {"No changes.": N_("No changes."), "Demo price list loaded.": N_("Demo price list loaded.")}


def summary_text(summary: str | None) -> str:
    """A version's stored summary (``areas.face.price 4000.00 → 4400.00; …``) in words."""
    if not summary:
        return ""
    if summary in SUMMARIES:
        return _(SUMMARIES[summary])
    parts = []
    for part in summary.split("; "):
        edge = _SUMMARY_EDGE.match(part)
        found = _SUMMARY_PART.match(part)
        if edge:
            parts.append(change_text(edge.group("path"), None, edge.group("what")))
        elif found:
            parts.append(change_text(found.group("path"), found.group("before"), found.group("after")))
        else:
            parts.append(part)
    return "; ".join(parts)


# --- the audit log -------------------------------------------------------------------------------------

AUDIT_KINDS = {"price_list": N_("Price list"), "user": N_("User"), "quote": N_("Quote"), "personal_data": N_("Personal data")}
AUDIT_ACTIONS = {
    "create": N_("created"), "update": N_("changed"), "replace": N_("replaced"), "delete": N_("deleted"),
    "add": N_("added"), "role": N_("role changed"), "revoke": N_("access revoked"), "details": N_("details changed"),
    "password": N_("password set"), "status": N_("status changed"), "approval": N_("approval decided"),
    "approval-requested": N_("approval requested"), "approval-not-needed": N_("approval no longer needed"),
    "payment": N_("payment recorded"), "refund": N_("refund recorded"), "erase": N_("personal data erased"),
    "retention": N_("old website requests erased"), "relay": N_("laid again on a newer version"),
    "cancel": N_("scheduled version cancelled"), "send": N_("sent"), "accept": N_("accepted"), "decline": N_("declined"),
}
AUDIT_FIELDS = {
    "status": N_("status"), "approval": N_("approval"), "note": N_("note"), "reason": N_("reason"),
    "revision": N_("revision"), "discount": N_("discount"), "base": N_("discounted from"), "limit_percent": N_("limit"),
    "paid_total": N_("paid in total"), "amount": N_("amount"), "kind": N_("kind"), "method": N_("method"),
    "received_on": N_("received on"), "payment": N_("payment no."), "name": N_("user name"), "role": N_("role"),
    "active": N_("active"), "full_name": N_("full name"), "email": N_("e-mail"), "password": N_("password set"),
    "quotes": N_("quotes"), "retention_days": N_("kept for days"), "effective_from": N_("takes effect"),
    "state": N_("state"), "language": N_("language"), "channel": N_("channel"), "total": N_("total"),
}
VERSION_STATES = {"current": N_("in force"), "scheduled": N_("scheduled"), "superseded": N_("superseded"),
                  "cancelled": N_("cancelled")}


def audit_kind(kind: str) -> str:
    return _(AUDIT_KINDS[kind]) if kind in AUDIT_KINDS else kind.replace("_", " ")


def audit_action(action: str) -> str:
    scheduled = action.startswith("schedule ")
    bare = action.removeprefix("schedule ")
    word = _(AUDIT_ACTIONS[bare]) if bare in AUDIT_ACTIONS else bare.replace("_", " ").replace("-", " ")
    return _("{action}, scheduled", action=word) if scheduled else word


_USER_SUBJECT = re.compile(r"^user (?P<name>.+)$")
_VERSION_SUBJECT = re.compile(r"^(?P<what>.+?) \(version (?P<version>\d+)(?:, from (?P<moment>[^)]+)|, laid on version (?P<base>\d+))?\)$")


def audit_subject(subject: str) -> str:
    """What an entry is about, in words: a user by name, a price-list item by name, with its version and moment."""
    found = _USER_SUBJECT.match(subject)
    if found:
        return _("User {name}", name=person(found.group("name")))
    found = _VERSION_SUBJECT.match(subject)
    if found:
        what = found.group("what")
        named = _("the price list") if what == "price list" else _item_phrase(what)[0]
        if found.group("moment"):
            return _("{what} (version {version}, from {moment})", what=named, version=found.group("version"),
                     moment=moment(found.group("moment")))
        if found.group("base"):
            return _("{what} (version {version}, laid on version {base})", what=named, version=found.group("version"),
                     base=found.group("base"))
        return _("{what} (version {version})", what=named, version=found.group("version"))
    if subject == "website requests":
        return _("Website requests")
    return subject


def audit_value(field: str, value: Any) -> str:
    if field in ("status",) and value in STATUSES:
        return status_word(value)
    if field == "approval" and value in APPROVALS:
        return _(APPROVALS[value])
    if field == "role" and value in ROLES:
        return _(ROLES[value])
    if field == "kind" and value in PAYMENT_KINDS:
        return _(PAYMENT_KINDS[value])
    if field == "method" and value in PAYMENT_METHODS:
        return _(PAYMENT_METHODS[value])
    if field == "reason" and value in DECLINE_REASONS:
        return _(DECLINE_REASONS[value])
    if field == "state" and value in VERSION_STATES:
        return _(VERSION_STATES[value])
    if field in ("discount", "base", "paid_total", "amount", "total"):
        return money(value)
    if field == "limit_percent":
        return percent(value)
    if field in ("received_on",):
        return day(value)
    if field == "effective_from":
        return moment(value)
    if field == "name":
        return person(value)
    if field == "language" and value in LANGUAGE_NAMES:
        return _(LANGUAGE_NAMES[value])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def audit_changes(kind: str, before: Any, after: Any) -> list[tuple[str, str, str]]:
    """An entry's before and after as (what, before, after) rows people read, never JSON."""
    before = before if isinstance(before, Mapping) else ({} if before is None else {"": before})
    after = after if isinstance(after, Mapping) else ({} if after is None else {"": after})
    rows = []
    for key in list(dict.fromkeys([*before, *after])):
        was, now = before.get(key), after.get(key)
        if key in before and key in after and was == now and key == "name":
            continue  # the user named in the subject already
        if kind == "price_list" and "." in key:
            what, field = _item_phrase(key)
            last = key.split(".")[-1]
            label = f"{what}, {field}" if field else what
            rows.append((label, field_value(last, was) if key in before else "—",
                         field_value(last, now) if key in after else "—"))
            continue
        label = _(AUDIT_FIELDS[key]) if key in AUDIT_FIELDS else _field_label(key) if key else ""
        rows.append((label, audit_value(key, was) if key in before else "—", audit_value(key, now) if key in after else "—"))
    return rows


# --- form errors: named by the labels people read, never by field names -------------------------------

FORM_FIELDS = {
    "customer.name": N_("Name"), "customer.email": N_("Email"), "customer.phone": N_("Phone"), "customer": N_("Customer"),
    "clinic": N_("Clinic"), "specialist_level": N_("Specialist level"), "sessions": N_("Sessions"),
    "start_date": N_("Start date"), "coupon": N_("Coupon"), "areas": N_("Areas"), "area": N_("Areas"),
    "code": N_("Code"), "size_cm2": N_("Size (cm²)"), "products": N_("Products"), "concerns": N_("Skin concerns"),
    "client": N_("Health questions"), "age": N_("Age"), "manual_discount": N_("Manual discount"),
    "percent": N_("Manual discount"), "reason": N_("Reason"), "valid_days": N_("Valid for days"),
    "follow_up_on": N_("Follow-up date"), "follow_up_due": N_("Follow-up date"), "assigned_to": N_("Assignee"),
    "status": N_("Status"), "notes": N_("Notes"), "text": N_("Note"), "language": N_("Language of the quote"),
    "cursor": N_("Page"), "limit": N_("Page"), "q": N_("Search"), "created_from": N_("Created from"),
    "created_to": N_("Created to"), "kind": N_("Kind"), "since": N_("Since"), "until": N_("Until"),
    "decision": N_("Decision"), "note": N_("Note"), "revision": N_("Revision"), "to": N_("E-mail address"),
    "channel": N_("How to send"), "message": N_("Personal message"), "decline_reason": N_("Reason"),
    "decline_note": N_("Note"), "effective_from": N_("Takes effect"), "amount": N_("Amount"),
    "received_on": N_("Received on"), "method": N_("Method"), "reference": N_("Reference"),
    "approval": N_("Approval"), "deposit": N_("Deposit"), "full_name": N_("Full name"), "email": N_("Email"),
    "name": N_("Name"), "role": N_("Role"), "password": N_("Password"),
}


_ROW = re.compile(r"^row (?P<row>\d+)(?:\.(?P<rest>.+))?$")


def field_label(path: str | None) -> str:
    """The label of the field a form error is about (``customer.phone`` is "Telefon"); "" for the form as a whole."""
    if not path or path.startswith("_"):
        return ""
    row = _ROW.match(path)
    if row:  # a spreadsheet's row and column
        rest = row.group("rest")
        column = _field_label(rest) if rest else ""
        return _("Row {row}, {column}", row=row.group("row"), column=column) if column else _("Row {row}", row=row.group("row"))
    if path in FORM_FIELDS:
        return _(FORM_FIELDS[path])
    parts = [p for p in path.split(".") if not p.isdigit()]
    for i in range(len(parts)):  # areas.1.size_cm2 → size_cm2; client.age → age
        tail = ".".join(parts[i:])
        if tail in FORM_FIELDS:
            return _(FORM_FIELDS[tail])
    if parts and parts[0] in ITEM_KINDS or parts and parts[0] in SETTINGS:
        return change_what(path)
    return ""


def error_line(path: str | None, messages: Any) -> str:
    """One field's errors as a line: ``Telefon: Geçerli bir telefon numarası yazın.``"""
    text = " ".join(messages) if isinstance(messages, (list, tuple)) else str(messages)
    label = field_label(path)
    return f"{label}: {text}" if label else text


def row_name(kind: str, code: str | None) -> str:
    """A price table's row as people call it: the item's name (``Tüm yüz``), "the new row" for one being added."""
    if not code or code == "new":
        return _("The new row")
    return _item_name(kind, code)


# --- stored texts of a quote ----------------------------------------------------------------------------


def stored(text: Any, lang: str | None = None, currency: str = "TRY") -> Markup:
    """A stored sentence of a quote (in the quote's language ``lang``), its figures written that language's way;
    marked with its language when it is not the page's."""
    code = lang or current().code
    written = readable(text, code, currency)
    if code != current().code:
        return Markup('<span lang="{}">{}</span>').format(code, written)
    return escape(written)


@bp.context_processor
def words_helpers() -> dict[str, Any]:
    return {
        "when": moment, "typed_moment": typed_moment, "person": person, "activity_kind": activity_kind, "activity_text": activity_text,
        "audit_kind": audit_kind, "audit_action": audit_action, "audit_subject": audit_subject,
        "audit_changes": audit_changes, "summary_text": summary_text, "change_text": change_text, "change_what": change_what,
        "move_label": move_label, "move_order": move_order, "field_label": field_label,
        "error_line": error_line, "row_name": row_name,
        "stored": stored, "percent": percent, "field_value": field_value, "any_money": money,
    }
