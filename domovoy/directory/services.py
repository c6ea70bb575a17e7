"""Every write to the directory a user can cause: one function per action, one transaction."""

import secrets
import string

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q

from domovoy.core.errors import ApplicationError

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
    Role,
    ServiceLink,
    User,
)

CARD_FIELDS = [
    f.name
    for f in Organization._meta.get_fields()
    if getattr(f, "concrete", False)
    and f.name not in ("id", "created_at", "updated_at", "is_active", "territory", "license_scan")
]


def _validated_card(data, *, kinds, codes_are_warnings=False):
    cleaned, errors, warnings = check_card(
        data, codes_are_warnings=codes_are_warnings, is_uo=OrgKind.UO in kinds
    )
    if errors:
        raise ApplicationError(
            "Карта организации заполнена с ошибками", code="invalid_card", fields=errors
        )
    return {k: cleaned[k] for k in CARD_FIELDS if k in cleaned}, warnings


@transaction.atomic
def organization_create(*, data, kinds, territory=None, codes_are_warnings=False):
    if not kinds:
        raise ApplicationError("Укажите хотя бы один вид организации", code="no_kind",
                               fields={"kinds": ["Обязательное поле"]})
    unknown = set(kinds) - set(OrgKind.values)
    if unknown:
        raise ApplicationError(f"Неизвестный вид организации: {', '.join(sorted(unknown))}",
                               code="bad_kind", fields={"kinds": ["Неизвестное значение"]})
    card, _warnings = _validated_card(data, kinds=kinds, codes_are_warnings=codes_are_warnings)
    if Organization.objects.filter(inn=card["inn"]).exists():
        raise ApplicationError("Организация с таким ИНН уже подключена", code="duplicate_inn",
                               fields={"inn": ["Организация с таким ИНН уже есть"]})
    org = Organization.objects.create(territory=territory, **card)
    OrganizationKind.objects.bulk_create(
        [OrganizationKind(organization=org, kind=k) for k in sorted(set(kinds))]
    )
    return org


@transaction.atomic
def organization_update(*, organization, data):
    current = {f: getattr(organization, f) for f in CARD_FIELDS}
    merged = {**current, **{k: v for k, v in data.items() if k in CARD_FIELDS}}
    card, _ = _validated_card(merged, kinds=organization.kind_codes)
    if Organization.objects.filter(inn=card["inn"]).exclude(pk=organization.pk).exists():
        raise ApplicationError("Организация с таким ИНН уже подключена", code="duplicate_inn",
                               fields={"inn": ["Организация с таким ИНН уже есть"]})
    for field, value in card.items():
        setattr(organization, field, value)
    organization.save()
    return organization


@transaction.atomic
def department_create(*, organization, name):
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Укажите название подразделения", fields={"name": ["Обязательное поле"]})
    if Department.objects.filter(organization=organization, name=name).exists():
        raise ApplicationError("Такое подразделение уже есть", code="duplicate",
                               fields={"name": ["Уже существует"]})
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
    return (parts + ["", "", ""])[:3] if len(parts) <= 3 else [parts[0], parts[1], " ".join(parts[2:])]


@transaction.atomic
def employee_create(
    *, organization, full_name, position, roles, email="", phone="", department=None,
    username=None, password=None, send_credentials=True,
):
    """Create a login for a staff member; returns (employee, one-time password).

    The password must be changed at first login; it is e-mailed when an address is known."""
    last, first, middle = split_full_name(full_name)
    errors = {}
    if not last or not first:
        errors["full_name"] = ["Укажите фамилию и имя полностью"]
    if not (position or "").strip():
        errors["position"] = ["Обязательное поле"]
    bad_roles = set(roles or ()) - set(Role.values)
    if not roles:
        errors["roles"] = ["Укажите хотя бы одну роль"]
    elif bad_roles:
        errors["roles"] = [f"Неизвестная роль: {', '.join(sorted(bad_roles))}"]
    if department is not None and department.organization_id != organization.pk:
        errors["department"] = ["Подразделение другой организации"]
    if errors:
        raise ApplicationError("Данные сотрудника заполнены с ошибками", fields=errors)
    from domovoy.core.translit import slug_login

    username = username or _unique_username(slug_login(last, first, middle))
    if User.objects.filter(username=username).exists():
        raise ApplicationError("Такой логин уже занят", code="duplicate_login",
                               fields={"username": ["Логин занят"]})
    password = password or generate_password()
    user = User(username=username, last_name=last, first_name=first, middle_name=middle,
                email=email or "", phone=phone or "", must_change_password=True)
    user.set_password(password)
    user.save()
    employee = Employee.objects.create(user=user, organization=organization,
                                       department=department, position=position.strip())
    EmployeeRole.objects.bulk_create([EmployeeRole(employee=employee, role=r) for r in set(roles)])
    if send_credentials and user.email:
        transaction.on_commit(lambda: send_credentials_mail(user=user, password=password))
    return employee, password


def send_credentials_mail(*, user, password):
    send_mail(
        "Domovoy: доступ в систему",
        f"Здравствуйте, {user.first_name}!\n\nВаш логин: {user.username}\n"
        f"Одноразовый пароль: {password}\nСмените его при первом входе.",
        None,
        [user.email],
    )


@transaction.atomic
def employee_set_roles(*, employee, roles):
    bad = set(roles) - set(Role.values)
    if not roles or bad:
        raise ApplicationError("Неверный набор ролей", fields={"roles": ["Неизвестная или пустая роль"]})
    employee.roles.exclude(role__in=roles).delete()
    have = employee.role_codes
    EmployeeRole.objects.bulk_create(
        [EmployeeRole(employee=employee, role=r) for r in set(roles) - have]
    )
    return employee


@transaction.atomic
def employee_deactivate(*, employee):
    employee.is_active = False
    employee.save(update_fields=["is_active", "updated_at"])
    employee.user.is_active = False
    employee.user.save(update_fields=["is_active"])
    return employee


@transaction.atomic
def building_create(*, data):
    required = ("settlement", "street", "house")
    errors = {f: ["Обязательное поле"] for f in required if not str(data.get(f) or "").strip()}
    lat, lon = data.get("latitude"), data.get("longitude")
    if lat is not None and not -90 <= float(lat) <= 90:
        errors["latitude"] = ["Широта от -90 до 90"]
    if lon is not None and not -180 <= float(lon) <= 180:
        errors["longitude"] = ["Долгота от -180 до 180"]
    if errors:
        raise ApplicationError("Адрес дома заполнен с ошибками", fields=errors)
    exists = Building.objects.filter(
        settlement=data["settlement"], street=data["street"], house=data["house"],
        block=data.get("block", ""),
    ).exists()
    if exists:
        raise ApplicationError("Такой дом уже есть в реестре", code="duplicate_building",
                               fields={"house": ["Дом с этим адресом уже есть"]})
    return Building.objects.create(**data)


def _lock_building(building):
    # Lock the building row so two registry edits for one building serialise (no overlap race).
    return Building.objects.select_for_update().get(pk=building.pk)


def _overlap(qs, start, end):
    cond = Q(end__isnull=True) | Q(end__gte=start)
    if end is not None:
        cond &= Q(start__lte=end)
    return qs.filter(cond)


@transaction.atomic
def management_period_create(*, building, organization, start, end=None, basis=""):
    """Record that ``organization`` manages ``building`` from ``start`` (to ``end``), D4.
    A building has at most one managing organisation at a time: overlaps are refused."""
    if not organization.has_kind(OrgKind.UO):
        raise ApplicationError("Управлять домом может только управляющая организация",
                               code="not_uo", fields={"organization": ["Не УО"]})
    if end is not None and end < start:
        raise ApplicationError("Окончание управления раньше начала",
                               fields={"end": ["Раньше даты начала"]})
    building = _lock_building(building)
    clash = _overlap(ManagementPeriod.objects.filter(building=building), start, end).first()
    if clash:
        raise ApplicationError(
            f"Период пересекается с управлением «{clash.organization}» с {clash.start:%d.%m.%Y}"
            + (f" по {clash.end:%d.%m.%Y}" if clash.end else ""),
            code="management_overlap",
            fields={"start": ["Пересечение периодов управления"]},
        )
    return ManagementPeriod.objects.create(
        building=building, organization=organization, start=start, end=end, basis=basis
    )


@transaction.atomic
def management_period_close(*, period, end):
    if end < period.start:
        raise ApplicationError("Окончание управления раньше начала", fields={"end": ["Раньше начала"]})
    _lock_building(period.building)
    period.end = end
    period.save(update_fields=["end", "updated_at"])
    return period


@transaction.atomic
def service_link_create(*, uo, provider, start, resource="", end=None):
    if not uo.has_kind(OrgKind.UO):
        raise ApplicationError("Обслуживаемая организация должна быть УО", fields={"uo": ["Не УО"]})
    if not (provider.kind_codes & {OrgKind.RSO, OrgKind.CONTRACTOR}):
        raise ApplicationError("Обслуживающая организация должна быть РСО или подрядчиком",
                               fields={"provider": ["Не РСО и не подрядчик"]})
    if resource and OrgKind.RSO not in provider.kind_codes:
        raise ApplicationError("Ресурс поставляет только РСО", fields={"resource": ["Не РСО"]})
    clash = _overlap(ServiceLink.objects.filter(uo=uo, provider=provider, resource=resource),
                     start, end).exists()
    if clash:
        raise ApplicationError("Такая связь уже действует в этом периоде", code="duplicate_link")
    return ServiceLink.objects.create(uo=uo, provider=provider, resource=resource, start=start,
                                      end=end)
