"""Reads of the directory used by pages, the API and other apps.

Lists here run a constant number of queries per page: related rows are joined
(``select_related``) or fetched in one extra query each (``prefetch_related``)."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import BooleanField, Case, Prefetch, Q, Value, When
from django.db.models.functions import Length
from django.utils import timezone

from domovoy.directory import roles

from . import houses, permissions
from .models import (
    Account,
    Building,
    Department,
    Employee,
    ManagementPeriod,
    Organization,
    OrgKind,
    Premises,
    ServiceLink,
    Territory,
)

# The map endpoint returns at most this many points for one bounding box.
MAP_POINT_LIMIT = 5000


def limit_to_viewer(qs, *, viewer, path_field):
    """Narrow ``qs`` to the directory territory of ``viewer`` (an integration token's
    agreement territory, ``permissions.directory_territory``); ``path_field`` is the lookup
    of the rows' ``Territory.path`` ("territory__path", "premises__building__territory__path").
    Rows without a territory fall outside a limited viewer. People are not narrowed here:
    their reads follow their roles."""
    territory = permissions.directory_territory(viewer) if viewer is not None else None
    if territory is None:
        return qs
    return qs.filter(**{f"{path_field}__startswith": territory.path})


def building_manager(*, building, on: dt.date | None = None):
    """The UO that manages ``building`` on date ``on`` (today by default), or None (D4)."""
    on = on or timezone.localdate()
    period = (
        ManagementPeriod.objects.active_on(on)
        .filter(building=building)
        .select_related("organization")
        .first()
    )
    return period.organization if period else None


def building_supplier(*, building, resource, on: dt.date | None = None):
    """The supplier of ``resource`` to ``building`` on ``on``: the RSO linked to its UO (D4)."""
    on = on or timezone.localdate()
    manager = building_manager(building=building, on=on)
    if manager is None:
        return None
    link = (
        ServiceLink.objects.active_on(on)
        .filter(uo=manager, resource=resource, provider__kinds__kind=OrgKind.RSO)
        .select_related("provider")
        .order_by("-start", "-id")
        .first()
    )
    return link.provider if link else None


def building_suppliers(*, building, on: dt.date | None = None):
    """{resource code: supplier or None} for every resource, in two queries (D4)."""
    on = on or timezone.localdate()
    manager = building_manager(building=building, on=on)
    found = {}
    if manager is not None:
        links = (
            ServiceLink.objects.active_on(on)
            .filter(uo=manager, provider__kinds__kind=OrgKind.RSO)
            .exclude(resource="")
            .select_related("provider")
            .order_by("start", "id")
        )
        for link in links:
            found[link.resource] = link.provider  # the latest start wins
    from .models import Resource

    return {code: found.get(code) for code in Resource.values}


def buildings_managed_by(*, organization, on: dt.date | None = None):
    on = on or timezone.localdate()
    return Building.objects.filter(
        management__in=ManagementPeriod.objects.active_on(on).filter(organization=organization)
    )


def _with_current_management(qs, on=None):
    on = on or timezone.localdate()
    return qs.prefetch_related(
        Prefetch(
            "management",
            queryset=ManagementPeriod.objects.active_on(on).select_related("organization"),
            to_attr="current_periods",
        )
    )


# Words of an address a person types that the registry's search text does not hold.
ADDRESS_NOISE = {"ул", "улица", "д", "дом", "пр"}
# A flat typed after the house ends the address («Гагарина 1 кв 5»).
FLAT_WORDS = {"кв", "квартира"}
# How many houses of the street are offered when the typed house is not on it.
STREET_HOUSES_SHOWN = 60


@dataclass(frozen=True)
class AddressLookup:
    """What a typed address found. ``house`` is the typed house number ("" when none was
    typed); then ``buildings`` are the buildings with exactly that number (never «1» for
    «10»), and when there are none ``house_missing`` is set and ``street_houses`` lists the
    houses of the typed street(s), in natural order, to choose from."""

    query: str
    street_words: tuple[str, ...] = ()
    house: str = ""
    buildings: list = field(default_factory=list)
    street_houses: list = field(default_factory=list)

    @property
    def house_missing(self) -> bool:
        return bool(self.house) and not self.buildings

    @property
    def street_found(self) -> bool:
        return bool(self.buildings or self.street_houses)


def split_address(query: str) -> tuple[list[str], str]:
    """(street words, house) of a typed address. The house is the first word after the street
    that starts with a digit when the words after it are house parts too («1», «1а», «1 к 2»,
    «1 корп 2»); «8 Марта 5» is the street «8 марта», house «5»."""
    words = []
    for word in re.split(r"[\s,.]+", (query or "").lower().replace("ё", "е")):
        if not word or word in ADDRESS_NOISE:
            continue
        if word in FLAT_WORDS:
            break
        words.append(word)
    for i in range(1, len(words)):
        if houses.looks_like_house(words[i]) and all(
            houses.is_house_part(w) for w in words[i + 1 :]
        ):
            return words[:i], " ".join(words[i:])
    return words, ""


def _street_filter(qs, words):
    for word in words:
        qs = qs.filter(search_text__contains=word)
    return qs


def address_lookup(query: str, *, limit: int = 10) -> AddressLookup:
    """The buildings of a typed address (the pickers of the call centre, the resident's new
    request, the outage zone, the call-centre search). A typed house matches exactly, by the
    natural key (``houses.house_sort_key``: «1» is not «10», «2к1» is «2 корп. 1»); street
    words match the registry's search text. Two queries at most."""
    street_words, house = split_address(query)
    if not street_words or sum(len(w) for w in street_words) + len(house) < 2:
        return AddressLookup(query=query)
    street_qs = _street_filter(Building.objects.all(), street_words)
    if not house:
        found = list(street_qs.order_by("street", "house_sort", "id")[:limit])
        return AddressLookup(query=query, street_words=tuple(street_words), buildings=found)
    key = houses.house_sort_key(house)
    found = list(street_qs.filter(house_sort=key).order_by("street", "house_sort", "id")[:limit])
    street_houses = []
    if not found:
        street_houses = list(street_qs.order_by("street", "house_sort", "id")[:STREET_HOUSES_SHOWN])
    return AddressLookup(
        query=query,
        street_words=tuple(street_words),
        house=house,
        buildings=found,
        street_houses=street_houses,
    )


def buildings_matching_address(query: str, *, limit: int = 10) -> list[Building]:
    """Buildings of a typed address: every street word in the registry's search text and, when
    a house is typed, exactly that house (``address_lookup``)."""
    return address_lookup(query, limit=limit).buildings


def building_list(
    *, street=None, search=None, territory=None, manager=None, with_manager=False, viewer=None
):
    """The building registry; filters are indexed (street, search_text, territory path).
    ``with_manager`` prefetches today's managing UO as ``building.current_periods``;
    ``viewer`` narrows it to what that user may see (``limit_to_viewer``)."""
    qs = Building.objects.select_related("territory").order_by("street", "house_sort", "id")
    qs = limit_to_viewer(qs, viewer=viewer, path_field="territory__path")
    if street:
        qs = qs.filter(street=street)
    if search:
        qs = qs.filter(search_text__contains=search.strip().lower())
    if territory is not None:
        qs = qs.filter(territory__path__startswith=territory.path)
    if manager is not None:
        qs = qs.filter(id__in=buildings_managed_by(organization=manager).values("id"))
    if with_manager:
        qs = _with_current_management(qs)
    return qs


STREETS_CACHE_KEY = "directory:streets"


def building_streets():
    """Distinct street names for the registry's street filter. A DISTINCT over every building
    costs tens of ms at 100,000 buildings, so the list is cached for a minute; building saves
    and bulk loads drop it at once (``Building.save``, ``forget_building_streets``) in their
    process, and everywhere when the cache is Redis."""
    return cache.get_or_set(
        STREETS_CACHE_KEY,
        lambda: list(
            Building.objects.order_by("street").values_list("street", flat=True).distinct()
        ),
        timeout=60,
    )


def forget_building_streets():
    cache.delete(STREETS_CACHE_KEY)


def uo_list():
    return Organization.objects.filter(kinds__kind=OrgKind.UO).order_by("short_name", "id")


def territory_list():
    return Territory.objects.order_by("path")


def building_map_points(*, queryset, bbox=None, limit=None):
    """Up to ``limit`` (id, lat, lon, address) rows of ``queryset`` with coordinates inside
    ``bbox`` = (min_lon, min_lat, max_lon, max_lat); returns (rows, truncated)."""
    limit = limit or MAP_POINT_LIMIT
    qs = queryset.filter(latitude__isnull=False, longitude__isnull=False)
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        qs = qs.filter(
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lon,
            longitude__lte=max_lon,
        )
    rows = list(
        qs.order_by("id").values(
            "id", "latitude", "longitude", "settlement", "street", "house", "block"
        )[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


def building_detail(*, pk):
    return Building.objects.select_related("territory").get(pk=pk)


def management_history(*, building):
    return (
        ManagementPeriod.objects.filter(building=building)
        .select_related("organization")
        .order_by("-start", "-id")
    )


def premises_list(*, viewer=None):
    qs = Premises.objects.order_by("building_id", "id")
    return limit_to_viewer(qs, viewer=viewer, path_field="building__territory__path")


def management_period_list(*, viewer=None):
    qs = ManagementPeriod.objects.select_related("organization").order_by(
        "building_id", "start", "id"
    )
    return limit_to_viewer(qs, viewer=viewer, path_field="building__territory__path")


def service_link_list(*, viewer=None):
    """Links, narrowed for a limited viewer by the served UO's territory."""
    qs = ServiceLink.objects.order_by("uo_id", "resource", "start", "id")
    return limit_to_viewer(qs, viewer=viewer, path_field="uo__territory__path")


def premises_of_building(*, building):
    """Premises in natural number order ("2" before "10"), accounts prefetched."""
    return (
        Premises.objects.filter(building=building)
        .order_by(Length("number"), "number", "id")
        .prefetch_related(Prefetch("accounts", queryset=Account.objects.order_by("number")))
    )


# --- Organisations and staff


def organization_visible(*, viewer):
    """Organisations whose card (or short info) ``viewer`` may open: all of them, or those
    of a limited integration's territory."""
    qs = (
        Organization.objects.select_related("territory")
        .prefetch_related("kinds")
        .order_by("short_name", "id")
    )
    return limit_to_viewer(qs, viewer=viewer, path_field="territory__path")


def organization_list(*, user, search=None, kind=None):
    """Organisations a user lists: operators and control bodies see those of their
    territory (and below, C11); other staff see every organisation's public short info;
    integrations those of their agreement's territory."""
    qs = organization_visible(viewer=user)
    if roles.is_territorial_reader(user):
        scope = roles.territory_scope(user)
        if scope is not None:
            qs = qs.filter(territory__path__startswith=scope.path)
    if search:
        term = search.strip()
        qs = qs.filter(
            Q(short_name__icontains=term) | Q(full_name__icontains=term) | Q(inn__startswith=term)
        )
    if kind:
        qs = qs.filter(kinds__kind=kind)
    return qs


def organization_detail(*, pk):
    return Organization.objects.select_related("territory").prefetch_related("kinds").get(pk=pk)


def department_list(*, organization=None, viewer=None):
    qs = Department.objects.select_related("organization").order_by("organization_id", "name")
    qs = limit_to_viewer(qs, viewer=viewer, path_field="organization__territory__path")
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs


def employee_list(*, organization=None, include_inactive=False, viewer=None):
    qs = (
        Employee.objects.select_related(
            "user", "department", "organization", "organization__territory"
        )
        .prefetch_related("roles")
        .order_by("user__last_name", "user__first_name", "id")
    )
    qs = limit_to_viewer(qs, viewer=viewer, path_field="organization__territory__path")
    if organization is not None:
        qs = qs.filter(organization=organization)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs


def service_links_of(*, organization):
    """Links where the organisation is the served UO or the provider."""
    return (
        ServiceLink.objects.filter(Q(uo=organization) | Q(provider=organization))
        .select_related("uo", "provider")
        .order_by("-start", "id")
    )


# --- Personal data (S5)


def people_access(user):
    """Which buildings' people (owners' names) ``user`` may read: ("all", None),
    ("none", None) or ("some", Q over Building) — the same rule as
    ``directory.view_building_people``, as a filter so lists need no query per row. An
    integration token reads the people of the buildings its agreement's organisation
    manages today (it is party to them), and only with the "directory:read" scope."""
    if getattr(user, "is_superuser", False):
        return "all", None
    conditions = []
    if roles.is_people_reader(user):
        scope = roles.territory_scope(user)
        if scope is None:
            return "all", None
        conditions.append(Q(territory__path__startswith=scope.path))
    org = roles.organization_of(user) if roles.is_working_staff(user) else None
    if org is None and permissions.integration_reads_directory(user):
        org = permissions.acting_organization(user)
    if org is not None:
        today = timezone.localdate()
        managed = ManagementPeriod.objects.active_on(today).filter(organization=org)
        conditions.append(Q(pk__in=managed.values("building_id")))
    if not conditions:
        return "none", None
    q = conditions[0]
    for extra in conditions[1:]:
        q |= extra
    return "some", q


def _prefixed(q, prefix):
    """Re-root a Q over Building at ``prefix`` (e.g. "premises__building__")."""
    children = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        else:
            key, value = child
            children.append((prefix + key, value))
    clone = Q()
    clone.connector, clone.negated, clone.children = q.connector, q.negated, children
    return clone


def account_list(*, user, building=None, premises=None, number=None):
    """Accounts with ``people_visible`` telling whether ``user`` may read the owner's name;
    narrowed to a limited integration's territory (``limit_to_viewer``)."""
    qs = Account.objects.select_related("premises", "premises__building").order_by(
        "premises__building_id", "number", "id"
    )
    qs = limit_to_viewer(qs, viewer=user, path_field="premises__building__territory__path")
    if building is not None:
        qs = qs.filter(premises__building=building)
    if premises is not None:
        qs = qs.filter(premises=premises)
    if number:
        qs = qs.filter(number=number)
    mode, q = people_access(user)
    if mode == "all":
        flag = Value(True)
    elif mode == "none":
        flag = Value(False)
    else:
        flag = Case(
            When(_prefixed(q, "premises__building__"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    return qs.annotate(people_visible=flag)
