"""Log lines without personal data.

The product logs no request bodies. What could still carry a name, a contact
or a health answer into a log is the text of a database error: SQLAlchemy
appends the statement's parameters (off: ``hide_parameters`` in
``db/database.py``), and PostgreSQL's ``DETAIL`` quotes the row a constraint
refused (``Failing row contains (…, Ayşe Yılmaz, …)``) or the key a unique
index refused. This formatter drops those lines from every message and
traceback it writes.

Every line it writes is one line: a control character in a message (a path
with ``%0a``, a name) is written escaped (``\x0a``), so nobody can forge a
log line by sending one. A traceback keeps its own line breaks; the messages
of its exceptions are escaped like any message.
"""

from __future__ import annotations

import logging
import re

from ..domain.characters import escape_controls, escape_controls_but_newlines

# PostgreSQL's DETAIL (rows and keys), SQLAlchemy's parameters, in any line of a message or traceback.
PRIVATE_LINES = re.compile(r"^(\s*)(DETAIL:|\[parameters:).*$", re.MULTILINE)
WITHHELD = r"\1\2 [withheld: may hold personal data]"


def withhold(text: str) -> str:
    return PRIVATE_LINES.sub(WITHHELD, text)


def _exceptions(error: BaseException | None):
    """``error`` and the exceptions it was raised from or while handling."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


class PrivateFormatter(logging.Formatter):
    """A formatter that withholds the lines of database errors that quote stored values, each message on one line."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_controls(withhold(super().formatMessage(record)))

    def formatException(self, ei) -> str:
        text = withhold(super().formatException(ei))
        # An exception's message (which may quote what a client sent) on one line, like a message.
        for error in _exceptions(ei[1]):
            try:
                said = withhold(str(error))
            except Exception:  # noqa: BLE001 - a broken __str__: the traceback says so already
                continue
            if said != escape_controls(said):
                text = text.replace(said, escape_controls(said))
        return escape_controls_but_newlines(text)

    def formatStack(self, stack_info: str) -> str:
        return escape_controls_but_newlines(super().formatStack(stack_info))

    def format(self, record: logging.LogRecord) -> str:
        return withhold(super().format(record))
