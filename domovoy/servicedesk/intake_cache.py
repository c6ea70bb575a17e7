"""Cached look-ups of intake (issue 10): the routing of a (building, topic) on a day (R3), the
classifier with the topics that are groups (R2), and the premises and buildings named (with
the building's territory, which a token's agreement may limit). All change seldom and are read
by every request filed.

Entries live in this process's memory for ``TTL`` seconds under a generation
(``core.process_cache``) that saves and deletes of anything they are made of (management
periods, service links, organisations and their kinds, topics; premises, buildings and
territories for the places) bump; other processes see a
change within a second, writes that send no signal after ``TTL``
at most (docs/decisions.md, issue 10)."""

from __future__ import annotations

from django.utils import timezone

from domovoy.core.process_cache import ProcessCache, copy_rows

TTL = 60  # seconds an entry lives
MAX_ENTRIES = 20_000  # (building, topic, day) routings kept per process

_cache = ProcessCache("servicedesk-intake", ttl=TTL, max_entries=MAX_ENTRIES)
_cached = _cache.get
# Premises and buildings by id: imports and edits of the address register reset only these.
_places = ProcessCache("servicedesk-places", ttl=TTL, max_entries=MAX_ENTRIES)


def routing(*, building, topic):
    """``services.route_request`` for today, from the cache. Errors are not cached."""
    from .services import route_request

    on = timezone.localdate()
    key = f"routing:{building.pk}:{topic.pk}:{on.isoformat()}"
    return _cached(key, lambda: route_request(building=building, topic=topic, on=on))


def topics() -> dict:
    """The classifier (R2): {id: Topic}, retired topics included (intake names them)."""
    from .models import Topic

    return _cached("topics", lambda: {t.pk: t for t in Topic.objects.all()})


def group_topic_ids() -> frozenset[int]:
    """Topics with active subtopics: a request goes to a leaf (R2)."""

    def compute():
        return frozenset(t.parent_id for t in topics().values() if t.is_active and t.parent_id)

    return _cached("group-topic-ids", compute)


def premises(pk: int):
    """The premises ``pk`` with its building and the building's territory (a copy for the
    caller), or None when there is none."""
    from domovoy.directory.models import Premises

    def compute():
        return Premises.objects.select_related("building__territory").filter(pk=pk).first()

    return copy_rows(_places.get(("premises", pk), compute))


def building(pk: int):
    """The building ``pk`` with its territory (a copy for the caller), or None."""
    from domovoy.directory.models import Building

    def compute():
        return Building.objects.select_related("territory").filter(pk=pk).first()

    return copy_rows(_places.get(("building", pk), compute))


def invalidate(**_kwargs) -> None:
    """Every entry made before now is stale (a signal receiver; also callable directly)."""
    _cache.invalidate()


def connect_signals() -> None:
    from domovoy.directory.models import (
        Building,
        ManagementPeriod,
        Organization,
        OrganizationKind,
        Premises,
        ServiceLink,
        Territory,
    )

    from .models import Topic

    _cache.connect(ManagementPeriod, ServiceLink, Organization, OrganizationKind, Topic)
    _places.connect(Premises, Building, Territory)
