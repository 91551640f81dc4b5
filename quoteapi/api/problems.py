"""What each problem ``type`` means: ``GET /api/problems/<kind>`` (issue 31).

A problem's ``type`` is an absolute URI (api/errors.py ``problem_type``); following it answers
the problem's status, title and what to do, in Turkish and English at once: JSON by default, a
short page for a browser (``Accept: text/html``). ``GET /api/problems`` lists them all.
"""

from __future__ import annotations

from html import escape

from flask import current_app, request
from marshmallow import Schema, fields

from ..adapters.i18n import language
from ..domain.errors import NotFound
from ..domain.text import LANGUAGES, T
from ..interface.schemas.fields import Integer, Text
from .errors import PROBLEM_KINDS, problem_type
from .openapi import Blueprint

blp = Blueprint(
    "problems",
    __name__,
    url_prefix="/api/problems",
    description="What each problem `type` means, in both languages; no token required.",
)

# The answer is in both languages at once.
BOTH = ", ".join(LANGUAGES)


class WordsSchema(Schema):
    tr = Text()
    en = Text()


class ProblemTypeSchema(Schema):
    """One problem type: its URI, status, title and what a client does about it, in each language."""

    type = Text(metadata={"description": "The absolute URI problems of this kind carry in `type`."})
    kind = Text(metadata={"example": "stale-version"})
    status = Integer(metadata={"example": 412})
    title = fields.Nested(WordsSchema)
    description = fields.Nested(WordsSchema, metadata={"description": "What it means and what to do."})


def described(kind: str) -> dict:
    status, title, meaning = PROBLEM_KINDS[kind]
    return {
        "type": problem_type(kind),
        "kind": kind,
        "status": status,
        "title": {code: language(code).gettext(title) for code in LANGUAGES},
        "description": {code: language(code).gettext(meaning) for code in LANGUAGES},
    }


def _page(kinds: list[str]) -> str:
    rows = []
    for kind in kinds:
        d = described(kind)
        rows.append(
            f'<section id="{escape(kind)}"><h2><code>{escape(d["type"])}</code> ({d["status"]})</h2>'
            + "".join(
                f'<p lang="{code}"><strong>{escape(d["title"][code])}</strong>: {escape(d["description"][code])}</p>'
                for code in LANGUAGES
            )
            + "</section>"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>quoteapi problem types</title></head>'
        f'<body><h1>quoteapi problem types</h1>{"".join(rows)}</body></html>'
    )


def _answer(kinds: list[str], data):
    headers = {"Content-Language": BOTH}
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html" and \
            request.accept_mimetypes["text/html"] > request.accept_mimetypes["application/json"]:
        return current_app.response_class(_page(kinds), mimetype="text/html", headers=headers)
    return data, headers


PAGE = {"text/html": {"schema": {"type": "string"}}}


@blp.route("")
@blp.response(200, ProblemTypeSchema(many=True))
def list_problem_types():
    """Every problem type this API answers, with what it means (`Accept: text/html` for a page)."""
    kinds = sorted(PROBLEM_KINDS)
    return _answer(kinds, [described(kind) for kind in kinds])


@blp.route("/<string:kind>")
@blp.response(200, ProblemTypeSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_problem_type(kind: str):
    """What one problem type means and what to do, in Turkish and English (`Accept: text/html` for a page)."""
    if kind not in PROBLEM_KINDS:
        raise NotFound(T("There is no problem type {kind}.", kind=kind))
    return _answer([kind], described(kind))
