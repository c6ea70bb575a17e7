"""Cached look-ups of intake (issue 10): the routing of a (building, topic) on a day (R3) and
the classifier with the topics that are groups (R2). Both change seldom and are read by every
request filed.

Each entry lives in the project cache (Redis at scale, else per process) for ``TTL`` seconds and
carries the generation it was made under; a save or delete of anything it is made of
(management periods, service links, organisations and their kinds, topics) bumps the
generation, so the next read recomputes. Writes that send no signal (``bulk_create``,
``QuerySet.update``) and, with the per-process cache, other processes see the change after
``TTL`` at most (docs/decisions.md, "Intake look-ups are cached")."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

TTL = 60  # seconds
GENERATION_KEY = "servicedesk:intake:generation"


def _generation(found: dict):
    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = time.time_ns()
        cache.set(GENERATION_KEY, generation, None)
    return generation


def _cached(key: str, compute):
    """The value of ``key`` made under the current generation, else ``compute()`` stored."""
    found = cache.get_many([GENERATION_KEY, key])
    generation = _generation(found)
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        return entry[1]
    value = compute()
    cache.set(key, (generation, value), TTL)
    return value


def routing(*, building, topic):
    """``services.route_request`` for today, from the cache. Errors are not cached."""
    from .services import route_request

    on = timezone.localdate()
    key = f"servicedesk:intake:routing:{building.pk}:{topic.pk}:{on.isoformat()}"
    return _cached(key, lambda: route_request(building=building, topic=topic, on=on))


def topics() -> dict:
    """The classifier (R2): {id: Topic}, retired topics included (intake names them)."""
    from .models import Topic

    return _cached("servicedesk:intake:topics", lambda: {t.pk: t for t in Topic.objects.all()})


def group_topic_ids() -> frozenset[int]:
    """Topics with active subtopics: a request goes to a leaf (R2)."""
    return frozenset(t.parent_id for t in topics().values() if t.is_active and t.parent_id)


def invalidate(**_kwargs) -> None:
    """Every entry made before now is stale (a signal receiver; also callable directly)."""
    cache.set(GENERATION_KEY, time.time_ns(), None)


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
