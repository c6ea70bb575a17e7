"""Reads of the Open311 endpoints (S6): the classifier's leaves as services, the requests the
public may read, their public comments, and the building of an address or a point."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Max, Min, Q, QuerySet

from domovoy.directory.models import Building
from domovoy.directory.selectors import buildings_matching_address
from domovoy.servicedesk.models import Comment, ServiceRequest, Topic
from domovoy.servicedesk.workflow import Status

# GeoReport v2 status of our statuses: «closed» once the executor has finished (done, awaiting
# the resident's word) or the request is final; everything else is «open».
CLOSED_STATUSES = frozenset({Status.DONE, Status.CLOSED, Status.REJECTED, Status.WITHDRAWN})
OPEN_STATUSES = frozenset(Status) - CLOSED_STATUSES


def open311_status(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


def statuses_of(open311: str) -> frozenset:
    return CLOSED_STATUSES if open311 == "closed" else OPEN_STATUSES


# --- Services ------------------------------------------------------------------------------


def services() -> list[Topic]:
    """The topics a request may be filed on: active leaves of the classifier, tree order."""
    parents = Topic.objects.filter(parent__isnull=False).values("parent_id")
    return list(
        Topic.objects.filter(is_active=True)
        .exclude(pk__in=parents)
        .select_related("parent")
        .order_by("parent__order", "parent__name", "order", "name")
    )


def service(code: str) -> Topic | None:
    """An active leaf topic by its code (the service_code)."""
    for topic in services():
        if topic.code == code:
            return topic
    return None


def existing_codes(codes) -> set[str]:
    """Which of ``codes`` are topics at all (retired ones too: their requests stay readable)."""
    return set(Topic.objects.filter(code__in=list(codes)).values_list("code", flat=True))


# --- Requests ------------------------------------------------------------------------------


def public_requests() -> QuerySet[ServiceRequest]:
    """Requests the public may read: not deleted by their author and not held for their
    language (those wait for the moderator, R10)."""
    return (
        ServiceRequest.objects.filter(is_deleted=False, has_obscene=False)
        .select_related("topic", "building", "premises", "author", "executor_org")
        .order_by("-created_at", "-id")
    )


def public_updates(*, request_ids, start=None, end=None) -> QuerySet[Comment]:
    """Public comments of the requests (internal notes never), oldest first."""
    qs = Comment.objects.filter(request_id__in=request_ids, is_public=True)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    return qs.select_related("request__premises", "request__author").order_by("created_at", "id")


# --- Where -----------------------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_000
# A point matches the nearest building within this distance (docs/decisions.md, Open311).
MATCH_METRES = 100


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass
class PointMatch:
    building: Building | None
    in_city: bool
    distance: float | None = None


def _degrees(metres: float, lat: float) -> tuple[float, float]:
    dlat = metres / 111_320
    dlon = metres / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return dlat, dlon


def building_at(lat: float, lon: float) -> PointMatch:
    """The nearest building within ``MATCH_METRES`` of the point; ``in_city`` says
    whether the point lies within the registry's buildings (their bounding box widened by the
    same tolerance) at all."""
    tolerance = MATCH_METRES
    box = Building.objects.filter(latitude__isnull=False, longitude__isnull=False).aggregate(
        lat_min=Min("latitude"),
        lat_max=Max("latitude"),
        lon_min=Min("longitude"),
        lon_max=Max("longitude"),
    )
    if box["lat_min"] is None:
        return PointMatch(None, in_city=False)
    dlat, dlon = _degrees(tolerance, lat)
    in_city = (
        box["lat_min"] - dlat <= lat <= box["lat_max"] + dlat
        and box["lon_min"] - dlon <= lon <= box["lon_max"] + dlon
    )
    if not in_city:
        return PointMatch(None, in_city=False)
    near = Building.objects.filter(
        Q(latitude__range=(lat - dlat, lat + dlat)) & Q(longitude__range=(lon - dlon, lon + dlon))
    ).select_related("territory")
    best, best_d = None, None
    for b in near:
        d = distance_m(lat, lon, b.latitude, b.longitude)
        if d <= tolerance and (best_d is None or d < best_d or (d == best_d and b.pk < best.pk)):
            best, best_d = b, d
    return PointMatch(best, in_city=True, distance=best_d)


def buildings_of_address(text: str) -> list[Building]:
    """The buildings of a typed address (the registry's address lookup); two or more mean the
    address is ambiguous."""
    return buildings_matching_address(text, limit=2)


def building_by_id(pk) -> Building | None:
    return Building.objects.select_related("territory").filter(pk=pk).first()
