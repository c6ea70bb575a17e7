"""The one home of phone numbers (issue 10): parsing and formatting through ``phonenumbers``.

``normalize`` turns what a person typed (``8 910 123-45-67``, ``+7 (910) 123 45 67``,
``9101234567``, ``+375 29 123-45-67``) into E.164 (``+79101234567``) or raises Django's
``ValidationError`` with a Russian message; numbers without a country code are read as Russian.
Only numbers ``phonenumbers`` considers valid for their region are accepted. ``display``
formats a stored number for people (international format), leaving anything unparsable as is.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_REGION = "RU"
# Twelve digits starting with 375 and typed without "+" are a Belarusian number, not Russian.
_FOREIGN_WITHOUT_PLUS = re.compile(r"^375\d{9}$")


def _parse(value) -> phonenumbers.PhoneNumber | None:
    text = str(value or "").strip()
    digits = re.sub(r"\D", "", text)
    if not digits:
        return None
    if not text.startswith("+") and _FOREIGN_WITHOUT_PLUS.match(digits):
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize(value) -> str:
    """``value`` as E.164 (``+79101234567``); raises ``ValidationError`` (code ``format``)."""
    number = _parse(value)
    if number is None:
        raise ValidationError(
            _(
                "Телефон: номер «%(value)s» не распознан; введите его в виде +7 XXX XXX-XX-XX "
                "(или с кодом другой страны)"
            )
            % {"value": str(value or "").strip()[:40]},
            code="format",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(value) -> str:
    """A stored number for people: ``+7 910 123-45-67``; empty stays empty, junk stays as is."""
    if not value:
        return ""
    number = _parse(value)
    if number is None:
        return str(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def validator(value):
    """A field validator for forms and serializers (raises ``ValidationError``)."""
    if value:
        normalize(value)


KEY_DIGITS = 10


def phone_key(value) -> str:
    """The last ten digits of a number: what every spelling of one Russian number shares
    (``8 910 …``, ``+7 910 …``, stored E.164), for look-ups by phone (the call screen, issue
    11); "" when there are fewer digits."""
    digits = re.sub(r"\D", "", str(value or ""))
    return digits[-KEY_DIGITS:] if len(digits) >= KEY_DIGITS else ""
