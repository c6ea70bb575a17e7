"""Every role of the system, each in an organisation of a kind that may grant it
(``ROLES_BY_KIND``), for the role matrices of issue 10 (menu, personal data)."""

from domovoy.directory.models import ROLES_BY_KIND
from tests import factories as f

# (kind, role) pairs, every role at least once; the org_admin of each kind too.
KIND_ROLES = sorted(
    (str(kind), str(role)) for kind, role_set in ROLES_BY_KIND.items() for role in role_set
)
CAST = [f"{kind}:{role}" for kind, role in KIND_ROLES] + ["resident", "superuser", "anonymous"]


def organization_of_kind(request, kind):
    """The cast's organisation of ``kind``: the workflow fixtures' UO (the request's executor),
    supplier, contractor and call centre; a new one for the other kinds."""
    fixture = {"uo": "uo", "rso": "rso", "contractor": "contractor", "call_centre": "call_centre"}
    if kind in fixture:
        return request.getfixturevalue(fixture[kind])
    territory = request.getfixturevalue("territory")
    return f.OrganizationFactory(kinds=[kind], territory=territory["city"])


def user_of(request, who):
    """A user for a CAST entry (None: anonymous)."""
    if who == "anonymous":
        return None
    if who == "resident":
        return f.UserFactory(username="neighbour", is_resident=True)
    if who == "superuser":
        return f.UserFactory(username="root", is_superuser=True, is_staff=True)
    kind, role = who.split(":")
    org = organization_of_kind(request, kind)
    return f.employee(org, roles=[role], username=f"{kind[:8]}_{role[:12]}").user
