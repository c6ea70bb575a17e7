"""Who a user is: organisation, kinds and roles, memoised on the user object per request.

Readers are decided by ROLE, never by the kind of the organisation alone (S2, S5): a control
body also employs the «СМИ / общественная организация» role, which reads only what the
public reads plus the published statistics. The role sets below are the vocabulary of the
rules in each app's ``permissions.py``; the role → rights table is in docs/decisions.md."""

OPERATOR_ROLES = frozenset({"functional_operator", "technical_operator"})
CONTROL_ROLES = frozenset({"controller", "cc_specialist", "cc_head", "supervisor"})
# Read requests (with their internal notes and history), outages, organisation cards and the
# audit trail of their territory (S2, C11, G 3.5.1, U 1.4а).
TERRITORIAL_READER_ROLES = OPERATOR_ROLES | CONTROL_ROLES
# Read owners' names on building pages and accounts of their territory (S5): the operators
# who enter and correct the registry (G 3.1.4) and the housing inspector (controller).
PEOPLE_READER_ROLES = OPERATOR_ROLES | {"controller"}
# Read the published request statistics of the territory (R18): the territorial readers and
# the media / public organisations (U 1.5б).
STATISTICS_READER_ROLES = TERRITORIAL_READER_ROLES | {"media"}
# Roles that see only what the public sees (plus STATISTICS_READER_ROLES): no registry, no
# staff lists, no requests.
PUBLIC_ONLY_ROLES = frozenset({"media", "resident"})


def employee_of(user):
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_domovoy_employee", False)
    if cached is False:
        from .models import Employee

        cached = (
            Employee.objects.select_related("organization", "organization__territory")
            .prefetch_related("roles", "organization__kinds")
            .filter(user=user, is_active=True)
            .first()
        )
        user._domovoy_employee = cached
    return cached


def remember_employee(user, employee) -> None:
    """What ``employee_of`` will answer for this user object, when a caller has read it."""
    user._domovoy_employee = employee


def organization_of(user):
    emp = employee_of(user)
    return emp.organization if emp else None


def roles_of(user):
    if not getattr(user, "is_authenticated", False):
        return set()
    emp = employee_of(user)
    roles = set(emp.role_codes) if emp else set()
    if getattr(user, "is_resident", False):
        roles.add("resident")
    return roles


def kinds_of(user):
    org = organization_of(user)
    return org.kind_codes if org else set()


def has_role(user, *roles):
    return bool(roles_of(user) & set(roles)) or getattr(user, "is_superuser", False)


def is_territorial_reader(user):
    """Operators and the control roles read requests, outages, cards and the audit trail of
    their territory (S2, C11) — by role, not by the organisation's kind."""
    return has_role(user, *TERRITORIAL_READER_ROLES)


def is_people_reader(user):
    """Reads owners' names of the buildings of its territory (S5)."""
    return has_role(user, *PEOPLE_READER_ROLES)


def is_statistics_reader(user):
    return has_role(user, *STATISTICS_READER_ROLES)


def is_working_staff(user):
    """An employee with a working role (anything but the public-only ones): reads the
    registry, the organisations' short info and the staff lists."""
    if getattr(user, "is_superuser", False):
        return True
    return employee_of(user) is not None and bool(roles_of(user) - PUBLIC_ONLY_ROLES)


def territory_scope(user):
    """The territory a reader sees (None = the whole system)."""
    org = organization_of(user)
    return org.territory if org else None
