import pytest
from django.core.exceptions import ValidationError

from domovoy.core import validators as v
from tests.factories import BIK, CORR, valid_account, valid_inn10, valid_ogrn13

pytestmark = pytest.mark.req("D1")


def test_it_accepts_real_details():
    assert v.validate_inn("7707083893") == "7707083893"  # Sberbank
    assert v.validate_ogrn("1027700132195") == "1027700132195"
    assert v.validate_correspondent_account(CORR, BIK) == CORR
    assert v.validate_settlement_account(valid_account(BIK, 7), BIK)
    assert v.validate_inn(valid_inn10(42))
    assert v.validate_ogrn(valid_ogrn13(42))


def test_it_accepts_an_ogrnip_whose_remainder_is_ten_or_more():
    # python-stdnum rejects these; the check digit is the last digit of the remainder.
    body = next(b for b in (f"30450011600{n:03d}" for n in range(1000)) if int(b) % 13 >= 10)
    number = body + str(int(body) % 13 % 10)
    assert v.validate_ogrn(number, legal_form="ip") == number


@pytest.mark.parametrize(
    "func,args,fragment",
    [
        (v.validate_inn, ("7707083894",), "контрольная"),
        (v.validate_inn, ("77070838",), "10 или 12"),
        (v.validate_inn, ("500100732259",), None),
        (v.validate_ogrn, ("1027700132194",), "контрольная"),
        (v.validate_kpp, ("12345",), "КПП"),
        (v.validate_bik, ("123456",), "9"),
        (v.validate_bik, ("123456789",), "04"),
        (v.validate_settlement_account, ("40702810600010000000", BIK), "БИК"),
        (v.validate_correspondent_account, ("30101810400000000226", BIK), "БИК"),
        (v.validate_phone, ("12",), "Телефон"),
    ],
)
def test_it_refuses_bad_details_naming_the_problem(func, args, fragment):
    if func is v.validate_inn and args == ("500100732259",):
        assert v.validate_inn(*args)  # a valid 12-digit INN of a sole trader
        return
    with pytest.raises(ValidationError) as exc:
        func(*args)
    assert fragment in " ".join(exc.value.messages)


def test_a_legal_entity_needs_a_ten_digit_inn():
    with pytest.raises(ValidationError):
        v.validate_inn("500100732259", legal_form="legal")
