"""Log lines without personal data.

The product logs no request bodies. What could still carry a name, a contact
or a health answer into a log is the text of a database error: SQLAlchemy
appends the statement's parameters (off: ``hide_parameters`` in
``db/database.py``), and PostgreSQL's ``DETAIL`` quotes the row a constraint
refused (``Failing row contains (…, Ayşe Yılmaz, …)``) or the key a unique
index refused. This formatter drops those lines from every message and
traceback it writes.
"""

from __future__ import annotations

import logging
import re

# PostgreSQL's DETAIL (rows and keys), SQLAlchemy's parameters, in any line of a message or traceback.
PRIVATE_LINES = re.compile(r"^(\s*)(DETAIL:|\[parameters:).*$", re.MULTILINE)
WITHHELD = r"\1\2 [withheld: may hold personal data]"


def withhold(text: str) -> str:
    return PRIVATE_LINES.sub(WITHHELD, text)


class PrivateFormatter(logging.Formatter):
    """A formatter that withholds the lines of database errors that quote stored values."""

    def format(self, record: logging.LogRecord) -> str:
        return withhold(super().format(record))
