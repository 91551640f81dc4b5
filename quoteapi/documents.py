"""The quote as a document for the customer: one template, HTML or PDF."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from flask import Response, current_app, render_template

from .pricing.advice import AFTERCARE, PREPARATION
from .pricing.model import PriceList

KIND_LABELS = {
    "area": "Treatment area",
    "product": "Product",
    "combination_discount": "Discount",
    "specialist": "Specialist",
    "session_discount": "Discount",
    "campaign": "Campaign",
}


class Formatter:
    """Money and dates for the document's locale (Babel)."""

    def __init__(self, currency: str, locale: str) -> None:
        self.currency = currency
        self.locale = locale

    def money(self, value: str | Decimal) -> str:
        return format_currency(Decimal(value), self.currency, locale=self.locale)

    def day(self, value: str | date) -> str:
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return format_date(day, format="short", locale=self.locale)

    def percent(self, rate: str) -> str:
        return format_decimal(Decimal(rate) * 100, locale=self.locale) + " %"


def render_html(quote: dict[str, Any], price_list: PriceList, locale: str) -> str:
    fmt = Formatter(quote["currency"], locale)
    clinic = price_list.clinic_by_code.get(quote["clinic"])
    return render_template(
        "quote.html",
        quote=quote,
        clinic=clinic,
        fmt=fmt,
        kind_labels=KIND_LABELS,
        issued=datetime.fromisoformat(quote["created_at"]).date(),
        preparation=[a for a in quote["advice"] if a in PREPARATION],
        aftercare=[a for a in quote["advice"] if a in AFTERCARE],
        other_advice=[a for a in quote["advice"] if a not in PREPARATION and a not in AFTERCARE],
        tax_included=quote["total"] == quote["net"],
    )


def render_quote(quote: dict[str, Any], price_list: PriceList, mimetype: str, locale: str) -> Response:
    html = render_html(quote, price_list, locale)
    filename = f"{quote['number']}-r{quote['revision']}"
    if mimetype == "text/html":
        return current_app.response_class(html, mimetype="text/html")
    # Imported here: WeasyPrint loads Pango, which only this endpoint needs.
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf()
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response
