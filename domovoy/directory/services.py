"""Every write to the directory a user can cause: one function per action, one transaction."""

import secrets
import string

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domovoy.audit.services import audit_field_change
from domovoy.core import uploads
from domovoy.core.errors import ApplicationError
from domovoy.core.phones import normalize as normalize_phone
from domovoy.core.private_files import original_name
from domovoy.core.validators import validate_address_part

from .card import check_card
from .models import (
    Building,
    Department,
    Employee,
    EmployeeRole,
    ManagementPeriod,
    Organization,
    OrganizationKind,
    OrgKind,
    Resource,
    Role,
    ServiceLink,
    User,
    roles_allowed_for,
)

CARD_FIELDS = [
    f.name
    for f in Organization._meta.get_fields()
    if getattr(f, "concrete", False)
    and f.name not in ("id", "created_at", "updated_at", "is_active", "territory", "license_scan")
    and f.name != "license_scan_name"  # set with the scan, never typed in
]


def _validated_card(data, *, kinds, codes_are_warnings=False):
    cleaned, errors, warnings = check_card(
        data, codes_are_warnings=codes_are_warnings, is_uo=OrgKind.UO in kinds
    )
    if errors:
        raise ApplicationError(
            _("Карта организации заполнена с ошибками"), code="invalid_card", fields=errors
        )
    return {k: cleaned[k] for k in CARD_FIELDS if k in cleaned}, warnings


@transaction.atomic
def organization_create(*, data, kinds, territory=None, codes_are_warnings=False):
    _check_kinds(kinds)
    card, _warnings = _validated_card(data, kinds=kinds, codes_are_warnings=codes_are_warnings)
    if Organization.objects.filter(inn=card["inn"]).exists():
        raise ApplicationError(
            _("Организация с таким ИНН уже подключена"),
            code="duplicate_inn",
            fields={"inn": [_("Организация с таким ИНН уже есть")]},
        )
    org = Organization.objects.create(territory=territory, **card)
    OrganizationKind.objects.bulk_create(
        [OrganizationKind(organization=org, kind=k) for k in sorted(set(kinds))]
    )
    audit_field_change(instance=org, field="kinds", before=[], after=sorted(set(kinds)))
    return org


def _check_kinds(kinds):
    if not kinds:
        raise ApplicationError(
            _("Укажите хотя бы один вид организации"),
            code="no_kind",
            fields={"kinds": [_("Обязательное поле")]},
        )
    unknown = set(kinds) - set(OrgKind.values)
    if unknown:
        raise ApplicationError(
            _("Неизвестный вид организации: %(values)s") % {"values": ", ".join(sorted(unknown))},
            code="bad_kind",
            fields={"kinds": [_("Неизвестное значение")]},
        )


def _check_license_scan(scan):
    """Licence scans: the one upload rule of ``core.uploads`` (policy LICENSE_SCAN)."""
    uploads.check_upload(scan, uploads.LICENSE_SCAN, field="license_scan")


@transaction.atomic
def organization_update(*, organization, data, kinds=None, license_scan=None):
    """Change the card (D1); ``kinds`` (if given) replaces the organisation's kinds (D2).

    The whole merged card is validated by ``card.check_card``; on any error nothing is saved
    and the error names every bad field with its reason (S7)."""
    if kinds is not None:
        _check_kinds(kinds)
    new_kinds = set(kinds) if kinds is not None else organization.kind_codes
    old_kinds = sorted(organization.kind_codes)
    current = {f: getattr(organization, f) for f in CARD_FIELDS}
    merged = {**current, **{k: v for k, v in data.items() if k in CARD_FIELDS}}
    card, _warnings = _validated_card(merged, kinds=new_kinds)
    if license_scan is not None:
        _check_license_scan(license_scan)
    if Organization.objects.filter(inn=card["inn"]).exclude(pk=organization.pk).exists():
        raise ApplicationError(
            _("Организация с таким ИНН уже подключена"),
            code="duplicate_inn",
            fields={"inn": [_("Организация с таким ИНН уже есть")]},
        )
    for field, value in card.items():
        setattr(organization, field, value)
    if license_scan is not None:
        organization.license_scan = license_scan
        organization.license_scan_name = original_name(license_scan)
    organization.save()
    if kinds is not None:
        OrganizationKind.objects.filter(organization=organization).exclude(
            kind__in=new_kinds
        ).delete()
        have = set(
            OrganizationKind.objects.filter(organization=organization).values_list(
                "kind", flat=True
            )
        )
        OrganizationKind.objects.bulk_create(
            [OrganizationKind(organization=organization, kind=k) for k in sorted(new_kinds - have)]
        )
        getattr(organization, "_prefetched_objects_cache", {}).pop("kinds", None)
        audit_field_change(
            instance=organization, field="kinds", before=old_kinds, after=sorted(new_kinds)
        )
    return organization


@transaction.atomic
def department_create(*, organization, name):
    name = (name or "").strip()
    if not name:
        raise ApplicationError(
            _("Укажите название подразделения"), fields={"name": [_("Обязательное поле")]}
        )
    if Department.objects.filter(organization=organization, name=name).exists():
        raise ApplicationError(
            _("Такое подразделение уже есть"),
            code="duplicate",
            fields={"name": [_("Уже существует")]},
        )
    return Department.objects.create(organization=organization, name=name)


def generate_password(length=12):
    alphabet = string.ascii_letters + string.digits
    while True:
        pwd = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in pwd) and any(c.isalpha() for c in pwd):
            return pwd


def _unique_username(base):
    base = base or "user"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def split_full_name(full_name):
    parts = (full_name or "").split()
    return (
        (parts + ["", "", ""])[:3] if len(parts) <= 3 else [parts[0], parts[1], " ".join(parts[2:])]
    )


@transaction.atomic
def employee_create(
    *,
    organization,
    full_name,
    position,
    roles,
    email="",
    phone="",
    department=None,
    username=None,
    password=None,
    send_credentials=True,
):
    """Create a login for a staff member; returns (employee, one-time password).

    The password must be changed at first login; it is e-mailed when an address is known."""
    last, first, middle = split_full_name(full_name)
    errors = {}
    if not last or not first:
        errors["full_name"] = [_("Укажите фамилию и имя полностью")]
    if not (position or "").strip():
        errors["position"] = [_("Обязательное поле")]
    bad_roles = set(roles or ()) - set(Role.values)
    if not roles:
        errors["roles"] = [_("Укажите хотя бы одну роль")]
    elif bad_roles:
        errors["roles"] = [
            _("Неизвестная роль: %(values)s") % {"values": ", ".join(sorted(bad_roles))}
        ]
    elif problem := _roles_not_for(organization, roles):
        errors["roles"] = [problem]
    if department is not None and department.organization_id != organization.pk:
        errors["department"] = [_("Подразделение другой организации")]
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Неверный адрес электронной почты")]
    phone = (phone or "").strip()
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            errors["phone"] = list(exc.messages)
    if errors:
        raise ApplicationError(_("Данные сотрудника заполнены с ошибками"), fields=errors)
    from domovoy.core.translit import slug_login

    username = username or _unique_username(slug_login(last, first, middle))
    if User.objects.filter(username=username).exists():
        raise ApplicationError(
            _("Такой логин уже занят"),
            code="duplicate_login",
            fields={"username": [_("Логин занят")]},
        )
    password = password or generate_password()
    user = User(
        username=username,
        last_name=last,
        first_name=first,
        middle_name=middle,
        email=email or "",
        phone=phone or "",
        must_change_password=True,
    )
    user.set_password(password)
    user.save()
    employee = Employee.objects.create(
        user=user, organization=organization, department=department, position=position.strip()
    )
    EmployeeRole.objects.bulk_create([EmployeeRole(employee=employee, role=r) for r in set(roles)])
    audit_field_change(instance=employee, field="roles", before=[], after=sorted(set(roles)))
    if send_credentials and user.email:
        transaction.on_commit(lambda: send_credentials_mail(user=user, password=password))
    return employee, password


def send_credentials_mail(*, user, password):
    send_mail(
        _("Domovoy: доступ в систему"),
        # One msgid per line: the translation tables hold one line per message.
        "\n".join(
            [
                _("Здравствуйте, %(first_name)s!") % {"first_name": user.first_name},
                "",
                _("Ваш логин: %(username)s") % {"username": user.username},
                _("Одноразовый пароль: %(password)s") % {"password": password},
                _("Смените его при первом входе."),
            ]
        ),
        None,
        [user.email],
    )


def _other_active_admins(employee):
    return Employee.objects.filter(
        organization_id=employee.organization_id, is_active=True, roles__role=Role.ORG_ADMIN
    ).exclude(pk=employee.pk)


def _refuse_losing_last_admin(employee):
    if Role.ORG_ADMIN in employee.role_codes and not _other_active_admins(employee).exists():
        raise ApplicationError(
            _("Нельзя оставить организацию без администратора: назначьте сначала другого"),
            code="last_admin",
            fields={"roles": [_("Последний администратор организации")]},
        )


def _roles_not_for(organization, roles):
    """A message if some roles are not for this organisation's kinds (ROLES_BY_KIND), else ""."""
    refused = set(roles) - roles_allowed_for(organization.kind_codes)
    if not refused:
        return ""
    names = ", ".join(str(Role(code).label) for code in sorted(refused))
    return _("Роль недоступна организации этого вида: %(names)s") % {"names": names}


@transaction.atomic
def employee_set_roles(*, employee, roles):
    """Replace the employee's roles (D2); an organisation keeps at least one administrator."""
    roles = set(roles or ())
    bad = roles - set(Role.values)
    if not roles or bad:
        raise ApplicationError(
            _("Неверный набор ролей"), fields={"roles": [_("Неизвестная или пустая роль")]}
        )
    if problem := _roles_not_for(employee.organization, roles):
        raise ApplicationError(problem, code="role_not_allowed", fields={"roles": [problem]})
    if Role.ORG_ADMIN not in roles:
        _refuse_losing_last_admin(employee)
    before = sorted(employee.roles.values_list("role", flat=True))
    employee.roles.exclude(role__in=roles).delete()
    have = set(employee.roles.values_list("role", flat=True))
    EmployeeRole.objects.bulk_create(
        [EmployeeRole(employee=employee, role=r) for r in roles - have]
    )
    getattr(employee, "_prefetched_objects_cache", {}).pop("roles", None)
    audit_field_change(instance=employee, field="roles", before=before, after=sorted(roles))
    return employee


@transaction.atomic
def employee_deactivate(*, employee):
    """Close the employee's login; the history of what they did stays (D2)."""
    if not employee.is_active:
        return employee
    _refuse_losing_last_admin(employee)
    employee.is_active = False
    employee.save(update_fields=["is_active", "updated_at"])
    employee.user.is_active = False
    employee.user.save(update_fields=["is_active"])
    return employee


BUILDING_FIELDS = (
    "settlement",
    "city_district",
    "street",
    "house",
    "block",
    "postal_code",
    "territory",
    "latitude",
    "longitude",
    "entrances",
    "floors",
    "year_built",
)


ADDRESS_PARTS = {
    "settlement": gettext_lazy("Населённый пункт"),
    "city_district": gettext_lazy("Район города"),
    "street": gettext_lazy("Улица"),
    "house": gettext_lazy("Дом"),
    "block": gettext_lazy("Корпус"),
}


def address_part_errors(data):
    """Normalise the address parts present in ``data`` (in place) and return the errors of
    those with characters other than letters, digits and ordinary punctuation."""
    errors = {}
    for field, label in ADDRESS_PARTS.items():
        if field not in data:
            continue
        try:
            data[field] = validate_address_part(data[field], str(label))
        except ValidationError as exc:
            errors[field] = list(exc.messages)
    return errors


def _clean_building(data):
    """Check the fields present in ``data``; a field not mentioned is not touched (a partial
    update keeps it), an explicit ``None`` for a coordinate clears it."""
    data = {k: v for k, v in data.items() if k in BUILDING_FIELDS}
    if "postal_code" in data:
        data["postal_code"] = str(data["postal_code"] or "").strip()
    errors = address_part_errors(data)
    for field in ("settlement", "street", "house"):
        if field in data and not data[field]:
            errors[field] = [_("Обязательное поле")]
    for field, low, high, label in (
        ("latitude", -90, 90, _("Широта")),
        ("longitude", -180, 180, _("Долгота")),
    ):
        if field not in data:
            continue
        value = data[field]
        if value in (None, ""):
            data[field] = None
            continue
        try:
            value = float(value)
        except (TypeError, ValueError):
            errors[field] = [_("%(label)s: ожидается число") % {"label": label}]
            continue
        if not low <= value <= high:
            errors[field] = [
                _("%(label)s от %(low)s до %(high)s") % {"label": label, "low": low, "high": high}
            ]
        data[field] = value
    postal = data.get("postal_code")
    if postal and not (postal.isdigit() and len(postal) == 6):
        errors["postal_code"] = [_("Индекс: 6 цифр")]
    for field in ("entrances", "floors"):
        if field in data:
            try:
                if int(data[field]) < 1:
                    raise ValueError
            except (TypeError, ValueError):
                errors[field] = [_("Целое число не меньше 1")]
    return data, errors


def _coordinates_pair_errors(latitude, longitude):
    """A building is on the map with both coordinates or with none: never half of a point."""
    if (latitude is None) != (longitude is None):
        message = _("Широта и долгота задаются вместе: укажите обе или очистите обе")
        return {"latitude": [message], "longitude": [message]}
    return {}


def _refuse_duplicate_address(data, exclude_pk=None):
    qs = Building.objects.filter(
        settlement=data["settlement"],
        street=data["street"],
        house=data["house"],
        block=data.get("block", ""),
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ApplicationError(
            _("Такой дом уже есть в реестре"),
            code="duplicate_building",
            fields={"house": [_("Дом с этим адресом уже есть")]},
        )


@transaction.atomic
def building_create(*, data):
    """Register a building (D3). ``data`` holds address parts, coordinates, entrances,
    floors; ``territory`` is a Territory instance or None."""
    data, errors = _clean_building(data)
    for field in ("settlement", "street", "house"):
        if not data.get(field):
            errors[field] = [_("Обязательное поле")]
    if "latitude" not in errors and "longitude" not in errors:
        errors.update(_coordinates_pair_errors(data.get("latitude"), data.get("longitude")))
    if errors:
        raise ApplicationError(_("Адрес дома заполнен с ошибками"), fields=errors)
    _refuse_duplicate_address(data)
    return Building.objects.create(**data)


@transaction.atomic
def building_update(*, building, data):
    """Change a building's address parts, coordinates, entrances or floors (D3)."""
    data, errors = _clean_building(data)
    if "latitude" not in errors and "longitude" not in errors:
        errors.update(
            _coordinates_pair_errors(
                data.get("latitude", building.latitude), data.get("longitude", building.longitude)
            )
        )
    if errors:
        raise ApplicationError(_("Данные дома заполнены с ошибками"), fields=errors)
    for field, value in data.items():
        setattr(building, field, value)
    _refuse_duplicate_address(
        {f: getattr(building, f) for f in ("settlement", "street", "house", "block")},
        exclude_pk=building.pk,
    )
    building.save()
    return building


def _lock_building(building):
    # Lock the building row so two registry edits for one building serialise (no overlap race).
    return Building.objects.select_for_update().get(pk=building.pk)


def _overlap(qs, start, end):
    """Rows of ``qs`` (a PeriodQuerySet) whose period meets [start, end] (None = open)."""
    return qs.overlapping(start, end)


def _overlap_error(clash):
    values = {
        "organization": clash.organization,
        "start": format(clash.start, "%d.%m.%Y"),
        "end": format(clash.end, "%d.%m.%Y") if clash.end else "",
    }
    if clash.end:
        message = _("Период пересекается с управлением «%(organization)s» с %(start)s по %(end)s")
    else:
        message = _(
            "Период пересекается с управлением «%(organization)s» с %(start)s (без даты окончания)"
        )
    return ApplicationError(
        message % values,
        code="management_overlap",
        fields={"start": [_("Пересечение периодов управления")]},
    )


@transaction.atomic
def management_period_create(*, building, organization, start, end=None, basis=""):
    """Record that ``organization`` manages ``building`` from ``start`` (to ``end``), D4.
    A building has at most one managing organisation at a time: overlaps are refused."""
    errors = {}
    if start is None:
        errors["start"] = [_("Обязательное поле")]
    if not organization.has_kind(OrgKind.UO):
        errors["organization"] = [_("Не управляющая организация")]
    if errors:
        raise ApplicationError(
            _("Управлять домом может только управляющая организация")
            if "organization" in errors
            else _("Укажите дату начала управления"),
            code="not_uo" if "organization" in errors else "invalid",
            fields=errors,
        )
    if end is not None and end < start:
        raise ApplicationError(
            _("Окончание управления раньше начала"), fields={"end": [_("Раньше даты начала")]}
        )
    building = _lock_building(building)
    clash = (
        _overlap(ManagementPeriod.objects.filter(building=building), start, end)
        .select_related("organization")
        .first()
    )
    if clash:
        raise _overlap_error(clash)
    return ManagementPeriod.objects.create(
        building=building, organization=organization, start=start, end=end, basis=(basis or "")
    )


@transaction.atomic
def management_period_close(*, period, end):
    """Set the last day (inclusive) of a management period (D4)."""
    if end is None:
        raise ApplicationError(
            _("Укажите дату окончания"), fields={"end": [_("Обязательное поле")]}
        )
    if end < period.start:
        raise ApplicationError(
            _("Окончание управления раньше начала"), fields={"end": [_("Раньше начала")]}
        )
    _lock_building(period.building)
    clash = (
        _overlap(
            ManagementPeriod.objects.filter(building_id=period.building_id).exclude(pk=period.pk),
            period.start,
            end,
        )
        .select_related("organization")
        .first()
    )
    if clash:
        raise _overlap_error(clash)
    period.end = end
    period.save(update_fields=["end", "updated_at"])
    return period


@transaction.atomic
def service_link_create(*, uo, provider, start, resource="", end=None):
    """Record that ``provider`` (an RSO for ``resource``, or a contractor for works) serves
    ``uo`` from ``start`` (D4). One supplier per resource per UO at a time, so that
    "who supplies X to B" has one answer."""
    resource = resource or ""
    if start is None:
        raise ApplicationError(_("Укажите дату начала"), fields={"start": [_("Обязательное поле")]})
    if end is not None and end < start:
        raise ApplicationError(
            _("Окончание раньше начала"), fields={"end": [_("Раньше даты начала")]}
        )
    if not uo.has_kind(OrgKind.UO):
        raise ApplicationError(
            _("Обслуживаемая организация должна быть УО"), fields={"uo": [_("Не УО")]}
        )
    if uo.pk == provider.pk:
        raise ApplicationError(
            _("Организация не может обслуживать сама себя"),
            fields={"provider": [_("Та же организация")]},
        )
    if not (provider.kind_codes & {OrgKind.RSO, OrgKind.CONTRACTOR}):
        raise ApplicationError(
            _("Обслуживающая организация должна быть РСО или подрядчиком"),
            fields={"provider": [_("Не РСО и не подрядчик")]},
        )
    if resource and resource not in Resource.values:
        raise ApplicationError(
            _("Неизвестный ресурс"), fields={"resource": [_("Неизвестное значение")]}
        )
    if resource and OrgKind.RSO not in provider.kind_codes:
        raise ApplicationError(
            _("Ресурс поставляет только РСО"), fields={"resource": [_("Не РСО")]}
        )
    # Lock the UO row so that two links for one UO and resource serialise.
    Organization.objects.select_for_update().filter(pk=uo.pk).first()
    same = ServiceLink.objects.filter(uo=uo, resource=resource)
    if resource:
        clash = _overlap(same, start, end).select_related("provider").first()
        if clash:
            raise ApplicationError(
                _(
                    "Ресурс «%(label)s» уже поставляет «%(provider)s» с %(start)s — "
                    "закройте ту связь или выберите другие даты"
                )
                % {
                    "label": Resource(resource).label,
                    "provider": clash.provider,
                    "start": format(clash.start, "%d.%m.%Y"),
                },
                code="duplicate_link",
                fields={"resource": [_("Уже есть поставщик в этом периоде")]},
            )
    elif _overlap(same.filter(provider=provider), start, end).exists():
        raise ApplicationError(
            _("Такая связь уже действует в этом периоде"),
            code="duplicate_link",
            fields={"provider": [_("Связь уже есть")]},
        )
    return ServiceLink.objects.create(
        uo=uo, provider=provider, resource=resource, start=start, end=end
    )


@transaction.atomic
def service_link_close(*, link, end):
    """Set the last day (inclusive) of a service link (D4)."""
    if end is None or end < link.start:
        raise ApplicationError(_("Окончание раньше начала"), fields={"end": [_("Раньше начала")]})
    link.end = end
    link.save(update_fields=["end", "updated_at"])
    return link
