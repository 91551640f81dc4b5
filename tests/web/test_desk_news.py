"""What is new for the signed-in user in the console (issue 29): the count in the menu, the "New" page,
and the mail language on the users page."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from quoteapi.adapters import clock
from quoteapi.adapters.db import link_store
from quoteapi.adapters.db import models as rows
from quoteapi.domain.pricing.model import ManualDiscount
from quoteapi.services import approvals, customer_link, quotes, users
from quoteapi.services.commands import DecideApproval, UpdateQuote

from ..services.conftest import create_command, request
from .desk_helpers import csrf_token, messages

COUNT = re.compile(r'href="/desk/new[^"]*"[^>]*>\s*(?P<label>[^<]+?)\s*<span class="count[^"]*">(?P<count>\d*)</span>')


def menu(page: str) -> tuple[str, str]:
    found = COUNT.search(page)
    assert found, page[:3000]
    return found["label"], found["count"]


def link_for(ctx, number: str) -> str:
    with ctx.database.transaction() as session:
        row = session.scalars(select(rows.Quote).where(rows.Quote.number == number)).one()
        return link_store.new_link(session, row, "email", "sel", clock.now())


def test_the_menu_counts_what_is_new_and_the_page_lists_it_then_marks_it_seen(ctx, seller):
    mine = quotes.create_quote(ctx, create_command(request(sessions=3), by="sel")).quote.number
    quotes.update_quote(ctx, UpdateQuote(mine, "sel", status="sent", assigned_to="sel"))
    other = quotes.create_quote(ctx, create_command(request(sessions=3), by="sam")).quote.number
    quotes.update_quote(ctx, UpdateQuote(other, "sam", status="sent"))
    customer_link.ask(ctx, link_for(ctx, mine), "Otopark var mı?")
    customer_link.ask(ctx, link_for(ctx, other), "Not sel's quote")  # assigned to nobody: not counted for sel
    users.create_user(ctx, "ada", "admin")
    discounted = quotes.create_quote(
        ctx, create_command(request(manual_discount=ManualDiscount("Friend", percent=Decimal("25"))), by="sel")).quote.number
    approvals.decide_approval(ctx, DecideApproval(discounted, "ada", "reject", "Çok yüksek"))

    today = seller.get("/desk").get_data(as_text=True)
    assert menu(today) == ("Yeni", "2")
    assert 'class="count count-waiting">2<' in today

    page = seller.get("/desk/new").get_data(as_text=True)
    assert "Sizin için yeni" in page
    rows_ = re.findall(r'<tr class="is-new">(.*?)</tr>', page, re.S)
    assert len(rows_) == 2
    assert discounted in rows_[0] and "Manuel indirim reddedildi" in rows_[0] and "Çok yüksek" in rows_[0]
    assert mine in rows_[1] and "Müşteri soru sordu" in rows_[1] and "Otopark var mı?" in rows_[1]
    assert other not in page

    # Opened: nothing new any more; the items stay listed, no longer marked.
    after = seller.get("/desk/new?lang=en").get_data(as_text=True)
    assert menu(after) == ("New", "0") and 'class="is-new"' not in after and mine in after
    assert menu(seller.get("/desk").get_data(as_text=True)) == ("Yeni", "0")


def test_the_users_page_sets_a_users_mail_language(ctx, admin):
    token = csrf_token(admin, "/desk/users")
    created = admin.post("/desk/users", data={"name": "nur", "role": "sales", "full_name": "", "email": "nur@example.com",
                                              "language": "en", "csrf_token": token})
    assert created.status_code == 200 and users.get_user(ctx, "nur").language == "en"
    page = admin.get("/desk/users").get_data(as_text=True)
    assert re.search(r'<select id="language-\d+" name="language"[^>]*>.*?<option value="en" selected>İngilizce</option>',
                     page, re.S)
    saved = admin.post("/desk/users/nur/details", data={"full_name": "Nur", "email": "nur@example.com", "language": "",
                                                       "csrf_token": token})
    assert saved.status_code == 302 and users.get_user(ctx, "nur").language is None
    # A form without the field (an older page) keeps the language.
    users.set_details(ctx, "nur", {"language": "tr"})
    admin.post("/desk/users/nur/details", data={"full_name": "Nur", "email": "nur@example.com", "csrf_token": token})
    assert users.get_user(ctx, "nur").language == "tr"
    refused = admin.post("/desk/users/nur/details", data={"full_name": "Nur", "email": "nur@example.com",
                                                         "language": "de", "csrf_token": token})
    assert refused.status_code == 422 and users.get_user(ctx, "nur").language == "tr"
    assert re.search(r'id="err-u-\d+-language"', refused.get_data(as_text=True)), messages(refused)
