"""adapters/mail.py without a server: settings from the URL, what a failure means, header text."""

from __future__ import annotations

import smtplib
import socket
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quoteapi.adapters import mail

# Reads no clock (every date is written in the test): left out of make test's run at a moved moment.
pytestmark = pytest.mark.clockless


def test_smtp_settings_from_both_schemes():
    plain = mail.SmtpSettings.from_url("smtp://user%40x:p%3Ass@mail.example.com:587?starttls=true", 7.0)
    assert (plain.host, plain.port, plain.ssl, plain.starttls) == ("mail.example.com", 587, False, True)
    assert (plain.username, plain.password, plain.timeout) == ("user@x", "p:ss", 7.0)
    assert "p:ss" not in plain.description and "p%3Ass" not in plain.description
    secure = mail.SmtpSettings.from_url("smtps://u:p@mail.example.com")
    assert (secure.port, secure.ssl, secure.starttls) == (465, True, False)
    assert mail.SmtpSettings.from_url("smtp://localhost").port == 25
    with pytest.raises(ValueError):
        mail.SmtpSettings.from_url("http://mail.example.com")


@pytest.mark.parametrize(("error", "temporary", "connection"), [
    (smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"5.1.1 <a@b.c> unknown")}), False, False),
    (smtplib.SMTPRecipientsRefused({"a@b.c": (450, b"4.2.1 mailbox busy")}), True, False),
    (smtplib.SMTPDataError(554, b"5.7.1 rejected as spam"), False, False),
    (smtplib.SMTPDataError(451, b"4.3.0 try later"), True, False),
    (smtplib.SMTPSenderRefused(553, b"5.1.8 bad sender", "x@y.z"), False, False),
    (smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), True, True),
    (smtplib.SMTPServerDisconnected("gone"), True, True),
    (ConnectionRefusedError(111, "Connection refused"), True, True),
    (socket.timeout("timed out"), True, True),
])
def test_what_each_failure_means(error, temporary, connection):
    failure = mail.classify(error)
    assert (failure.temporary, failure.connection) == (temporary, connection)
    assert "a@b.c" not in failure.reply and "x@y.z" not in failure.reply


def test_a_reply_keeps_no_address():
    failure = mail.classify(smtplib.SMTPRecipientsRefused({"ayse@example.com": (550, b"5.1.1 <ayse@example.com>: User unknown")}))
    assert failure.reply == "550 5.1.1 <address>: User unknown"


@given(st.text())
def test_header_text_is_one_line_whatever_was_typed(text):
    cleaned = mail.header_text(text)
    assert "\r" not in cleaned and "\n" not in cleaned
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in cleaned)
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert len(cleaned) <= 200


@pytest.mark.parametrize("value", ["", "no-at-sign", "a@b.c\r\nBcc: d@e.f", "two words@b.c", "a@", "@b.c"])
def test_what_is_no_address_is_a_permanent_failure(value):
    with pytest.raises(mail.DeliveryFailed) as failed:
        mail.address(value)
    assert not failed.value.temporary
