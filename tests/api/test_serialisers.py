"""The fast serialisers (plain-data codecs) answer exactly what the API's schemas would.

The public estimate and the admin's price list skip marshmallow on the way
out; these tests hold them to the schemas, which the OpenAPI document is made
from, in every language the API speaks.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quoteapi import create_app
from quoteapi.interface import i18n
from quoteapi.interface.schemas.estimates import EstimateSchema
from quoteapi.interface.schemas.price_list import (
    AreaSchema,
    CampaignSchema,
    ClinicSchema,
    PriceListSchema,
    ProductSchema,
    SpecialistLevelSchema,
)
from quoteapi.domain.price_list import from_plain, to_plain, validate
from quoteapi.domain.price_list.codec import item_to_plain
from quoteapi.domain.pricing import price
from quoteapi.domain.pricing.model import (
    AreaRequest,
    Benefit,
    BenefitType,
    Campaign,
    ClientAnswers,
    CouponStatus,
    EligibilityStatus,
    Estimate,
    EstimateRequest,
    PriceList,
)
from quoteapi.domain.pricing.plain import estimate_from_plain, estimate_to_plain, request_from_plain, request_to_plain
from quoteapi.domain.text import ENGLISH, LANGUAGES
from quoteapi.services.price_lists import demo_document

from ..conftest import TEST_SETTINGS, TODAY
from ..days import day, iso

D = Decimal


def demo() -> PriceList:
    return from_plain(demo_document(TODAY), 1)


def translated() -> PriceList:
    """The demo with translated names, more campaigns of each benefit type and a limit of uses."""
    doc = demo_document(TODAY)
    doc["language"] = "tr"
    doc["clinics"][0]["translations"] = {"en": {"name": "Istanbul Nisantasi clinic", "city": "Istanbul (en)"}}
    doc["areas"][0]["translations"] = {"en": {"name": "Whole face"}}
    doc["products"][1]["translations"] = {"en": {"name": "HA booster"}}
    doc["specialist_levels"][2]["translations"] = {"en": {"name": "Skin doctor"}}
    doc["campaigns"] += [
        {
            "code": "LOYAL-250", "name": "Sadakat", "starts_on": iso(-16), "ends_on": iso(90),
            "clinics": ["ist-nisantasi", "ist-kadikoy"], "min_sessions": 2, "required_areas": ["neck"],
            "coupon": "LOYAL", "stackable": True, "priority": 5,
            "benefit": {"type": "fixed", "value": "250.5"}, "max_uses": 100,
            "translations": {"en": {"name": "Loyalty"}},
        },
        {
            "code": "TWO-FREE", "name": "İki seans hediye", "starts_on": iso(0), "ends_on": iso(30),
            "clinics": ["ist-kadikoy"], "min_sessions": 6, "required_areas": [],
            "coupon": None, "stackable": False, "priority": -1,
            "benefit": {"type": "free_sessions", "value": "2"},
        },
        {
            "code": "HALF-PCT", "name": "Yüzde", "starts_on": iso(0), "ends_on": iso(61),
            "clinics": [], "min_sessions": 1, "required_areas": [], "coupon": None, "stackable": True,
            "priority": 9, "benefit": {"type": "percent", "value": "12.5"},
        },
    ]
    price_list = from_plain(doc, 7)
    validate(price_list)
    return price_list


def ask(clinic="ist-nisantasi", areas=("face",), level="aesthetician", sessions=1, **fields) -> EstimateRequest:
    wanted = tuple(AreaRequest(a) if isinstance(a, str) else AreaRequest(a[0], D(a[1])) for a in areas)
    return EstimateRequest(clinic, wanted, level, sessions, **fields)


ADULT = ClientAnswers(age=34, pregnant=False, active_skin_infection=False, open_wounds=False, serious_skin_condition=False)
REQUESTS = {
    # The contract's example: sizes, a product, a tier, a campaign and a coupon that is no campaign's.
    "contract": ask(
        areas=("face", ("acne-scars-back", "1800")), level="dermatologist", sessions=4,
        products=("hyaluronic-acid",), start_date=day(4), coupon="SPRING", client=ADULT,
    ),
    # A coupon that stacks with a fixed-amount campaign.
    "coupon": ask(areas=("face",), level="dermatologist", sessions=2, products=("hyaluronic-acid",),
                  start_date=day(24), coupon="friend10"),
    # Free sessions in Ankara; answers that postpone and need a doctor.
    "free-sessions": ask(
        clinic="ank-cankaya", areas=("neck", ("scalp", "512.5")), level="nurse", sessions=4,
        client=ClientAnswers(age=41, pregnant=True, open_wounds=True),
    ),
    # Not eligible, a coupon for too few sessions, hints towards a longer course.
    "not-eligible": ask(
        clinic="ist-kadikoy", areas=(("stretch-marks", "900"),), level="aesthetician", sessions=2,
        coupon="LOYAL", client=ClientAnswers(age=16, serious_skin_condition=True),
    ),
    # The smallest request: one session, nothing answered, start today.
    "plain": ask(clinic="ist-kadikoy", areas=("neck",)),
    # A long course with every product.
    "long": ask(
        clinic="ist-kadikoy", areas=("face", "neck", "decollete"), level="nurse", sessions=10,
        products=("numbing-cream", "vitamin-cocktail", "peptide-complex", "prp", "exosome"),
        start_date=day(211), client=ClientAnswers(active_skin_infection=True),
    ),
}
PRICE_LISTS = {"demo": demo, "translated": translated}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app only for its language selection; no request reaches a database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('serialisers') / 'unused.sqlite3'}"
    return create_app({"DATABASE_URL": url, **TEST_SETTINGS}, environ={"QUOTEAPI_ENV": "testing"})


@pytest.fixture(params=LANGUAGES)
def answering_in(app, request):
    """A request context whose answer is in one language, chosen as the API chooses it."""
    with app.test_request_context(f"/api/v1/estimates?lang={request.param}", method="POST"):
        app.preprocess_request()
        assert i18n.current().code == request.param
        yield i18n.current()


def priced(list_name: str, request_name: str) -> Estimate:
    return price(PRICE_LISTS[list_name](), REQUESTS[request_name], TODAY)


def test_the_requests_cover_what_the_serialisers_write():
    estimates = [priced(pl, r) for pl in PRICE_LISTS for r in REQUESTS]
    assert {e.eligibility.status for e in estimates} >= {
        EligibilityStatus.UNKNOWN, EligibilityStatus.ELIGIBLE, EligibilityStatus.POSTPONE,
        EligibilityStatus.NOT_ELIGIBLE, EligibilityStatus.NEEDS_DOCTOR_REVIEW,
    }
    assert {e.coupon.status for e in estimates if e.coupon} == set(CouponStatus)
    assert {kind for e in estimates for kind in {line.kind for line in e.lines}} >= {
        "area", "product", "combination_discount", "specialist", "session_discount", "campaign",
    }
    applied = {code for e in estimates for code in e.applied_campaigns}
    assert applied >= {"WINTER-RENEWAL", "NEW-YEAR-GLOW", "ANKARA-4FOR3", "FRIEND", "HALF-PCT"}
    assert any(e.hints for e in estimates) and any(len(e.offers) > 1 for e in estimates)
    assert any(len(e.eligibility.reasons) > 1 for e in estimates)


# --- estimates ----------------------------------------------------------------------


@pytest.mark.parametrize("request_name", REQUESTS)
@pytest.mark.parametrize("list_name", PRICE_LISTS)
def test_estimate_to_plain_is_what_the_schema_dumps(answering_in, list_name, request_name):
    e = priced(list_name, request_name)
    fast = estimate_to_plain(e, answering_in)
    assert fast == EstimateSchema().dump(e)
    assert all(isinstance(line["description"], str) and line["description"] for line in fast["lines"])


def test_the_languages_differ_where_a_translation_exists(app):
    e = priced("translated", "contract")
    answers = {}
    for code in LANGUAGES:
        with app.test_request_context(f"/?lang={code}"):
            app.preprocess_request()
            answers[code] = EstimateSchema().dump(e)
    assert answers["en"]["lines"][0]["description"] == "Whole face"
    assert answers["tr"]["lines"][0]["description"] != "Whole face"
    # Figures do not change with the language.
    assert [line["amount"] for line in answers["en"]["lines"]] == [line["amount"] for line in answers["tr"]["lines"]]


def rendered(e: Estimate) -> Estimate:
    """The estimate with its sentences written out in English, as a stored revision keeps them."""
    text = ENGLISH.render
    return replace(
        e,
        lines=tuple(replace(line, description=text(line.description), basis=text(line.basis)) for line in e.lines),
        eligibility=replace(e.eligibility, reasons=tuple(text(r) for r in e.eligibility.reasons)),
        advice=tuple(text(a) for a in e.advice),
        coupon=None if e.coupon is None else replace(e.coupon, reason=text(e.coupon.reason)),
        hints=tuple(replace(h, text=text(h.text)) for h in e.hints),
    )


@pytest.mark.parametrize("request_name", REQUESTS)
@pytest.mark.parametrize("list_name", PRICE_LISTS)
def test_an_estimate_survives_its_plain_form(list_name, request_name):
    e = priced(list_name, request_name)
    plain = estimate_to_plain(e)
    back = estimate_from_plain(plain)
    # Sentences come back as the text that was shown; every figure, date and code as it was.
    assert back == rendered(e)
    assert estimate_to_plain(back) == plain


def test_an_old_stored_estimate_reads_with_empty_version_two_fields():
    plain = estimate_to_plain(priced("demo", "coupon"))
    for name in ("offers", "coupon", "hints"):
        del plain[name]
    for line in plain["lines"]:
        del line["basis"]
    old = estimate_from_plain(plain)
    assert old.offers == () and old.coupon is None and old.hints == ()
    assert all(line.basis == "" for line in old.lines)
    assert old.total == priced("demo", "coupon").total


@pytest.mark.parametrize("request_name", REQUESTS)
def test_a_request_survives_its_plain_form(request_name):
    r = REQUESTS[request_name]
    assert request_from_plain(request_to_plain(r)) == r
    for start in (None, day(32)):
        changed = replace(r, start_date=start, coupon=None, client=None, products=())
        assert request_from_plain(request_to_plain(changed)) == changed


# --- price lists --------------------------------------------------------------------


@pytest.mark.parametrize("list_name", PRICE_LISTS)
def test_price_list_to_plain_is_what_the_schema_dumps(list_name):
    pl = PRICE_LISTS[list_name]()
    assert {"version": pl.version, **to_plain(pl)} == PriceListSchema().dump(pl)


def test_benefit_values_are_written_as_the_document_writes_them():
    doc = to_plain(translated())
    benefits = {c["code"]: c["benefit"] for c in doc["campaigns"]}
    assert benefits["LOYAL-250"] == {"type": "fixed", "value": "250.50"}
    assert benefits["TWO-FREE"] == {"type": "free_sessions", "value": "2"}
    assert benefits["HALF-PCT"] == {"type": "percent", "value": "12.5"}
    assert benefits["ANKARA-4FOR3"] == {"type": "free_sessions", "value": "1"}
    assert benefits["NEW-YEAR-GLOW"] == {"type": "fixed", "value": "500.00"}


def test_a_price_list_survives_its_plain_form():
    pl = translated()
    assert from_plain(to_plain(pl), pl.version) == pl
    assert to_plain(from_plain(to_plain(pl))) == to_plain(pl)


SCHEMAS = {
    "clinics": ClinicSchema,
    "areas": AreaSchema,
    "products": ProductSchema,
    "specialist_levels": SpecialistLevelSchema,
    "campaigns": CampaignSchema,
}


@pytest.mark.parametrize("list_name", PRICE_LISTS)
@pytest.mark.parametrize("kind", SCHEMAS)
def test_item_to_plain_is_what_the_item_schema_dumps(list_name, kind):
    pl = PRICE_LISTS[list_name]()
    doc = to_plain(pl)
    schema = SCHEMAS[kind]()
    for model_item, plain_item in zip(getattr(pl, kind), doc[kind], strict=True):
        assert item_to_plain(kind, plain_item) == plain_item == schema.dump(model_item)
        # What an admin's item goes through: loaded by the schema, written by the codec.
        loaded = schema.load(plain_item)
        assert item_to_plain(kind, loaded) == plain_item


def test_a_campaign_without_optional_fields_dumps_without_them():
    c = Campaign(
        code="BARE", name="Bare", starts_on=day(31), ends_on=day(61), clinics=(),
        min_sessions=1, required_areas=(), coupon=None, stackable=False, priority=0,
        benefit=Benefit(BenefitType.FIXED, D("75")),
    )
    dumped = CampaignSchema().dump(c)
    assert "translations" not in dumped and "max_uses" not in dumped
    assert dumped["benefit"] == {"type": "fixed", "value": "75.00"}
    assert item_to_plain("campaigns", dumped) == dumped


# --- a quote's payments (payments-users) ------------------------------------------------


PAYMENT_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["payment", "refund"]),
        st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2),
        st.sampled_from(["bank_transfer", "card", "cash"]),
        st.one_of(st.none(), st.text(max_size=20)),
    ),
    max_size=5,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=PAYMENT_STEPS)
def test_a_quote_with_payments_dumps_as_marshmallow_would(answering_in, steps):
    """QuoteSchema's fast path (``_own_fields``) writes payments, paid_total and balance as marshmallow does."""
    from datetime import datetime, time, timezone

    from marshmallow import Schema

    from quoteapi.domain.payments import Payment
    from quoteapi.domain.quotes import Customer, Quote
    from quoteapi.interface.schemas.quotes import _PLAIN_OWN_FIELDS, QuoteSchema

    assert _PLAIN_OWN_FIELDS
    moment = datetime.combine(day(0), time(9, 30), tzinfo=timezone.utc)
    estimate = priced("demo", "plain")
    payments = tuple(
        Payment(i + 1, kind, amount, method, day(-i), reference, moment, "sam")
        for i, (kind, amount, method, reference) in enumerate(steps)
    )
    quote = Quote(
        number="Q-0000-000001", revision=1, status="accepted", source="staff", customer=Customer("A"), notes=None,
        created_by="sam", created_at=moment, valid_until=day(30), follow_up_on=None, assigned_to=None,
        estimate=estimate, activity=(), payments=payments,
    )
    schema = QuoteSchema()
    fast = schema.dump(quote)
    assert fast == Schema.dump(schema, quote)
    paid = sum((-p.amount if p.kind == "refund" else p.amount for p in payments), D("0"))
    assert fast["paid_total"] == f"{paid:.2f}" and fast["balance"] == f"{estimate.total - paid:.2f}"
