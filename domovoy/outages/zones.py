"""Choosing the buildings of an outage zone (O1): one by one, by street, or by a polygon drawn
on the map. The polygon test runs in Python (shapely, no PostGIS, works on SQLite) after a
bounding-box prefilter in SQL on the indexed-by-value coordinates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.utils.translation import gettext as _

from domovoy.core.errors import ApplicationError
from domovoy.directory.models import Building

MAX_POLYGON_VERTICES = 500

# At most this many buildings are labelled in the picker (chips and map fitting).
MAX_ZONE_LABELS = 2000


@dataclass(frozen=True)
class ZoneSpec:
    """What the publisher chose; the zone is the union of the three ways."""

    building_ids: tuple[int, ...] = ()
    streets: tuple[tuple[str, str], ...] = ()  # (settlement, street)
    polygon: tuple[tuple[float, float], ...] = field(default=())  # [(lat, lon), ...]

    @property
    def is_empty(self):
        return not (self.building_ids or self.streets or self.polygon)


def zone_spec(
    *,
    building_ids: Iterable[int] = (),
    streets: Iterable[Sequence[str]] = (),
    polygon: Iterable[Sequence[float]] = (),
) -> ZoneSpec:
    """Validate raw input into a ZoneSpec (clear errors naming the bad part)."""
    try:
        ids = tuple(sorted({int(i) for i in building_ids}))
    except (TypeError, ValueError):
        raise ApplicationError(
            _("Дома зоны указаны неверно: нужны номера домов."),
            code="invalid_zone",
            fields={"building_ids": [_("Нужен список целых чисел.")]},
        ) from None
    pairs = []
    for item in streets:
        if not isinstance(item, (list, tuple)) or len(item) != 2 or not all(item):
            raise ApplicationError(
                _("Улица зоны указана неверно: нужны населённый пункт и улица."),
                code="invalid_zone",
                fields={"streets": [_("Нужны пары [населённый пункт, улица].")]},
            )
        pairs.append((str(item[0]).strip(), str(item[1]).strip()))
    points = []
    for item in polygon:
        try:
            lat, lon = float(item[0]), float(item[1])
        except (TypeError, ValueError, IndexError):
            raise ApplicationError(
                _("Многоугольник зоны задан неверно: нужны пары [широта, долгота]."),
                code="invalid_zone",
                fields={"polygon": [_("Нужны пары [широта, долгота].")]},
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ApplicationError(
                _("Точка многоугольника вне допустимых координат: %(lat)s, %(lon)s.")
                % {"lat": lat, "lon": lon},
                code="invalid_zone",
                fields={"polygon": [_("Широта от −90 до 90, долгота от −180 до 180.")]},
            )
        points.append((lat, lon))
    if points and not (3 <= len(points) <= MAX_POLYGON_VERTICES):
        raise ApplicationError(
            _("Многоугольник зоны должен иметь от 3 до %(n)s вершин.")
            % {"n": MAX_POLYGON_VERTICES},
            code="invalid_zone",
            fields={"polygon": [_("Неверное число вершин.")]},
        )
    return ZoneSpec(building_ids=ids, streets=tuple(sorted(set(pairs))), polygon=tuple(points))


def buildings_in_polygon(polygon: Sequence[tuple[float, float]], queryset=None) -> list[int]:
    """Ids of buildings inside the polygon (boundary included): SQL bounding box, then shapely."""
    lats = [p[0] for p in polygon]
    lons = [p[1] for p in polygon]
    qs = queryset if queryset is not None else Building.objects.all()
    rows = list(
        qs.filter(
            latitude__gte=min(lats),
            latitude__lte=max(lats),
            longitude__gte=min(lons),
            longitude__lte=max(lons),
        ).values_list("id", "longitude", "latitude")
    )
    if not rows:
        return []
    shape = shapely.Polygon([(lon, lat) for lat, lon in polygon])
    if not shape.is_valid:
        shape = shape.buffer(0)  # a self-crossing drawing: take the area it encloses
    ids = np.array([r[0] for r in rows])
    xs = np.array([r[1] for r in rows], dtype=float)
    ys = np.array([r[2] for r in rows], dtype=float)
    shapely.prepare(shape)
    inside = shapely.intersects_xy(shape, xs, ys)
    return sorted(int(i) for i in ids[inside])


def resolve_zone(spec: ZoneSpec, queryset=None) -> list[int]:
    """The building ids of the zone, sorted; refuses unknown ids and an empty zone."""
    qs = queryset if queryset is not None else Building.objects.all()
    found: set[int] = set()
    if spec.building_ids:
        existing = set(qs.filter(id__in=spec.building_ids).values_list("id", flat=True))
        missing = sorted(set(spec.building_ids) - existing)
        if missing:
            raise ApplicationError(
                _("Дома не найдены: %(ids)s.") % {"ids": ", ".join(map(str, missing[:10]))},
                code="invalid_zone",
                fields={"building_ids": [_("Неизвестные дома.")]},
            )
        found |= existing
    for settlement, street in spec.streets:
        ids = set(qs.filter(settlement=settlement, street=street).values_list("id", flat=True))
        if not ids:
            raise ApplicationError(
                _("На улице «%(street)s» (%(settlement)s) нет домов в реестре.")
                % {"street": street, "settlement": settlement},
                code="invalid_zone",
                fields={"streets": [_("Улица без домов.")]},
            )
        found |= ids
    if spec.polygon:
        found |= set(buildings_in_polygon(spec.polygon, qs))
    if not found:
        raise ApplicationError(
            _(
                "В зоне отключения нет ни одного дома: выберите дома, улицу или обведите их на "
                "карте."
            ),
            code="empty_zone",
            fields={"zone": [_("Зона пуста.")]},
        )
    return sorted(found)
