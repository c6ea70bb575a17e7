"""Reads of the directory used by pages, the API and other apps."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from .models import Building, ManagementPeriod, OrgKind, ServiceLink


def _active_on(on):
    return Q(start__lte=on) & (Q(end__isnull=True) | Q(end__gte=on))


def building_manager(*, building, on: dt.date | None = None):
    """The UO that manages ``building`` on date ``on`` (today by default), or None (D4)."""
    on = on or timezone.localdate()
    period = (
        ManagementPeriod.objects.filter(_active_on(on), building=building)
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
        ServiceLink.objects.filter(
            _active_on(on), uo=manager, resource=resource, provider__kinds__kind=OrgKind.RSO
        )
        .select_related("provider")
        .first()
    )
    return link.provider if link else None


def buildings_managed_by(*, organization, on: dt.date | None = None):
    on = on or timezone.localdate()
    return Building.objects.filter(
        management__in=ManagementPeriod.objects.filter(_active_on(on), organization=organization)
    )


def building_list(*, street=None, search=None, territory=None, manager=None):
    """The building registry; filters are indexed (street, search_text, territory path)."""
    qs = Building.objects.select_related("territory").order_by("street", "house", "block", "id")
    if street:
        qs = qs.filter(street=street)
    if search:
        qs = qs.filter(search_text__contains=search.strip().lower())
    if territory is not None:
        qs = qs.filter(territory__path__startswith=territory.path)
    if manager is not None:
        qs = qs.filter(id__in=buildings_managed_by(organization=manager).values("id"))
    return qs
