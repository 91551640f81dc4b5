"""Arguments parsed without webargs at request time answer exactly what webargs' parsing answered.

The project's Blueprint (quoteapi/api/openapi.py) keeps flask-smorest's
description of every ``arguments``, ``response``, ``alt_response`` and ``doc``
but calls the views through leaner wrappers. With ``QUOTEAPI_SMOREST_WRAPPERS=1``
the views are wrapped as flask-smorest and webargs wrap them (the way before
session 5). Both ways, the same app answers the same careless and hostile
bodies and queries (tests/api/parsing_answers.py: every operation that takes a
body or a query, in Turkish and English), and describes itself in the same
``GET /api/openapi.json``, byte for byte, and both are the answers and the description pinned in
tests/api/data/ (``PYTHONHASHSEED=0 python -m tests.api.parsing_answers --pin`` pins them anew).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from marshmallow import Schema, fields
from webargs.core import Parser

from quoteapi.api.openapi import Blueprint, documented_only, parsing_view

from ..bodies import SIMPLE_ESTIMATE
from .parsing_answers import PUBLIC_PINNED, public_problems, read_pinned

ROOT = Path(__file__).resolve().parents[2]


def _dump(out: Path, **env: str) -> subprocess.Popen:
    # One hash seed: marshmallow lists unknown fields in the order of a set.
    environ = {k: v for k, v in os.environ.items() if k != "QUOTEAPI_SMOREST_WRAPPERS"}
    environ.update(PYTHONHASHSEED="0", **env)
    return subprocess.Popen([sys.executable, "-m", "tests.api.parsing_answers", str(out)], cwd=ROOT, env=environ)


@pytest.fixture(scope="module")
def both_ways(tmp_path_factory) -> tuple[dict, dict]:
    work = tmp_path_factory.mktemp("parsing")
    lean, smorest = work / "lean.json", work / "smorest.json"
    runs = [_dump(lean), _dump(smorest, QUOTEAPI_SMOREST_WRAPPERS="1")]
    assert [run.wait(timeout=600) for run in runs] == [0, 0]
    return json.loads(lean.read_text("utf-8")), json.loads(smorest.read_text("utf-8"))


def test_the_description_is_the_same_byte_for_byte(both_ways):
    lean, smorest = both_ways
    assert lean["openapi"] == smorest["openapi"]
    assert '"requestBody"' in lean["openapi"] and "EstimateRequest" in lean["openapi"]


def test_every_answer_to_careless_bodies_and_queries_is_the_same(both_ways):
    lean, smorest = both_ways
    assert [a["request"] for a in lean["answers"]] == [a["request"] for a in smorest["answers"]]
    for mine, theirs in zip(lean["answers"], smorest["answers"]):
        assert mine == theirs, mine["request"]
    statuses = {a["status"][:3] for a in lean["answers"]}
    assert {"200", "400", "413", "415", "422"} <= statuses  # the dump reaches every kind of refusal
    languages = {h[1] for a in lean["answers"] for h in a["headers"] if h[0] == "Content-Language"}
    assert languages == {"tr", "en"}


def test_the_answers_and_the_description_are_those_pinned(both_ways):
    lean, _ = both_ways
    assert lean == read_pinned()


def test_the_public_problems_are_those_of_commit_6a9ff0b(both_ways):
    """The answers of the two public writes, as commit 6a9ff0b (webargs at request time) gave them."""
    lean, _ = both_ways
    golden = json.loads(PUBLIC_PINNED.read_text("utf-8"))
    public = public_problems(lean)
    assert len(public) == len(golden) > 100
    for mine, then in zip(public, golden):
        assert mine == then, then["request"]


# --- The wrappers themselves --------------------------------------------------------------


def _chain(view) -> list[str]:
    """The functions a request goes through, outermost first, as ``package/file.py:function``."""
    names = []
    while view is not None:
        code = view.__code__
        names.append(f"{'/'.join(Path(code.co_filename).parts[-2:])}:{code.co_name}")
        view = getattr(view, "__wrapped__", None)
    return names


def test_every_operation_with_arguments_is_parsed_by_the_lean_wrapper(app):
    with_arguments = 0
    for endpoint, view in app.view_functions.items():
        chain = _chain(view)
        wrappers = [name for name in chain if name.startswith(("webargs/", "flask_smorest/")) and name.endswith(":wrapper")]
        assert not wrappers, (endpoint, chain)
        if getattr(view, "_apidoc", {}).get("arguments"):
            with_arguments += 1
            assert "api/openapi.py:parsing" in chain, endpoint
    assert with_arguments >= 25


def test_the_public_estimate_goes_through_two_wrappers(app):
    assert _chain(app.view_functions["public.create_estimate"]) == [
        "api/openapi.py:parsing", "api/openapi.py:answering", "api/public.py:create_estimate", "api/public.py:create_estimate",
    ]


class _Pair(Schema):
    a = fields.Integer(required=True)


def test_what_the_lean_wrapper_does_not_follow_stays_with_webargs():
    parser = Blueprint.ARGUMENTS_PARSER

    def view(body):
        return body

    async def coroutine(body):
        return body

    assert parsing_view(parser, _Pair(), "json", view) is not None
    assert parsing_view(parser, _Pair, "json", view) is None  # a class: webargs makes one per request
    assert parsing_view(parser, {"a": fields.Integer()}, "json", view) is None
    assert parsing_view(parser, _Pair(), "json", view, validate=lambda data: True) is None
    assert parsing_view(parser, _Pair(), "json", view, arg_name="pair") is None
    assert parsing_view(parser, _Pair(), "json", coroutine) is None

    class Hooked(type(parser)):
        def pre_load(self, location_data, *, schema, req, location):
            return location_data

    assert parsing_view(Hooked(), _Pair(), "json", view) is None
    assert type(parser).pre_load is Parser.pre_load


def test_positional_and_keyword_arguments_arrive_as_webargs_passed_them(app):
    blp = Blueprint("probe", __name__)
    seen = []

    @blp.arguments(_Pair())
    @blp.arguments(_Pair(unknown="exclude"), location="query", as_kwargs=True)
    def probe(number, body, **query):
        seen.append((number, body, query))
        return "ok"

    with app.test_request_context("/x?a=2&b=3", method="POST", json={"a": 1}):
        assert probe(7) == "ok"
    assert seen == [(7, {"a": 1}, {"a": 2})]
    assert [p["in"] for p in probe._apidoc["arguments"]["parameters"]] == ["query", "json"]  # innermost first


def test_a_view_documented_only_is_the_view_itself_with_its_description():
    blp = Blueprint("probe", __name__)
    factor = 3

    def scaled(x, by=2, *, plus=0):
        """Scaled."""
        return x * by * factor + plus

    documented = blp.alt_response(409, response="CONFLICT")(blp.doc(summary="s")(scaled))
    assert documented is not scaled and documented.__code__ is scaled.__code__
    assert documented(1) == 6 and documented(1, 1, plus=1) == 4
    assert documented.__doc__ == "Scaled." and documented.__wrapped__.__wrapped__ is scaled
    assert documented._apidoc == {"manual_doc": {"summary": "s"}, "response": {"responses": {409: ["CONFLICT"]}}}
    assert not hasattr(scaled, "_apidoc")  # the view's own function is not changed
    wrapper = object()
    assert documented_only(wrapper, len) is wrapper  # a builtin is not copied


def test_an_estimate_still_answers(client):
    r = client.post("/api/v1/estimates", json=SIMPLE_ESTIMATE, headers={"Accept-Language": "en"})
    assert r.status_code == 200 and r.headers["Content-Language"] == "en"
    assert r.content_type == "application/json" and r.get_json()["currency"] == "TRY"
