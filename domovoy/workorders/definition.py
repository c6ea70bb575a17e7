"""The shape of a work-order form version and of the data filled into it (R9, S7).

A version's ``fields`` is a list of field definitions::

    {"name": "work_date", "label": "Дата выполнения работ", "type": "date",
     "required": true, "not_future": true, "help": "..."}

types: ``text`` (``max_length``, default 500), ``multiline`` (default 4000), ``number``
(``min``, ``max``, ``unit``), ``date`` (``not_future``), ``works`` — the table of works done:
rows of ``{"name", "unit", "quantity"}`` (``max_rows``, default 100). A form has exactly one
``works`` field: the work order is the list of works done (U 3.5.2е).

Its ``layout`` is the printed form, a list of sections in print order::

    {"kind": "header"}                                  number, date, executor's card
    {"kind": "request", "title": "Сведения о заявке"}   number, address, premises, topic, text
    {"kind": "fields", "title": "...", "fields": ["performer", "work_date"]}
    {"kind": "works", "title": "...", "field": "works"}
    {"kind": "note", "title": "...", "text": "..."}
    {"kind": "signatures"}                              executor; resident «работы принял…»

Header and signatures appear exactly once; every field is printed exactly once.

``check_definition`` refuses a bad version with messages per key; ``clean_data`` validates
what an executor filled in against a version and returns the cleaned values.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import FieldType, SectionKind

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 40
DEFAULT_MAX_LENGTH = {FieldType.TEXT: 500, FieldType.MULTILINE: 4000}
WORK_NAME_MAX = 500
WORK_UNIT_MAX = 30
DEFAULT_MAX_ROWS = 100
FIELD_KEYS = {
    "name",
    "label",
    "type",
    "required",
    "help",
    "max_length",
    "min",
    "max",
    "unit",
    "not_future",
    "max_rows",
}
SECTION_KEYS = {"kind", "title", "fields", "field", "text"}


def _number(value):
    """A finite Decimal from a number or a string with a dot or a comma, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    else:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _json_number(number: Decimal):
    """A JSON-friendly number: int when whole, else float."""
    if number == number.to_integral_value():
        return int(number)
    return float(number)


# --- The version's definition ----------------------------------------------------------------


def _check_field(index, field, errors, names):
    where = _("Поле %(n)s") % {"n": index + 1}
    if not isinstance(field, dict):
        errors.append(_("%(where)s: ожидается объект с name, label и type") % {"where": where})
        return
    unknown = sorted(set(field) - FIELD_KEYS)
    if unknown:
        errors.append(
            _("%(where)s: неизвестные ключи %(keys)s")
            % {"where": where, "keys": ", ".join(unknown)}
        )
    name = field.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        errors.append(
            _(
                "%(where)s: имя поля — латинские строчные буквы, цифры и «_», "
                "начинается с буквы, не длиннее 40 символов"
            )
            % {"where": where}
        )
    else:
        where = _("Поле «%(name)s»") % {"name": name}
        if name in names:
            errors.append(_("%(where)s: имя повторяется") % {"where": where})
        names.append(name)
    label = field.get("label")
    if not isinstance(label, str) or not label.strip():
        errors.append(_("%(where)s: укажите подпись (label)") % {"where": where})
    elif len(label) > 200:
        errors.append(_("%(where)s: подпись длиннее 200 символов") % {"where": where})
    kind = field.get("type")
    if kind not in FieldType.values:
        errors.append(
            _("%(where)s: тип должен быть одним из: %(types)s")
            % {"where": where, "types": ", ".join(FieldType.values)}
        )
        return
    if "required" in field and not isinstance(field["required"], bool):
        errors.append(_("%(where)s: required — true или false") % {"where": where})
    if "help" in field and not isinstance(field["help"], str):
        errors.append(_("%(where)s: help — строка") % {"where": where})
    if kind in (FieldType.TEXT, FieldType.MULTILINE) and "max_length" in field:
        value = field["max_length"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10000:
            errors.append(_("%(where)s: max_length — целое от 1 до 10000") % {"where": where})
    if kind == FieldType.NUMBER:
        bounds = {}
        for key in ("min", "max"):
            if key in field:
                bounds[key] = _number(field[key])
                if bounds[key] is None or isinstance(field[key], str):
                    errors.append(_("%(where)s: %(key)s — число") % {"where": where, "key": key})
        if bounds.get("min") is not None and bounds.get("max") is not None:
            if bounds["min"] > bounds["max"]:
                errors.append(_("%(where)s: min больше max") % {"where": where})
        if "unit" in field and not isinstance(field["unit"], str):
            errors.append(_("%(where)s: unit — строка") % {"where": where})
    if kind == FieldType.DATE and "not_future" in field:
        if not isinstance(field["not_future"], bool):
            errors.append(_("%(where)s: not_future — true или false") % {"where": where})
    if kind == FieldType.WORKS and "max_rows" in field:
        value = field["max_rows"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 500:
            errors.append(_("%(where)s: max_rows — целое от 1 до 500") % {"where": where})
    misplaced = {
        FieldType.TEXT: {"min", "max", "unit", "not_future", "max_rows"},
        FieldType.MULTILINE: {"min", "max", "unit", "not_future", "max_rows"},
        FieldType.NUMBER: {"max_length", "not_future", "max_rows"},
        FieldType.DATE: {"max_length", "min", "max", "unit", "max_rows"},
        FieldType.WORKS: {"max_length", "min", "max", "unit", "not_future"},
    }[kind] & set(field)
    if misplaced:
        errors.append(
            _("%(where)s: ключи %(keys)s не применяются к типу %(type)s")
            % {"where": where, "keys": ", ".join(sorted(misplaced)), "type": kind}
        )


def _check_layout(layout, fields_by_name, errors):
    if not isinstance(layout, list) or not layout:
        errors.append(_("Печатная форма — непустой список разделов"))
        return
    counts = {kind: 0 for kind in SectionKind.values}
    printed: list[str] = []
    for index, section in enumerate(layout):
        where = _("Раздел %(n)s") % {"n": index + 1}
        if not isinstance(section, dict) or section.get("kind") not in SectionKind.values:
            errors.append(
                _("%(where)s: kind должен быть одним из: %(kinds)s")
                % {"where": where, "kinds": ", ".join(SectionKind.values)}
            )
            continue
        kind = section["kind"]
        counts[kind] += 1
        unknown = sorted(set(section) - SECTION_KEYS)
        if unknown:
            errors.append(
                _("%(where)s: неизвестные ключи %(keys)s")
                % {"where": where, "keys": ", ".join(unknown)}
            )
        if "title" in section and not isinstance(section["title"], str):
            errors.append(_("%(where)s: title — строка") % {"where": where})
        if kind == SectionKind.FIELDS:
            names = section.get("fields")
            if not isinstance(names, list) or not names:
                errors.append(_("%(where)s: перечислите поля раздела (fields)") % {"where": where})
                continue
            for name in names:
                field = fields_by_name.get(name) if isinstance(name, str) else None
                if field is None:
                    errors.append(
                        _("%(where)s: нет поля «%(name)s»") % {"where": where, "name": name}
                    )
                elif field.get("type") == FieldType.WORKS:
                    errors.append(
                        _("%(where)s: таблица работ «%(name)s» печатается разделом works")
                        % {"where": where, "name": name}
                    )
                else:
                    printed.append(name)
        elif kind == SectionKind.WORKS:
            name = section.get("field")
            field = fields_by_name.get(name) if isinstance(name, str) else None
            if field is None or field.get("type") != FieldType.WORKS:
                errors.append(_("%(where)s: field — имя поля типа works") % {"where": where})
            else:
                printed.append(name)
        elif kind == SectionKind.NOTE:
            if not isinstance(section.get("text"), str) or not section["text"].strip():
                errors.append(_("%(where)s: укажите текст (text)") % {"where": where})
    for kind in (SectionKind.HEADER, SectionKind.SIGNATURES):
        if counts[kind] != 1:
            errors.append(
                _("Раздел «%(label)s» должен быть в печатной форме ровно один раз")
                % {"label": SectionKind(kind).label}
            )
    if counts[SectionKind.REQUEST] > 1:
        errors.append(_("Раздел сведений о заявке печатается не более одного раза"))
    for name in fields_by_name:
        times = printed.count(name)
        if times == 0:
            errors.append(_("Поле «%(name)s» не выведено в печатную форму") % {"name": name})
        elif times > 1:
            errors.append(_("Поле «%(name)s» печатается несколько раз") % {"name": name})


def check_definition(*, title, fields, layout) -> dict[str, list[str]]:
    """Problems of a version's definition by key (``title``, ``fields``, ``layout``); empty
    when it can be loaded."""
    problems: dict[str, list[str]] = {}
    if not isinstance(title, str) or not title.strip():
        problems["title"] = [_("Укажите заголовок печатной формы")]
    elif len(title) > 200:
        problems["title"] = [_("Заголовок длиннее 200 символов")]
    field_errors: list[str] = []
    names: list[str] = []
    if not isinstance(fields, list) or not fields:
        field_errors.append(_("Поля формы — непустой список"))
        fields = []
    elif len(fields) > MAX_FIELDS:
        field_errors.append(_("Не больше %(n)s полей в форме") % {"n": MAX_FIELDS})
    for index, field in enumerate(fields):
        _check_field(index, field, field_errors, names)
    works = [f for f in fields if isinstance(f, dict) and f.get("type") == FieldType.WORKS]
    if fields and len(works) != 1:
        field_errors.append(
            _("В форме должна быть ровно одна таблица выполненных работ (тип works)")
        )
    if field_errors:
        problems["fields"] = field_errors
    fields_by_name = {
        f["name"]: f for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)
    }
    layout_errors: list[str] = []
    _check_layout(layout, fields_by_name, layout_errors)
    if layout_errors:
        problems["layout"] = layout_errors
    return problems


# --- The data of a work order ----------------------------------------------------------------


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _parse_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _clean_scalar(field, value):
    """(cleaned value, error message or None) for a non-table field with a non-blank value."""
    kind = field["type"]
    if kind in (FieldType.TEXT, FieldType.MULTILINE):
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            return None, _("Ожидается текст")
        text = str(value).strip()
        if kind == FieldType.TEXT:
            text = " ".join(text.split())
        limit = field.get("max_length") or DEFAULT_MAX_LENGTH[kind]
        if len(text) > limit:
            return None, _("Не длиннее %(n)s символов") % {"n": limit}
        return text, None
    if kind == FieldType.NUMBER:
        number = _number(value)
        if number is None:
            return None, _("Введите число")
        low, high = field.get("min"), field.get("max")
        if low is not None and number < _number(low):
            return None, _("Не меньше %(n)s") % {"n": low}
        if high is not None and number > _number(high):
            return None, _("Не больше %(n)s") % {"n": high}
        return _json_number(number), None
    if kind == FieldType.DATE:
        date = _parse_date(value)
        if date is None:
            return None, _("Введите дату в виде ДД.ММ.ГГГГ")
        if field.get("not_future") and date > timezone.localdate():
            return None, _("Дата не может быть позже сегодняшней")
        return date.isoformat(), None
    raise AssertionError(kind)  # pragma: no cover - the definition was checked on load


def _clean_works(field, rows):
    """(cleaned rows, messages) for the works table."""
    if not isinstance(rows, list):
        return None, [_("Ожидается список строк с наименованием, единицей и количеством")]
    limit = field.get("max_rows") or DEFAULT_MAX_ROWS
    if len(rows) > limit:
        return None, [_("Не больше %(n)s строк") % {"n": limit}]
    cleaned, messages = [], []
    for index, row in enumerate(rows, start=1):
        line = _("Строка %(n)s") % {"n": index}
        if not isinstance(row, dict):
            messages.append(_("%(line)s: ожидается объект name, unit, quantity") % {"line": line})
            continue
        unknown = sorted(set(row) - {"name", "unit", "quantity"})
        if unknown:
            messages.append(
                _("%(line)s: неизвестные ключи %(keys)s")
                % {"line": line, "keys": ", ".join(unknown)}
            )
        name = row.get("name")
        name = " ".join(name.split()) if isinstance(name, str) else ""
        unit = row.get("unit") if row.get("unit") is not None else ""
        unit = " ".join(unit.split()) if isinstance(unit, str) else None
        quantity = _number(row.get("quantity"))
        if not name:
            messages.append(_("%(line)s: укажите наименование работы") % {"line": line})
        elif len(name) > WORK_NAME_MAX:
            messages.append(
                _("%(line)s: наименование не длиннее %(n)s символов")
                % {"line": line, "n": WORK_NAME_MAX}
            )
        if unit is None or len(unit) > WORK_UNIT_MAX:
            messages.append(
                _("%(line)s: единица измерения — текст не длиннее %(n)s символов")
                % {"line": line, "n": WORK_UNIT_MAX}
            )
        if _is_blank(row.get("quantity")):
            messages.append(_("%(line)s: укажите количество") % {"line": line})
        elif quantity is None:
            messages.append(_("%(line)s: количество — число") % {"line": line})
        elif quantity <= 0:
            messages.append(_("%(line)s: количество больше нуля") % {"line": line})
        elif quantity >= Decimal("1000000"):
            messages.append(_("%(line)s: количество меньше 1 000 000") % {"line": line})
        if quantity is not None and name and unit is not None:
            cleaned.append({"name": name, "unit": unit, "quantity": _json_number(quantity)})
    return cleaned, messages


def clean_data(version, data) -> tuple[dict, dict[str, list[str]]]:
    """(cleaned data, errors by field name) for ``data`` filled into ``version``'s form.
    Unknown keys are errors (a typo must not lose what was typed)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        return {}, {"data": [_("Ожидается объект: имя поля → значение")]}
    known = {f["name"] for f in version.fields}
    for key in data:
        if key not in known:
            errors[str(key)] = [_("В этой форме заказ-наряда нет такого поля")]
    cleaned = {}
    for field in version.fields:
        name, value = field["name"], data.get(field["name"])
        if _is_blank(value):
            if field.get("required"):
                if field["type"] == FieldType.WORKS:
                    errors[name] = [_("Перечислите выполненные работы: хотя бы одну строку")]
                else:
                    errors[name] = [_("Обязательное поле")]
            else:
                cleaned[name] = [] if field["type"] == FieldType.WORKS else ""
            continue
        if field["type"] == FieldType.WORKS:
            rows, messages = _clean_works(field, value)
            if messages:
                errors[name] = messages
            else:
                cleaned[name] = rows
            continue
        value, message = _clean_scalar(field, value)
        if message:
            errors[name] = [message]
        else:
            cleaned[name] = value
    return cleaned, errors


def works_field(version):
    return next(f for f in version.fields if f["type"] == FieldType.WORKS)


def display_value(field, value) -> str:
    """A field's stored value as printed (dates as ДД.ММ.ГГГГ, numbers with a comma)."""
    if value in (None, "", []):
        return ""
    if field["type"] == FieldType.DATE:
        date = _parse_date(value)
        return date.strftime("%d.%m.%Y") if date else str(value)
    if field["type"] == FieldType.NUMBER:
        text = format_quantity(value)
        return f"{text} {field['unit']}" if field.get("unit") else text
    return str(value)


def format_quantity(value) -> str:
    number = _number(value)
    if number is None:
        return str(value)
    text = f"{number.normalize():f}" if number != number.to_integral_value() else str(int(number))
    return text.replace(".", ",")
