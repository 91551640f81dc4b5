"""Writes estimates.json: varied estimate requests and digests of their plain answers (tr and en).

The committed file was written with the engine of commit 6a9ff0b (before the
engine's performance pass of session 5), so that tests/unit/test_pricing_golden.py
holds every later engine to the very same answers, byte for byte. Only
rewrite it for an intended change of the answers:

    PYTHONPATH=. .venv/bin/python tests/unit/golden/make_estimates.py
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import orjson

from quoteapi.adapters.i18n import language
from quoteapi.domain.price_list import from_plain, to_plain
from quoteapi.domain.pricing import EstimateInvalid, price
from quoteapi.domain.pricing.model import (
    Area,
    AreaRequest,
    Benefit,
    BenefitType,
    Campaign,
    ClientAnswers,
    Clinic,
    EstimateRequest,
    ManualDiscount,
    PriceList,
    Product,
    SessionTier,
    SpecialistLevel,
)
from quoteapi.domain.pricing.plain import (
    estimate_to_plain,
    request_from_plain,
    request_to_plain,
)

HERE = Path(__file__).resolve().parent
DEMO_FILE = HERE.parents[2] / "quoteapi" / "data" / "demo_price_list.json"
TODAY = date(2026, 12, 1)
SEED = 20261201
RANDOM_LISTS = 8
CASES = 300


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:24]


def _as_before(plain: dict) -> dict:
    """The plain form without the fields added since the digests were taken, when a request has none of their input.

    Issue 28 added ``suggestion`` (null without concerns; no golden request gives concerns):
    every other byte must be what commit 6a9ff0b wrote.
    """
    if plain.get("suggestion", False) is None:
        plain = {k: v for k, v in plain.items() if k != "suggestion"}
    return plain


def answer(price_list: PriceList, request: EstimateRequest, today: date | None) -> dict:
    """What the golden file keeps of one estimate: digests of its plain form in both languages, or its errors."""
    tr, en = language("tr"), language("en")
    try:
        e = price(price_list, request, today)
    except EstimateInvalid as exc:
        rendered = {lang.code: {k: [lang.render(m) for m in v] for k, v in exc.errors.items()} for lang in (tr, en)}
        return {"errors": rendered}
    return {
        "total": f"{e.total:.2f}",
        "tr": digest(orjson.dumps(_as_before(estimate_to_plain(e, tr)))),
        "en": digest(orjson.dumps(_as_before(estimate_to_plain(e, en)))),
        "manual_discount_base": None if e.manual_discount_base is None else str(e.manual_discount_base),
        "manual_discount_over_limit": e.manual_discount_over_limit,
    }


def rand_dec(rng, low, high, places):
    q = D(1).scaleb(-places)
    v = D(str(rng.uniform(float(low), float(high)))).quantize(q)
    if rng.random() < 0.1:
        v = D(int(v))  # exponent 0
    return v

def rand_price_list(rng):
    nc, na = rng.randint(1, 3), rng.randint(1, 5)
    ccodes = [f"clinic-{i}" for i in range(nc)]
    acodes = [f"area-{i}" for i in range(na)]
    lang = rng.choice(["tr", "en"])
    def tr():
        return rng.choice([(), (("en", (("name", "English name"),)),), (("tr", (("name", "Türkçe ad"),)),)])
    clinics = tuple(Clinic(c, c, "City", rand_dec(rng, "0.5", "2", rng.choice([0, 2, 4])), rng.choice([D("0.20"), D(0), D("0.18"), rand_dec(rng, 0, 0.3, 4)]), rng.random() < 0.5, tr()) for c in ccodes)
    areas = tuple(Area(a, a, rng.choice([1, 60, 300, 1500, rng.randint(1, 2000)]), rng.choice([D(0), D("0.01"), D("4000.00"), rand_dec(rng, 0, 10000, 2)]), rng.choice([D("0.00"), D(0), D("2.50"), rand_dec(rng, 0, 10, 2)]), tr()) for a in acodes)
    products = tuple(Product(f"product-{i}", f"Product {i}", rng.choice([D(0), D("250.00"), rand_dec(rng, 0, 5000, 2)]), tr()) for i in range(rng.randint(0, 4)))
    levels = tuple(SpecialistLevel(f"level-{i}", f"Level {i}", rng.choice([D(1), D("1.00"), D("1.15"), D(2), rand_dec(rng, 1, 2, 4)]), tr()) for i in range(rng.randint(1, 3)))
    starts = sorted(rng.sample(range(2, 25), rng.randint(0, 4)))
    tiers, prev = [], D(0)
    for m in starts:
        bound = 1 - (m - 1) * (1 - prev) / m
        highest = max((bound * 100).quantize(D("0.01"), rounding="ROUND_DOWN"), D(0))
        pct = rng.choice([D(0), highest, rand_dec(rng, 0, highest, 2), min(highest, D(10))])
        tiers.append(SessionTier(m, pct)); prev = pct / 100
    rng.shuffle(tiers)
    camps = []
    for i in range(rng.choice([0, 1, 2, 3, 4, 5, 6])):
        kind = rng.choice(list(BenefitType))
        if kind is BenefitType.PERCENT:
            value = rng.choice([D(10), D(100), D(0), rand_dec(rng, 0, 100, 2)])
        elif kind is BenefitType.FIXED:
            value = rng.choice([D("500.00"), D(0), D(1000000), rand_dec(rng, 0, 20000, 2)])
        else:
            value = D(rng.randint(1, 25))
        start = TODAY + timedelta(days=rng.randint(-60, 90))
        camps.append(Campaign(
            code=f"CAMP-{i}", name=f"Campaign {i}", starts_on=start, ends_on=start + timedelta(days=rng.randint(0, 120)),
            clinics=tuple(rng.sample(ccodes, rng.randint(0, min(2, nc)))), min_sessions=rng.choice([1, 1, 2, 3, 4, rng.randint(1, 24)]),
            required_areas=tuple(rng.sample(acodes, rng.randint(0, min(2, na))) if rng.random() < 0.4 else ()),
            coupon=rng.choice([None, None, "SAVE", "Friend10", "vip"]), stackable=rng.random() < 0.5,
            priority=rng.randint(0, 3), benefit=Benefit(kind, value), translations=tr(),
            max_uses=rng.choice([None, 5]),
        ))
    return PriceList(
        currency="TRY", combination_discount_percent=rng.choice([D(20), D(0), D("12.5"), rand_dec(rng, 0, 100, 2)]),
        session_interval_days=rng.randint(7, 35), clinics=clinics, areas=areas, products=products,
        specialist_levels=levels, session_tiers=tuple(tiers), campaigns=tuple(camps), version=rng.choice([None, 1, 7]),
        language=lang, max_manual_discount_percent=rng.choice([D(10), D(0), D(100), D("12.5")]),
    )

def rand_request(rng, pl):
    invalid = rng.random() < 0.08
    codes = [a.code for a in pl.areas]
    k = rng.randint(1, min(4, len(codes)))
    chosen = rng.sample(codes, k)
    if invalid and rng.random() < 0.3: chosen.append(rng.choice(codes + ["nope"]))
    if invalid and rng.random() < 0.2: chosen = []
    areas = []
    for c in chosen:
        s = rng.random()
        size = None if s < 0.5 else rng.choice([D(rng.randint(1, 4000)), D(str(round(rng.uniform(0.01, 4000), 2))), D("1E+3"), D("0.5"), D(1000000), D("300.00")])
        if invalid and rng.random() < 0.2: size = rng.choice([D(0), D(-1), D(1000001)])
        areas.append(AreaRequest(c, size))
    pcodes = [p.code for p in pl.products]
    products = rng.sample(pcodes, rng.randint(0, len(pcodes)))
    if invalid and rng.random() < 0.3: products.append(rng.choice(pcodes + ["nope"]))
    sessions = rng.choice(list(range(1, 25)) + [3, 6, 10, 12] * 3)
    if invalid and rng.random() < 0.3: sessions = rng.choice([0, 25, -1])
    start = rng.choice([None, TODAY + timedelta(days=rng.randint(-10, 380)), TODAY + timedelta(days=rng.randint(0, 120)), TODAY + timedelta(days=rng.randint(0, 120))])
    coupon = rng.choice([None, None, None, "FRIEND10", "friend10", "SAVE", "save", "Friend10", "VIP", "NOT-A-CODE", ""])
    manual = None
    if rng.random() < 0.3:
        reason = rng.choice(["", "  ", "loyal customer", " regular ", "çok eski müşteri"])
        if rng.random() < 0.5:
            manual = ManualDiscount(reason, percent=rng.choice([D(5), D(10), D("10.5"), D(100), D(0), D("33.33"), rand_dec(rng, 0, 100, 2)]))
        else:
            manual = ManualDiscount(reason, amount=rng.choice([D("100.00"), D(0), D(99999999), D("0.01"), rand_dec(rng, 0, 20000, 2)]))
    client = None
    if rng.random() < 0.3:
        client = ClientAnswers(*(rng.choice([None, rng.randint(0, 90)]),) + tuple(rng.choice([None, False, True]) for _ in range(4)))
    clinic = rng.choice([c.code for c in pl.clinics] + (["nowhere"] if invalid else []))
    level = rng.choice([l.code for l in pl.specialist_levels] + (["nobody"] if invalid else []))
    return EstimateRequest(clinic, tuple(areas), level, sessions, start, tuple(products), coupon, client, manual)



def main() -> None:
    rng = random.Random(SEED)
    demo_doc = json.loads(DEMO_FILE.read_text())
    lists = {"demo": demo_doc}
    for i in range(RANDOM_LISTS):
        lists[f"random-{i}"] = json.loads(json.dumps(to_plain(rand_price_list(rng))))
    built = {name: from_plain(doc, version=1) for name, doc in lists.items()}
    names = list(built)
    cases = []
    for i in range(CASES):
        name = "demo" if i % 2 == 0 else rng.choice(names)
        request = request_from_plain(request_to_plain(rand_request(rng, built[name])))
        today = rng.choice([TODAY, TODAY, None, TODAY + timedelta(days=rng.randint(-30, 60))])
        plain_request = request_to_plain(request)
        if today is None and request.start_date is None:
            plain_request["start_date"] = TODAY.isoformat()
            request = request_from_plain(plain_request)
        cases.append({
            "list": name, "today": None if today is None else today.isoformat(), "request": plain_request,
            **answer(built[name], request, today),
        })
    # One price list, one case a line: small, and a change shows as the lines it touches.
    compact = {"ensure_ascii": False, "sort_keys": True, "separators": (",", ":")}
    lists_text = ",\n".join(f"{json.dumps(k)}:{json.dumps(v, **compact)}" for k, v in lists.items() if k != "demo")
    cases_text = ",\n".join(json.dumps(case, **compact) for case in cases)
    (HERE / "estimates.json").write_text(f'{{"lists":{{\n{lists_text}}},\n"cases":[\n{cases_text}]}}\n', "utf-8")
    print(f"{len(cases)} cases written", file=sys.stderr)


if __name__ == "__main__":
    main()
