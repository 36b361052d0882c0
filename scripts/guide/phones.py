"""Telephone numbers: kept exactly as published, validated, and turned into tel: links."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from pydantic_core import PydanticCustomError

# What a published number is written with: digits (also full-width), hyphens and dashes,
# brackets around the area code, spaces, a leading + and dots.  Letters are refused: the
# phone library reads them as keypad letters, so a scan typo, for example 012-3O4-I2S4 (O, I, S
# for 0, 1, 5), would become a valid-looking wrong number.
_PHONE_CHARS = re.compile(r"[0-9０-９\-‐‑–—―−－ー()（）+＋.．\s]*")


def parse_phone(number: str, region: str, area_code: str = "") -> phonenumbers.PhoneNumber:
    """Parse a published number; raise a coded error if it cannot be dialled."""
    if not _PHONE_CHARS.fullmatch(number):
        bad = "".join(dict.fromkeys(ch for ch in number if not _PHONE_CHARS.fullmatch(ch)))
        code = "phone_letters" if any(unicodedata.category(ch).startswith("L") for ch in bad) else "phone_chars"
        raise PydanticCustomError(code, "not a phone number {number}", {"number": number, "chars": bad})
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


def voice_phones(agency, branch=None) -> list:
    """The numbers a resident can call for `agency` (or its `branch`): the place's own, the agency's, else its services'."""
    place = branch or agency
    for phones in (place.phones, agency.phones, [p for s in agency.services for p in s.phones]):
        voice = [p for p in phones if p.kind == "voice"]
        if voice:
            return voice
    return []


def hub_counters(guide) -> dict:
    """Category id → its hub counter (the agency), for the categories that have one."""
    agencies = {a.id: a for a in guide.agencies}
    return {c.id: agencies.get(c.hub) for c in guide.taxonomy.categories if c.hub}
