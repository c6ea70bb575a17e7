"""Validation of an organisation card (D1), shared by the form, the API and the imports.

``check_card`` returns (cleaned, errors, warnings): errors block saving; classification codes
(OKVED, OKPO, …) are errors on the form and warnings in bulk imports of existing registries,
whose own sample cards fail strict checks (D1).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domovoy.core import phones
from domovoy.core import validators as v

REQUIRED = (
    "full_name",
    "short_name",
    "head_name",
    "postal_address",
    "actual_address",
    "head_phone",
    "dispatcher_phone",
    "email",
    "ogrn",
    "registration_date",
    "inn",
    "bank_name",
    "bik",
    "settlement_account",
    "correspondent_account",
    "working_hours",
)
PHONES = ("head_phone", "dispatcher_phone", "chief_accountant_phone", "chief_engineer_phone")
REQUIRED_MESSAGE = gettext_lazy("Обязательное поле")


def _run(errors, cleaned, field, func, *args, **kwargs):
    try:
        result = func(*args, **kwargs)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return
    if isinstance(result, str):
        cleaned[field] = result


def check_card(data, *, codes_are_warnings=False, is_uo=False):
    cleaned = {k: (v_.strip() if isinstance(v_, str) else v_) for k, v_ in data.items()}
    errors, warnings = {}, {}
    for field in REQUIRED:
        if cleaned.get(field) in (None, ""):
            errors.setdefault(field, []).append(str(REQUIRED_MESSAGE))
    legal_form = cleaned.get("legal_form") or "legal"
    if cleaned.get("inn"):
        _run(errors, cleaned, "inn", v.validate_inn, cleaned["inn"], legal_form=legal_form)
    if cleaned.get("ogrn"):
        _run(errors, cleaned, "ogrn", v.validate_ogrn, cleaned["ogrn"], legal_form=legal_form)
    if legal_form == "legal":
        if not cleaned.get("kpp"):
            errors.setdefault("kpp", []).append(_("КПП обязателен для юридического лица"))
        else:
            _run(errors, cleaned, "kpp", v.validate_kpp, cleaned["kpp"])
    elif cleaned.get("kpp"):
        errors.setdefault("kpp", []).append(_("У индивидуального предпринимателя нет КПП"))
    if cleaned.get("bik"):
        _run(errors, cleaned, "bik", v.validate_bik, cleaned["bik"])
    if cleaned.get("bik") and "bik" not in errors:
        if cleaned.get("settlement_account"):
            _run(
                errors,
                cleaned,
                "settlement_account",
                v.validate_settlement_account,
                cleaned["settlement_account"],
                cleaned["bik"],
            )
        if cleaned.get("correspondent_account"):
            _run(
                errors,
                cleaned,
                "correspondent_account",
                v.validate_correspondent_account,
                cleaned["correspondent_account"],
                cleaned["bik"],
            )
    for field in PHONES:
        if cleaned.get(field):
            _run(errors, cleaned, field, phones.normalize, cleaned[field])
    code_problems = {}
    for field, check in v.CLASSIFICATION_CHECKS.items():
        if cleaned.get(field):
            _run(code_problems, cleaned, field, check, cleaned[field])
    (warnings if codes_are_warnings else errors).update(code_problems)
    if is_uo:
        for field, label in (
            ("license_number", _("номер")),
            ("license_date", _("дата")),
            ("license_issuer", _("орган, выдавший лицензию")),
        ):
            if not cleaned.get(field):
                errors.setdefault(field, []).append(
                    _(
                        "Для управляющей организации обязательна лицензия "
                        "на управление МКД (%(label)s)"
                    )
                    % {"label": label}
                )
    return cleaned, errors, warnings
