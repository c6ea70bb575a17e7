"""The blank XLSX forms of appendix 2 offered on the connection form (D5): the header row the
importer looks for, one example row (marked «Пример» in the «№ п/п» column, in grey; the
importer skips it, ``importers.EXAMPLE_MARK``) and drop-down lists of the values the importer
accepts for «Роль» and «Ресурс» (XLSX data validation). The lists are the directory's own
labels (``Role``, ``Resource``), always in Russian like the forms' headers."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from domovoy.core import exports
from domovoy.directory.models import ROLES_BY_KIND, Resource, Role

from . import checks, importers

NUMBER = "№ п/п"

# Example rows by the sheets' column keys; valid data (the tests load them with the mark
# removed), so that a row written like the example is accepted.
EXAMPLES = {
    "employees": {
        "full_name": "Иванова Мария Петровна",
        "position": "Диспетчер",
        "email": "m.ivanova@example.ru",
        "phone": "+7 4942 00-00-00",
        "role": Role.UO_DISPATCHER,
    },
    "served": {
        "name": "ООО «Водоканал-Пример»",
        "inn": "4401000005",
        "resource": Resource.COLD_WATER,
    },
    "accounts": {
        "settlement": "г. Кострома",
        "city_district": "Центральный",
        "street": "ул. Примерная",
        "house": "1",
        "flat": "1",
        "account": "1000000001",
        "last_name": "Петров",
        "first_name": "Пётр",
        "middle_name": "Петрович",
        "entrances": 4,
        "floors": 9,
        "latitude": 57.7665,
        "longitude": 40.9269,
        "management_start": dt.date(2025, 1, 1),
    },
    "buildings": {
        "settlement": "г. Кострома",
        "city_district": "Центральный",
        "street": "ул. Примерная",
        "house": "1",
        "entrances": 4,
        "floors": 9,
        "latitude": 57.7665,
        "longitude": 40.9269,
        "management_start": dt.date(2025, 1, 1),
    },
}

SHEETS = {
    "employees": [("Список сотрудников", importers.EMPLOYEES)],
    "served": [("Обслуживающие и обслуживаемые организации", importers.SERVED)],
    # The accounts workbook: its accounts and the buildings they are on that the registry
    # does not hold yet (D5).
    "accounts": [("Лицевые счета", importers.ACCOUNTS), ("Дома", importers.BUILDINGS)],
}


def role_labels() -> list[str]:
    """The roles an applicant (UO, RSO, contractor) may give its employees, as labelled."""
    allowed = set().union(*(ROLES_BY_KIND[k] for k in checks.APPLICABLE_KINDS))
    with translation.override("ru"):
        return [str(label) for code, label in Role.choices if code in allowed]


def resource_labels() -> list[str]:
    with translation.override("ru"):
        return [str(label) for _code, label in Resource.choices]


def _label(key, value):
    """Choice codes of the examples as their Russian labels (what the lists offer)."""
    with translation.override("ru"):
        if key == "role":
            return str(Role(value).label)
        if key == "resource":
            return str(Resource(value).label)
    return value


def sheets(kind: str) -> list[exports.Sheet]:
    """The sheets of the blank ``kind`` (a key of ``SHEETS``)."""
    result = []
    for title, spec in SHEETS[kind]:
        headers = [NUMBER] + [c.label for c in spec.columns]
        example = EXAMPLES[spec.kind]
        choices = {}
        for col, column in enumerate(spec.columns, start=1):
            if column.key == "role":
                choices[col] = role_labels()
            elif column.key == "resource":
                choices[col] = resource_labels()
        result.append(
            exports.Sheet(
                title=title,
                header=headers,
                widths={col: max(12, len(h) + 4) for col, h in enumerate(headers)},
                header_notes={
                    col: _("Обязательный столбец")
                    for col, column in enumerate(spec.columns, start=1)
                    if column.required
                }
                | {0: _("«Пример» в этом столбце: строка-образец, она не загружается.")},
                freeze_header=True,
                examples=[
                    [importers.EXAMPLE_MARK]
                    + [_label(c.key, example.get(c.key, "")) for c in spec.columns]
                ],
                choices=choices,
                choices_prompt=_(
                    "Выберите из списка; несколько значений перечислите через запятую."
                ),
            )
        )
    return result
