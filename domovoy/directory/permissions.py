"""Object rules of the directory (S2), used by the pages and the API alike.

Who sees what:
- any staff member (an employee of a connected organisation) reads the registry of buildings,
  the organisations' public short info and the staff lists (names, positions, roles);
- the full organisation card and the employees' phones and e-mails are for the organisation
  itself and for operators / control bodies of its territory (S5);
- owners' names of accounts are for the UO managing the building today and for operators /
  control bodies of its territory (S5), and every such read is logged;
- the card is changed by the organisation's own administrator or an operator; staff by the
  organisation's own administrator; the management registry by operators (D4).
"""

import rules
from django.utils import timezone

from domovoy.core import roles

ORG_EDITOR_ROLES = ("org_admin",)
BUILDING_EDITOR_ROLES = ("org_admin", "uo_dispatcher", "uo_engineer")


@rules.predicate
def is_technical_operator(user):
    return roles.has_role(user, "technical_operator")


@rules.predicate
def is_functional_operator(user):
    return roles.has_role(user, "functional_operator")


@rules.predicate
def is_operator(user):
    return roles.has_role(user, "functional_operator", "technical_operator")


@rules.predicate
def is_member_of(user, organization):
    org = roles.organization_of(user)
    return organization is not None and org is not None and org.pk == organization.pk


@rules.predicate
def is_org_admin_of(user, organization):
    return is_member_of(user, organization) and roles.has_role(user, *ORG_EDITOR_ROLES)


@rules.predicate
def reads_territory_of_org(user, organization):
    if organization is None or not roles.is_territorial_reader(user):
        return False
    scope = roles.territory_scope(user)
    if scope is None:
        return True
    return organization.territory is not None and organization.territory.path.startswith(scope.path)


@rules.predicate
def manages_building(user, building):
    from .models import ManagementPeriod

    org = roles.organization_of(user)
    if org is None or building is None:
        return False
    today = timezone.localdate()
    return (
        ManagementPeriod.objects.filter(building=building, organization=org, start__lte=today)
        .exclude(end__lt=today)
        .exists()
    )


@rules.predicate
def reads_territory_of_building(user, building):
    if building is None or not roles.is_territorial_reader(user):
        return False
    scope = roles.territory_scope(user)
    if scope is None:
        return True
    return building.territory is not None and building.territory.path.startswith(scope.path)


@rules.predicate
def is_staff_member(user):
    return roles.organization_of(user) is not None or getattr(user, "is_superuser", False)


@rules.predicate
def is_building_editor_of_uo(user):
    """A UO's administrator, dispatcher or engineer (may register buildings it manages)."""
    return "uo" in roles.kinds_of(user) and roles.has_role(user, *BUILDING_EDITOR_ROLES)


rules.add_perm("directory.view_organization", is_staff_member)
rules.add_perm("directory.view_organization_card", is_member_of | reads_territory_of_org)
rules.add_perm("directory.add_organization", is_operator)
rules.add_perm("directory.change_organization", is_org_admin_of | is_operator)
rules.add_perm("directory.change_organization_kinds", is_operator)
rules.add_perm("directory.view_staff", is_staff_member)
rules.add_perm("directory.view_staff_contacts", is_member_of | reads_territory_of_org)
rules.add_perm("directory.change_staff", is_org_admin_of)
rules.add_perm("directory.view_building", is_staff_member)
rules.add_perm("directory.view_building_people", manages_building | reads_territory_of_building)
rules.add_perm("directory.add_building", is_operator | is_building_editor_of_uo)
rules.add_perm(
    "directory.change_building",
    (manages_building & rules.predicate(lambda u: roles.has_role(u, *BUILDING_EDITOR_ROLES)))
    | is_operator,
)
rules.add_perm("directory.change_registry", is_operator)
rules.add_perm("directory.issue_tokens", is_technical_operator)
rules.add_perm("audit.view_log", is_operator | rules.predicate(roles.is_territorial_reader))
