"""The price-list use cases (whole list and one item at a time) on a real SQLite database."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from quoteapi.adapters.db import AuditEntry, PriceListVersion
from quoteapi.domain.errors import Conflict, Invalid, NotFound, StaleVersion, VersionRequired
from quoteapi.domain.pricing import PriceListInvalid
from quoteapi.domain.pricing.model import PriceList
from quoteapi.services import estimates, price_items, price_lists
from quoteapi.services.price_list_cache import PriceListCache
from quoteapi.services.price_lists import ANY_VERSION

from .conftest import count, request

AREAS = price_items.KINDS["areas"]
CAMPAIGNS = price_items.KINDS["campaigns"]


def with_face_price(price_list: PriceList, price: str) -> PriceList:
    areas = tuple(replace(a, price=Decimal(price)) if a.code == "face" else a for a in price_list.areas)
    return replace(price_list, areas=areas)


# --- the whole list -----------------------------------------------------------------


def test_the_demo_is_version_one(ctx):
    assert [v.version for v in price_lists.list_versions(ctx)] == [1]
    assert price_lists.current_version(ctx).created_by == "seed-demo"
    assert ctx.price_lists.current().version == 1
    with pytest.raises(Conflict):
        price_lists.seed_demo(ctx)
    assert count(ctx, PriceListVersion) == 1


def test_replace_stores_the_next_version_with_its_summary_and_audit(ctx):
    info = price_lists.replace_price_list(
        ctx, with_face_price(ctx.price_lists.current(), "4200"), expected_version=1, by="ada"
    )
    assert info.version == 2 and info.created_by == "ada"
    assert info.summary == "areas.face.price 4000.00 → 4200.00"
    assert [v.version for v in price_lists.list_versions(ctx)] == [2, 1]
    stored = price_lists.get_document(ctx)
    assert stored.info == info
    assert next(a for a in stored.document["areas"] if a["code"] == "face")["price"] == "4200.00"
    # The old version is kept as it was.
    assert price_lists.price_list_of(ctx, 1).area_by_code["face"].price == Decimal("4000.00")
    with ctx.database.reading() as session:
        entry = session.query(AuditEntry).filter_by(kind="price_list").order_by(AuditEntry.id.desc()).first()
    assert (entry.actor, entry.action) == ("ada", "replace")
    assert (entry.before, entry.after) == ({"areas.face.price": "4000.00"}, {"areas.face.price": "4200.00"})


def test_the_cache_serves_the_new_version_right_after_the_change(ctx):
    # A cache that would not look again for an hour: only the change itself can refresh it.
    ctx.price_lists = PriceListCache(ctx.database, 3600)
    elsewhere = PriceListCache(ctx.database, 3600)  # another worker's
    assert ctx.price_lists.current().version == 1 and elsewhere.current().version == 1
    price_lists.replace_price_list(ctx, with_face_price(ctx.price_lists.current(), "4200"), expected_version=1, by="ada")
    current = ctx.price_lists.current()
    assert current.version == 2 and current.area_by_code["face"].price == Decimal("4200.00")
    assert estimates.estimate(ctx, request()).price_list_version == 2
    # Another process sees it within its interval, or at once when it asks for a fresh copy.
    assert elsewhere.current().version == 1
    assert elsewhere.current(fresh=True).version == 2


def test_a_stale_expected_version_is_refused_and_stores_nothing(ctx):
    first = ctx.price_lists.current()
    price_lists.replace_price_list(ctx, with_face_price(first, "4200"), expected_version=1, by="ada")
    for expected in (1, None, 7):
        with pytest.raises(StaleVersion):
            price_lists.replace_price_list(ctx, with_face_price(first, "4300"), expected_version=expected, by="bob")
    assert count(ctx, PriceListVersion) == 2
    assert ctx.price_lists.current().area_by_code["face"].price == Decimal("4200.00")
    # ANY_VERSION replaces whatever is newest.
    info = price_lists.replace_price_list(ctx, with_face_price(first, "4300"), expected_version=ANY_VERSION, by="bob")
    assert info.version == 3


def test_an_identical_list_stores_nothing(ctx):
    audits = count(ctx, AuditEntry)
    same = price_lists.price_list_of(ctx, 1)
    info = price_lists.replace_price_list(ctx, same, expected_version=1, by="ada")
    assert info.version == 1 and info.created_by == "seed-demo"
    assert count(ctx, PriceListVersion) == 1 and count(ctx, AuditEntry) == audits


def test_a_list_breaking_the_rules_stores_nothing(ctx):
    broken = replace(ctx.price_lists.current(), clinics=())
    with pytest.raises(PriceListInvalid) as caught:
        price_lists.replace_price_list(ctx, broken, expected_version=1, by="ada")
    assert "clinics" in caught.value.errors
    assert count(ctx, PriceListVersion) == 1


def test_an_unknown_version_is_not_found(ctx):
    with pytest.raises(NotFound):
        price_lists.get_document(ctx, 2)


# --- one item -----------------------------------------------------------------------


def test_update_item_with_the_current_etag(ctx):
    item = price_items.get_item(ctx, AREAS, "neck")
    assert item.version == 1 and item.data["price"] == "2200.00"
    changed = price_items.update_item(ctx, AREAS, "neck", {"price": Decimal("2500.00")}, [item.etag], "ada")
    assert changed.version == 2 and changed.data["price"] == "2500.00"
    assert changed.etag != item.etag
    assert price_items.get_item(ctx, AREAS, "neck") == changed
    assert ctx.price_lists.current().area_by_code["neck"].price == Decimal("2500.00")


def test_update_item_with_a_stale_etag_is_refused(ctx):
    item = price_items.get_item(ctx, AREAS, "neck")
    with pytest.raises(StaleVersion):
        price_items.update_item(ctx, AREAS, "neck", {"price": Decimal("2500.00")}, ["areas-neck-0000"], "ada")
    # An ETag that was right before another change is stale after it.
    price_items.update_item(ctx, AREAS, "neck", {"price": Decimal("2400.00")}, [item.etag], "ada")
    with pytest.raises(StaleVersion):
        price_items.update_item(ctx, AREAS, "neck", {"price": Decimal("2500.00")}, [item.etag], "bob")
    assert count(ctx, PriceListVersion) == 2
    assert price_items.get_item(ctx, AREAS, "neck").data["price"] == "2400.00"


def test_update_item_without_if_match_is_refused(ctx):
    with pytest.raises(VersionRequired):
        price_items.update_item(ctx, AREAS, "neck", {"price": Decimal("2500.00")}, None, "ada")
    assert count(ctx, PriceListVersion) == 1


def test_any_etag_matches_a_star_and_one_of_several(ctx):
    etag = price_items.get_item(ctx, AREAS, "neck").etag
    assert price_items.update_item(ctx, AREAS, "neck", {"price": Decimal("2100.00")}, ["*"], "ada").version == 2
    with pytest.raises(StaleVersion):
        price_items.update_item(ctx, AREAS, "neck", {"price": Decimal("2200.00")}, [etag], "ada")
    etag = price_items.get_item(ctx, AREAS, "neck").etag
    assert price_items.update_item(ctx, AREAS, "neck", {"price": Decimal("2200.00")}, ["x", etag], "ada").version == 3


def test_an_item_code_cannot_change_and_unknown_items_are_not_found(ctx):
    etag = price_items.get_item(ctx, AREAS, "neck").etag
    with pytest.raises(Invalid) as caught:
        price_items.update_item(ctx, AREAS, "neck", {"code": "throat"}, [etag], "ada")
    assert list(caught.value.errors) == ["code"]
    with pytest.raises(NotFound):
        price_items.update_item(ctx, AREAS, "elbow", {"price": Decimal("1.00")}, ["*"], "ada")
    assert count(ctx, PriceListVersion) == 1


def test_an_area_a_campaign_names_cannot_be_deleted(ctx):
    etag = price_items.get_item(ctx, AREAS, "face").etag  # NEW-YEAR-GLOW requires the face
    with pytest.raises(Invalid) as caught:
        price_items.delete_item(ctx, AREAS, "face", [etag], "ada")
    assert "NEW-YEAR-GLOW" in str(caught.value.detail)
    glow = price_items.get_item(ctx, CAMPAIGNS, "NEW-YEAR-GLOW").etag
    assert price_items.delete_item(ctx, CAMPAIGNS, "NEW-YEAR-GLOW", [glow], "ada") == 2
    assert price_items.delete_item(ctx, AREAS, "face", [etag], "ada") == 3
    assert "face" not in ctx.price_lists.current().area_by_code
