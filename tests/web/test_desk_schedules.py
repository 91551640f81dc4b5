"""Price changes tried first (dry runs) and scheduled from the console, and scheduled versions cancelled."""

from __future__ import annotations

import io
import re

from quoteapi.services import price_items, price_lists
from quoteapi.services.price_items import KINDS

from ..bodies import QUOTE
from ..days import TODAY, iso
from .desk_helpers import csrf_token, messages
from .test_desk_pages import _row_form

# A moment far ahead, in clinic time (UTC+3): 06:30 UTC; as the pages write it.
LATER_DAY = f"{TODAY.year + 5}-01-02"
LATER = f"{LATER_DAY}T09:30"
SHOWN = f"2 January {TODAY.year + 5} 09:30"  # as the console writes a moment: clinic time, in words


def test_a_row_tried_first_then_scheduled_then_cancelled(client, ctx, admin, sales_headers):
    number = client.post("/api/v1/quotes", json=QUOTE, headers=sales_headers).get_json()["number"]
    form = _row_form(admin, "areas", "face")
    tried = admin.post("/desk/prices/areas/face?lang=en", data={**form, "face:price": "4400.00", "dry_run": "1"})
    assert tried.status_code == 200
    page = tried.get_data(as_text=True)
    assert "Tried first: nothing was saved" in page and "The change is valid." in page
    assert "Area “Full face”, price: ₺4,000.00 → ₺4,400.00" in page
    assert "1 open quotes: 1 dearer, 0 cheaper, 0 unchanged" in page and number in page
    assert 'value="4400.00"' in page  # the row keeps what was typed
    assert price_items.get_item(ctx, KINDS["areas"], "face").data["price"] == "4000.00"  # nothing stored
    assert len(price_lists.list_versions(ctx)) == 1

    # Scheduled: the page's saves carry the moment; the list in force does not change.
    scheduled_page = admin.get(f"/desk/prices/areas?effective_from={LATER}&lang=en").get_data(as_text=True)
    assert f"they take effect on {SHOWN}" in scheduled_page
    assert f'name="effective_from" value="{LATER}"' in scheduled_page
    form = _row_form(admin, "areas", "face")
    planned = admin.post("/desk/prices/areas/face?lang=en", data={**form, "face:price": "4400.00", "effective_from": LATER, "dry_run": "1"})
    assert f"It would take effect on {SHOWN}." in planned.get_data(as_text=True)
    saved = admin.post("/desk/prices/areas/face?lang=en", data={**form, "face:price": "4400.00", "effective_from": LATER},
                       follow_redirects=True)
    assert any(f"face saved as version 2, taking effect on {SHOWN}." in m for m in messages(saved))
    assert price_items.get_item(ctx, KINDS["areas"], "face").data["price"] == "4000.00"
    (waiting,) = [v for v in price_lists.list_versions(ctx) if v.state == "scheduled"]
    assert waiting.version == 2 and waiting.effective_from.isoformat() == f"{LATER_DAY}T06:30:00+00:00"

    versions = admin.get("/desk/versions?lang=en").get_data(as_text=True)
    assert 'id="scheduled-2"' in versions and f"Version 2 takes effect on {SHOWN} (clinic time)" in versions
    assert re.search(rf"{SHOWN}</td>\s*<td><span class=\"status state-scheduled\">scheduled", versions)
    token = csrf_token(admin, "/desk/versions")
    cancelled = admin.post("/desk/versions/2/cancel?lang=en", data={"csrf_token": token}, follow_redirects=True)
    assert any("Version 2 is cancelled" in m for m in messages(cancelled))
    page = cancelled.get_data(as_text=True)
    assert 'id="scheduled-2"' not in page and "state-cancelled" in page
    again = admin.post("/desk/versions/2/cancel?lang=en", data={"csrf_token": token}, follow_redirects=True)
    assert any("already cancelled" in m for m in messages(again))
    assert admin.post("/desk/versions/1/cancel", data={"csrf_token": token}).status_code == 302  # a message, not a 500


def test_an_added_row_is_tried_first_and_scheduled_like_a_saved_one(ctx, admin):
    page = admin.get(f"/desk/prices/products?effective_from={LATER}&lang=en").get_data(as_text=True)
    add_form = re.search(r'<form id="f-new".*?</form>', page, re.S).group(0)
    assert f'name="effective_from" value="{LATER}"' in add_form and 'name="dry_run" value="1"' in add_form
    new = {"csrf_token": csrf_token(admin, "/desk/prices/products"), "new:code": "gauze", "new:name": "Gazlı bez",
           "new:price": "40.00"}
    tried = admin.post("/desk/prices/products?lang=en", data={**new, "dry_run": "1"})
    assert tried.status_code == 200
    text = tried.get_data(as_text=True)
    assert "Tried first: nothing was saved" in text and 'value="gauze"' in text  # the new row keeps what was typed
    assert all(p["code"] != "gauze" for p in price_items.list_items(ctx, KINDS["products"]).items)
    assert len(price_lists.list_versions(ctx)) == 1
    planned = admin.post("/desk/prices/products?lang=en", data={**new, "effective_from": LATER, "dry_run": "1"})
    assert f"It would take effect on {SHOWN}." in planned.get_data(as_text=True)
    assert len(price_lists.list_versions(ctx)) == 1
    added = admin.post("/desk/prices/products?lang=en", data={**new, "effective_from": LATER}, follow_redirects=True)
    assert any(f"gauze added as version 2, taking effect on {SHOWN}." in m for m in messages(added))
    assert all(p["code"] != "gauze" for p in price_items.list_items(ctx, KINDS["products"]).items)  # not in force yet
    (waiting,) = [v for v in price_lists.list_versions(ctx) if v.state == "scheduled"]
    assert waiting.version == 2 and waiting.effective_from.isoformat() == f"{LATER_DAY}T06:30:00+00:00"
    past = admin.post("/desk/prices/products?lang=en", data={**new, "new:code": "lint", "effective_from": f"{iso(-1)}T09:00"})
    assert past.status_code == 422 and "effective_from must be in the future." in past.get_data(as_text=True)
    assert len(price_lists.list_versions(ctx)) == 2


def test_a_bad_moment_is_a_message_at_the_row(ctx, admin):
    form = _row_form(admin, "areas", "neck")
    past = admin.post("/desk/prices/areas/neck?lang=en", data={**form, "neck:price": "2100.00", "effective_from": f"{iso(-1)}T09:00"})
    assert past.status_code == 422 and "effective_from must be in the future." in past.get_data(as_text=True)
    odd = admin.post("/desk/prices/areas/neck?lang=en", data={**form, "neck:price": "2100.00", "effective_from": "soon"})
    assert odd.status_code == 422 and "A date and time such as" in odd.get_data(as_text=True)
    assert len(price_lists.list_versions(ctx)) == 1


def test_a_spreadsheet_tried_first_then_scheduled(ctx, admin):
    text = admin.get("/desk/price-list.csv").get_data(as_text=True)
    token = csrf_token(admin, "/desk/prices/areas")

    def upload(content: str, **fields):
        return admin.post("/desk/price-list?lang=en", data={"csrf_token": token, "version": "1", **fields,
                                                            "file": (io.BytesIO(content.encode()), "p.csv")},
                          content_type="multipart/form-data")

    tried = upload(text.replace("4000.00", "4500.00", 1), dry_run="1")
    assert tried.status_code == 200
    page = tried.get_data(as_text=True)
    assert "The spreadsheet p.csv, tried first" in page and "The change is valid." in page
    assert "→ ₺4,500.00" in page and "Saved, it would be version 2." in page
    assert len(price_lists.list_versions(ctx)) == 1
    refused = upload(text.replace("ist-kadikoy", "ist-nisantasi", 1), dry_run="1")  # two clinics with one code
    assert refused.status_code == 200  # "it would be refused, because" is the dry run's answer
    assert re.search(r"The change would be refused:</strong></p>\s*<ul class=\"problems\"><li>Row \d+, code:",
                     refused.get_data(as_text=True))
    assert len(price_lists.list_versions(ctx)) == 1
    saved = upload(text.replace("4000.00", "4500.00", 1), effective_from=LATER)
    assert saved.status_code == 302
    (waiting,) = [v for v in price_lists.list_versions(ctx) if v.state == "scheduled"]
    assert waiting.version == 2
    assert price_items.get_item(ctx, KINDS["areas"], "face").data["price"] == "4000.00"
