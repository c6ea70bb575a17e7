"""Object rules of the directory (S2), used by the pages and the API alike."""

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
    if not roles.is_territorial_reader(user):
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
    return ManagementPeriod.objects.filter(
        building=building, organization=org, start__lte=today
    ).exclude(end__lt=today).exists()


@rules.predicate
def reads_territory_of_building(user, building):
    if not roles.is_territorial_reader(user):
        return False
    scope = roles.territory_scope(user)
    if scope is None:
        return True
    return building.territory is not None and building.territory.path.startswith(scope.path)


@rules.predicate
def is_staff_member(user):
    return roles.organization_of(user) is not None or user.is_superuser


rules.add_perm("directory.view_organization", is_staff_member)
rules.add_perm("directory.change_organization", is_org_admin_of | is_operator)
rules.add_perm("directory.view_staff", is_member_of | reads_territory_of_org)
rules.add_perm("directory.change_staff", is_org_admin_of)
rules.add_perm("directory.view_building", is_staff_member)
rules.add_perm("directory.view_building_people", manages_building | reads_territory_of_building)
rules.add_perm(
    "directory.change_building",
    (manages_building & rules.predicate(lambda u: roles.has_role(u, *BUILDING_EDITOR_ROLES)))
    | is_operator,
)
rules.add_perm("directory.change_registry", is_operator)
rules.add_perm("directory.issue_tokens", is_technical_operator)
rules.add_perm("audit.view_log", is_operator | rules.predicate(roles.is_territorial_reader))
