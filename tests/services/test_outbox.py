"""The outbox's sender against a real SMTP server (aiosmtpd, in process) and the .eml writer."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select, update

from quoteapi.adapters import clock
from quoteapi.adapters import mail as mails
from quoteapi.adapters.db import models as rows
from quoteapi.adapters.db import outbox_store, quote_store
from quoteapi.adapters.i18n import day_text
from quoteapi.domain.quotes import Customer
from quoteapi.services import outbox, quotes, users

from ..smtp_server import Handler, SmtpServer, free_port
from .conftest import create_command

LINK = "https://quotes.example.com/q/TOKEN-abc"


def smtp_mailer(server: SmtpServer, timeout: float = 5.0) -> mails.SmtpMailer:
    return mails.SmtpMailer(mails.SmtpSettings.from_url(server.url, timeout))


def staff(ctx, name: str, role: str = "sales", email: str | None = None, full_name: str | None = None) -> None:
    users.create_user(ctx, name, role)
    with ctx.database.transaction() as session:
        session.execute(update(rows.User).where(rows.User.name == name).values(email=email, full_name=full_name))


def quote_with_mail(ctx, *, customer: Customer | None = None, language: str = "tr", message: str | None = "Görüşmek üzere.",
                    assigned_to: str | None = "sam", recipient: str | None = None) -> str:
    """A quote and its e-mail queued in the outbox, as POST .../send queues it; the quote's number."""
    customer = customer or Customer("Ayşe Yılmaz", "ayse@example.com", None)
    number = quotes.create_quote(ctx, create_command(customer=customer, language=language)).quote.number
    with ctx.database.transaction() as session:
        quote = quote_store.load(session, number)
        quote.assigned_to = assigned_to
        outbox_store.enqueue(
            session, kind="quote", language=language, recipient=recipient or customer.email,
            payload={"number": number, "revision": 1, "link": LINK, "message": message, "by": "sam"},
            now=clock.now(), quote=quote,
        )
    return number


def messages(ctx) -> list[rows.OutboxMessage]:
    with ctx.database.reading() as session:
        return list(session.scalars(select(rows.OutboxMessage).order_by(rows.OutboxMessage.id)))


def activity(ctx, number: str) -> list[str]:
    return [str(a.text) for a in quotes.get_quote(ctx, number).activity]


def later(minutes: float):
    moment = clock.now() + timedelta(minutes=minutes)
    return lambda: moment


@pytest.fixture
def sam(ctx):
    staff(ctx, "sam", email="sam@clinic.example", full_name="Sami Kaya")


def test_a_quote_mail_is_delivered_with_both_bodies_the_pdf_the_link_and_reply_to(ctx, sam):
    number = quote_with_mail(ctx, message="Merhaba, <b>görüşmek</b> üzere!\nSami")
    with SmtpServer() as smtp:
        done = outbox.deliver_due(ctx, smtp_mailer(smtp))
    assert [o.result for o in done.outcomes] == ["sent"]
    [received] = smtp.received
    assert received.recipients == ["ayse@example.com"]
    mail = received.message
    assert number in mail["Subject"] and "İstanbul Kadıköy" in mail["Subject"]
    assert mail["Reply-To"].addresses[0].addr_spec == "sam@clinic.example"
    assert mail["Reply-To"].addresses[0].display_name == "Sami Kaya"
    assert mail["To"].addresses[0].display_name == "Ayşe Yılmaz"
    assert mail["Content-Language"] == "tr"
    assert mail.get_content_type() == "multipart/mixed"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert LINK in text and f'href="{LINK}"' in html
    assert "Sami Kaya" in text and "Sami Kaya" in html
    # The personal note as typed in the text, escaped in the HTML.
    assert "<b>görüşmek</b>" in text
    assert "&lt;b&gt;görüşmek&lt;/b&gt;" in html and "<b>görüşmek" not in html
    [pdf] = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"{number}-r1.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    [message] = messages(ctx)
    assert (message.state, message.attempts, message.last_error) == ("sent", 1, None)
    assert message.sent_at is not None
    assert "E-mail with the quote delivered." in activity(ctx, number)
    assert all("ayse@example.com" not in line for line in activity(ctx, number))


def test_the_mail_speaks_the_quotes_language(ctx, sam):
    number = quote_with_mail(ctx, language="en")
    turkish = quote_with_mail(ctx, language="tr")
    with SmtpServer() as smtp:
        outbox.deliver_due(ctx, smtp_mailer(smtp))
    by_number = {m.message["Subject"]: m.message for m in smtp.received}
    english = next(m for s, m in by_number.items() if number in s)
    other = next(m for s, m in by_number.items() if turkish in s)
    assert english["Subject"] == f"Your quote {number} from Istanbul Kadikoy"
    assert "Dear Ayşe Yılmaz," in english.get_body(("plain",)).get_content()
    assert other["Subject"] == f"{turkish} numaralı teklifiniz – İstanbul Kadıköy"
    assert "Sayın Ayşe Yılmaz," in other.get_body(("plain",)).get_content()


def test_reply_to_is_the_clinics_address_without_an_assigned_user_with_one(ctx):
    staff(ctx, "sam", email=None)
    quote_with_mail(ctx)
    with SmtpServer() as smtp:
        outbox.deliver_due(ctx, smtp_mailer(smtp))
    clinic = ctx.price_lists.current().clinic_by_code["ist-kadikoy"]
    reply_to = smtp.received[0].message["Reply-To"]
    expected = getattr(clinic, "email", None)
    assert (reply_to.addresses[0].addr_spec if reply_to else None) == expected


def test_a_4xx_reply_is_retried_after_the_backoff_and_delivered_when_the_server_accepts(ctx, sam):
    number = quote_with_mail(ctx)
    handler = Handler(data_replies=["451 4.3.0 Try again later"])
    with SmtpServer(handler=handler) as smtp:
        first = outbox.deliver_due(ctx, smtp_mailer(smtp))
        assert [o.result for o in first.outcomes] == ["retry"]
        [message] = messages(ctx)
        assert (message.state, message.attempts) == ("pending", 1)
        assert message.last_error.startswith("451")
        # Not due again before the first backoff (30 s) ...
        assert outbox.deliver_due(ctx, smtp_mailer(smtp), now=later(0.25)).outcomes == []
        # ... and delivered once it is.
        second = outbox.deliver_due(ctx, smtp_mailer(smtp), now=later(0.6))
    assert [o.result for o in second.outcomes] == ["sent"]
    assert len(smtp.received) == 1
    [message] = messages(ctx)
    assert (message.state, message.attempts) == ("sent", 2)
    assert activity(ctx, number).count("E-mail with the quote delivered.") == 1


def test_a_refused_recipient_fails_at_once_with_the_reply_an_activity_line_and_a_notice_to_staff(ctx, sam):
    number = quote_with_mail(ctx)
    handler = Handler(rcpt_reply="550 5.1.1 <{address}>: Recipient address rejected: User unknown")
    with SmtpServer(handler=handler) as smtp:
        done = outbox.deliver_due(ctx, smtp_mailer(smtp))
        assert [o.result for o in done.outcomes] == ["failed"]
        # Not retried, however late it is.
        assert [o.kind for o in outbox.deliver_due(ctx, smtp_mailer(smtp), now=later(600)).outcomes] == ["staff-notice"]
    quote_mail, notice = messages(ctx)
    assert (quote_mail.state, quote_mail.attempts) == ("failed", 1)
    assert quote_mail.last_error.startswith("550 5.1.1")
    assert "ayse@example.com" not in quote_mail.last_error
    [line] = [a for a in quotes.get_quote(ctx, number).activity if a.kind == "email"]
    assert line.text.msgid == outbox.UNDELIVERABLE
    assert "550 5.1.1" in line.text.values["reason"] and "User unknown" in line.text.values["reason"]
    assert "ayse@example.com" not in str(line.text)
    # The assigned user is told (the refusing server refused their notice too: it is kept failed, not looping).
    assert (notice.kind, notice.recipient, notice.payload["event"]) == ("staff-notice", "sam@clinic.example", "undeliverable")
    assert notice.payload["number"] == number


def test_a_server_that_is_down_loses_nothing_and_gets_the_mail_once_it_is_up(ctx, sam):
    number = quote_with_mail(ctx)
    quote_with_mail(ctx)
    port = free_port()
    mailer = mails.SmtpMailer(mails.SmtpSettings.from_url(f"smtp://127.0.0.1:{port}", 2.0))
    done = outbox.deliver_due(ctx, mailer)
    assert [o.result for o in done.outcomes] == ["retry", "retry"]
    assert all(m.state == "pending" and m.attempts == 1 for m in messages(ctx))
    assert all("cannot reach the mail server" in m.last_error for m in messages(ctx))
    assert activity(ctx, number)[-1] != "E-mail with the quote delivered."
    with SmtpServer(port=port) as smtp:
        again = outbox.deliver_due(ctx, mailer, now=later(1))
    assert [o.result for o in again.outcomes] == ["sent", "sent"]
    assert len(smtp.received) == 2
    assert [m.state for m in messages(ctx)] == ["sent", "sent"]


def test_the_retries_end_after_the_last_backoff_as_a_failure(ctx, sam):
    number = quote_with_mail(ctx)
    mailer = mails.SmtpMailer(mails.SmtpSettings.from_url(f"smtp://127.0.0.1:{free_port()}", 2.0))
    waited = 0.0
    results = []
    for step in [0.0, *[b.total_seconds() / 60 + 0.1 for b in outbox.BACKOFF]]:
        waited += step
        results += [o.result for o in outbox.deliver_due(ctx, mailer, now=later(waited)).outcomes if o.kind == "quote"]
    assert results == ["retry"] * len(outbox.BACKOFF) + ["failed"]
    quote_mail = messages(ctx)[0]
    assert (quote_mail.state, quote_mail.attempts) == ("failed", len(outbox.BACKOFF) + 1)
    assert any(a.kind == "email" and a.text.msgid == outbox.UNDELIVERABLE for a in quotes.get_quote(ctx, number).activity)
    assert [m.payload["event"] for m in messages(ctx) if m.kind == "staff-notice"] == ["undeliverable"]


def test_a_line_break_in_the_customers_name_adds_no_header_nor_recipient(ctx, sam):
    evil = Customer("Ayşe\r\nBcc: victim@example.net\r\nSubject: hacked", "ayse@example.com", None)
    number = quote_with_mail(ctx, customer=evil, message="Hi\r\nBcc: other@example.net")
    with SmtpServer() as smtp:
        outbox.deliver_due(ctx, smtp_mailer(smtp))
    [received] = smtp.received
    assert received.recipients == ["ayse@example.com"]
    head = received.data.split(b"\r\n\r\n", 1)[0].decode()
    assert "victim@example.net" not in received.recipients
    assert not any(line.lower().startswith("bcc:") for line in head.splitlines())
    assert sum(1 for line in head.splitlines() if line.lower().startswith("subject:")) == 1
    mail = received.message
    assert number in mail["Subject"] and "hacked" not in mail["Subject"]
    assert [a.addr_spec for a in mail["To"].addresses] == ["ayse@example.com"]
    assert "\n" not in mail["To"].addresses[0].display_name


def test_an_address_that_is_no_address_fails_without_reaching_the_server(ctx, sam):
    quote_with_mail(ctx, recipient="ayse@example.com\r\nRCPT TO:<x@example.net>")
    with SmtpServer() as smtp:
        done = outbox.deliver_due(ctx, smtp_mailer(smtp))
    assert [o.result for o in done.outcomes] == ["failed"]
    assert smtp.received == []


def test_a_message_that_cannot_be_rendered_fails_alone_and_the_others_go(ctx, sam):
    number = quote_with_mail(ctx)
    with ctx.database.transaction() as session:
        outbox_store.enqueue(session, kind="postcard", language="tr", recipient="a@example.com", payload={}, now=clock.now())
        outbox_store.enqueue(session, kind="staff-notice", language="tr", recipient="sam@clinic.example",
                             payload={"event": "accepted"}, now=clock.now())  # no quote number
    quote_with_mail(ctx)
    with SmtpServer() as smtp:
        done = outbox.deliver_due(ctx, smtp_mailer(smtp))
        assert outbox.deliver_due(ctx, smtp_mailer(smtp), now=later(600)).outcomes == []
    assert [o.result for o in done.outcomes] == ["sent", "failed", "failed", "sent"]
    assert len(smtp.received) == 2
    assert number


@pytest.mark.parametrize("event", ["accepted", "question", "declined", "undeliverable", "approval-requested", "approval-decided"])
def test_a_staff_notice_names_the_quote_and_links_to_its_console_page(ctx, event):
    with ctx.database.transaction() as session:
        outbox_store.enqueue(session, kind="staff-notice", language="tr", recipient="sam@clinic.example",
                             payload={"number": "Q-0001-000042", "event": event, "text": "Fiyat <pahalı>", "user": "sam"},
                             now=clock.now())
    with SmtpServer() as smtp:
        outbox.deliver_due(ctx, smtp_mailer(smtp), settings=outbox.Settings(public_url="https://quotes.example.com/"))
    mail = smtp.received[0].message
    assert "Q-0001-000042" in mail["Subject"]
    assert mail["Subject"] != mails.NOTICE_SUBJECTS[event].format(number="Q-0001-000042")  # in Turkish
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "https://quotes.example.com/desk/quotes/Q-0001-000042" in text
    assert 'href="https://quotes.example.com/desk/quotes/Q-0001-000042"' in html
    assert "Fiyat <pahalı>" in text and "Fiyat &lt;pahalı&gt;" in html


def test_the_eml_writer_writes_each_message_whole(ctx, sam, tmp_path):
    number = quote_with_mail(ctx)
    directory = tmp_path / "outbox"
    done = outbox.deliver_due(ctx, mails.FileMailer(directory))
    assert [o.result for o in done.outcomes] == ["sent"]
    [path] = list(directory.iterdir())
    assert path.suffix == ".eml" and path.name.endswith("-000001.eml")
    mail = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert number in mail["Subject"]
    assert next(mail.iter_attachments()).get_content().startswith(b"%PDF")
    assert LINK in mail.get_body(("plain",)).get_content()
    assert "E-mail with the quote delivered." in activity(ctx, number)


def test_the_eml_writer_that_cannot_write_retries(ctx, sam, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    quote_with_mail(ctx)
    done = outbox.deliver_due(ctx, mails.FileMailer(Path(blocked) / "outbox"))
    assert [o.result for o in done.outcomes] == ["retry"]


def test_a_message_dropped_while_it_was_being_sent_is_left_dropped(ctx, sam, tmp_path):
    quote_with_mail(ctx)

    class Erasing(mails.FileMailer):
        def deliver(self, message, recipient, key):
            super().deliver(message, recipient, key)
            with ctx.database.transaction() as session:
                outbox_store.forget_recipients(session, [m.quote_id for m in messages(ctx)])

    done = outbox.deliver_due(ctx, Erasing(tmp_path))
    assert [o.result for o in done.outcomes] == ["skipped"]
    [message] = messages(ctx)
    assert (message.state, message.recipient) == ("dropped", None)


def test_the_deposit_and_how_to_pay_it_are_in_the_mail_when_the_quote_asks_one():
    from decimal import Decimal

    from ..days import day

    quote_mail = mails.QuoteMail(
        to="ayse@example.com", language="tr", number="Q-0001-000123", revision=2, customer_name="Ayşe Yılmaz",
        clinic=mails.Contact("İstanbul Kadıköy", "Caferağa Mah. 1, Kadıköy", "+902161234567", "kadikoy@example.com"),
        link=LINK, message=None, prepared_by="Sami Kaya", currency="TRY", total=Decimal("19132.00"),
        valid_until=day(30), pdf=b"%PDF-1.7 fake", pdf_name="Q-0001-000123-r2.pdf", reply_to="kadikoy@example.com",
        deposit=mails.Deposit(Decimal("3826.40"), Decimal("20"), "Örnek Dermaterapi A.Ş.", "Örnek Bank",
                              "TR330006100519786457841326"),
    )
    rendered = mails.render_quote(quote_mail)
    for body in (rendered.text, rendered.html):
        assert "3.826,40" in body and "%20" in body
        assert "TR33 0006 1005 1978 6457 8413 26" in body
        assert "Örnek Bank" in body and "Q-0001-000123" in body
        assert "Caferağa Mah. 1, Kadıköy" in body and "+902161234567" in body and "kadikoy@example.com" in body
    assert "Örnek Dermaterapi A.Ş." in rendered.text and "Örnek Dermaterapi A.Ş." in rendered.html
    assert "Kapora" in rendered.text
    # The validity as pages write it ("6 Ocak 2027"), and in English percent the English way.
    assert day_text(day(30), "tr") in rendered.text and day_text(day(30), "tr") in rendered.html
    english = mails.render_quote(dataclasses.replace(quote_mail, language="en"))
    assert "20%" in english.text and "20 %" not in english.text and day_text(day(30), "en") in english.text
    # Without a deposit, no word of one.
    plain = mails.render_quote(dataclasses.replace(quote_mail, deposit=None))
    assert "Kapora" not in plain.text and "IBAN" not in plain.html
    # Replies to the clinic's address are named as the clinic; to a user's, as the user.
    assert (rendered.reply_to, rendered.reply_to_name) == ("kadikoy@example.com", "İstanbul Kadıköy")
    personal = mails.render_quote(dataclasses.replace(quote_mail, reply_to="sami@example.com"))
    assert (personal.reply_to, personal.reply_to_name) == ("sami@example.com", "Sami Kaya")
