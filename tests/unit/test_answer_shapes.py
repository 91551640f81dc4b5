"""Each answer shape is written once, in its schema: the stored-document and item answers, which put
the codec's plain form in them as it is, answer what marshmallow would dump.

(The codec's plain form itself is held to the schemas by tests/api/test_serialisers.py.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from marshmallow import Schema

from quoteapi.domain.price_list import from_plain, to_plain
from quoteapi.domain.price_list.rules import COURSE_INVERSION, Warning
from quoteapi.domain.text import T
from quoteapi.interface.schemas.admin import ItemListSchema
from quoteapi.interface.schemas.price_list import (
    ITEM_SCHEMAS,
    ChangeSchema,
    PriceListSchema,
    PriceListVersionDocumentSchema,
    PriceListWriteSchema,
    item_answer_schema,
)
from quoteapi.services.price_items import KINDS, Item, ItemList
from quoteapi.services.price_lists import StoredDocument, VersionInfo, demo_document

from ..days import TODAY

WARNING = Warning(COURSE_INVERSION, "campaigns.0", T("Campaign {code} makes a course of {longer} sessions cheaper "
                                                     "in total than one of {shorter} at {clinic}.",
                                                     code="X", longer=4, shorter=3, clinic="ist-kadikoy"))
INFO = VersionInfo(
    version=3, created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), created_by="ada", summary="areas.face.price",
    effective_from=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), state="current", base_version=2, warnings=(WARNING,),
)
DOCUMENT_FIELDS = tuple(name for name in PriceListSchema._declared_fields if name != "version")


class Both:
    """A version and its price list read as one object: what marshmallow dumps without the fast path."""

    def __init__(self, info: Any, price_list: Any, own: tuple[str, ...]) -> None:
        self._info, self._price_list, self._own = info, price_list, own

    def __getattr__(self, name: str) -> Any:
        return getattr(self._info if name in self._own else self._price_list, name)


@pytest.mark.parametrize("schema", [PriceListSchema, PriceListWriteSchema, PriceListVersionDocumentSchema])
def test_a_stored_document_answers_what_marshmallow_dumps(schema):
    # The version's fields and the document's make up the whole schema, each once.
    assert sorted(schema.BEFORE + DOCUMENT_FIELDS + schema.AFTER) == sorted(schema._declared_fields)
    document = to_plain(from_plain(demo_document(TODAY)))
    answer = schema().dump(StoredDocument(INFO, document))
    assert answer == Schema.dump(schema(), Both(INFO, from_plain(demo_document(TODAY)), schema.BEFORE + schema.AFTER))
    # In the order the API has always answered: the version's fields before the document, the write's after it.
    assert list(answer) == [*schema.BEFORE, *DOCUMENT_FIELDS, *schema.AFTER]


def test_the_kind_to_schema_table_names_every_kind():
    assert list(ITEM_SCHEMAS) == list(KINDS)


@pytest.mark.parametrize("url", ITEM_SCHEMAS)
@pytest.mark.parametrize(("uses", "warnings", "state"), [(None, (), "current"), (0, (WARNING,), "scheduled")])
def test_an_item_answers_what_marshmallow_dumps(url, uses, warnings, state):
    kind, schema = KINDS[url], ITEM_SCHEMAS[url]
    answer = item_answer_schema(schema)
    for data in to_plain(from_plain(demo_document(TODAY)))[kind.key]:
        item = Item(data, "etag", 3, uses if url == "campaigns" else None, warnings, state)
        added = {"uses": item.uses} if item.uses is not None else {}
        added |= {"warnings": warnings} if warnings else {}
        added |= {"state": state} if state == "scheduled" else {}
        # marshmallow, from the loaded item and what the answer adds (a scheduled state, warnings, uses)
        dumped = Schema.dump(answer(), {**schema().load(data), **added})
        assert answer().dump(item) == dumped
        assert list(answer().dump(item)) == [*data, *added]


def test_an_item_list_carries_each_campaigns_uses():
    campaigns = to_plain(from_plain(demo_document(TODAY)))["campaigns"]
    found = ItemList(4, campaigns, {c["code"]: i for i, c in enumerate(campaigns)})
    assert ItemListSchema().dump(found) == {"version": 4, "items": [{**c, "uses": i} for i, c in enumerate(campaigns)]}
    assert ItemListSchema().dump(ItemList(4, campaigns)) == {"version": 4, "items": campaigns}


def test_a_plans_change_is_a_triple():
    assert ChangeSchema().dump(("areas.face.price", "4000.00", "4100.00")) == {
        "path": "areas.face.price", "before": "4000.00", "after": "4100.00"}
