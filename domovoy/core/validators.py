"""Validators of Russian registration and bank details (D1).

INN and OGRN come from python-stdnum; its OGRNIP check rejects numbers whose remainder
mod 13 is 10..12 (the check digit is then the remainder's last digit), so OGRNIP is checked
here. KPP, BIK and the account/BIK control key are not in stdnum and are ours.
Each validator raises django ValidationError with a message naming the problem.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exc
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

_DIGITS = re.compile(r"^\d+$")
_ACCOUNT_WEIGHTS = ((7, 1, 3) * 8)[:23]  # 23 positions: 3 BIK digits + 20 account digits


def _digits(value, length, label):
    value = (value or "").strip()
    if not _DIGITS.match(value):
        raise ValidationError(_("%(label)s: только цифры") % {"label": label}, code="format")
    if len(value) not in ((length,) if isinstance(length, int) else length):
        if isinstance(length, int):
            expected = length
        else:  # every caller gives two lengths: "10 или 12"
            expected = _("%(first)s или %(second)s") % {"first": length[0], "second": length[-1]}
        raise ValidationError(
            _("%(label)s: должно быть %(n)s цифр, получено %(got)s")
            % {"label": label, "n": expected, "got": len(value)},
            code="length",
        )
    return value


def validate_inn(value, *, legal_form=None):
    """INN: 10 digits for a legal entity, 12 for a sole trader or an individual."""
    value = _digits(value, (10, 12), _("ИНН"))
    if legal_form == "legal" and len(value) != 10:
        raise ValidationError(_("ИНН юридического лица состоит из 10 цифр"), code="length")
    if legal_form in ("ip", "individual") and len(value) != 12:
        raise ValidationError(_("ИНН индивидуального предпринимателя — 12 цифр"), code="length")
    try:
        stdnum_inn.validate(value)
    except stdnum_exc.ValidationError:
        raise ValidationError(_("ИНН: неверная контрольная цифра"), code="checksum")
    return value


def validate_ogrn(value, *, legal_form=None):
    """OGRN (13 digits, legal entity) or OGRNIP (15 digits, sole trader)."""
    value = _digits(value, (13, 15), _("ОГРН"))
    if legal_form == "legal" and len(value) != 13:
        raise ValidationError(_("ОГРН юридического лица состоит из 13 цифр"), code="length")
    if legal_form == "ip" and len(value) != 15:
        raise ValidationError(_("ОГРНИП состоит из 15 цифр"), code="length")
    if len(value) == 13:
        try:
            stdnum_ogrn.validate(value)
        except stdnum_exc.ValidationError:
            raise ValidationError(_("ОГРН: неверная контрольная цифра"), code="checksum")
    else:
        if value[0] not in "34":
            raise ValidationError(_("ОГРНИП начинается с 3 или 4"), code="format")
        if str(int(value[:-1]) % 13 % 10) != value[-1]:
            raise ValidationError(_("ОГРНИП: неверная контрольная цифра"), code="checksum")
    return value


def validate_kpp(value):
    """KPP: 9 characters — 4 digits (tax office), 2 digits or capital letters, 3 digits."""
    value = (value or "").strip().upper()
    if not re.match(r"^\d{4}[\dA-Z]{2}\d{3}$", value):
        raise ValidationError(
            _("КПП: 9 знаков — 4 цифры, 2 цифры или латинские буквы, 3 цифры"), code="format"
        )
    return value


def validate_bik(value):
    """BIK of a Russian bank: 9 digits starting with 04."""
    value = _digits(value, 9, _("БИК"))
    if not value.startswith("04"):
        raise ValidationError(_("БИК банка России начинается с 04"), code="format")
    return value


def _account_key_ok(prefix3, account):
    total = sum(int(d) * w for d, w in zip(prefix3 + account, _ACCOUNT_WEIGHTS, strict=True))
    return total % 10 == 0


def validate_settlement_account(account, bik):
    """Settlement account: 20 digits whose control key matches the bank's BIK."""
    account = _digits(account, 20, _("Расчётный счёт"))
    bik = validate_bik(bik)
    if not _account_key_ok(bik[-3:], account):
        raise ValidationError(
            _("Расчётный счёт не соответствует БИК (неверный контрольный ключ)"), code="checksum"
        )
    return account


def validate_correspondent_account(account, bik):
    """Correspondent account: 20 digits, starts with 30101, key checked with '0' + BIK[4:6]."""
    account = _digits(account, 20, _("Корреспондентский счёт"))
    bik = validate_bik(bik)
    if not account.startswith("30101"):
        raise ValidationError(_("Корреспондентский счёт начинается с 30101"), code="format")
    if not _account_key_ok("0" + bik[4:6], account):
        raise ValidationError(
            _("Корреспондентский счёт не соответствует БИК (неверный контрольный ключ)"),
            code="checksum",
        )
    return account


def validate_phone(value):
    """Kept for old imports: use ``core.phones.normalize`` (E.164 through ``phonenumbers``)."""
    from domovoy.core import phones

    return phones.normalize(value)


def validate_okved(value):
    if not re.match(r"^\d{2}(\.\d{1,2}){0,2}$", (value or "").strip()):
        raise ValidationError(_("ОКВЭД: формат XX.XX.XX"), code="format")


def validate_digits_code(value, lengths, label):
    _digits(value, lengths, label)


CLASSIFICATION_CHECKS = {
    "okved": validate_okved,
    "okpo": lambda v: validate_digits_code(v, (8, 10), _("ОКПО")),
    "okopf": lambda v: validate_digits_code(v, 5, _("ОКОПФ")),
    "okfs": lambda v: validate_digits_code(v, 2, _("ОКФС")),
    "okogu": lambda v: validate_digits_code(v, 7, _("ОКОГУ")),
    "oktmo": lambda v: validate_digits_code(v, (8, 11), _("ОКТМО")),
}


# Address parts (settlement, district, street, house, korpus) are shown on pages, maps and in
# exports: letters (Cyrillic incl. Belarusian і/ў, Latin), digits, spaces and the punctuation
# of ordinary Russian addresses. Markup, control characters and symbols such as < > & ; = are
# refused, so they never reach a page in the first place (the pages escape anyway).
ADDRESS_PUNCTUATION = ".,-/№()«»\"'–—"
_ADDRESS_PART = re.compile(r"^[0-9A-Za-z\u0400-\u04ff .,/№()«»\"'\-–—]*$")


def normalize_address_part(value):
    """Collapse runs of whitespace (tabs, non-breaking spaces, new lines) into one space."""
    return " ".join(str(value or "").split())


def validate_address_part(value, label=None):
    """Refuse an address part with characters other than letters, digits, spaces and
    ``. , - / № ( ) « » " '`` (and the typographic dashes – —). ``label`` names the field."""
    text = normalize_address_part(value)
    if not _ADDRESS_PART.match(text):
        bad = [
            ch if ch.isprintable() else f"U+{ord(ch):04X}"
            for ch in dict.fromkeys(ch for ch in text if not _ADDRESS_PART.match(ch))
        ]
        raise ValidationError(
            _(
                "%(label)s: допустимы только буквы, цифры, пробел и знаки . , - / № ( ) « » \" ' "
                "(недопустимые символы: %(bad)s)"
            )
            % {"label": label or _("Адрес"), "bad": " ".join(bad)},
            code="address_chars",
        )
    return text
