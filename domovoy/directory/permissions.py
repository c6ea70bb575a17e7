"""Object rules of the directory (S2), used by the pages and the API alike.

Who sees what (readers by ROLE, ``directory.roles``; the table is in docs/decisions.md):
- working staff (an employee with any role but «СМИ / общественная организация») reads the
  registry of buildings, the organisations' public short info and the staff lists (names,
  positions, roles); the media role reads what the public reads (its own organisation aside);
- staff usernames (logins) are for the organisation itself and the operators (12c);
- the full organisation card and the employees' phones and e-mails are for the organisation
  itself and for the territorial readers (operators, control roles) of its territory (S5);
- owners' names of accounts are for the UO managing the building today and for the people
  readers (operators, the controller) of its territory (S5), and every such read is logged;
- the card is changed by the organisation's own administrator or an operator; staff by the
  organisation's own administrator; the management registry by operators (D4).

Integration tokens (S1, G 3.1.6) act under their agreement, not as an employee:
- with "directory:read" they read the directory lists and details within the agreement's
  territory (``directory_territory``), organisations' public short info and staff without
  personal contacts; owners' names only of the buildings the agreement's organisation
  manages today (it is party to them, S2), and such reads are logged like a person's;
- with "directory:write" an agreement that names an organisation acts like that
  organisation's administrator: its own card (not its kinds), its staff and departments, the
  buildings it manages (a UO may also register buildings). Operator powers (the registry,
  new organisations, kinds) never pass to a token; an agreement without an organisation
  writes nothing.
The scope itself is checked per request by ``domovoy.api.auth.TokenScopePermission``; the
predicates below check it again so that a rule never grants more than the agreement.
"""

import rules
from django.utils import timezone

from domovoy.directory import roles

ORG_EDITOR_ROLES = ("org_admin",)
BUILDING_EDITOR_ROLES = ("org_admin", "uo_dispatcher", "uo_engineer")


READ_SCOPE = "directory:read"
WRITE_SCOPE = "directory:write"


# --- Who acts: an employee, or an integration under its agreement


def agreement_of(user):
    """The integration agreement ``user`` (a token's service account) acts under, or None
    for people. An agreement out of its validity acts under nothing (its tokens get 401
    anyway, ``LoggedTokenAuthentication``)."""
    if not getattr(user, "is_authenticated", False) or roles.employee_of(user) is not None:
        return None
    # The reverse one-to-one is cached on the user (None included): one query per request at
    # most, none for token calls (the authentication has read it already).
    agreement = getattr(user, "integration", None)
    if agreement is None or not agreement.is_valid_on():
        return None
    return agreement


def acting_organization(user_or_request):
    """The organisation on whose behalf a request acts: the employee's organisation, or the
    organisation named in the integration agreement of a token; None otherwise. Accepts a
    user or a request."""
    user = getattr(user_or_request, "user", user_or_request)
    org = roles.organization_of(user)
    if org is not None:
        return org
    agreement = agreement_of(user)
    return agreement.organization if agreement is not None else None


def directory_territory(user):
    """The territory an integration's directory reads are limited to (its agreement's), or
    None: no limit (people, and agreements for the whole system). Selectors narrow every
    list and detail queryset with it (``Territory.path`` prefix)."""
    agreement = agreement_of(user)
    if agreement is None or agreement.territory_id is None:
        return None
    return agreement.territory


def _in_directory_territory(user, territory):
    limit = directory_territory(user)
    if limit is None:
        return True
    return territory is not None and territory.path.startswith(limit.path)


def _manages(org, building):
    from .models import ManagementPeriod

    if org is None or building is None:
        return False
    today = timezone.localdate()
    return (
        ManagementPeriod.objects.filter(building=building, organization=org, start__lte=today)
        .exclude(end__lt=today)
        .exists()
    )


@rules.predicate
def integration_reads_directory(user):
    agreement = agreement_of(user)
    return agreement is not None and READ_SCOPE in agreement.scopes


@rules.predicate
def integration_writes_directory(user):
    """A token that may write the directory: the write scope and an organisation to act for."""
    agreement = agreement_of(user)
    return (
        agreement is not None
        and WRITE_SCOPE in agreement.scopes
        and agreement.organization_id is not None
    )


@rules.predicate
def integration_acts_for(user, organization):
    agreement = agreement_of(user)
    return (
        agreement is not None
        and organization is not None
        and agreement.organization_id == organization.pk
    )


@rules.predicate
def integration_party_to_building(user, building):
    """The agreement's organisation manages ``building`` today (S2: it is party to it)."""
    agreement = agreement_of(user)
    return agreement is not None and _manages(agreement.organization, building)


@rules.predicate
def integration_of_a_uo(user):
    agreement = agreement_of(user)
    org = agreement.organization if agreement is not None else None
    return org is not None and "uo" in org.kind_codes


@rules.predicate
def within_directory_territory(user, territory):
    """Where a building may be placed by the caller: anywhere for people, inside the
    agreement's territory for a territorial token (None counts as outside)."""
    return _in_directory_territory(user, territory)


# --- People: the role predicates, defined here once (issue 10). Every app's ``permissions.py``
# imports these rather than testing role codes itself; the role sets are in ``roles.py``.


@rules.predicate
def is_technical_operator(user):
    return roles.has_role(user, "technical_operator")


@rules.predicate
def is_functional_operator(user):
    return roles.has_role(user, "functional_operator")


@rules.predicate
def is_operator(user):
    """Either operator (functional or technical), or a superuser."""
    return roles.has_role(user, *roles.OPERATOR_ROLES)


@rules.predicate
def is_call_operator(user):
    """A call-centre operator: the call_operator role in a call-centre organisation."""
    return "call_centre" in roles.kinds_of(user) and "call_operator" in roles.roles_of(user)


@rules.predicate
def is_control_body_controller(user):
    """A controller of a control body: the controller role in a control-kind organisation."""
    return "control" in roles.kinds_of(user) and "controller" in roles.roles_of(user)


@rules.predicate
def is_resident(user):
    """A signed-in resident (the resident flag of the account, D3)."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_resident", False))


@rules.predicate
def is_employee(user):
    """Staff of some organisation (any role, the media role included), or a superuser."""
    return roles.organization_of(user) is not None or getattr(user, "is_superuser", False)


@rules.predicate
def is_territorial_reader(user):
    """Operators and the control roles: read the requests, outages, cards and audit trail of
    their territory (S2, C11)."""
    return roles.is_territorial_reader(user)


@rules.predicate
def is_people_reader(user):
    return roles.is_people_reader(user)


@rules.predicate
def is_statistics_reader(user):
    return roles.is_statistics_reader(user)


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
    return _in_scope(user, organization.territory)


@rules.predicate
def manages_building(user, building):
    """The employee's organisation manages ``building`` today."""
    return _manages(roles.organization_of(user), building)


def _in_scope(user, territory) -> bool:
    scope = roles.territory_scope(user)
    if scope is None:
        return True
    return territory is not None and territory.path.startswith(scope.path)


@rules.predicate
def reads_territory_of_building(user, building):
    return (
        building is not None
        and roles.is_territorial_reader(user)
        and _in_scope(user, building.territory)
    )


@rules.predicate
def reads_people_of_building(user, building):
    """Owners' names (S5): the people readers (by role) of the building's territory."""
    return (
        building is not None
        and roles.is_people_reader(user)
        and _in_scope(user, building.territory)
    )


@rules.predicate
def is_staff_member(user):
    """Working staff: an employee with a working role (not the media role), or a superuser."""
    return roles.is_working_staff(user)


is_working_staff = is_staff_member


@rules.predicate
def is_building_editor_of_uo(user):
    """A UO's administrator, dispatcher or engineer (may register buildings it manages)."""
    return "uo" in roles.kinds_of(user) and roles.has_role(user, *BUILDING_EDITOR_ROLES)


integration_writes_for = integration_writes_directory & integration_acts_for
is_building_editor = rules.predicate(
    lambda u: roles.has_role(u, *BUILDING_EDITOR_ROLES), name="is_building_editor"
)

rules.add_perm(
    "directory.view_organization", is_staff_member | is_member_of | integration_reads_directory
)
rules.add_perm(
    "directory.view_organization_card",
    is_member_of | reads_territory_of_org | (integration_reads_directory & integration_acts_for),
)
# The licence scan (S5): the organisation itself and the operators / control bodies of its
# territory; never a token, never another organisation.
rules.add_perm("directory.view_license_scan", is_member_of | reads_territory_of_org)
rules.add_perm("directory.add_organization", is_operator)
rules.add_perm(
    "directory.change_organization", is_org_admin_of | is_operator | integration_writes_for
)
rules.add_perm("directory.change_organization_kinds", is_operator)
rules.add_perm("directory.view_staff", is_staff_member | is_member_of | integration_reads_directory)
# Logins are an attack surface (lockout, guessing): the organisation itself and the operators
# who issue them (12c); everyone else sees names, positions and roles.
rules.add_perm("directory.view_staff_usernames", is_member_of | is_operator)
# Tokens never get the staff's phones and e-mails (S5), not even of their own organisation.
rules.add_perm("directory.view_staff_contacts", is_member_of | reads_territory_of_org)
rules.add_perm("directory.change_staff", is_org_admin_of | integration_writes_for)
rules.add_perm("directory.view_building", is_staff_member | integration_reads_directory)
rules.add_perm(
    "directory.view_building_people",
    (manages_building & is_staff_member)
    | reads_people_of_building
    | (integration_reads_directory & integration_party_to_building),
)
rules.add_perm(
    "directory.add_building",
    is_operator | is_building_editor_of_uo | (integration_writes_directory & integration_of_a_uo),
)
rules.add_perm(
    "directory.change_building",
    (manages_building & is_building_editor)
    | is_operator
    | (integration_writes_directory & integration_party_to_building),
)
rules.add_perm("directory.place_building", within_directory_territory)
rules.add_perm("directory.change_registry", is_operator)
rules.add_perm("directory.issue_tokens", is_technical_operator)
