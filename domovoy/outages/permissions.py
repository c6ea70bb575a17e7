"""Who may publish and change an outage, and whose buildings an organisation may cut (O1, O2,
O7). Used by the services, the pages and the API alike.

- A supplier (RSO) publishes outages of its networks for the buildings it serves: buildings
  managed today by a UO the supplier has a service link with for that resource (or for every
  resource). Its supplier dispatchers act.
- A UO publishes outages of in-building networks for the buildings it manages today (D4); its
  dispatchers and engineers act.
- Only the responsible organisation's staff (same roles) refine, complete or cancel.
"""

from __future__ import annotations

import rules
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.core.errors import PermissionDeniedError
from domovoy.directory import roles
from domovoy.directory.models import Building, ManagementPeriod, OrgKind, ServiceLink
from domovoy.directory.permissions import is_employee, is_resident, is_working_staff

from .models import Network

# Declarative: which kind of organisation answers for which network, and which of its roles act.
PUBLISHERS = {
    Network.SUPPLIER: (OrgKind.RSO, frozenset({"supplier_dispatcher"})),
    Network.IN_BUILDING: (OrgKind.UO, frozenset({"uo_dispatcher", "uo_engineer"})),
}
ACTING_ROLES = frozenset().union(*(r for _k, r in PUBLISHERS.values()))


def _active_on(on):
    return Q(start__lte=on) & (Q(end__isnull=True) | Q(end__gte=on))


def publisher_org(user, network):
    """The organisation ``user`` publishes for on ``network``; refuses everyone else."""
    kind, acting = PUBLISHERS[network]
    org = roles.organization_of(user)
    if org is None or not org.has_kind(kind):
        raise PermissionDeniedError(
            _("Публиковать отключения на сетях «%(network)s» может только %(who)s.")
            % {"network": Network(network).label, "who": OrgKind(kind).label.lower()},
            code="wrong_organization",
        )
    if not roles.roles_of(user) & acting:
        raise PermissionDeniedError(
            _("Публиковать отключения может только диспетчер организации."), code="wrong_role"
        )
    return org


def buildings_in_scope(*, organization, network, resource, on=None):
    """Buildings ``organization`` may put into an outage zone (a queryset of Building)."""
    on = on or timezone.localdate()
    if network == Network.IN_BUILDING:
        managed = ManagementPeriod.objects.filter(_active_on(on), organization=organization)
        return Building.objects.filter(management__in=managed)
    served_uos = ServiceLink.objects.filter(
        _active_on(on), provider=organization, resource__in=[resource, ""]
    ).values("uo_id")
    managed = ManagementPeriod.objects.filter(_active_on(on), organization_id__in=served_uos)
    return Building.objects.filter(management__in=managed)


def is_responsible_staff(user, outage) -> bool:
    org = roles.organization_of(user)
    _kind, acting = PUBLISHERS[outage.network]
    return (
        org is not None and org.pk == outage.organization_id and bool(roles.roles_of(user) & acting)
    )


def check_responsible(user, outage):
    if not is_responsible_staff(user, outage):
        raise PermissionDeniedError(
            _("Изменять отключение может только диспетчер ответственной организации."),
            code="not_responsible",
        )


@rules.predicate
def responsible_staff(user, outage):
    return outage is not None and is_responsible_staff(user, outage)


@rules.predicate
def may_publish(user):
    org = roles.organization_of(user)
    if org is None:
        return False
    return any(
        org.has_kind(kind) and roles.roles_of(user) & acting for kind, acting in PUBLISHERS.values()
    )


rules.add_perm("outages.publish_outage", may_publish)
rules.add_perm("outages.change_outage", responsible_staff)
# O5: durations per building or account (billing data) are for working staff, not for the
# media role (readers by role, docs/decisions.md).
# The pages, the API and the staff list's link ask this one permission.
rules.add_perm("outages.view_durations", is_working_staff)
# The card's regulation deadlines, delivery statistics and revisions' actors: working staff too;
# the media role sees what the public sees (by role, S2).
rules.add_perm("outages.view_delivery", is_working_staff)
# The staff list of outages: staff of any organisation (others are sent to the public map).
rules.add_perm("outages.view_staff_list", is_employee)
# «Мои адреса» (O6) in the resident's menu.
rules.add_perm("outages.follow_addresses", is_resident)


def networks_of(user):
    """The networks ``user`` may publish outages of (for the form)."""
    org = roles.organization_of(user)
    if org is None:
        return []
    return [
        network
        for network, (kind, acting) in PUBLISHERS.items()
        if org.has_kind(kind) and roles.roles_of(user) & acting
    ]
