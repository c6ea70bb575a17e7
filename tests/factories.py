"""Factories with valid Russian details (check digits computed, not hard-coded)."""

import datetime as dt
import itertools

import factory

from domovoy.directory.models import (
    Account,
    Building,
    Employee,
    EmployeeRole,
    ManagementPeriod,
    Organization,
    OrganizationKind,
    Premises,
    Territory,
    User,
)

_inn_seq = itertools.count(1)


def valid_inn10(seed):
    body = f"77{seed:07d}"[:9]
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10
    return body + str(check)


def valid_ogrn13(seed):
    body = f"10277{seed:07d}"[:12]
    return body + str(int(body) % 11 % 10)


def valid_account(bik, seed, *, prefix="40702810"):
    """A settlement account whose control key matches ``bik``."""
    body = f"{prefix}{seed:011d}"  # 19 digits; the key goes in position 9
    weights = ((7, 1, 3) * 8)[:23]
    for key in range(10):
        acc = body[:8] + str(key) + body[8:]
        if sum(int(d) * w for d, w in zip(bik[-3:] + acc, weights, strict=True)) % 10 == 0:
            return acc
    raise AssertionError("no key")


BIK = "044525225"
CORR = "30101810400000000225"


def card_data(seed=None, **overrides):
    seed = seed if seed is not None else next(_inn_seq)
    data = {
        "legal_form": "legal",
        "full_name": f"Общество с ограниченной ответственностью «Организация {seed}»",
        "short_name": f"ООО «Организация {seed}»",
        "head_name": "Иванов Иван Иванович",
        "postal_address": "156000, г. Кострома, ул. Советская, д. 1",
        "actual_address": "156000, г. Кострома, ул. Советская, д. 2",
        "head_phone": "+74942123456",
        "dispatcher_phone": "+74942123457",
        "email": f"org{seed}@example.ru",
        "ogrn": valid_ogrn13(seed),
        "registration_date": dt.date(2010, 1, 1),
        "inn": valid_inn10(seed),
        "kpp": "440101001",
        "bank_name": "ПАО Сбербанк",
        "bik": BIK,
        "settlement_account": valid_account(BIK, seed),
        "correspondent_account": CORR,
        "okved": "68.32.1",
        "okpo": "12345678",
        "okopf": "12300",
        "okfs": "16",
        "okogu": "4210014",
        "oktmo": "34701000",
        "working_hours": "пн–чт 9:00–18:00; пт 9:00–17:00",
        "license_number": f"044-{seed:06d}",
        "license_date": dt.date(2015, 5, 1),
        "license_issuer": "Государственная жилищная инспекция",
    }
    data.update(overrides)
    return data


def city_territories():
    region = Territory.objects.create(name="Костромская область", level="region")
    city = Territory.objects.create(name="г. Кострома", level="municipality", parent=region)
    district = Territory.objects.create(name="Центральный район", level="district", parent=city)
    other = Territory.objects.create(name="Заволжский район", level="district", parent=city)
    return {"region": region, "city": city, "district": district, "other_district": other}


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kinds = kwargs.pop("kinds", ["uo"])
        seed = next(_inn_seq)
        data = card_data(seed)
        data.update(kwargs)
        org = model_class.objects.create(**data)
        OrganizationKind.objects.bulk_create(
            [OrganizationKind(organization=org, kind=k) for k in kinds]
        )
        return org


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Пётр"
    last_name = factory.Sequence(lambda n: f"Петров{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.ru")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def employee(org, *, roles, username=None, position="Специалист"):
    user = UserFactory(**({"username": username} if username else {}))
    emp = Employee.objects.create(user=user, organization=org, position=position)
    EmployeeRole.objects.bulk_create([EmployeeRole(employee=emp, role=r) for r in roles])
    return emp


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    settlement = "г. Кострома"
    street = "ул. Советская"
    house = factory.Sequence(lambda n: str(n + 1))
    latitude = 57.767
    longitude = 40.926
    entrances = 2
    floors = 5


def manage(building, org, start=dt.date(2020, 1, 1), end=None):
    return ManagementPeriod.objects.create(
        building=building, organization=org, start=start, end=end
    )


def premises_with_account(building, number="1", account_number=None, owner="Сидоров"):
    prem = Premises.objects.create(building=building, number=number)
    acc = Account.objects.create(
        premises=prem,
        number=account_number or f"{building.pk:05d}{int(number):04d}",
        owner_last_name=owner,
        owner_first_name="Сидор",
    )
    return prem, acc
