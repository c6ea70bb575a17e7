"""Masking of personal data for those who are not party (S5)."""

import pytest

from domovoy.core.masking import mask_flat, mask_name, mask_phone

pytestmark = pytest.mark.req("S5")


@pytest.mark.parametrize(
    ("full_name", "masked"),
    [
        ("Иванов Иван Иванович", "И***в И. И."),
        ("Петрова Анна", "П***а А."),
        ("Ли", "Л***"),
        ("Ю", "Ю***"),
        ("  Сидоров   Пётр  ", "С***в П."),
        ("", ""),
        (None, ""),
    ],
)
def test_it_masks_a_name_to_initials(full_name, masked):
    assert mask_name(full_name) == masked


def test_a_masked_name_does_not_contain_the_surname():
    assert "Иванов" not in mask_name("Иванов Иван Иванович")


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+7 (494) 212-34-56", "+7 *** ***-34-56"),
        ("+375 29 123-45-67", "+3 *** ***-45-67"),
        ("123", "***"),
        ("", "***"),
        (None, "***"),
    ],
)
def test_it_masks_a_phone_but_keeps_the_last_four_digits(phone, masked):
    assert mask_phone(phone) == masked


def test_a_phone_written_with_a_leading_8_keeps_only_its_last_four_digits():
    masked = mask_phone("89031234567")
    assert masked.endswith("***-45-67")
    assert "903" not in masked and "123" not in masked


def test_a_masked_phone_hides_the_middle_digits():
    assert "212" not in mask_phone("+7 (494) 212-34-56")
    assert "494" not in mask_phone("+7 (494) 212-34-56")


@pytest.mark.parametrize(("number", "masked"), [("15", "кв. ***"), ("", ""), (None, "")])
def test_it_masks_a_flat_number(number, masked):
    assert mask_flat(number) == masked
