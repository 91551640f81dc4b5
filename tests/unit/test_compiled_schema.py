"""The compiled load of the request schemas gives marshmallow's result, or steps aside for it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError

from quoteapi.interface.schemas.compiled import Fallback, compile_schema
from quoteapi.interface.schemas.estimates import EstimateRequestSchema, require_sessions
from quoteapi.interface.schemas.quotes import QuoteCreateSchema, QuoteRequestSchema

from ..bodies import CONTRACT_EXAMPLE, QUOTE, QUOTE_REQUEST, SIMPLE_ESTIMATE

SCHEMAS = (EstimateRequestSchema(), QuoteCreateSchema(), QuoteRequestSchema())
# Issue 28: skin concerns, and sessions left out for their recommended number.
WITH_CONCERNS = {**{k: v for k, v in SIMPLE_ESTIMATE.items() if k != "sessions"},
                 "concerns": [{"code": "pores", "severity": "mild"}, {"code": "acne-scars", "severity": "pronounced"}]}


def marshmallow_load(schema: Schema, body):
    """The schema's own load, without the compiled path (``partial=False`` steps past it).

    It keeps the one rule the schema checks outside both paths: ``sessions`` is
    required unless ``concerns`` is given (estimates.py ``require_sessions``).
    """
    return schema.load(body, partial=False)


def compiled_load(schema: Schema, body):
    """The compiled path, with the same rule after it."""
    return require_sessions(compile_schema(schema)(body), body)


@pytest.mark.parametrize(
    ("schema", "body"),
    [(SCHEMAS[0], CONTRACT_EXAMPLE), (SCHEMAS[0], SIMPLE_ESTIMATE), (SCHEMAS[1], QUOTE), (SCHEMAS[2], QUOTE_REQUEST),
     (SCHEMAS[0], WITH_CONCERNS)],
)
def test_valid_bodies_take_the_compiled_path_and_load_the_same(schema, body):
    compiled = compile_schema(schema)
    assert compiled is not None
    assert require_sessions(compiled(dict(body))) == marshmallow_load(schema, dict(body))
    assert schema.load(dict(body)) == marshmallow_load(schema, dict(body))


@pytest.mark.parametrize(
    "body",
    [
        {},
        {**SIMPLE_ESTIMATE, "sessions": "3"},
        {**SIMPLE_ESTIMATE, "sessions": True},
        {**SIMPLE_ESTIMATE, "clinic": ""},
        {**SIMPLE_ESTIMATE, "surprise": 1},
        {**SIMPLE_ESTIMATE, "areas": [{"code": "neck", "size_cm2": "NaN"}]},
        {**SIMPLE_ESTIMATE, "areas": "neck"},
        {**SIMPLE_ESTIMATE, "client": {"pregnant": "no"}},
        {**SIMPLE_ESTIMATE, "start_date": "2026-02-30"},
        {**SIMPLE_ESTIMATE, "specialist_level": None},
    ],
)
def test_invalid_bodies_get_marshmallows_own_errors(body):
    schema = SCHEMAS[0]
    with pytest.raises(Fallback):
        compile_schema(schema)(body)
    with pytest.raises(ValidationError) as theirs:
        marshmallow_load(schema, body)
    with pytest.raises(ValidationError) as ours:
        schema.load(body)
    assert ours.value.messages == theirs.value.messages


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 400), st.floats(allow_nan=True), st.text(max_size=70),
    st.sampled_from(["face", "neck", "nurse", "ist-kadikoy", "2026-12-05", "2026-13-01", "12.5", "0", "FRIEND10", "tr", "x@example.com"]),
)
AREA = st.one_of(
    st.fixed_dictionaries({"code": SCALARS}, optional={"size_cm2": SCALARS, "other": SCALARS}),
    SCALARS,
)
CLIENT = st.one_of(
    st.none(),
    st.fixed_dictionaries({}, optional={k: SCALARS for k in ("age", "pregnant", "active_skin_infection", "open_wounds", "serious_skin_condition", "x")}),
    SCALARS,
)
CONCERN = st.one_of(
    st.fixed_dictionaries({"code": SCALARS}, optional={"severity": st.one_of(SCALARS, st.sampled_from(["mild", "pronounced"]))}),
    SCALARS,
)
CUSTOMER = st.one_of(st.fixed_dictionaries({"name": SCALARS}, optional={"email": SCALARS, "phone": SCALARS}), SCALARS)
BODY = st.fixed_dictionaries(
    {},
    optional={
        "clinic": SCALARS,
        "areas": st.one_of(st.lists(AREA, max_size=3), SCALARS),
        "products": st.one_of(st.lists(SCALARS, max_size=3), SCALARS),
        "specialist_level": SCALARS,
        "sessions": SCALARS,
        "concerns": st.one_of(st.lists(CONCERN, max_size=4), SCALARS),
        "start_date": SCALARS,
        "coupon": SCALARS,
        "client": CLIENT,
        "customer": CUSTOMER,
        "notes": SCALARS,
        "follow_up_on": SCALARS,
        "valid_days": SCALARS,
        "language": SCALARS,
        "consent": SCALARS,
        "unknown": SCALARS,
    },
)


@settings(max_examples=400, deadline=None)
@given(body=BODY, which=st.sampled_from(range(len(SCHEMAS))))
def test_the_compiled_load_equals_marshmallows_whenever_it_answers(body, which):
    schema = SCHEMAS[which]
    try:
        theirs = marshmallow_load(schema, body)
    except ValidationError as error:
        theirs = error
    try:
        ours = compiled_load(schema, body)
    except Fallback:
        return
    except ValidationError as error:  # the rule on sessions, after a body the compiled path read
        assert isinstance(theirs, ValidationError) and error.messages == theirs.messages
        return
    assert not isinstance(theirs, ValidationError), f"compiled accepted what marshmallow refuses: {theirs.messages}"
    assert ours == theirs


VALID = [(0, CONTRACT_EXAMPLE), (0, SIMPLE_ESTIMATE), (1, QUOTE), (2, QUOTE_REQUEST), (0, WITH_CONCERNS)]


@settings(max_examples=400, deadline=None)
@given(
    start=st.sampled_from(VALID),
    key=st.sampled_from(sorted({k for _, b in VALID for k in b} | {"unknown", "follow_up_on", "valid_days", "language"})),
    value=st.one_of(SCALARS, st.just("<drop>"), AREA, CLIENT, CUSTOMER, st.lists(AREA, max_size=2)),
)
def test_one_change_to_a_valid_body_loads_the_same_either_way(start, key, value):
    which, valid = start
    body = {k: v for k, v in valid.items() if not (k == key and value == "<drop>")}
    if value != "<drop>":
        body[key] = value
    test_the_compiled_load_equals_marshmallows_whenever_it_answers.hypothesis.inner_test(body=body, which=which)
