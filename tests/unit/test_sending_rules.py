"""The rules of sending a quote (domain/quotes.py) and the public URL setting."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config import ConfigError, load
from quoteapi.domain import quotes as workflow
from quoteapi.domain.errors import Conflict

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless

VALID = date(2026, 12, 31)


@pytest.mark.parametrize("status, again", [("new", False), ("draft", False), ("sent", True)])
def test_an_open_quote_may_be_sent_and_a_sent_one_again(status, again):
    assert workflow.check_send("Q-2026-000001", status, VALID) is again
    assert workflow.check_send("Q-2026-000001", status, VALID, workflow.APPROVAL_APPROVED) is again


@pytest.mark.parametrize("status, approval, kind", [
    ("expired", "not_needed", "quote-expired"),
    ("accepted", "not_needed", "status-move"),
    ("declined", "not_needed", "status-move"),
    ("new", "pending", "approval-pending"),
    ("draft", "rejected", "approval-rejected"),
    ("sent", "pending", "approval-pending"),
    ("sent", "rejected", "approval-rejected"),
])
def test_what_cannot_be_sent_says_why(status, approval, kind):
    with pytest.raises(Conflict) as refused:
        workflow.check_send("Q-2026-000001", status, VALID, approval)
    assert refused.value.kind == kind and refused.value.errors["status"]


def test_every_reason_has_a_label_and_lines():
    assert set(workflow.DECLINE_REASON_LABELS) \
        == set(workflow.DECLINE_REASONS) == set(workflow.DECLINE_LINES)
    for reason in workflow.DECLINE_REASONS:
        plain, values = workflow.decline_line(reason, None)
        assert values == {} and "{" not in plain
        with_note, values = workflow.decline_line(reason, "Too far")
        assert values == {"note": "Too far"} and with_note.endswith("{note}")
    assert set(workflow.SENT_LINES) == set(workflow.CHANNELS)


def test_the_customer_link():
    assert workflow.customer_link("https://q.example.com/", "abc") == "https://q.example.com/q/abc"
    assert workflow.customer_link("http://localhost", "abc") == "http://localhost/q/abc"


@given(st.text(min_size=1, max_size=300))
def test_the_whatsapp_text_survives_its_url(text):
    url = urlsplit(workflow.whatsapp_url("+905331234567", text))
    assert (url.scheme, url.netloc, url.path) == ("https", "wa.me", "/905331234567")
    assert "#" not in url.geturl().split("?", 1)[1] and " " not in url.geturl()
    assert parse_qs(url.query, keep_blank_values=True, strict_parsing=True)["text"] == [text]


def test_the_public_url_setting():
    env = {"QUOTEAPI_ENV": "testing"}
    assert load(env)["PUBLIC_URL"] is None
    assert load({**env, "QUOTEAPI_PUBLIC_URL": " https://quotes.example.com/ "})["PUBLIC_URL"] == "https://quotes.example.com"
    assert load({**env, "QUOTEAPI_PUBLIC_URL": "http://10.0.0.5:8000/clinic"})["PUBLIC_URL"] == "http://10.0.0.5:8000/clinic"
    for bad in ("quotes.example.com", "ftp://x", "https://", "https://x/?a=1", "https://x/#top", "https://a b"):
        with pytest.raises(ConfigError, match="QUOTEAPI_PUBLIC_URL"):
            load({**env, "QUOTEAPI_PUBLIC_URL": bad})
