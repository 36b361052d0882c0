"""Telephone numbers: kept exactly as published, validated, and turned into tel: links."""

from __future__ import annotations

import phonenumbers
from pydantic_core import PydanticCustomError


def parse_phone(number: str, region: str, area_code: str = "") -> phonenumbers.PhoneNumber:
    """Parse a published number; raise a coded error if it cannot be dialled."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        raise PydanticCustomError("phone_invalid", "not a phone number {number}", {"number": number}) from None
    if not phonenumbers.is_valid_number(parsed):
        digits = sum(ch.isdigit() for ch in number)
        code = "phone_no_area_code" if digits < 10 and not number.startswith(("0", "+")) else "phone_invalid"
        raise PydanticCustomError(code, "not a valid number {number}", {"number": number, "area_code": area_code})
    return parsed


def tel_uri(number: str, region: str) -> str:
    """RFC 3966 URI for a `tel:` link, e.g. tel:+81-86-242-3135."""
    return phonenumbers.format_number(parse_phone(number, region), phonenumbers.PhoneNumberFormat.RFC3966)
