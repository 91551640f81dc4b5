"""Request bodies several test files send; treat them as read-only (copy before changing one).

Build a variant with ``{**BODY, "field": value}``.
"""

from __future__ import annotations

from .days import iso

# The example of the pricing contract, priced to the cent in tests/api/test_estimates.py.
CONTRACT_EXAMPLE = {
    "clinic": "ist-nisantasi",
    "areas": [{"code": "face"}, {"code": "acne-scars-back", "size_cm2": 1800}],
    "products": ["hyaluronic-acid"],
    "specialist_level": "dermatologist",
    "sessions": 4,
    "start_date": iso(4),
    "coupon": "SPRING",
    "client": {"age": 34, "pregnant": False, "active_skin_infection": False, "open_wounds": False, "serious_skin_condition": False},
}

# The smallest estimate: one area at its reference size, one session, nothing else.
SIMPLE_ESTIMATE = {"clinic": "ist-kadikoy", "areas": [{"code": "neck"}], "specialist_level": "aesthetician", "sessions": 1}

# A staff quote (POST /api/v1/quotes): the contract's course for a pregnant client.
QUOTE = {
    **{k: v for k, v in CONTRACT_EXAMPLE.items() if k != "coupon"},
    "client": {"age": 34, "pregnant": True},
    "customer": {"name": "Ayşe Yılmaz", "email": "ayse@example.com", "phone": "+90 532 000 00 00"},
    "notes": "Prefers mornings.",
    "follow_up_on": iso(0),
}

# A website quote request (POST /api/v1/quote-requests): the same quote, with consent and without staff fields.
QUOTE_REQUEST = {**{k: v for k, v in QUOTE.items() if k not in ("notes", "follow_up_on")}, "consent": True}

# A small desk quote: one area at its reference size, three sessions; and its estimate.
FACE_QUOTE = {
    "clinic": "ist-kadikoy",
    "areas": [{"code": "face"}],
    "specialist_level": "aesthetician",
    "sessions": 3,
    "customer": {"name": "Deniz Kaya", "email": "deniz@example.com"},
}
FACE_ESTIMATE = {k: v for k, v in FACE_QUOTE.items() if k != "customer"}
