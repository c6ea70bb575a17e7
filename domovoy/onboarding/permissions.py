"""Who may see and decide connection requests (D5, S2); used by the pages and the API.

The applicant has no login: it reaches its request only through the secret token link.
"""

import rules

from domovoy.directory import roles
from domovoy.directory.models import OrgKind, Role
from domovoy.directory.permissions import is_operator


def _decider_roles():
    from .models import ApprovalStep

    return set(ApprovalStep.objects.filter(is_active=True).values_list("decider_role", flat=True))


@rules.predicate
def is_queue_reader(user):
    """Operators, and whoever decides a configured approval step (e.g. a control body)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_operator(user):
        return True
    return bool(roles.roles_of(user) & _decider_roles())


@rules.predicate
def is_uo_admin(user):
    return roles.has_role(user, Role.ORG_ADMIN) and OrgKind.UO in roles.kinds_of(user)


@rules.predicate
def is_filing_uo_admin(user, request):
    """An admin of the UO that filed the request for its contractor."""
    if request is None or not request.on_behalf_of_id:
        return False
    org = roles.organization_of(user)
    return (
        org is not None
        and org.pk == request.on_behalf_of_id
        and roles.has_role(user, Role.ORG_ADMIN)
    )


@rules.predicate
def decides_current_step(user, request):
    from .services import current_step, user_decides_step

    if request is None or request.status != request.Status.SUBMITTED:
        return False
    return user_decides_step(user, current_step(request))


rules.add_perm("onboarding.view_queue", is_queue_reader)
rules.add_perm("onboarding.view_request", is_queue_reader | is_filing_uo_admin)
rules.add_perm("onboarding.decide", is_queue_reader & decides_current_step)
rules.add_perm("onboarding.file_for_contractor", is_uo_admin)
rules.add_perm("onboarding.view_credentials", is_filing_uo_admin)
# The uploaded files (licence scan, staff and account lists; S5): the reviewers, and the UO
# admin who filed them for its contractor.
rules.add_perm("onboarding.view_files", is_queue_reader | is_filing_uo_admin)
