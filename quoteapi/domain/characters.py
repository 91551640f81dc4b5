"""Characters no text from outside may hold, and log lines that cannot be forged.

A text field (a name, a code, a search, a note, a path parameter) refuses:

- control characters (Unicode category Cc: U+0000-U+001F, U+007F-U+009F).
  PostgreSQL cannot store a NUL in text at all (a 500 until refused here),
  and a line break or an escape sequence in a name breaks a log line, a CSV
  row or a terminal. Free text written on several lines (a note) keeps its
  line breaks and tabs (``\\n``, ``\\r``, ``\\t``), and only those; a
  one-line text refuses the Unicode line and paragraph separators (U+2028,
  U+2029) too.
- bidirectional controls: the embeddings and overrides U+202A-U+202E, the
  isolates U+2066-U+2069, and the invisible marks U+200E, U+200F and U+061C.
  A right-to-left override shows ``Ayşe\\u202eredro`` as "Ayşe order": the
  console and the documents would show somebody else's text than the one
  stored. The marks cannot reorder as much, but they are invisible and no
  name, code or note typed by a person needs them.

Log lines escape every control character (and the separators) as ``\\xNN`` /
``\\uNNNN``, so a value in a log line (a path, a name) cannot start a line of its own.
"""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# A one-line text: every control character, the line separators and the bidi controls.
ONE_LINE_REFUSED = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
# Text on several lines: the same, but for line feed, carriage return and tab.
LINES_REFUSED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")
BIDI = re.compile(f"[{_BIDI}]")

CONTROL = "control"
BIDI_CONTROL = "bidi"


def refused_character(text: str, *, lines: bool = False) -> str | None:
    """Why ``text`` is refused (:data:`CONTROL` or :data:`BIDI_CONTROL`), or None when it may be stored."""
    found = (LINES_REFUSED if lines else ONE_LINE_REFUSED).search(text)
    if found is None:
        return None
    return BIDI_CONTROL if BIDI.match(found.group()) else CONTROL


# What a log line escapes: every control character, the line and paragraph separators.
_UNSAFE_IN_LOGS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(found: re.Match) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` on one line: each control character written as ``\\xNN`` (a line feed as ``\\x0a``)."""
    return _UNSAFE_IN_LOGS.sub(_escaped, text)


def escape_controls_but_newlines(text: str) -> str:
    """Like :func:`escape_controls`, keeping line feeds (a traceback's own lines)."""
    return "\n".join(escape_controls(line) for line in text.split("\n"))
