"""Reads of outages for pages and the API: who sees what (O7), lists with filters, the card,
the public list (O6) and the durations for billing recalculation (O5). Constant query counts:
related rows are joined or prefetched."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from domovoy.directory import roles
from domovoy.directory.models import Account, Building, ManagementPeriod, ServiceLink
from domovoy.directory.selectors import buildings_matching_address

from .models import (
    Completion,
    FavouriteAddress,
    Outage,
    OutageBuilding,
    OutageRevision,
    OutageStatus,
)
from .zones import MAX_ZONE_LABELS

PUBLIC_STATUSES = (OutageStatus.PUBLISHED, OutageStatus.COMPLETED)
# An address typed on the public list matches at most this many buildings (a whole street).
SEARCH_BUILDINGS = 2000
LIST_RELATED = ("organization",)


def zone_exists(building_filter: Q):
    return Exists(OutageBuilding.objects.filter(building_filter, outage=OuterRef("pk")))


def outages_visible_to(user):
    """O7: the responsible organisation sees its own; a UO those on buildings it manages
    (suppliers' included); a supplier those on buildings it serves; control bodies and
    operators everything in their territory; everyone else (residents, the public) the
    published ones (not cancelled)."""
    qs = Outage.objects.all()
    if getattr(user, "is_superuser", False):
        return qs
    public = Q(status__in=PUBLIC_STATUSES)
    if not getattr(user, "is_authenticated", False):
        return qs.filter(public)
    if roles.is_territorial_reader(user):
        scope = roles.territory_scope(user)
        if scope is None:
            return qs
        return qs.filter(zone_exists(Q(building__territory__path__startswith=scope.path)))
    org = roles.organization_of(user) if roles.is_working_staff(user) else None
    if org is None:
        return qs.filter(public)  # residents, the media role: what the public sees
    today = timezone.localdate()
    managed = (
        ManagementPeriod.objects.active_on(today).filter(organization=org).values("building_id")
    )
    served_uos = ServiceLink.objects.active_on(today).filter(provider=org).values("uo_id")
    served = (
        ManagementPeriod.objects.active_on(today)
        .filter(organization_id__in=served_uos)
        .values("building_id")
    )
    return qs.filter(
        Q(organization=org)
        | zone_exists(Q(building_id__in=managed) | Q(building_id__in=served))
        | public
    )


def outage_list(
    *,
    user,
    resource=None,
    status=None,
    kind=None,
    building=None,
    organization=None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    period=None,
):
    """Filtered visible outages. ``date_from``/``date_to`` keep outages overlapping the period;
    ``period`` = "current" (started, not over) or "planned" (published, not started)."""
    qs = outages_visible_to(user).select_related(*LIST_RELATED)
    if resource:
        qs = qs.filter(resource=resource)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if organization:
        qs = qs.filter(organization_id=organization)
    if building:
        qs = qs.filter(zone_exists(Q(building_id=building)))
    qs = narrow(qs, date_from=date_from, date_to=date_to, period=period)
    return qs.order_by("-start", "-id")


def narrow(qs, *, date_from=None, date_to=None, period=None):
    """Keep outages overlapping [date_from, date_to] (local dates, inclusive); ``period`` =
    "current" (published, started) or "planned" (published, not started)."""
    tz = timezone.get_current_timezone()
    now = timezone.now()
    if date_from:
        since = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
        # A running outage lasts at least until now, whatever its planned end says.
        running = Q(status=OutageStatus.PUBLISHED, start__lte=now) if now > since else Q(pk=None)
        qs = qs.filter(
            Q(actual_end__gt=since)
            | Q(actual_end__isnull=True, planned_end__gt=since)
            | Q(actual_end__isnull=True, planned_end__isnull=True)
            | running
        )
    if date_to:
        until = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(start__lt=until)
    if period == "current":
        qs = qs.filter(status=OutageStatus.PUBLISHED, start__lte=now)
    elif period == "planned":
        qs = qs.filter(status=OutageStatus.PUBLISHED, start__gt=now)
    return qs


def outage_detail(*, user, pk):
    """The card: the outage with its zone and history, or None if the user may not see it."""
    return (
        outages_visible_to(user)
        .select_related("organization", "created_by")
        .prefetch_related(
            Prefetch(
                "zone",
                queryset=OutageBuilding.objects.select_related("building").order_by(
                    "building__street", "building__house_sort", "building__id"
                ),
            ),
            Prefetch(
                "revisions",
                queryset=OutageRevision.objects.select_related("actor", "actor_org").order_by(
                    "number"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def public_outages(*, resource=None, search=None, building=None):
    """Current and planned outages for the public list and map (O6)."""
    qs = Outage.objects.filter(status=OutageStatus.PUBLISHED).select_related("organization")
    if resource:
        qs = qs.filter(resource=resource)
    if building:
        qs = qs.filter(zone_exists(Q(building_id=building)))
    if search:
        # The one address search of the project (directory): «ул. Советская, д. 2», the form
        # the system prints, finds house 2 (issue 11, O6).
        ids = [b.pk for b in buildings_matching_address(search, limit=SEARCH_BUILDINGS)]
        if not ids:
            return qs.none()
        qs = qs.filter(zone_exists(Q(building_id__in=ids)))
    return qs.order_by("start", "id")


def zone_points(outage_ids, limit_per_outage=2000):
    """{outage id: [(building id, lat, lon, short address), ...]} in one query."""
    points = defaultdict(list)
    rows = (
        OutageBuilding.objects.filter(outage_id__in=list(outage_ids))
        .select_related("building")
        .only(
            "outage_id",
            "building__id",
            "building__latitude",
            "building__longitude",
            "building__street",
            "building__house",
            "building__block",
        )
        .order_by("outage_id", "building_id")
    )
    for row in rows:
        b = row.building
        if len(points[row.outage_id]) < limit_per_outage:
            points[row.outage_id].append((b.pk, b.latitude, b.longitude, b.short_address))
    return points


def favourites_of(*, user):
    return FavouriteAddress.objects.filter(user=user).select_related("building")


def homes_of(*, user) -> list[Building]:
    """The buildings of the user's active personal accounts (D3): their own home, whose outage
    notices they get without asking (``notify.recipient_ids``). «Мои адреса» shows them as «мой
    дом», not removable (issue 12): they follow the account, not a choice. One query."""
    if not getattr(user, "is_authenticated", False):
        return []
    ids = Account.objects.filter(residents=user, is_active=True).values("premises__building_id")
    return list(Building.objects.filter(pk__in=ids).order_by("street", "house", "block", "pk"))


@dataclass(frozen=True)
class MyAddress:
    """One line of «Мои адреса»: a home (by account) or a followed address (a favourite)."""

    building: Building
    is_home: bool
    favourite: FavouriteAddress | None = None

    @property
    def removable(self) -> bool:
        return self.favourite is not None


def my_addresses(*, user) -> list[MyAddress]:
    """«Мои адреса» (O6, M «Избранные адреса»): the homes first, then the followed addresses.
    A followed address that is also a home is listed once, as the home. Two queries."""
    homes = homes_of(user=user)
    home_ids = {b.pk for b in homes}
    rows = [MyAddress(building=b, is_home=True) for b in homes]
    for fav in favourites_of(user=user):
        if fav.building_id in home_ids:
            continue
        rows.append(MyAddress(building=fav.building, is_home=False, favourite=fav))
    return rows


def supplier_delay_stats(*, organization):
    """Delays of an organisation's outages (O1, O2): counts and worst minutes."""
    rows = Outage.objects.filter(organization=organization).values(
        "kind", "is_late", "publication_delay_minutes", "end_entry_delay_minutes", "end_entry_late"
    )
    stats = {
        "total": 0,
        "late_notice": 0,
        "late_publication": 0,
        "late_end_entry": 0,
        "max_publication_delay": None,
        "max_end_entry_delay": None,
    }
    for r in rows:
        stats["total"] += 1
        stats["late_notice"] += int(r["is_late"])
        pub = r["publication_delay_minutes"]
        if pub is not None:
            stats["late_publication"] += int(pub > 60)
            stats["max_publication_delay"] = max(stats["max_publication_delay"] or 0, pub)
        end = r["end_entry_delay_minutes"]
        if end is not None:
            stats["max_end_entry_delay"] = max(stats["max_end_entry_delay"] or 0, end)
        stats["late_end_entry"] += int(r["end_entry_late"])
    return stats


# --- Supplier delay statistics over a period (O2, issue 11) ---------------------------------


@dataclass
class SupplierStats:
    organization_id: int
    organization: str
    outages: int = 0
    late_notice: int = 0  # planned, published with less than the required advance (O1)
    late_publication: int = 0  # emergency, published later than 1 hour after the accident (O2)
    late_end_entry: int = 0  # the end or an estimate entered later than 1 hour (O1, O2)
    overdue_restorations: int = 0  # restored after the planned end, or flagged overdue (O1)
    mean_publication_delay: float | None = None  # minutes, emergency outages
    mean_end_entry_delay: float | None = None  # minutes, outages with an entered end
    mean_restoration_delay: float | None = None  # minutes past the planned end, overdue ones

    @property
    def late_published(self):
        return self.late_notice + self.late_publication


def _mean(values):
    return round(sum(values) / len(values), 1) if values else None


def supplier_statistics(*, user, date_from: dt.date, date_to: dt.date, now=None):
    """Per responsible organisation, the outages that started within [date_from, date_to]
    (local dates, inclusive): counts, late publications (less than the required advance for
    planned ones, over 1 hour after the accident for emergencies), late entries of the end,
    overdue restorations and the mean delays in minutes. Rows limited to what ``user`` may
    read: a control body its territory, an organisation its own (``outages.permissions
    .statistics_scope``). Two queries."""
    from .permissions import statistics_scope

    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = statistics_scope(user, outages_visible_to(user)).filter(start__gte=since, start__lt=until)
    rows = qs.values_list(
        "organization_id",
        "organization__short_name",
        "status",
        "is_late",
        "publication_delay_minutes",
        "end_entry_delay_minutes",
        "end_entry_late",
        "planned_end",
        "actual_end",
        "overdue_flagged_at",
    ).order_by()
    stats: dict[int, SupplierStats] = {}
    delays: dict[int, tuple[list, list, list]] = defaultdict(lambda: ([], [], []))
    for org_id, name, status, late, pub, entry, entry_late, planned, actual, flagged in rows:
        row = stats.setdefault(org_id, SupplierStats(organization_id=org_id, organization=name))
        pubs, entries, overruns = delays[org_id]
        row.outages += 1
        row.late_notice += int(bool(late))
        if pub is not None:
            pubs.append(pub)
            row.late_publication += int(pub > 60)
        if entry is not None:
            entries.append(entry)
        row.late_end_entry += int(bool(entry_late))
        overrun = None
        if planned is not None and status != OutageStatus.CANCELLED:
            end = actual or (now if status == OutageStatus.PUBLISHED else None)
            if end is not None and end > planned:
                overrun = (end - planned).total_seconds() / 60
        if overrun is not None or flagged is not None:
            row.overdue_restorations += 1
            overruns.append(overrun or 0)
    for org_id, row in stats.items():
        pubs, entries, overruns = delays[org_id]
        row.mean_publication_delay = _mean(pubs)
        row.mean_end_entry_delay = _mean(entries)
        row.mean_restoration_delay = _mean(overruns)
    return sorted(stats.values(), key=lambda r: (r.organization, r.organization_id))


# --- Durations for billing recalculation (O5) ------------------------------------------------


@dataclass
class DurationRow:
    building_id: int
    address: str
    resource: str
    resource_label: str
    seconds: int
    outages: list[int]
    account: str = ""
    premises: str = ""

    @property
    def hours(self):
        return round(self.seconds / 3600, 2)


def _merge(intervals):
    total = 0
    current_start = current_end = None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return int(total)


def outage_durations(
    *,
    user,
    date_from: dt.date,
    date_to: dt.date,
    resource=None,
    building=None,
    by_account=False,
    now=None,
):
    """Per building (or per premises/account) and resource: how long the resource was off
    within [date_from, date_to] (inclusive dates, local time). Outages are clipped to the
    period; overlapping outages of one resource in one building count once. A running outage
    counts until now (an automatic one until its planned end). Cancelled outages count
    nothing. Three queries."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    visible = (
        outages_visible_to(user).filter(status__in=PUBLIC_STATUSES, start__lt=until).values("pk")
    )
    links = OutageBuilding.objects.filter(outage_id__in=visible)
    if resource:
        links = links.filter(outage__resource=resource)
    if building:
        links = links.filter(building_id=building)
    rows = links.values_list(
        "building_id",
        "outage_id",
        "outage__resource",
        "outage__start",
        "outage__actual_end",
        "outage__status",
        "outage__planned_end",
        "outage__completion",
    )
    intervals = defaultdict(list)
    outage_ids = defaultdict(set)
    for building_id, outage_id, res, start, actual_end, status, planned_end, how in rows:
        if status == OutageStatus.COMPLETED:
            end = actual_end
        elif how == Completion.AUTO and planned_end is not None:
            end = min(planned_end, now)  # completes itself at the planned end (O4)
        else:
            end = now  # running until someone enters the actual end
        start, end = max(start, since), min(end, until)
        if end <= start:
            continue
        intervals[(building_id, res)].append((start, end))
        outage_ids[(building_id, res)].add(outage_id)
    if not intervals:
        return []
    from domovoy.directory.models import Resource

    labels = dict(Resource.choices)
    buildings = Building.objects.in_bulk({b for b, _r in intervals})
    result = []
    for (building_id, res), spans in intervals.items():
        b = buildings[building_id]
        result.append(
            DurationRow(
                building_id=building_id,
                address=b.address,
                resource=res,
                resource_label=str(labels[res]),
                seconds=_merge(spans),
                outages=sorted(outage_ids[(building_id, res)]),
            )
        )
    # Buildings in the registry's natural order (street, then «2» < «2а» < «11»).
    order = {pk: (b.settlement, b.street, b.house_sort, pk) for pk, b in buildings.items()}
    result.sort(key=lambda r: (order[r.building_id], r.resource))
    if not by_account:
        return result
    accounts = defaultdict(list)
    for number, premises, building_id in (
        Account.objects.filter(premises__building_id__in=list(buildings), is_active=True)
        .order_by("premises__building_id", "premises__number", "number")
        .values_list("number", "premises__number", "premises__building_id")
    ):
        accounts[building_id].append((number, premises))
    expanded = []
    for row in result:
        for number, premises in accounts.get(row.building_id, []):
            expanded.append(
                DurationRow(
                    building_id=row.building_id,
                    address=row.address,
                    resource=row.resource,
                    resource_label=row.resource_label,
                    seconds=row.seconds,
                    outages=row.outages,
                    account=number,
                    premises=premises,
                )
            )
    return expanded


def zone_labels(ids) -> list[list]:
    """[[id, short address, lat, lon], ...] of the chosen buildings, for the picker's chips and
    for fitting its map (one query)."""
    rows = Building.objects.filter(id__in=list(ids)[:MAX_ZONE_LABELS]).only(
        "id", "street", "house", "block", "latitude", "longitude"
    )
    return [[b.pk, b.short_address, b.latitude, b.longitude] for b in rows]


def settlements() -> list[str]:
    """The settlements of the registry, for the picker's «whole street» choice."""
    return list(
        Building.objects.order_by("settlement")
        .values_list("settlement", flat=True)
        .distinct()[:200]
    )


# The zone picker without map tiles (issue 12, item 8): the buildings of the publisher's network
# as points to draw around, and the address list of the drawn zone.
MAX_NETWORK_POINTS = 5000
MAX_ZONE_ADDRESSES = 500


def network_points(*, scope, limit: int = MAX_NETWORK_POINTS) -> dict:
    """The buildings of ``scope`` (``permissions.buildings_in_scope``: the buildings an
    organisation may cut for a network and resource) that have coordinates, as
    ``[id, lat, lon, short address]``, the first ``limit`` by address; ``count`` is all of them
    (with or without coordinates)."""
    rows = list(
        scope.filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("street", "house", "block", "id")
        .values_list("id", "latitude", "longitude", "street", "house", "block")[: limit + 1]
    )
    points = [
        [pk, lat, lon, f"{street}, {house}" + (f"к{block}" if block else "")]
        for pk, lat, lon, street, house, block in rows[:limit]
    ]
    return {"count": scope.count(), "points": points, "truncated": len(rows) > limit}


@dataclass
class ZoneAddresses:
    """The address list of a zone before publishing: ``count`` buildings, the first
    ``MAX_ZONE_ADDRESSES`` of them by address in ``buildings`` (``in_network`` False for one the
    publisher does not serve: publishing with it is refused), ``outside`` of all of them."""

    count: int
    buildings: list[dict]
    outside: int

    @property
    def more(self) -> int:
        return self.count - len(self.buildings)

    @property
    def points(self) -> list[list]:
        return [
            [b["latitude"], b["longitude"], b["short"]]
            for b in self.buildings
            if b["latitude"] is not None
        ]


def zone_addresses(ids, *, scope=None) -> ZoneAddresses:
    """The buildings ``ids`` (a resolved zone, ``zones.resolve_zone``) for the list; ``scope``
    marks those outside the publisher's network (None: nothing is marked)."""
    ids = list(ids)
    outside_ids: set[int] = set()
    if scope is not None and ids:
        inside = set(scope.filter(id__in=ids).values_list("id", flat=True))
        outside_ids = set(ids) - inside
    order = ("settlement", "street", "house", "block", "id")
    # The outside buildings first: they are what the publisher must fix before publishing.
    listed = list(Building.objects.filter(id__in=outside_ids).order_by(*order)[:MAX_ZONE_ADDRESSES])
    room = MAX_ZONE_ADDRESSES - len(listed)
    if room > 0:
        listed += list(
            Building.objects.filter(id__in=ids).exclude(id__in=outside_ids).order_by(*order)[:room]
        )
    return ZoneAddresses(
        count=len(ids),
        buildings=[
            {
                "id": b.pk,
                "address": b.address,
                "short": b.short_address,
                "latitude": b.latitude,
                "longitude": b.longitude,
                "in_network": b.pk not in outside_ids,
            }
            for b in listed
        ],
        outside=len(outside_ids),
    )
