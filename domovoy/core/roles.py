"""Who a user is: organisation, kinds and roles, memoised on the user object per request."""

OPERATOR_KINDS = {"functional_operator", "technical_operator"}
READER_KINDS = OPERATOR_KINDS | {"control"}


def employee_of(user):
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_domovoy_employee", False)
    if cached is False:
        from domovoy.directory.models import Employee

        cached = (
            Employee.objects.select_related("organization", "organization__territory")
            .prefetch_related("roles", "organization__kinds")
            .filter(user=user, is_active=True)
            .first()
        )
        user._domovoy_employee = cached
    return cached


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
    """Operators and control bodies read everything in their territory (S2, C11)."""
    return bool(kinds_of(user) & READER_KINDS) or getattr(user, "is_superuser", False)


def territory_scope(user):
    """The territory a reader sees (None = the whole system)."""
    org = organization_of(user)
    return org.territory if org else None
