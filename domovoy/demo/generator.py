"""The demo city generator: a deterministic, believable Kostroma (D1–D4).

Organisations go through ``directory.services.organization_create`` so their cards are
valid; the housing stock (buildings, premises, accounts, the management registry,
residents) is streamed in batches with ``bulk_create`` — no per-row queries, bounded
memory — so the same code loads 300 buildings or a region of 100,000 buildings and
5,000,000 accounts. A ``DemoCity`` row marks a loaded demo: a second run changes nothing.
"""

import datetime as dt
import itertools
import math
import random
import time
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from domovoy.directory.models import (
    Account,
    Building,
    Department,
    Employee,
    EmployeeRole,
    ManagementPeriod,
    Premises,
    Role,
    ServiceLink,
    Territory,
    User,
)
from domovoy.directory.selectors import forget_building_streets
from domovoy.directory.services import organization_create

from . import data as d
from .models import DemoCity

BATCH_SIZE = 10_000
LINKS_START = dt.date(2015, 1, 1)


# --- Registration numbers with valid check digits -------------------------------------
def inn10(body9):
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    return body9 + str(sum(int(c) * w for c, w in zip(body9, weights, strict=True)) % 11 % 10)


def inn12(body10):
    w1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
    w2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
    first = str(sum(int(c) * w for c, w in zip(body10, w1, strict=True)) % 11 % 10)
    body11 = body10 + first
    return body11 + str(sum(int(c) * w for c, w in zip(body11, w2, strict=True)) % 11 % 10)


def ogrn13(body12):
    return body12 + str(int(body12) % 11 % 10)


def ogrnip15(body14):
    return body14 + str(int(body14) % 13 % 10)


def _with_account_key(prefix3, body19):
    """Insert the control key at position 9 of a 20-digit account (Bank of Russia rule)."""
    weights = ((7, 1, 3) * 8)[:23]
    for key in range(10):
        account = body19[:8] + str(key) + body19[8:]
        if sum(int(c) * w for c, w in zip(prefix3 + account, weights, strict=True)) % 10 == 0:
            return account
    raise ValueError("no control key")  # unreachable: weight 3 at the key position


def settlement_account(bik, number, *, prefix="40702810"):
    return _with_account_key(bik[-3:], f"{prefix}{number:011d}")


def correspondent_account(bik):
    return _with_account_key("0" + bik[4:6], f"30101810{0:08d}{bik[-3:]}")


def _phone(rng):
    return f"+74942{rng.randint(300000, 699999)}"


def org_card(spec, number, rng):
    """The full partner card (D1) of a demo organisation ``spec``, number ``number``."""
    legal_form = spec.get("legal_form", "legal")
    bank_name, bik = spec["bank"]
    registered = dt.date(2002 + number % 15, 1 + number % 12, 1 + (number * 7) % 27)
    year = f"{registered.year % 100:02d}"
    if legal_form == "ip":
        inn = inn12(f"4401{number:06d}")
        ogrn = ogrnip15(f"3{year}44{number:09d}")
        kpp = ""
        account_prefix = "40802810"
    else:
        inn = inn10(f"4401{number:05d}")
        ogrn = ogrn13(f"1{year}4401{number:05d}")
        kpp = "440101001"
        account_prefix = "40702810"
    address = f"{spec.get('postal', '156000')}, г. Кострома, {spec['address']}"
    card = {
        "legal_form": legal_form,
        "full_name": spec["full_name"],
        "short_name": spec["short_name"],
        "head_name": spec["head_name"],
        "postal_address": address,
        "actual_address": address,
        "head_phone": _phone(rng),
        "dispatcher_phone": _phone(rng),
        "email": spec["email"],
        "ogrn": ogrn,
        "registration_date": registered,
        "inn": inn,
        "kpp": kpp,
        "bank_name": bank_name,
        "bik": bik,
        "settlement_account": settlement_account(bik, 44_000_000 + number, prefix=account_prefix),
        "correspondent_account": correspondent_account(bik),
        "okved": spec["okved"],
        "okpo": f"{rng.randint(10_000_000, 99_999_999)}",
        "okopf": spec["okopf"],
        "okfs": spec.get("okfs", "16"),
        "okogu": spec.get("okogu", "4210014"),
        "oktmo": d.CITY_OKTMO,
        "working_hours": spec.get(
            "working_hours", "пн–чт 8:00–17:00; пт 8:00–16:00; аварийная служба круглосуточно"
        ),
        "chief_accountant_name": _person(rng, female=True),
        "chief_accountant_phone": _phone(rng),
        "chief_engineer_name": _person(rng, female=False),
        "chief_engineer_phone": _phone(rng),
    }
    if "license" in spec:
        card.update(
            license_number=f"044-{number:06d}",
            license_date=spec["license"],
            license_issuer=d.GHI,
        )
    return card


def _person(rng, *, female):
    surname = rng.choice(d.MALE_SURNAMES)
    if female:
        return " ".join(
            (d.feminine_surname(surname), rng.choice(d.FEMALE_NAMES), rng.choice(d.PATRONYMICS)[1])
        )
    return " ".join((surname, rng.choice(d.MALE_NAMES), rng.choice(d.PATRONYMICS)[0]))


def _owner(rng):
    """(last, first, middle) of an account owner; some are unknown, some lack a patronymic."""
    roll = rng.random()
    if roll < 0.08:
        return "", "", ""
    female = rng.random() < 0.55
    surname = rng.choice(d.MALE_SURNAMES)
    if female:
        last, first = d.feminine_surname(surname), rng.choice(d.FEMALE_NAMES)
    else:
        last, first = surname, rng.choice(d.MALE_NAMES)
    middle = "" if roll < 0.12 else rng.choice(d.PATRONYMICS)[1 if female else 0]
    return last, first, middle


# --- Plan of the housing stock ---------------------------------------------------------
def _allocate(total, weights):
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [math.floor(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: parts[i] - raw[i])
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _house_numbers(rng, count):
    """``count`` (house, block) pairs along one street: natural gaps, some корпуса, some «А»."""
    out, number = [], 0
    while len(out) < count:
        number += rng.choice((1, 2, 2, 2, 3, 4))
        roll = rng.random()
        if roll < 0.1:
            out.extend((str(number), str(b)) for b in range(1, rng.randint(2, 3) + 1))
        elif roll < 0.14:
            out.extend([(str(number), ""), (f"{number}А", "")])
        else:
            out.append((str(number), ""))
    return out[:count]


def _address_plan(rng, total, territories):
    """Yield (settlement, territory, street, house, block, postal, lat, lon, uo_key)."""
    if total <= d.CITY_CAPACITY:
        city_n = total
    else:
        city_n = d.CITY_CAPACITY + round((total - d.CITY_CAPACITY) * d.CITY_SHARE_ABOVE_CAPACITY)
    district_n = _allocate(city_n, [row[3] for row in d.CITY_DISTRICTS])
    district_uo = ["uo1", "uo2", "uo3", "uo4", "uo4"]
    for i, (name, lat0, lon0, _w, postals, streets) in enumerate(d.CITY_DISTRICTS):
        territory = territories[name]
        for street, n in zip(streets, _allocate(district_n[i], [1] * len(streets)), strict=True):
            for house, block in _house_numbers(rng, n):
                lat = min(
                    max(lat0 + rng.uniform(-1, 1) * d.DISTRICT_SPREAD[0], d.CITY_BBOX["lat"][0]),
                    d.CITY_BBOX["lat"][1],
                )
                lon = min(
                    max(lon0 + rng.uniform(-1, 1) * d.DISTRICT_SPREAD[1], d.CITY_BBOX["lon"][0]),
                    d.CITY_BBOX["lon"][1],
                )
                yield (
                    d.CITY,
                    territory,
                    street,
                    house,
                    block,
                    rng.choice(postals),
                    round(lat, 6),
                    round(lon, 6),
                    district_uo[i],
                )
    rest = total - city_n
    if rest <= 0:
        return
    town_n = _allocate(rest, [t[3] for t in d.REGION_TOWNS])
    town_uo = itertools.cycle(["uo1", "uo2", "uo3", "uo4"])
    for (settlement, lat0, lon0, _w, postal), n in zip(d.REGION_TOWNS, town_n, strict=True):
        territory, uo = territories[settlement], next(town_uo)
        per_street = _allocate(n, [1] * len(d.TOWN_STREETS))
        for street, k in zip(d.TOWN_STREETS, per_street, strict=True):
            for house, block in _house_numbers(rng, k):
                lat = lat0 + rng.uniform(-1, 1) * d.TOWN_SPREAD[0]
                lon = lon0 + rng.uniform(-1, 1) * d.TOWN_SPREAD[1]
                yield (
                    settlement,
                    territory,
                    street,
                    house,
                    block,
                    postal,
                    round(lat, 6),
                    round(lon, 6),
                    uo,
                )


# --- The loader --------------------------------------------------------------------------
class DemoCityLoader:
    """Loads the demo city once. ``buildings`` overrides ``scale`` × 300; ``with_premises``
    False loads buildings and the registry only (the building benchmark)."""

    def __init__(
        self,
        *,
        scale=1.0,
        seed=d.DEFAULT_SEED,
        buildings=None,
        with_premises=True,
        batch_size=BATCH_SIZE,
        log=None,
    ):
        self.scale = scale
        self.seed = seed
        self.n_buildings = (
            buildings if buildings is not None else max(1, round(d.BUILDINGS_PER_SCALE * scale))
        )
        self.with_premises = with_premises
        self.batch_size = batch_size
        self.log = log or (lambda message: None)
        self.rng = random.Random(seed)
        self.counts = dict.fromkeys(
            (
                "territories",
                "organizations",
                "employees",
                "buildings",
                "premises",
                "accounts",
                "management_periods",
                "service_links",
                "residents",
            ),
            0,
        )
        self.password_hash = None

    def run(self):
        """Load the city; returns the row counts, or None if a demo city is already there."""
        if DemoCity.objects.exists():
            return None
        started = time.monotonic()
        with transaction.atomic():
            # The marker first: a concurrent second run blocks here (PG) or fails on commit.
            marker = DemoCity.objects.create(seed=self.seed, scale=self.scale)
            self.password_hash = make_password(d.DEMO_PASSWORD)
            territories = self._territories()
            orgs = self._organizations(territories)
            self._staff(orgs)
            self._service_links(orgs)
            self._housing(territories, orgs)
            marker.counts = self.counts
            marker.save(update_fields=["counts"])
        _analyze()
        self.counts["seconds"] = round(time.monotonic() - started, 1)
        return self.counts

    # Territories: region → municipalities → districts (C11).
    def _territories(self):
        region = Territory.objects.create(name=d.REGION, level=Territory.Level.REGION)
        city = Territory.objects.create(
            name=d.CITY, level=Territory.Level.MUNICIPALITY, parent=region
        )
        out = {"region": region, "city": city}
        for row in d.CITY_DISTRICTS:
            out[row[0]] = Territory.objects.create(
                name=row[0], level=Territory.Level.DISTRICT, parent=city
            )
        if self.n_buildings > d.CITY_CAPACITY:
            for town in d.REGION_TOWNS:
                out[town[0]] = Territory.objects.create(
                    name=town[0], level=Territory.Level.MUNICIPALITY, parent=region
                )
        self.counts["territories"] = len(out)
        return out

    def _organizations(self, territories):
        orgs = {}
        for number, spec in enumerate(d.ORGANIZATIONS, start=101):
            card = org_card(spec, number, self.rng)
            territory = territories[spec.get("territory", "city")]
            orgs[spec["key"]] = organization_create(
                data=card, kinds=spec["kinds"], territory=territory
            )
        self.counts["organizations"] = len(orgs)
        return orgs

    def _staff(self, orgs):
        departments = {}
        for spec in d.ORGANIZATIONS:
            departments[spec["key"]] = Department.objects.bulk_create(
                [Department(organization=orgs[spec["key"]], name=n) for n in spec["departments"]]
            )
        users, employees, roles = [], [], []
        for username, org_key, dep, position, _roles, full_name in d.STAFF:
            last, first, middle = full_name.split()
            user = self._user(username, last, first, middle)
            users.append(user)
            employees.append(
                Employee(
                    user=user,
                    organization=orgs[org_key],
                    department=departments[org_key][dep],
                    position=position,
                )
            )
        User.objects.bulk_create(users)
        for emp in employees:
            emp.user_id = emp.user.pk
        Employee.objects.bulk_create(employees)
        for emp, row in zip(employees, d.STAFF, strict=True):
            roles.extend(EmployeeRole(employee=emp, role=r) for r in row[4])
        EmployeeRole.objects.bulk_create(roles)
        admin = self._user(d.ADMIN_LOGIN, "Администратор", "Демо", "")
        admin.is_staff = admin.is_superuser = True
        admin.save()
        self.counts["employees"] = len(employees)

    def _user(self, username, last, first, middle, *, resident=False, phone=""):
        return User(
            username=username,
            last_name=last,
            first_name=first,
            middle_name=middle,
            password=self.password_hash,
            must_change_password=False,
            is_resident=resident,
            phone=phone,
        )

    def _service_links(self, orgs):
        """Every UO gets the four suppliers for their resources, and its contractors (D4)."""
        uos = [s["key"] for s in d.ORGANIZATIONS if "uo" in s["kinds"]]
        links = []
        for spec in d.ORGANIZATIONS:
            for resource in spec.get("resources", ()):
                links.extend(
                    ServiceLink(
                        uo=orgs[uo],
                        provider=orgs[spec["key"]],
                        resource=resource,
                        start=LINKS_START,
                    )
                    for uo in uos
                )
            for uo in spec.get("serves", ()):
                links.append(
                    ServiceLink(
                        uo=orgs[uo], provider=orgs[spec["key"]], resource="", start=LINKS_START
                    )
                )
        ServiceLink.objects.bulk_create(links)
        self.counts["service_links"] = len(links)

    def _housing(self, territories, orgs):
        rng = self.rng
        plan = _address_plan(rng, self.n_buildings, territories)
        tsj = [orgs["uo5"], orgs["uo6"]]
        companies = [orgs[k] for k in ("uo1", "uo2", "uo3", "uo4")]
        index = 0
        while True:
            chunk = list(itertools.islice(plan, self.batch_size))
            if not chunk:
                break
            buildings, managers = [], []
            for settlement, territory, street, house, block, postal, lat, lon, uo in chunk:
                floors = rng.choices([f for f, _ in d.FLOORS], [w for _, w in d.FLOORS])[0]
                buildings.append(
                    Building(
                        settlement=settlement,
                        city_district=territory.name
                        if territory.level == Territory.Level.DISTRICT
                        else "",
                        street=street,
                        house=house,
                        block=block,
                        postal_code=postal,
                        territory=territory,
                        latitude=lat,
                        longitude=lon,
                        entrances=rng.randint(*d.ENTRANCES[floors]),
                        floors=floors,
                        year_built=rng.randint(*d.YEARS[floors]),
                        search_text=Building.compose_search_text(street, house, block),
                    )
                )
                # Who manages it: the district's company, some another one, a few a ТСЖ.
                if index % 97 == 3:
                    manager = tsj[0]
                elif index % 97 == 7:
                    manager = tsj[1]
                elif index and rng.random() < 0.1:
                    manager = rng.choice(companies)
                else:
                    manager = orgs[uo]
                managers.append(manager)
                index += 1
            Building.objects.bulk_create(buildings)
            forget_building_streets()
            self._management(buildings, managers, companies)
            self.counts["buildings"] += len(buildings)
            if self.with_premises:
                self._premises(buildings)
            _forget_queries()
            self.log(
                f"  buildings {self.counts['buildings']:>9,}  accounts "
                f"{self.counts['accounts']:>11,}"
            )

    def _management(self, buildings, managers, companies):
        rng, periods = self.rng, []
        for building, manager in zip(buildings, managers, strict=True):
            start = dt.date(rng.randint(2012, 2022), rng.randint(1, 12), 1)
            if rng.random() < 0.06 and start.year > 2013:
                # An earlier manager whose period has ended: the registry keeps history (D4).
                previous = rng.choice([c for c in companies if c.pk != manager.pk])
                periods.append(
                    ManagementPeriod(
                        building=building,
                        organization=previous,
                        start=dt.date(2010, 3, 1),
                        end=start - dt.timedelta(days=1),
                        basis="Договор управления (расторгнут)",
                    )
                )
            basis = (
                "Решение общего собрания собственников о создании ТСЖ"
                if manager.short_name.startswith("ТСЖ")
                else f"Договор управления № {rng.randint(1, 999)}/{start.year % 100:02d} "
                f"от {start:%d.%m.%Y}"
            )
            periods.append(
                ManagementPeriod(building=building, organization=manager, start=start, basis=basis)
            )
        ManagementPeriod.objects.bulk_create(periods, batch_size=self.batch_size)
        self.counts["management_periods"] += len(periods)

    def _premises(self, buildings):
        rng, pending = self.rng, []
        for building in buildings:
            floors, entrances = building.floors, building.entrances
            per_floor = rng.randint(*d.FLATS_PER_FLOOR[floors])
            number = 0
            for entrance in range(1, entrances + 1):
                for floor in range(1, floors + 1):
                    for _ in range(per_floor):
                        number += 1
                        area = Decimal(f"{rng.uniform(28, 40 + 14 * (number % 4)):.1f}")
                        pending.append(
                            Premises(
                                building=building,
                                number=str(number),
                                entrance=entrance,
                                floor=floor,
                                area=area,
                            )
                        )
            if rng.random() < 0.05:
                for k in range(1, rng.randint(1, 2) + 1):
                    area = Decimal(f"{rng.uniform(40, 250):.1f}")
                    pending.append(
                        Premises(
                            building=building,
                            number=f"Н{k}",
                            floor=1,
                            kind=Premises.Kind.NON_RESIDENTIAL,
                            area=area,
                        )
                    )
            if len(pending) >= self.batch_size:
                self._flush_premises(pending)
                pending = []
        if pending:
            self._flush_premises(pending)

    def _flush_premises(self, premises):
        rng = self.rng
        Premises.objects.bulk_create(premises)
        accounts, residents = [], []
        for prem in premises:
            seq = self.counts["accounts"] + len(accounts)
            if prem.kind == Premises.Kind.NON_RESIDENTIAL:
                last = first = middle = ""
            else:
                last, first, middle = _owner(rng)
            account = Account(
                premises=prem,
                number=f"44{seq + 1:010d}",
                owner_last_name=last,
                owner_first_name=first,
                owner_middle_name=middle,
            )
            accounts.append(account)
            # About one account in a hundred has a registered resident; the first is the
            # demo resident (a flat in a building of the first UO).
            if seq == 0 or (last and seq % 100 == 17):
                n = self.counts["residents"] + len(residents)
                username = d.RESIDENT_LOGIN if n == 0 else f"{d.RESIDENT_LOGIN}{n + 1}"
                if not last:
                    last, first, middle = "Смирнова", "Мария", "Ивановна"
                    account.owner_last_name, account.owner_first_name = last, first
                    account.owner_middle_name = middle
                phone = f"+7910{rng.randint(1_000_000, 9_999_999)}"
                residents.append(
                    (self._user(username, last, first, middle, resident=True, phone=phone), account)
                )
        Account.objects.bulk_create(accounts)
        if residents:
            User.objects.bulk_create([u for u, _ in residents])
            Account.residents.through.objects.bulk_create(
                [Account.residents.through(account_id=a.pk, user_id=u.pk) for u, a in residents]
            )
        self.counts["premises"] += len(premises)
        self.counts["accounts"] += len(accounts)
        self.counts["residents"] += len(residents)
        _forget_queries()


def _analyze():
    """Fresh statistics after a bulk load, so PostgreSQL plans with the real row counts
    instead of waiting for autovacuum (a page right after the load would scan tables)."""
    if connection.vendor != "postgresql":
        return
    tables = [m._meta.db_table for m in (Building, Premises, Account, ManagementPeriod, User)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def _forget_queries():
    """With DEBUG on, Django keeps the text of the last 9,000 queries: with 10,000-row inserts
    that is gigabytes, so a long load drops it after each batch (memory stays bounded). Not
    while a caller captures queries (``CaptureQueriesContext`` forces the debug cursor)."""
    if settings.DEBUG and not connection.force_debug_cursor:
        connection.queries_log.clear()


def demo_city_load(
    *,
    scale=1.0,
    seed=d.DEFAULT_SEED,
    buildings=None,
    with_premises=True,
    batch_size=BATCH_SIZE,
    log=None,
):
    """Load the demo city once; the row counts, or None when it is already loaded."""
    return DemoCityLoader(
        scale=scale,
        seed=seed,
        buildings=buildings,
        with_premises=with_premises,
        batch_size=batch_size,
        log=log,
    ).run()


def demo_logins():
    """(Russian role names, username, password, organisation) of every demo login, in order."""
    usernames = [row[0] for row in d.STAFF] + [d.RESIDENT_LOGIN, d.ADMIN_LOGIN]
    users = {
        u.username: u
        for u in User.objects.filter(username__in=usernames)
        .select_related("employee__organization")
        .prefetch_related("employee__roles")
    }
    rows = []
    for username in usernames:
        user = users.get(username)
        if user is None:
            continue
        employee = getattr(user, "employee", None)
        if employee is not None:
            codes = {r.role for r in employee.roles.all()}
            planned = next(row[4] for row in d.STAFF if row[0] == username)
            ordered = [r for r in planned if r in codes] + sorted(codes - set(planned))
            labels = [str(Role(r).label) for r in ordered]
            org = employee.organization.short_name
        elif user.is_resident:
            labels, org = [str(Role.RESIDENT.label)], _resident_address(user)
        else:
            labels, org = ["Администратор системы"], "—"
        rows.append((", ".join(labels), username, d.DEMO_PASSWORD, org))
    return rows


def _resident_address(user):
    account = user.accounts.select_related("premises__building").first()
    if account is None:
        return "—"
    return f"{account.premises.building.short_address}, кв. {account.premises.number}"
