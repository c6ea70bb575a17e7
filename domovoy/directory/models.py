"""The city's directory: territories, organisations (D1), staff and roles (D2),
buildings, premises and accounts (D3), the management registry (D4)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from domovoy.core.bounds import column_validators
from domovoy.core.models import TimeStampedModel
from domovoy.core.periods import PeriodQuerySet
from domovoy.core.private_files import PrivateFileField

from .houses import house_sort_key


class OrgKind(models.TextChoices):
    UO = "uo", _("Управляющая организация")
    RSO = "rso", _("Ресурсоснабжающая организация")
    CONTRACTOR = "contractor", _("Подрядная / специализированная организация")
    CALL_CENTRE = "call_centre", _("Call-центр (ЦОЗ / ЕДДС)")
    CONTROL = "control", _("Контрольный орган")
    FUNCTIONAL_OPERATOR = "functional_operator", _("Функциональный оператор")
    TECHNICAL_OPERATOR = "technical_operator", _("Технический оператор")


class Role(models.TextChoices):
    RESIDENT = "resident", _("Житель")
    MEDIA = "media", _("СМИ / общественная организация")
    CALL_OPERATOR = "call_operator", _("Оператор call-центра")
    UO_DISPATCHER = "uo_dispatcher", _("Диспетчер УО")
    UO_ENGINEER = "uo_engineer", _("Инженер УО")
    SUPPLIER_DISPATCHER = "supplier_dispatcher", _("Диспетчер РСО / подрядчика")
    CONTROLLER = "controller", _("Контролёр")
    CC_SPECIALIST = "cc_specialist", _("Специалист ЦУР")
    CC_HEAD = "cc_head", _("Руководитель ЦУР")
    SUPERVISOR = "supervisor", _("Курирующее должностное лицо")
    FUNCTIONAL_OPERATOR = "functional_operator", _("Функциональный оператор")
    TECHNICAL_OPERATOR = "technical_operator", _("Технический оператор")
    ORG_ADMIN = "org_admin", _("Администратор организации")


# Roles an organisation may give its staff, by the organisation's kinds: a management
# company cannot make its employee an operator or a controller (S2).
ROLES_BY_KIND = {
    OrgKind.UO: {Role.UO_DISPATCHER, Role.UO_ENGINEER, Role.ORG_ADMIN},
    OrgKind.RSO: {Role.SUPPLIER_DISPATCHER, Role.ORG_ADMIN},
    OrgKind.CONTRACTOR: {Role.SUPPLIER_DISPATCHER, Role.ORG_ADMIN},
    OrgKind.CALL_CENTRE: {Role.CALL_OPERATOR, Role.ORG_ADMIN},
    OrgKind.CONTROL: {
        Role.CONTROLLER,
        Role.CC_SPECIALIST,
        Role.CC_HEAD,
        Role.SUPERVISOR,
        Role.MEDIA,
        Role.ORG_ADMIN,
    },
    OrgKind.FUNCTIONAL_OPERATOR: {Role.FUNCTIONAL_OPERATOR, Role.ORG_ADMIN},
    OrgKind.TECHNICAL_OPERATOR: {Role.TECHNICAL_OPERATOR, Role.ORG_ADMIN},
}


def roles_allowed_for(kinds):
    allowed = set()
    for kind in kinds:
        allowed |= ROLES_BY_KIND.get(kind, set())
    return allowed


class Resource(models.TextChoices):
    COLD_WATER = "cold_water", _("Холодная вода")
    HOT_WATER = "hot_water", _("Горячая вода")
    HEATING = "heating", _("Отопление")
    ELECTRICITY = "electricity", _("Электроэнергия")
    GAS = "gas", _("Газ")
    SEWERAGE = "sewerage", _("Водоотведение")


class Territory(models.Model):
    """Region → municipality → district (C11). ``path`` is a materialised path of ids
    ("/1/4/9/") so that "this territory and everything below" is one indexed prefix filter."""

    class Level(models.TextChoices):
        REGION = "region", _("Регион")
        MUNICIPALITY = "municipality", _("Муниципальное образование")
        DISTRICT = "district", _("Район")

    name = models.CharField(_("название"), max_length=200)
    level = models.CharField(_("уровень"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Indexed: scope checks filter buildings and organisations by path prefix.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("территория")
        verbose_name_plural = _("территории")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent else "/") + f"{self.pk}/"
        if path != self.path:
            self.path = path
            Territory.objects.filter(pk=self.pk).update(path=path)


class Organization(TimeStampedModel):
    """Any participant with its partner card («Карта партнёра», D1)."""

    class LegalForm(models.TextChoices):
        LEGAL = "legal", _("Юридическое лицо")
        IP = "ip", _("Индивидуальный предприниматель")
        INDIVIDUAL = "individual", _("Физическое лицо")

    legal_form = models.CharField(
        _("правовая форма"), max_length=12, choices=LegalForm.choices, default=LegalForm.LEGAL
    )
    full_name = models.CharField(_("полное наименование"), max_length=500)
    short_name = models.CharField(_("краткое наименование"), max_length=200)
    head_name = models.CharField(_("ФИО руководителя"), max_length=200)
    postal_address = models.CharField(_("почтовый адрес"), max_length=500)
    actual_address = models.CharField(_("фактический адрес"), max_length=500)
    head_phone = models.CharField(_("телефон руководителя"), max_length=20)
    dispatcher_phone = models.CharField(_("телефон диспетчерской"), max_length=20)
    email = models.EmailField(_("e-mail"))
    ogrn = models.CharField(_("ОГРН / ОГРНИП"), max_length=15)
    registration_date = models.DateField(_("дата регистрации"))
    inn = models.CharField(_("ИНН"), max_length=12, unique=True)
    kpp = models.CharField(_("КПП"), max_length=9, blank=True)
    bank_name = models.CharField(_("банк"), max_length=300)
    bik = models.CharField(_("БИК"), max_length=9)
    settlement_account = models.CharField(_("расчётный счёт"), max_length=20)
    correspondent_account = models.CharField(_("корреспондентский счёт"), max_length=20)
    okved = models.CharField(_("ОКВЭД"), max_length=20, blank=True)
    okpo = models.CharField(_("ОКПО"), max_length=10, blank=True)
    okopf = models.CharField(_("ОКОПФ"), max_length=5, blank=True)
    okfs = models.CharField(_("ОКФС"), max_length=2, blank=True)
    okogu = models.CharField(_("ОКОГУ"), max_length=7, blank=True)
    oktmo = models.CharField(_("ОКТМО"), max_length=11, blank=True)
    working_hours = models.CharField(_("время работы"), max_length=200)
    chief_accountant_name = models.CharField(
        _("ФИО главного бухгалтера"), max_length=200, blank=True
    )
    chief_accountant_phone = models.CharField(
        _("телефон главного бухгалтера"), max_length=20, blank=True
    )
    chief_engineer_name = models.CharField(_("ФИО главного инженера"), max_length=200, blank=True)
    chief_engineer_phone = models.CharField(
        _("телефон главного инженера"), max_length=20, blank=True
    )
    # Licence to manage apartment buildings: required to connect a UO (G app. 2).
    license_number = models.CharField(
        _("номер лицензии на управление МКД"), max_length=50, blank=True
    )
    license_date = models.DateField(_("дата лицензии"), null=True, blank=True)
    license_issuer = models.CharField(_("орган, выдавший лицензию"), max_length=300, blank=True)
    # Private (S5): a random name in private storage, served by ``directory:license_scan``.
    license_scan = PrivateFileField(_("скан лицензии"), prefix="licenses", blank=True)
    license_scan_name = models.CharField(_("имя файла"), max_length=255, blank=True)
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("территория"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    is_active = models.BooleanField(_("подключена"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["short_name"]

    def __str__(self):
        return self.short_name

    @property
    def kind_codes(self):
        return {k.kind for k in self.kinds.all()}

    def has_kind(self, kind):
        return kind in self.kind_codes


class OrganizationKind(models.Model):
    """An organisation holds one or more kinds (D2: ЕДДС is call centre and technical operator)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="kinds")
    kind = models.CharField(max_length=20, choices=OrgKind.choices, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], name="uniq_org_kind")
        ]

    def __str__(self):
        return self.get_kind_display()


class Department(TimeStampedModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField(_("название"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("подразделение")
        verbose_name_plural = _("подразделения")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="uniq_department_name")
        ]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who logs in: a resident or an employee (who then has an ``Employee`` row)."""

    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    phone = models.CharField(_("телефон"), max_length=20, blank=True)
    must_change_password = models.BooleanField(default=False)
    is_resident = models.BooleanField(_("житель"), default=False)

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")

    @property
    def full_name(self):
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    def __str__(self):
        return self.full_name or self.username


class Employee(TimeStampedModel):
    """An organisation's staff member (D2). One login, one organisation, several roles."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="employee")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="employees"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="employees"
    )
    position = models.CharField(_("должность"), max_length=200)
    is_active = models.BooleanField(_("активен"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("сотрудник")
        verbose_name_plural = _("сотрудники")
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return f"{self.user.full_name} ({self.position})"

    @property
    def role_codes(self):
        return {r.role for r in self.roles.all()}


class EmployeeRole(models.Model):
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=30, choices=Role.choices, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee", "role"], name="uniq_employee_role")
        ]

    def __str__(self):
        return self.get_role_display()


class BuildingManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        """The loader, the demo and the benchmarks insert buildings in bulk, which skips
        ``save``: the derived address columns are filled here too."""
        objs = list(objs)
        for obj in objs:
            obj.fill_derived()
        return super().bulk_create(objs, *args, **kwargs)


class Building(TimeStampedModel):
    """An apartment building (МКД) with its address parts and coordinates (D3)."""

    settlement = models.CharField(_("населённый пункт"), max_length=200)
    city_district = models.CharField(_("район города"), max_length=200, blank=True)
    street = models.CharField(_("улица"), max_length=200)
    house = models.CharField(_("дом"), max_length=20)
    block = models.CharField(_("корпус"), max_length=20, blank=True)
    postal_code = models.CharField(_("индекс"), max_length=6, blank=True)
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("территория"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    latitude = models.FloatField(_("широта"), null=True, blank=True)
    longitude = models.FloatField(_("долгота"), null=True, blank=True)
    # Bounded by the column whatever the database (core.bounds, S7).
    entrances = models.PositiveSmallIntegerField(
        _("подъездов"), default=1, validators=column_validators("PositiveSmallIntegerField", low=1)
    )
    floors = models.PositiveSmallIntegerField(
        _("этажей"), default=1, validators=column_validators("PositiveSmallIntegerField", low=1)
    )
    year_built = models.PositiveSmallIntegerField(
        _("год постройки"),
        null=True,
        blank=True,
        validators=column_validators("PositiveSmallIntegerField", low=1700, high=2100),
    )
    # Lower-case "street house block" for address search (LIKE on SQLite, pg_trgm on PG).
    search_text = models.CharField(max_length=300, editable=False, db_index=True, default="")
    # The natural sort key of house and block (``houses.house_sort_key``): «2» < «2а» < «11».
    # Every ordering of buildings is (street, house_sort); also the exact match of a typed house.
    house_sort = models.CharField(max_length=100, editable=False, db_index=True, default="")
    history = HistoricalRecords()

    objects = BuildingManager()

    class Meta:
        verbose_name = _("дом")
        verbose_name_plural = _("дома")
        ordering = ["street", "house_sort", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["settlement", "street", "house", "block"], name="uniq_building_address"
            )
        ]
        indexes = [
            # The building list filters by street and orders by the natural house key; the
            # address lookup matches (street words, house_sort): one index for both.
            models.Index(fields=["street", "house_sort"], name="building_street_house_idx"),
        ]

    def __str__(self):
        return self.address

    @property
    def address(self):
        text = f"{self.settlement}, {self.street}, д. {self.house}"
        return text + (f", корп. {self.block}" if self.block else "")

    @property
    def short_address(self):
        return f"{self.street}, {self.house}" + (f"к{self.block}" if self.block else "")

    def fill_derived(self):
        """The columns computed from the address parts (search text, natural house key)."""
        self.search_text = self.compose_search_text(self.street, self.house, self.block)
        self.house_sort = house_sort_key(self.house, self.block)

    def save(self, *args, **kwargs):
        self.fill_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"street", "house", "block"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text", "house_sort"}
        super().save(*args, **kwargs)
        from .selectors import forget_building_streets

        forget_building_streets()

    @staticmethod
    def compose_search_text(street, house, block):
        return f"{street} {house} {block}".strip().lower()


class Premises(models.Model):
    class Kind(models.TextChoices):
        FLAT = "flat", _("Квартира")
        NON_RESIDENTIAL = "non_residential", _("Нежилое помещение")

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="premises")
    number = models.CharField(_("номер"), max_length=20)
    kind = models.CharField(_("тип"), max_length=20, choices=Kind.choices, default=Kind.FLAT)
    entrance = models.PositiveSmallIntegerField(
        _("подъезд"),
        null=True,
        blank=True,
        validators=column_validators("PositiveSmallIntegerField", low=1),
    )
    floor = models.SmallIntegerField(
        _("этаж"), null=True, blank=True, validators=column_validators("SmallIntegerField")
    )
    area = models.DecimalField(
        _("площадь, м²"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("помещение")
        verbose_name_plural = _("помещения")
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="uniq_premises_number")
        ]

    def __str__(self):
        return f"{self.building.short_address}, кв. {self.number}"


class Account(models.Model):
    """A personal account (лицевой счёт) of a premises; owner names are personal data (S5)."""

    premises = models.ForeignKey(Premises, on_delete=models.CASCADE, related_name="accounts")
    number = models.CharField(_("лицевой счёт"), max_length=30, unique=True)
    owner_last_name = models.CharField(_("фамилия"), max_length=100, blank=True)
    owner_first_name = models.CharField(_("имя"), max_length=100, blank=True)
    owner_middle_name = models.CharField(_("отчество"), max_length=100, blank=True)
    # An owner that is an organisation (D5): its name and INN (check digits validated).
    owner_organization = models.CharField(_("организация-собственник"), max_length=300, blank=True)
    owner_inn = models.CharField(_("ИНН собственника"), max_length=12, blank=True)
    residents = models.ManyToManyField(User, blank=True, related_name="accounts")
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("лицевой счёт")
        verbose_name_plural = _("лицевые счета")

    def __str__(self):
        return self.number

    @property
    def owner_name(self):
        return " ".join(
            p for p in (self.owner_last_name, self.owner_first_name, self.owner_middle_name) if p
        )


class ManagementPeriod(TimeStampedModel):
    """Registry of management (реестр управления МКД, D4): who manages a building when.
    ``end`` is inclusive; an open period has no end. Periods of one building never overlap
    (checked under a lock on the building in ``services.management_period_create``)."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="management")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="managed_periods"
    )
    start = models.DateField(_("начало управления"))
    end = models.DateField(_("окончание управления"), null=True, blank=True)
    basis = models.CharField(_("основание"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("период управления")
        verbose_name_plural = _("реестр управления")
        ordering = ["building", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="management_end_after_start",
            )
        ]
        indexes = [
            # "Who manages B on T" and "which buildings does UO manage": both by these keys.
            models.Index(fields=["building", "start"], name="mgmt_building_start_idx"),
            models.Index(fields=["organization", "start"], name="mgmt_org_start_idx"),
        ]

    def __str__(self):
        return _("%(building)s — %(organization)s с %(start)s") % {
            "building": self.building,
            "organization": self.organization,
            "start": self.start,
        }


class ServiceLink(TimeStampedModel):
    """A supplier or contractor serving a UO (U/G app. 2 lists), for a resource or generally."""

    uo = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="service_links")
    provider = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="served_links"
    )
    resource = models.CharField(
        _("ресурс"),
        max_length=20,
        choices=Resource.choices,
        blank=True,
        help_text=_("пусто — подрядчик по всем работам"),
    )
    start = models.DateField(_("с"))
    end = models.DateField(_("по"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("обслуживающая организация")
        verbose_name_plural = _("обслуживающие организации")
        indexes = [models.Index(fields=["uo", "resource"], name="servicelink_uo_resource_idx")]

    def __str__(self):
        return _("%(provider)s → %(uo)s (%(resource)s)") % {
            "provider": self.provider,
            "uo": self.uo,
            "resource": self.get_resource_display() or _("работы"),
        }
