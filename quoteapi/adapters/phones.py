"""Phone numbers as WhatsApp and other machines want them: E.164, read the way Turkish staff write them.

``0533 123 45 67``, ``533 123 45 67``, ``+90 533 123 45 67``, ``0090 533 123 45 67``,
``(0533) 123-45-67`` are all ``+905331234567``; a number of another country needs its
``+`` (or ``00``) and country code. The rules are Google's libphonenumber's, through
the ``phonenumbers`` package.
"""

from __future__ import annotations

import phonenumbers

# Where a number written without a country code is read as at home.
DEFAULT_REGION = "TR"


def e164(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """``raw`` as an E.164 number (``+905331234567``), or None when it is no valid number."""
    if not raw or not raw.strip() or len(raw) > 64:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def for_people(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """``raw`` written as people at home write it (``+902121234567`` is ``0212 123 45 67``; another country's
    number in its international form), or ``raw`` itself when it cannot be read as a number."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return raw
    home = phonenumbers.region_code_for_country_code(number.country_code) == region
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)
