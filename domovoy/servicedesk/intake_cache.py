"""Cached look-ups of intake (issue 10): the routing of a (building, topic) on a day (R3) and
the classifier with the topics that are groups (R2). Both change seldom and are read by every
request filed.

Entries live in this process's memory (no pickling of model rows per request) for ``TTL``
seconds and carry the generation they were made under. A save or delete of anything they are
made of (management periods, service links, organisations and their kinds, topics) bumps the
generation in the shared cache (Redis at scale) and here; other processes read the shared
generation at most every ``GENERATION_CHECK`` seconds, so they see a change within that time.
Writes that send no signal (``bulk_create``, ``QuerySet.update``) are seen after ``TTL`` at
most (docs/decisions.md, "Intake look-ups are cached")."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

TTL = 60  # seconds an entry lives
GENERATION_CHECK = 1.0  # seconds between two reads of the shared generation
MAX_ENTRIES = 20_000  # (building, topic, day) routings kept per process
GENERATION_KEY = "servicedesk:intake:generation"

_entries: dict[str, tuple] = {}  # key -> (generation, expires at, value)
_generation: list = [None, 0.0]  # the shared generation as last read, and when


def _current_generation():
    now = time.monotonic()
    if _generation[0] is None or now - _generation[1] >= GENERATION_CHECK:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            generation = time.time_ns()
            cache.set(GENERATION_KEY, generation, None)
        _generation[:] = [generation, now]
    return _generation[0]


def _cached(key: str, compute):
    """The value of ``key`` made under the current generation, else ``compute()`` kept."""
    generation = _current_generation()
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] == generation and entry[1] > now:
        return entry[2]
    value = compute()
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[key] = (generation, now + TTL, value)
    return value


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


def invalidate(**_kwargs) -> None:
    """Every entry made before now is stale (a signal receiver; also callable directly)."""
    generation = time.time_ns()
    cache.set(GENERATION_KEY, generation, None)
    _generation[:] = [generation, time.monotonic()]
    _entries.clear()


def connect_signals() -> None:
    from domovoy.directory.models import (
        ManagementPeriod,
        Organization,
        OrganizationKind,
        ServiceLink,
    )

    from .models import Topic

    for model in (ManagementPeriod, ServiceLink, Organization, OrganizationKind, Topic):
        for signal in (post_save, post_delete):
            signal.connect(invalidate, sender=model, dispatch_uid=f"intake-cache-{model.__name__}")
