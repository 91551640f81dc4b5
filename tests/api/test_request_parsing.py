"""Request arguments: read by the project's parser as webargs reads them, and every answer pinned.

The project's Blueprint (quoteapi/api/openapi.py) is flask-smorest's; its
``ARGUMENTS_PARSER`` is :class:`~quoteapi.api.arguments.ArgumentsParser`,
webargs' parser whose ``use_args`` resolves at decoration what webargs'
``parse`` resolved on every request. The app answers careless and hostile
bodies and queries (tests/api/parsing_answers.py: every operation that takes a
body or a query, in Turkish, English and the default) exactly as pinned in
tests/api/data/answers.json.gz, with the same ``GET /api/openapi.json``, byte
for byte; the answers of the two public writes are also pinned readably
(tests/api/data/public_problems.json). Both were written by the code before
the parser (commit f93a6bb, where webargs' own parsing had been replaced by a
second implementation), and the public problems are still those of commit
6a9ff0b (webargs' ``use_args`` at request time).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.views import MethodView
from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, fields
from werkzeug.exceptions import HTTPException

from quoteapi.api.arguments import ArgumentsParser
from quoteapi.api.bodies import BodyParser
from quoteapi.api.openapi import Blueprint, build_api, declared_query

from ..bodies import SIMPLE_ESTIMATE
from .parsing_answers import PUBLIC_PINNED, public_problems, read_pinned

ROOT = Path(__file__).resolve().parents[2]
PIN_AGAIN = "PYTHONHASHSEED=0 python -m tests.api.parsing_answers --pin"


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("parsing") / "answers.json"
    # One hash seed: marshmallow lists unknown fields in the order of a set.
    environ = {**os.environ, "PYTHONHASHSEED": "0"}
    run = subprocess.run([sys.executable, "-m", "tests.api.parsing_answers", str(out)], cwd=ROOT, env=environ, timeout=600)
    assert run.returncode == 0
    return json.loads(out.read_text("utf-8"))


def test_the_description_is_the_one_pinned_byte_for_byte(dump):
    assert '"requestBody"' in dump["openapi"] and "EstimateRequest" in dump["openapi"]
    assert dump["openapi"] == read_pinned()["openapi"], f"changed on purpose? {PIN_AGAIN}"


def test_every_answer_to_careless_bodies_and_queries_is_the_one_pinned(dump):
    pinned = read_pinned()["answers"]
    assert [a["request"] for a in dump["answers"]] == [a["request"] for a in pinned], f"changed on purpose? {PIN_AGAIN}"
    for mine, then in zip(dump["answers"], pinned):
        assert mine == then, then["request"]
    statuses = {a["status"][:3] for a in dump["answers"]}
    assert {"200", "400", "413", "415", "422"} <= statuses  # the dump reaches every kind of refusal
    languages = {h[1] for a in dump["answers"] for h in a["headers"] if h[0] == "Content-Language"}
    assert languages == {"tr", "en"}


def test_the_public_problems_are_those_the_website_has_always_had(dump):
    """The answers of the two public writes, as commit 6a9ff0b (webargs at request time) gave them."""
    pinned = json.loads(PUBLIC_PINNED.read_text("utf-8"))
    public = public_problems(dump)
    assert len(public) == len(pinned) > 100
    for mine, then in zip(public, pinned):
        assert mine == then, then["request"]


# --- The wrappers a request goes through -------------------------------------------------


def _chain(view) -> list[str]:
    """The functions a request goes through, outermost first, as ``package/file.py:function``."""
    names = []
    while view is not None:
        code = view.__code__
        names.append(f"{'/'.join(Path(code.co_filename).parts[-2:])}:{code.co_name}")
        view = getattr(view, "__wrapped__", None)
    return names


def test_every_operation_with_arguments_is_read_by_the_projects_parser(app):
    with_arguments = 0
    for endpoint, view in app.view_functions.items():
        chain = _chain(view)
        assert not [name for name in chain if name.startswith("webargs/")], (endpoint, chain)
        readers = chain.count("api/arguments.py:parsing")
        assert readers == chain.count("flask_smorest/arguments.py:wrapper"), (endpoint, chain)
        with_arguments += readers
    assert with_arguments >= 40


def test_the_public_estimate_goes_through_flask_smorests_three_wrappers_and_one_reading(app):
    """What the public estimate costs beyond the view (docs/performance.md): a new decorator on it shows here."""
    assert _chain(app.view_functions["public.create_estimate"]) == [
        "api/arguments.py:parsing",
        "flask_smorest/arguments.py:wrapper",
        "flask_smorest/response.py:wrapper",  # response(200, EstimateSchema)
        "flask_smorest/response.py:wrapper",  # alt_response(429)
        "api/public.py:create_estimate",
    ]


def test_an_estimate_still_answers(client):
    r = client.post("/api/v1/estimates", json=SIMPLE_ESTIMATE, headers={"Accept-Language": "en"})
    assert r.status_code == 200 and r.headers["Content-Language"] == "en"
    assert r.content_type == "application/json" and r.get_json()["currency"] == "TRY"


# --- The parser: what webargs' parse gives, read once ---------------------------------------


class _Pair(Schema):
    a = fields.Integer(required=True)
    b = fields.Integer(data_key="bee", load_default=0)
    c = fields.Integer(dump_only=True)


def _both(app: Flask, argmap, path: str = "/x", location: str = "json", **options) -> list:
    """What webargs' own ``parse`` (BodyParser's, as before) and ArgumentsParser's give for one request:
    the data, or the status, messages and schema type of the refusal."""
    outcomes = []
    for parser in (BodyParser(), ArgumentsParser()):
        with app.test_request_context(path, **options):
            try:
                outcomes.append(parser.parse(argmap, location=location))
            except HTTPException as refusal:
                data = getattr(refusal, "data", {})
                outcomes.append((refusal.code, data.get("messages"), type(data.get("schema")).__name__))
    return outcomes


@pytest.mark.parametrize(("options", "location"), [
    ({"method": "POST", "json": {"a": 1, "bee": 2}}, "json"),
    ({"method": "POST", "json": {"a": "x", "extra": 1}}, "json"),
    ({"method": "POST", "json": {}}, "json"),
    ({"method": "POST", "data": b"", "content_type": "application/json"}, "json"),
    ({"method": "POST", "json": {"a": 1, "c": 3}}, "json"),
    ({"query_string": "a=1&bee=2&extra=3"}, "query"),
    ({"query_string": "a=x"}, "query"),
    ({"query_string": ""}, "querystring"),
])
def test_the_parser_reads_what_webargs_reads(app, options, location):
    webargs, ours = _both(app, _Pair(), location=location, **options)
    assert ours == webargs


def test_a_schema_class_a_dict_of_fields_and_unknown_are_read_as_webargs_reads_them(app):
    body = {"method": "POST", "json": {"a": 1, "z": 2}}
    assert _both(app, _Pair, **body)[0] == _both(app, _Pair, **body)[1]
    assert _both(app, {"a": fields.Integer()}, **body)[1] == _both(app, {"a": fields.Integer()}, **body)[0]
    for unknown in (RAISE, EXCLUDE, INCLUDE, None):
        with app.test_request_context("/x", **body):
            mine = _outcome(lambda: ArgumentsParser().parse(_Pair(), unknown=unknown))
            theirs = _outcome(lambda: BodyParser().parse(_Pair(), unknown=unknown))
        assert mine == theirs, unknown
    with app.test_request_context("/x", **body):  # the parser's own setting, then the location's default
        assert ArgumentsParser(unknown=EXCLUDE).parse(_Pair()) == {"a": 1, "b": 0}
        assert _outcome(lambda: ArgumentsParser().parse(_Pair())) == 422


def _outcome(read):
    try:
        return read()
    except HTTPException as refusal:
        return refusal.code


def test_validators_the_pre_load_hook_and_the_error_handler_are_webargs_own(app):
    def refusal(parser_class: type) -> tuple:
        class Hooked(parser_class):
            def pre_load(self, location_data, *, schema, req, location):
                return {**location_data, "a": 5}

        parser = Hooked()
        with app.test_request_context("/x", method="POST", json={"a": 1}):
            assert parser.parse(_Pair()) == {"a": 5, "b": 0}
            with pytest.raises(HTTPException) as refused:
                parser.parse(_Pair(), validate=[lambda data: data["a"] < 5], error_status_code=400, error_headers={"X-A": "1"})
        return refused.value.code, refused.value.data["messages"], refused.value.data["headers"]

    assert refusal(ArgumentsParser) == refusal(BodyParser) == (400, {"json": ["Invalid value."]}, {"X-A": "1"})

    seen = []
    quiet = ArgumentsParser(error_handler=lambda error, req, schema, **kw: seen.append(error.messages))
    with app.test_request_context("/x", method="POST", json={}), pytest.raises(ValueError, match="did not raise"):
        quiet.parse(_Pair())
    assert seen == [{"json": {"a": ["Missing data for required field."]}}]


def test_positional_and_keyword_arguments_arrive_as_webargs_passed_them(app):
    blp = Blueprint("probe", __name__)
    seen = []

    @blp.arguments(_Pair())
    @blp.arguments(_Pair(unknown=EXCLUDE), location="query", as_kwargs=True)
    def probe(number, body, **query):
        seen.append((number, body, query))
        return "ok"

    with app.test_request_context("/x?a=2&bee=3", method="POST", json={"a": 1}):
        assert probe(7) == "ok"
    assert seen == [(7, {"a": 1, "b": 0}, {"a": 2, "b": 3})]

    named = ArgumentsParser().use_args(_Pair(), arg_name="pair")(lambda **kwargs: kwargs)
    with app.test_request_context("/x", method="POST", json={"a": 1}):
        assert named() == {"pair": {"a": 1, "b": 0}}


def test_what_the_parser_does_not_read_is_refused_when_the_view_is_decorated():
    parser = ArgumentsParser()

    async def coroutine(body):
        return body

    with pytest.raises(TypeError, match="synchronous"):
        parser.use_args(_Pair())(coroutine)
    with pytest.raises(TypeError, match="Schema"):
        parser.use_args(lambda req: _Pair())
    with pytest.raises(ValueError, match="Invalid location"):
        parser.use_args(_Pair(), location="body")
    with pytest.raises(ValueError, match="exclusive"):
        parser.use_args(_Pair(), as_kwargs=True, arg_name="x")
    assert asyncio.iscoroutinefunction(coroutine)


# --- What the Blueprint adds to flask-smorest's ------------------------------------------------


def test_a_write_declares_its_query_schemas_fields_and_the_query_parameters_its_docs_list():
    blp = Blueprint("probe", __name__)

    @blp.arguments(_Pair(), location="query", as_kwargs=True)
    @blp.doc(parameters=[{"in": "query", "name": "dry_run"}, {"in": "header", "name": "If-Match"}])
    def probe(**query):
        return query

    assert declared_query(probe) == {"lang", "a", "bee", "dry_run"}  # not c (dump only), not the header
    assert declared_query(lambda: None) == {"lang"}


def test_each_operation_is_named_after_its_view():
    probe = Flask(__name__)
    api = build_api(probe)
    blp = Blueprint("probe", __name__)

    @blp.route("/things")
    class Things(MethodView):
        def get(self):
            return []

    @blp.route("/other", methods=["POST"])
    @blp.doc(operationId="chosen")
    def make_other():
        return {}

    @blp.route("/another")
    def list_other_things():
        return []

    api.register_blueprint(blp)
    paths = api.spec.to_dict()["paths"]
    assert paths["/things"]["get"]["operationId"] == "getThings"
    assert paths["/other"]["post"]["operationId"] == "chosen"
    assert paths["/another"]["get"]["operationId"] == "listOtherThings"
