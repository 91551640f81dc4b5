"""The quote workflow of quoteapi.domain.quotes, without a database."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from quoteapi.domain.errors import Conflict
from quoteapi.domain.quotes import (
    CLOSED,
    MOVES,
    OPEN,
    STATUSES,
    STORED_STATUSES,
    check_move,
    check_revisable,
    effective_status,
    fingerprint,
    format_number,
    status_after_revision,
)

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

LAST_DAY = date(2026, 12, 31)


# --- effective_status ---------------------------------------------------------------


@pytest.mark.parametrize("status", OPEN)
def test_an_open_quote_past_its_last_day_reads_expired(status):
    assert effective_status(status, LAST_DAY, LAST_DAY + timedelta(days=1)) == "expired"
    assert effective_status(status, LAST_DAY, LAST_DAY + timedelta(days=400)) == "expired"


@pytest.mark.parametrize("status", OPEN)
def test_an_open_quote_is_still_open_on_its_last_day_and_before(status):
    assert effective_status(status, LAST_DAY, LAST_DAY) == status
    assert effective_status(status, LAST_DAY, LAST_DAY - timedelta(days=1)) == status


@pytest.mark.parametrize("status", CLOSED)
def test_a_closed_quote_never_expires(status):
    assert effective_status(status, LAST_DAY, LAST_DAY + timedelta(days=1)) == status
    assert effective_status(status, LAST_DAY, LAST_DAY + timedelta(days=3650)) == status


def test_the_statuses_are_partitioned():
    assert set(OPEN).isdisjoint(CLOSED)
    assert set(STORED_STATUSES) == set(OPEN) | set(CLOSED) == set(MOVES)
    assert set(STATUSES) == set(STORED_STATUSES) | {"expired"}
    # Every move leads to a stored status; closed ones lead nowhere.
    assert all(targets <= set(STORED_STATUSES) for targets in MOVES.values())
    assert all(not MOVES[status] for status in CLOSED)


# --- check_move ---------------------------------------------------------------------

PAIRS = list(itertools.product(STORED_STATUSES, STATUSES))


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if p[1] in MOVES[p[0]]])
def test_an_allowed_move_passes(current, target):
    assert check_move("Q-2026-000001", current, target, LAST_DAY) is None


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if p[1] not in MOVES[p[0]]])
def test_any_other_move_is_a_conflict_on_status(current, target):
    with pytest.raises(Conflict) as caught:
        check_move("Q-2026-000001", current, target, LAST_DAY)
    assert list(caught.value.errors) == ["status"]
    assert caught.value.errors["status"]
    assert current in str(caught.value.detail) and target in str(caught.value.detail)


def test_the_expected_moves():
    # Spelled out once, so that a change to MOVES is a deliberate one.
    allowed = {(c, t) for c, t in PAIRS if t in MOVES[c]}
    assert allowed == {
        ("new", "draft"), ("new", "sent"), ("new", "declined"),
        ("draft", "sent"), ("draft", "declined"),
        ("sent", "accepted"), ("sent", "declined"), ("sent", "draft"),
    }


@pytest.mark.parametrize("target", STATUSES)
def test_an_expired_quote_may_not_move_at_all(target):
    with pytest.raises(Conflict) as caught:
        check_move("Q-2026-000007", "expired", target, LAST_DAY)
    assert list(caught.value.errors) == ["status"]
    detail = str(caught.value.detail)
    assert "Q-2026-000007" in detail and LAST_DAY.isoformat() in detail


# --- revising -----------------------------------------------------------------------


@pytest.mark.parametrize("status", OPEN + ("expired",))
def test_open_and_expired_quotes_may_be_revised(status):
    assert check_revisable("Q-2026-000001", status) is None


@pytest.mark.parametrize("status", CLOSED)
def test_closed_quotes_may_not_be_revised(status):
    with pytest.raises(Conflict) as caught:
        check_revisable("Q-2026-000003", status)
    assert list(caught.value.errors) == ["status"]
    assert status in str(caught.value.detail) and "Q-2026-000003" in str(caught.value.detail)


@pytest.mark.parametrize(
    ("before", "after"),
    [("new", "new"), ("draft", "draft"), ("sent", "draft"), ("expired", "expired")],
)
def test_only_a_sent_quote_goes_back_to_draft_when_revised(before, after):
    assert status_after_revision(before) == after


# --- numbers and fingerprints -------------------------------------------------------


def test_numbers_have_the_year_and_six_digits():
    assert format_number(2026, 1) == "Q-2026-000001"
    assert format_number(2027, 42) == "Q-2027-000042"
    assert format_number(2026, 999_999) == "Q-2026-999999"
    # Past a million a year the number grows rather than wraps.
    assert format_number(2026, 1_000_000) == "Q-2026-1000000"


PLAIN = {
    "inputs": {
        "clinic": "ist-kadikoy",
        "areas": [{"code": "face", "size_cm2": None}, {"code": "neck", "size_cm2": "260"}],
        "sessions": 3,
        "client": {"age": 34, "pregnant": False},
    },
    "customer": {"name": "Ayşe", "email": "ayse@example.com", "phone": None},
    "notes": None,
    "follow_up_on": date(2026, 12, 20),
    "valid_days": None,
}


def reordered(value):
    """The same data with every mapping's keys in reverse order."""
    if isinstance(value, dict):
        return {k: reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reordered(v) for v in value]
    return value


def test_a_fingerprint_ignores_key_order():
    again = reordered(PLAIN)
    assert list(again) != list(PLAIN)
    assert fingerprint(again) == fingerprint(PLAIN)
    assert len(fingerprint(PLAIN)) == 64 and int(fingerprint(PLAIN), 16) >= 0


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["inputs"].update(sessions=4),
        lambda d: d["inputs"]["areas"][1].update(size_cm2="261"),
        lambda d: d["inputs"]["areas"].reverse(),  # the order of a list matters
        lambda d: d["inputs"]["client"].update(pregnant=None),
        lambda d: d["customer"].update(phone="+90 555 000 00 00"),
        lambda d: d.update(notes=""),  # "" is not None
        lambda d: d.update(follow_up_on=date(2026, 12, 21)),
        lambda d: d.update(valid_days=30),
        lambda d: d.pop("valid_days"),
    ],
)
def test_any_change_changes_the_fingerprint(change):
    changed = reordered(reordered(PLAIN))  # a deep copy
    assert fingerprint(changed) == fingerprint(PLAIN)
    change(changed)
    assert fingerprint(changed) != fingerprint(PLAIN)
