"""The customer card (issue 26): from a quote, every quote of the same person, by e-mail or phone."""

from __future__ import annotations

import re

from ..bodies import QUOTE


def new_quote(client, sales_headers, customer, notes=None) -> str:
    answer = client.post("/api/v1/quotes", json={**QUOTE, "customer": customer, "notes": notes}, headers=sales_headers)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()["number"]


def test_the_card_gathers_the_same_person_however_their_address_and_number_were_written(client, seller, sales_headers):
    first = new_quote(client, sales_headers, {"name": "Ayşe Yılmaz", "email": "AYSE@example.com"}, notes="Sabahları arayın")
    second = new_quote(client, sales_headers, {"name": "Ayşe Y.", "email": "ayse@EXAMPLE.com", "phone": "0533 987 65 43"})
    third = new_quote(client, sales_headers, {"name": "A. Yılmaz", "phone": "+90 533 987 65 43"})
    other = new_quote(client, sales_headers, {"name": "Deniz Kaya", "email": "deniz@example.com", "phone": "0533 111 22 33"})
    page = seller.get(f"/desk/quotes/{second}/customer?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    listed = re.findall(r'<th scope="row"><a href="/desk/quotes/([^"?]+)', html)
    assert listed == [third, second, first]  # newest first; not the other customer's
    assert other not in html
    assert "Sabahları arayın" in html  # notes
    assert 'href="mailto:ayse@EXAMPLE.com"' in html and 'href="tel:05339876543"' in html
    # The quote page links to it, and shows the contact as links.
    quote_page = seller.get(f"/desk/quotes/{second}?lang=en").get_data(as_text=True)
    assert f'href="/desk/quotes/{second}/customer' in quote_page and 'href="tel:05339876543"' in quote_page
    # The first quote has only an e-mail: the phone-only quote is not its customer's (no shared key).
    assert re.findall(r'<th scope="row"><a href="/desk/quotes/([^"?]+)',
                      seller.get(f"/desk/quotes/{first}/customer").get_data(as_text=True)) == [second, first]


def test_the_card_of_an_unknown_quote_is_a_404_page(seller):
    answer = seller.get("/desk/quotes/Q-0000-999999/customer?lang=en")
    assert answer.status_code == 404 and "text/html" in answer.content_type


def test_a_wrong_console_address_is_a_page_not_json(client, seller):
    for path in ("/desk/nothing-here", "/desk/quotes/Q-0000-000001/nothing", "/desk/a/b/c"):
        answer = seller.get(path + "?lang=tr")
        assert answer.status_code == 404 and answer.content_type.startswith("text/html"), path
        html = answer.get_data(as_text=True)
        assert "Bu adreste bir şey yok." in html and 'href="/desk/quotes' in html  # the menu of a signed-in user
    anonymous = client.get("/desk/nothing-here?lang=en")
    assert anonymous.status_code == 404 and "There is nothing at this address." in anonymous.get_data(as_text=True)
