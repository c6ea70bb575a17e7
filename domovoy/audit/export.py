"""The audit log as an XLSX file, in the words of the page (``display``: field names, choice
labels, no storage paths) (S3: «exportable»), written row by row in constant memory to
a temporary file that the response then streams (through ``core.exports``, which keeps
logged values as text, never formulas)."""

import json

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domovoy.core import exports
from domovoy.core.exports import XLSX_TYPE

from . import display
from .selectors import change_rows

__all__ = ["XLSX_TYPE", "audit_rows", "audit_xlsx_response"]

# An XLSX sheet holds 1,048,576 rows; stop short of it and say so in the last row.
MAX_ROWS = 1_000_000
HEADERS = [
    gettext_lazy("Время"),
    gettext_lazy("Кто"),
    gettext_lazy("Действие"),
    gettext_lazy("Тип объекта"),
    gettext_lazy("Идентификатор"),
    gettext_lazy("Объект"),
    gettext_lazy("Поле"),
    gettext_lazy("Было"),
    gettext_lazy("Стало"),
]


def _cell(value):
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def audit_rows(entries, *, limit=MAX_ROWS):
    """One row per changed field of ``entries`` (a queryset), cut at ``limit`` with a note."""
    count = 0
    related = display.Related()
    for entry in entries.iterator(chunk_size=2000):
        base = [entry.at, entry.actor_name, entry.get_action_display(), entry.model]
        base += [entry.object_id, entry.object_repr]
        for field, before, after in change_rows(entry, related=related) or [("", None, None)]:
            if count >= limit:
                yield [_("Выгрузка обрезана: уточните фильтры")]
                return
            yield base + [field, _cell(before), _cell(after)]
            count += 1


def audit_xlsx_response(entries, *, filename="audit.xlsx"):
    sheet = exports.Sheet(
        title=_("Журнал аудита"),
        header=HEADERS,
        rows=audit_rows(entries),
        widths={0: 19, 1: 40, 2: 16, 3: 16, 4: 16, 5: 30, 6: 30, 7: 30, 8: 30},
    )
    return exports.xlsx_response([sheet], filename=filename, large=True)
