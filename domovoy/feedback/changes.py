"""Which registered data a change request may touch, how a proposed value is checked, and how
an approved value is applied (D6, U 3.4.1з). Organisation cards go through
``directory.services.organization_update`` (the D1 card rules); buildings through
``building_apply_change`` below, which checks the same things as ``building_create``."""

import datetime as dt

from django.db import models, transaction
from django.utils.translation import gettext as _

from domovoy.core.errors import ApplicationError
from domovoy.directory import services as directory_services
from domovoy.directory.card import check_card
from domovoy.directory.models import Building, Organization

from .models import TargetType

ORGANIZATION_FIELDS = tuple(directory_services.CARD_FIELDS)
BUILDING_FIELDS = (
    "settlement",
    "city_district",
    "street",
    "house",
    "block",
    "postal_code",
    "latitude",
    "longitude",
    "entrances",
    "floors",
    "year_built",
)
_MODELS = {TargetType.ORGANIZATION: Organization, TargetType.BUILDING: Building}
_FIELDS = {TargetType.ORGANIZATION: ORGANIZATION_FIELDS, TargetType.BUILDING: BUILDING_FIELDS}
_REQUIRED_BUILDING = ("settlement", "street", "house")


def field_choices(target_type):
    model = _MODELS[target_type]
    return [(name, str(model._meta.get_field(name).verbose_name)) for name in _FIELDS[target_type]]


def field_label(target_type, field):
    if target_type not in _MODELS or field not in _FIELDS.get(target_type, ()):
        return field
    return str(_MODELS[target_type]._meta.get_field(field).verbose_name)


def current_value(target, field):
    value = getattr(target, field)
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _refuse(messages):
    raise ApplicationError(
        _("Предлагаемое значение не подходит"),
        code="invalid_value",
        fields={"proposed_value": messages},
    )


def _convert(model_field, raw):
    """Turn the proposed text into the field's Python value, or refuse with a clear message."""
    text = (raw or "").strip()
    if isinstance(model_field, models.DateField):
        if not text:
            if model_field.null:
                return None
            _refuse([_("Укажите дату")])
        for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        _refuse([_("Дата в формате ДД.ММ.ГГГГ")])
    if isinstance(model_field, models.FloatField):
        if not text and model_field.null:
            return None
        try:
            return float(text.replace(",", "."))
        except ValueError:
            _refuse([_("Нужно число")])
    if isinstance(model_field, (models.PositiveSmallIntegerField, models.IntegerField)):
        if not text and model_field.null:
            return None
        if not text.isdigit():
            _refuse([_("Нужно целое неотрицательное число")])
        return int(text)
    if model_field.choices and text not in {str(k) for k, _ in model_field.choices}:
        allowed = ", ".join(f"{k} ({v})" for k, v in model_field.choices)
        _refuse([_("Допустимые значения: %(allowed)s") % {"allowed": allowed}])
    if model_field.max_length and len(text) > model_field.max_length:
        _refuse([_("Не длиннее %(max_length)s символов") % {"max_length": model_field.max_length}])
    return text


def check_field(target_type, field):
    if target_type not in _FIELDS:
        raise ApplicationError(
            _("Укажите, что изменить: карточку организации или данные дома"),
            code="invalid_target",
            fields={"target_type": [_("Неизвестный объект изменения")]},
        )
    if field not in _FIELDS[target_type]:
        raise ApplicationError(
            _("Это поле нельзя изменить через обратную связь"),
            code="invalid_field",
            fields={"field": [_("Неизвестное или неизменяемое поле")]},
        )


def _building_errors(values):
    errors = [m for ms in directory_services.address_part_errors(dict(values)).values() for m in ms]
    for name in _REQUIRED_BUILDING:
        if name in values and not str(values[name] or "").strip():
            errors.append(_("Обязательное поле"))
    lat, lon = values.get("latitude"), values.get("longitude")
    if lat is not None and not -90 <= lat <= 90:
        errors.append(_("Широта от -90 до 90"))
    if lon is not None and not -180 <= lon <= 180:
        errors.append(_("Долгота от -180 до 180"))
    if values.get("entrances") == 0 or values.get("floors") == 0:
        errors.append(_("Должно быть не меньше 1"))
    year = values.get("year_built")
    if year is not None and not 1700 <= year <= dt.date.today().year:
        errors.append(_("Год постройки от 1700 до %(year)s") % {"year": dt.date.today().year})
    return errors


def validate_proposed_value(*, target_type, target, field, value):
    """Check a proposed value against the rules the directory applies; return the Python value.
    Only the proposed field is judged here (other fields of an old card may be imperfect)."""
    check_field(target_type, field)
    model_field = _MODELS[target_type]._meta.get_field(field)
    converted = _convert(model_field, value)
    if target_type == TargetType.ORGANIZATION:
        merged = {f: getattr(target, f) for f in ORGANIZATION_FIELDS}
        merged[field] = converted
        _cleaned, errors, _warnings = check_card(merged, is_uo=target.has_kind("uo"))
        if errors.get(field):
            _refuse(errors[field])
        if field == "inn":
            clash = Organization.objects.filter(inn=converted).exclude(pk=target.pk).exists()
            if clash:
                _refuse([_("Организация с таким ИНН уже есть")])
    else:
        errors = _building_errors({field: converted})
        if errors:
            _refuse(errors)
    return converted


@transaction.atomic
def building_apply_change(*, building, field, value, actor=None):
    """Set one field of a building, with the checks of ``building_create`` (address unique)."""
    building = Building.objects.select_for_update().get(pk=building.pk)
    setattr(building, field, value)
    if field in ("settlement", "street", "house", "block"):
        clash = (
            Building.objects.filter(
                settlement=building.settlement,
                street=building.street,
                house=building.house,
                block=building.block,
            )
            .exclude(pk=building.pk)
            .exists()
        )
        if clash:
            _refuse([_("Дом с этим адресом уже есть в реестре")])
    building._history_user = actor
    building.save()
    return building


def apply_change(*, item, actor):
    """Apply an approved data change request (inside the caller's transaction)."""
    value = validate_proposed_value(
        target_type=item.target_type,
        target=item.target,
        field=item.field,
        value=item.proposed_value,
    )
    if item.target_type == TargetType.ORGANIZATION:
        organization = Organization.objects.select_for_update().get(pk=item.target_organization_id)
        organization._history_user = actor
        try:
            directory_services.organization_update(
                organization=organization, data={item.field: value}
            )
        except ApplicationError as exc:
            fields = dict(exc.fields)
            if item.field in fields:
                fields["proposed_value"] = fields[item.field]
            raise ApplicationError(exc.message, code=exc.code, fields=fields)
        return organization
    return building_apply_change(
        building=item.target_building, field=item.field, value=value, actor=actor
    )
