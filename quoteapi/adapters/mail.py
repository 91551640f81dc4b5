"""E-mail: the outbox's messages rendered (Jinja, in the message's language) and delivered (SMTP, or files).

Settings (api.md revision 3, "Sending a quote"): ``QUOTEAPI_MAIL_URL``
(``smtp://user:pass@host:587?starttls=true``, ``smtps://user:pass@host:465``)
and ``QUOTEAPI_MAIL_FROM``. Without a mail URL every message is written as an
``.eml`` file under ``instance/outbox/`` (:class:`FileMailer`), so that a new
machine shows its mail without a mail server.

Messages are built with the standard library's :class:`~email.message.EmailMessage`
under ``email.policy.SMTP``: a header value never carries a line break of its own
(:func:`header_text` turns every control character into a space first), so no
text a customer typed can add a header. Failures are :class:`DeliveryFailed`,
``temporary`` (a 4xx reply, a refused or timed-out connection: retried later)
or not (a 5xx reply, a refused recipient: reported, not retried).
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import socket
import ssl
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..domain.text import LANGUAGES, N_
from .figures import percent_text
from .i18n import day_text, language, money_text

log = logging.getLogger(__name__)

DEFAULT_FROM = "quoteapi@localhost"
DEFAULT_TIMEOUT = 10.0


# --- What can go wrong ---------------------------------------------------------------------

# An address-like run of characters in a server's reply: replaced, so that an activity line never keeps one.
_ADDRESS_IN_TEXT = re.compile(r"<?[^\s<>@\"']+@[^\s<>\"']+>?")


def without_addresses(text: str) -> str:
    """``text`` (an SMTP reply) with every e-mail address in it replaced by ``<address>``."""
    return _ADDRESS_IN_TEXT.sub("<address>", text)


class DeliveryFailed(Exception):
    """A message did not go: ``reply`` is what the server said (without any address), ``temporary`` whether
    a later try may succeed; ``connection`` when no message can go through this mailer now (server down)."""

    def __init__(self, reply: str, *, temporary: bool, connection: bool = False) -> None:
        super().__init__(reply)
        self.reply = without_addresses(" ".join(reply.split()))[:500]
        self.temporary = temporary
        self.connection = connection


def _reply(code: int | None, message: bytes | str | None) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else (message or "")
    return f"{code} {text}".strip() if code else text


def classify(error: BaseException) -> DeliveryFailed:
    """What an exception of :mod:`smtplib` or of the socket means for the message."""
    if isinstance(error, DeliveryFailed):
        return error
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # One recipient per message: its reply decides (550 no such user is permanent, 450 mailbox busy is not).
        code, message = next(iter(error.recipients.values()), (550, b"recipient refused"))
        return DeliveryFailed(_reply(code, message), temporary=400 <= code < 500)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        # The server refused our own credentials: a setting to fix, not the message's fault; kept and retried.
        return DeliveryFailed(_reply(error.smtp_code, error.smtp_error), temporary=True, connection=True)
    if isinstance(error, smtplib.SMTPConnectError):
        return DeliveryFailed(_reply(error.smtp_code, error.smtp_error), temporary=True, connection=True)
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        return DeliveryFailed(_reply(code, error.smtp_error), temporary=not 500 <= code < 600)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return DeliveryFailed(f"connection lost: {error}", temporary=True, connection=True)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return DeliveryFailed(f"the server does not support this: {error}", temporary=True, connection=True)
    if isinstance(error, (socket.timeout, TimeoutError)):
        return DeliveryFailed("the mail server did not answer in time", temporary=True, connection=True)
    if isinstance(error, ssl.SSLError):
        return DeliveryFailed(f"TLS failed: {error.reason or error}", temporary=True, connection=True)
    if isinstance(error, OSError):
        return DeliveryFailed(f"cannot reach the mail server: {error.strerror or error}", temporary=True, connection=True)
    return DeliveryFailed(f"{type(error).__name__}: {error}", temporary=True, connection=True)


# --- Building a message ----------------------------------------------------------------------


# Control and format characters, lone surrogates, private and unassigned code points, line separators.
_NOT_IN_HEADERS = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def header_text(text: str | None, limit: int = 200) -> str:
    """``text`` as one line fit for a header: every control character (CR, LF, tab, bidi controls) a space."""
    cleaned = "".join(" " if unicodedata.category(c) in _NOT_IN_HEADERS else c for c in text or "")
    return " ".join(cleaned.split())[:limit]


def address(addr_spec: str) -> Address:
    """``addr_spec`` (``name@example.com``) as a header's address; a permanent failure when it is not one."""
    text = (addr_spec or "").strip()
    if not text or any(unicodedata.category(c) in _NOT_IN_HEADERS or c.isspace() for c in text):
        raise DeliveryFailed("not an e-mail address", temporary=False)
    try:
        found = Address(addr_spec=text)
    except Exception:  # the email package's HeaderParseError, ValueError, IndexError
        raise DeliveryFailed("not an e-mail address", temporary=False) from None
    if not found.username or not found.domain:
        raise DeliveryFailed("not an e-mail address", temporary=False)
    return found


def sender(setting: str, display_name: str | None = None) -> Address:
    """The From address: ``QUOTEAPI_MAIL_FROM`` (``a@b`` or ``Name <a@b>``), named ``display_name`` when given."""
    name, addr = parseaddr(setting)
    found = address(addr)
    return Address(display_name=header_text(display_name or name), username=found.username, domain=found.domain)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    """A rendered message, before it becomes MIME."""

    to: str
    subject: str
    text: str
    html: str | None = None
    language: str = "tr"
    to_name: str | None = None
    reply_to: str | None = None
    reply_to_name: str | None = None
    from_name: str | None = None
    attachments: tuple[Attachment, ...] = ()


def build_message(mail: Mail, mail_from: str, now: datetime) -> EmailMessage:
    """``mail`` as a MIME message: text and HTML alternatives, then the attachments."""
    message = EmailMessage(policy=policy.SMTP)
    from_address = sender(mail_from, mail.from_name)
    message["From"] = from_address
    to = address(mail.to)
    message["To"] = Address(header_text(mail.to_name), to.username, to.domain)
    if mail.reply_to:
        try:
            reply = address(mail.reply_to)
        except DeliveryFailed:
            reply = None  # a clinic's or user's address that is not one: the mail still goes, without Reply-To
        if reply is not None:
            message["Reply-To"] = Address(header_text(mail.reply_to_name), reply.username, reply.domain)
    message["Subject"] = header_text(mail.subject, 250)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=from_address.domain or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text, subtype="plain", cte="quoted-printable")
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    for attachment in mail.attachments:
        maintype, subtype = attachment.content_type.split("/", 1)
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                               filename=header_text(attachment.filename, 100))
    # After the parts: making a message multipart moves its Content-* headers into the first part.
    message["Content-Language"] = mail.language
    return message


# --- Delivering it ---------------------------------------------------------------------------


class Mailer(Protocol):
    """Where messages go: an SMTP server, or a folder of files."""

    description: str

    def deliver(self, message: EmailMessage, recipient: str, key: str) -> None:
        """Send ``message`` to ``recipient``; :class:`DeliveryFailed` when it did not go. ``key`` names it (files)."""

    def close(self) -> None:
        """Let go of any connection kept between messages."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    ssl: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_url(cls, url: str, timeout: float = DEFAULT_TIMEOUT) -> "SmtpSettings":
        """``smtp://user:pass@host:587?starttls=true`` or ``smtps://user:pass@host:465`` (user and password
        percent-encoded); ``ValueError`` for anything else."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("a mail URL is smtp://[user:password@]host[:port][?starttls=true] or smtps://...")
        secure = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        starttls = (query.get("starttls") or ["false"])[-1].strip().lower() in ("1", "true", "yes", "on")
        return cls(
            host=parts.hostname, port=parts.port or (465 if secure else 25), ssl=secure, starttls=starttls and not secure,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None, timeout=timeout,
        )

    @property
    def description(self) -> str:
        """Where mail goes, without the password: for logs."""
        scheme = "smtps" if self.ssl else "smtp"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}" + ("?starttls=true" if self.starttls else "")


class SmtpMailer:
    """Delivery over SMTP with :mod:`smtplib`; one connection kept between the messages of a batch.

    Every connect, command and reply has ``timeout`` seconds. After any failure the
    connection is dropped, so that the next message starts on a clean one.
    """

    def __init__(self, settings: SmtpSettings, tls_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.tls_context = tls_context or ssl.create_default_context()
        self._connection: smtplib.SMTP | None = None
        self.description = settings.description

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.ssl:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self.tls_context)
        else:
            connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            connection.ehlo_or_helo_if_needed()
            if s.starttls:
                connection.starttls(context=self.tls_context)
                connection.ehlo()
            if s.username:
                connection.login(s.username, s.password or "")
        except BaseException:
            _close_quietly(connection)
            raise
        return connection

    def deliver(self, message: EmailMessage, recipient: str, key: str) -> None:
        to = address(recipient).addr_spec
        try:
            if self._connection is not None:
                try:
                    self._connection.send_message(message, to_addrs=[to])
                    return
                except smtplib.SMTPServerDisconnected:
                    # The kept connection was closed by the server meanwhile (idle): once more on a new one.
                    _close_quietly(self._connection)
                    self._connection = None
            self._connection = self._connect()
            self._connection.send_message(message, to_addrs=[to])
        except Exception as error:
            failure = classify(error)
            self.close()
            raise failure from error

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                _close_quietly(connection)


def _close_quietly(connection: smtplib.SMTP) -> None:
    try:
        connection.close()
    except OSError:
        pass


class FileMailer:
    """Each message written whole as ``<directory>/<key>.eml`` (a temporary file renamed): never half a file."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.description = f"files in {self.directory}"

    def deliver(self, message: EmailMessage, recipient: str, key: str) -> None:
        address(recipient)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", key) + ".eml"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            data = message.as_bytes(policy=policy.SMTP)
            handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.directory)
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(data)
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temporary, self.directory / name)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise DeliveryFailed(f"cannot write {name}: {error.strerror or error}", temporary=True,
                                 connection=True) from error

    def close(self) -> None:
        pass


def mailer_for(mail_url: str | None, directory: str | os.PathLike[str], timeout: float = DEFAULT_TIMEOUT) -> Mailer:
    """The mailer the settings name: SMTP for a mail URL, else files in ``directory``."""
    if mail_url:
        return SmtpMailer(SmtpSettings.from_url(mail_url, timeout))
    return FileMailer(directory)


# --- Rendering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """The clinic as the mail names it."""

    name: str
    address: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Deposit:
    amount: Decimal
    percent: Decimal | None = None
    holder: str | None = None
    bank: str | None = None
    iban: str | None = None


@dataclass(frozen=True)
class QuoteMail:
    """What the quote's e-mail says (kind ``quote``), gathered by the sender from the outbox's payload."""

    to: str
    language: str
    number: str
    revision: int
    customer_name: str
    clinic: Contact
    link: str | None
    message: str | None
    prepared_by: str | None
    currency: str
    total: Decimal
    valid_until: date
    pdf: bytes
    pdf_name: str
    reply_to: str | None = None
    deposit: Deposit | None = None


# What a staff notice tells, by event (an approval's decision: ``approval-approved``, ``approval-rejected``):
# its subject and its first line.
NOTICE_SUBJECTS = {
    "accepted": N_("Quote {number} was accepted"),
    "question": N_("A question about quote {number}"),
    "declined": N_("Quote {number} was declined"),
    "undeliverable": N_("The e-mail with quote {number} could not be delivered"),
    "approval-requested": N_("Quote {number} waits for your approval"),
    "approval-decided": N_("Approval decided on quote {number}"),
    "approval-approved": N_("The manual discount on quote {number} was approved"),
    "approval-rejected": N_("The manual discount on quote {number} was rejected"),
}
NOTICE_LEADS = {
    "accepted": N_("The customer accepted quote {number} on their link."),
    "question": N_("The customer asked a question about quote {number} on their link."),
    "declined": N_("The customer declined quote {number}."),
    "undeliverable": N_("The e-mail with quote {number} could not be delivered to the customer."),
    "approval-requested": N_("Quote {number} has a manual discount above the limit and waits for an admin's approval."),
    "approval-decided": N_("An admin decided on the manual discount of quote {number}."),
    "approval-approved": N_("An admin approved the manual discount of quote {number}; the quote can be sent."),
    "approval-rejected": N_("An admin rejected the manual discount of quote {number}; revise the quote before sending it."),
}
# Who the notice names besides the customer, by event.
NOTICE_BY = {
    "approval-requested": N_("Asked by"),
    "approval-decided": N_("Decided by"),
    "approval-approved": N_("Decided by"),
    "approval-rejected": N_("Decided by"),
}


@dataclass(frozen=True)
class StaffNotice:
    """A short message to staff about a quote (kind ``staff-notice``)."""

    to: str
    language: str
    number: str
    event: str
    text: str | None
    user: str | None
    link: str | None
    customer_name: str | None = None
    # An approval's decision (approved, rejected), and who asked for it or made it.
    decision: str | None = None
    by: str | None = None


@dataclass(frozen=True)
class DigestLine:
    """One quote in the digest: number, customer, the day (or moment, already in words) it is listed for."""

    number: str
    customer_name: str
    when: str
    link: str | None


@dataclass(frozen=True)
class Digest:
    """The morning digest of one sales user (kind ``digest``)."""

    to: str
    language: str
    user: str
    day: date
    follow_ups: tuple[DigestLine, ...]
    expiring: tuple[DigestLine, ...]
    requests: tuple[DigestLine, ...]
    opened: tuple[DigestLine, ...]
    # True for a list cut at its limit: "and more in the console".
    more: tuple[str, ...] = ()
    console: str | None = None


def _environment(code: str) -> Environment:
    env = Environment(
        loader=PackageLoader("quoteapi.adapters", "templates"),
        autoescape=select_autoescape(("html",), default_for_string=False, default=False),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    lang = language(code)
    env.install_gettext_callables(lang.gettext, lang.ngettext, newstyle=True)
    return env


_ENVIRONMENTS: dict[str, Environment] = {}


def _env(code: str) -> Environment:
    if code not in _ENVIRONMENTS:
        _ENVIRONMENTS[code] = _environment(code)
    return _ENVIRONMENTS[code]


def _code(code: str) -> str:
    return code if code in LANGUAGES else LANGUAGES[0]


def _iban(iban: str | None) -> str | None:
    """An IBAN in groups of four, as people copy it."""
    if not iban:
        return None
    bare = iban.replace(" ", "")
    return " ".join(bare[i:i + 4] for i in range(0, len(bare), 4))


def render_quote(mail: QuoteMail) -> Mail:
    """The quote's e-mail in the quote's language: HTML and text, the PDF attached, Reply-To the preparer or clinic."""
    code = _code(mail.language)
    lang = language(code)
    env = _env(code)
    values: dict[str, Any] = {
        "m": mail,
        "lang": code,
        "total": money_text(mail.total, mail.currency, code),
        "valid_until": day_text(mail.valid_until, code),
        "deposit_amount": money_text(mail.deposit.amount, mail.currency, code) if mail.deposit else None,
        "deposit_percent": percent_text(mail.deposit.percent, code)
        if mail.deposit and mail.deposit.percent is not None else None,
        "iban": _iban(mail.deposit.iban) if mail.deposit else None,
        "message_lines": (mail.message or "").strip().splitlines(),
        # A name on one line: a line break typed into it would only break the greeting.
        "customer_name": header_text(mail.customer_name),
    }
    subject = lang.gettext("Your quote {number} from {clinic}").format(number=mail.number, clinic=mail.clinic.name)
    return Mail(
        to=mail.to,
        subject=subject,
        text=env.get_template("mail/quote.txt").render(**values),
        html=env.get_template("mail/quote.html").render(subject=subject, **values),
        language=code,
        to_name=mail.customer_name,
        reply_to=mail.reply_to,
        reply_to_name=mail.prepared_by if mail.reply_to and mail.reply_to != mail.clinic.email else mail.clinic.name,
        from_name=mail.clinic.name,
        attachments=(Attachment(mail.pdf_name, "application/pdf", mail.pdf),),
    )


def render_notice(notice: StaffNotice) -> Mail:
    """A staff notice in its language: what happened to which quote (and whose), and the console's page of it."""
    code = _code(notice.language)
    lang = language(code)
    env = _env(code)
    event = notice.event if notice.event in NOTICE_SUBJECTS else "question"
    if event == "approval-decided" and notice.decision in ("approved", "rejected"):
        event = f"approval-{notice.decision}"
    subject = lang.gettext(NOTICE_SUBJECTS[event]).format(number=notice.number)
    values = {
        "n": notice,
        "lang": code,
        "lead": lang.gettext(NOTICE_LEADS[event]).format(number=notice.number),
        "by_label": lang.gettext(NOTICE_BY[event]) if event in NOTICE_BY and notice.by else None,
        "customer_name": header_text(notice.customer_name) if notice.customer_name else None,
        "text_lines": (notice.text or "").strip().splitlines(),
    }
    return Mail(
        to=notice.to,
        subject=subject,
        text=env.get_template("mail/notice.txt").render(**values),
        html=env.get_template("mail/notice.html").render(subject=subject, **values),
        language=code,
    )


def render_digest(digest: Digest) -> Mail:
    """A sales user's morning digest in their language: follow-ups, expiring quotes, new requests, links opened."""
    code = _code(digest.language)
    lang = language(code)
    env = _env(code)
    subject = lang.gettext("Your day at the desk, {day}").format(day=day_text(digest.day, code))
    sections = [
        (key, lang.gettext(title), lines)
        for key, title, lines in (
            ("follow_ups", N_("Follow-ups due today"), digest.follow_ups),
            ("expiring", N_("Quotes expiring this week"), digest.expiring),
            ("requests", N_("New website requests nobody has taken"), digest.requests),
            ("opened", N_("Customers who opened their link since your last digest"), digest.opened),
        )
        if lines
    ]
    values = {"d": digest, "lang": code, "sections": sections, "more": set(digest.more)}
    return Mail(
        to=digest.to,
        subject=subject,
        text=env.get_template("mail/digest.txt").render(**values),
        html=env.get_template("mail/digest.html").render(subject=subject, **values),
        language=code,
    )
