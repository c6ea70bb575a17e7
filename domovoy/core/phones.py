"""Phone numbers compared across sources: a caller's number as an operator types it, a
resident's profile phone, a request's contact phone. One normal form (+7… / +375…, the form
``validators.validate_phone`` returns) and one comparison key (the last ten digits)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from .validators import validate_phone

KEY_DIGITS = 10


def normalize_phone(value: str | None) -> str:
    """The normal form of a Russian or Belarusian number, or "" when it is not one."""
    try:
        return validate_phone(value or "")
    except ValidationError:
        return ""


def phone_key(value: str | None) -> str:
    """The last ten digits: what two spellings of one number share ("" when too short)."""
    digits = re.sub(r"\D", "", value or "")
    return digits[-KEY_DIGITS:] if len(digits) >= KEY_DIGITS else ""


def same_phone(a: str | None, b: str | None) -> bool:
    key = phone_key(a)
    return bool(key) and key == phone_key(b)
