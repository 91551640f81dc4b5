"""A Babel extractor for the static pages: every ``data-i18n="..."`` text is a message id.

The estimator page is plain HTML that the clinic may copy to its own site; its
script swaps each marked element's text for the translation (see
``estimator.js``). Used by ``make messages`` through ``babel.cfg``.
"""

from __future__ import annotations

import html
import re
from typing import Any, BinaryIO, Iterator

MARKED = re.compile(r"""data-i18n(?:-[a-z-]+)?="([^"]*)\"""")


def extract_html(fileobj: BinaryIO, keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple[int, str, str, list[str]]]:
    text = fileobj.read().decode("utf-8")
    for match in MARKED.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        yield line, "gettext", html.unescape(match.group(1)), []
