"""core.phones: every phone number is parsed and formatted through ``phonenumbers``."""

import pytest
from django.core.exceptions import ValidationError

from domovoy.core import phones, validators


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("8 910 123-45-67", "+79101234567"),
        ("+7 (910) 123 45 67", "+79101234567"),
        ("79101234567", "+79101234567"),
        ("9101234567", "+79101234567"),
        ("+7 495 123-45-67", "+74951234567"),
        ("+375 29 123-45-67", "+375291234567"),
        ("375291234567", "+375291234567"),
    ],
)
def test_normalize_gives_e164(typed, e164):
    assert phones.normalize(typed) == e164


@pytest.mark.parametrize("typed", ["", "12", "+7 123 456 78 90", "телефон", "8 910 123"])
def test_normalize_refuses_with_a_russian_message(typed):
    with pytest.raises(ValidationError) as exc:
        phones.normalize(typed)
    assert exc.value.code == "format"
    assert "Телефон" in exc.value.messages[0]


def test_display_formats_for_people():
    assert phones.display("+79101234567") == "+7 910 123-45-67"
    assert phones.display("") == ""
    assert phones.display("не номер") == "не номер"


def test_old_validator_delegates():
    assert validators.validate_phone("8 910 123-45-67") == "+79101234567"


def test_form_validator():
    phones.validator("")
    with pytest.raises(ValidationError):
        phones.validator("12")
