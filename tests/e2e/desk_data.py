"""A clinic's ordinary day on the demo price list, made through the API: website requests (one taken up by
the desk: assigned, noted, revised), the desk's quotes to follow up, one waiting for an admin's approval,
one accepted with a deposit paid, and a returning customer with two quotes. For the console's browser
tests and the README's screenshots.
"""

from __future__ import annotations

from typing import Any, Callable

import requests

from quoteapi.adapters import clock

# The returning customer the search and customer-card tests look for.
ELIF = {"name": "Elif Öztürk", "email": "elif.ozturk@example.com", "phone": "0533 987 65 43"}


def realistic_day(url: str, api: Callable[..., requests.Response], sales: str, admin: str) -> dict[str, Any]:
    """Make the day's quotes; their numbers by role: {"taken", "untaken", "elif_again", "due", "pending", "accepted"}.

    ``api(name, method, path, **kwargs)`` calls the API as the user ``name``.
    """
    today = clock.today().isoformat()

    def request(customer: dict[str, str], **estimate: Any) -> str:
        body = {"clinic": "ist-nisantasi", "specialist_level": "nurse", "sessions": 6, "areas": [{"code": "face"}],
                "customer": customer, "consent": True, **estimate}
        answer = requests.post(f"{url}/api/v1/quote-requests", json=body, headers={"Accept-Language": "tr"}, timeout=10)
        assert answer.status_code == 201, answer.text
        return answer.json()["number"]

    def quote(customer: dict[str, Any], **estimate: Any) -> str:
        body = {"clinic": "ist-kadikoy", "specialist_level": "aesthetician", "sessions": 4, "areas": [{"code": "face"}],
                "language": "tr", "customer": customer, "follow_up_on": today, **estimate}
        answer = api(sales, "POST", "/api/v1/quotes", json=body)
        assert answer.status_code == 201, answer.text
        return answer.json()["number"]

    def ok(answer: requests.Response) -> requests.Response:
        assert answer.status_code in (200, 201, 204), answer.text
        return answer

    made: dict[str, Any] = {}
    # A website request the desk took up: assigned, a note, a revision (no longer "nobody's").
    made["taken"] = taken = request(ELIF, areas=[{"code": "face"}, {"code": "under-eye"}], products=["numbing-cream"])
    ok(api(sales, "PATCH", f"/api/v1/quotes/{taken}", json={"assigned_to": sales, "follow_up_on": today}))
    ok(api(sales, "POST", f"/api/v1/quotes/{taken}/notes",
           json={"text": "Aradım: Cumartesi sabahları uygun, lazer öncesi cilt analizi istiyor."}))
    ok(api(sales, "POST", f"/api/v1/quotes/{taken}/revisions", json={"sessions": 8}))
    # Website requests nobody has taken up yet.
    made["untaken"] = [
        request({"name": "Ayşe Yılmaz", "email": "ayse.yilmaz@example.com", "phone": "0532 410 22 18"},
                areas=[{"code": "neck"}, {"code": "decollete"}], sessions=4),
        request({"name": "Burak Şahin", "email": "burak.sahin@example.com"}, clinic="ank-cankaya",
                areas=[{"code": "scalp"}], specialist_level="dermatologist", sessions=8, products=["prp"]),
    ]
    # The same person again, at the desk (by phone, written another way): her customer card shows both.
    made["elif_again"] = quote({"name": "Elif Öztürk", "phone": "+90 533 987 65 43"}, areas=[{"code": "hands"}],
                               notes="Eller için ayrı teklif istedi.")
    ok(api(sales, "PATCH", f"/api/v1/quotes/{made['elif_again']}", json={"status": "sent"}))
    # Follow-ups due today, one of them running out this week.
    made["due"] = [
        quote({"name": "Deniz Kaya", "phone": "+90 532 111 22 33", "email": "deniz.kaya@example.com"},
              areas=[{"code": "face"}, {"code": "neck"}], sessions=6, valid_days=5),
        quote({"name": "Emre Arslan", "phone": "0544 305 71 90"}, clinic="ank-cankaya",
              areas=[{"code": "acne-scars-back"}], specialist_level="dermatologist", sessions=5),
    ]
    ok(api(sales, "PATCH", f"/api/v1/quotes/{made['due'][0]}", json={"status": "sent"}))
    # A manual discount above the list's limit: it waits for an admin.
    made["pending"] = quote({"name": "Selin Çelik", "email": "selin.celik@example.com", "phone": "0555 620 44 87"},
                            areas=[{"code": "stretch-marks", "size_cm2": 300}], sessions=6,
                            manual_discount={"percent": "20", "reason": "Rakip klinik teklifi daha ucuz"})
    # Accepted, with the deposit paid by bank transfer.
    made["accepted"] = accepted = quote({"name": "Can Aydın", "email": "can.aydin@example.com", "phone": "0506 118 90 27"},
                                        clinic="ist-nisantasi", areas=[{"code": "face"}, {"code": "under-eye"}],
                                        specialist_level="nurse", sessions=6, products=["hyaluronic-acid"])
    for status in ("sent", "accepted"):
        ok(api(sales, "PATCH", f"/api/v1/quotes/{accepted}", json={"status": status}))
    ok(api(sales, "POST", f"/api/v1/quotes/{accepted}/payments",
           json={"kind": "payment", "amount": "2500.00", "method": "bank_transfer", "received_on": today,
                 "reference": "EFT 20481"}))
    return made
