"""Who may act on and read a request (R4–R6, R10–R12, S2): django-`rules` predicates of
(user, request), used by the workflow table, the pages and the API alike.

Parties to a request:
- the executor: staff of ``executor_org`` with a dispatcher or engineer role, and the employee
  the request is assigned to;
- the controller: staff of ``controller_org`` while the request is «на контроле» (K 3.2);
- the origin UO: staff of ``origin_org``, the UO a supplier/contractor got it from (R6, R10);
- the author: the resident who filed it;
- a call-centre operator (call-centre organisation + role): finds any request (S2) and closes
  it on the grounds of R11;
- a functional operator of the building's territory: decides conflicts (R10).
"""

from __future__ import annotations

from dataclasses import dataclass

import rules

from domovoy.directory import permissions as people
from domovoy.directory import roles

EXECUTOR_ROLES = frozenset({"uo_dispatcher", "uo_engineer", "supplier_dispatcher"})
# R2 / K 3: who sets a deadline by hand — the executor's dispatcher (not its engineers).
DISPATCHER_ROLES = frozenset({"uo_dispatcher", "supplier_dispatcher"})
CONTROLLER_ROLES = EXECUTOR_ROLES | {"controller"}


def _is_staff_of(user, organization_id, allowed_roles) -> bool:
    if not organization_id:
        return False
    org = roles.organization_of(user)
    return (
        org is not None and org.pk == organization_id and bool(roles.roles_of(user) & allowed_roles)
    )


def _in_building_territory(user, request) -> bool:
    scope = roles.territory_scope(user)
    if scope is None:
        return True
    territory = request.building.territory
    return territory is not None and territory.path.startswith(scope.path)


@rules.predicate
def is_executor(user, request) -> bool:
    if request is None:
        return False
    if request.executor_employee_id and getattr(user, "pk", None) is not None:
        employee = roles.employee_of(user)
        if employee is not None and employee.pk == request.executor_employee_id:
            return True
    return _is_staff_of(user, request.executor_org_id, EXECUTOR_ROLES)


@rules.predicate
def is_controller(user, request) -> bool:
    return request is not None and _is_staff_of(user, request.controller_org_id, CONTROLLER_ROLES)


@rules.predicate
def is_executor_dispatcher(user, request) -> bool:
    """A dispatcher of the executing organisation (R2): not an engineer, not the assigned
    employee as such."""
    return request is not None and _is_staff_of(user, request.executor_org_id, DISPATCHER_ROLES)


@rules.predicate
def is_control_body_controller(user, request) -> bool:
    """The controller of a control body (R2, K 3): the ``controller`` role of an organisation
    of the control kind whose territory holds the request's building."""
    return (
        request is not None
        and bool(people.is_control_body_controller.test(user))
        and _in_building_territory(user, request)
    )


# R13: who decides a resident's appeal — the control body (its supervisor or controller).
APPEAL_JUDGE_ROLES = frozenset({"supervisor", "controller"})


@rules.predicate
def is_appeal_judge(user, request=None) -> bool:
    """The supervisor or controller of a control-kind organisation; for a request, one whose
    territory holds its building (R13)."""
    if "control" not in roles.kinds_of(user) or not (roles.roles_of(user) & APPEAL_JUDGE_ROLES):
        return False
    return request is None or _in_building_territory(user, request)


@rules.predicate
def is_origin_uo(user, request) -> bool:
    return request is not None and _is_staff_of(user, request.origin_org_id, CONTROLLER_ROLES)


@rules.predicate
def is_author(user, request) -> bool:
    return (
        request is not None
        and request.author_id is not None
        and getattr(user, "pk", None) == request.author_id
    )


@rules.predicate
def is_call_operator(user, request=None) -> bool:
    """The call centre finds any request (S2): the directory's role predicate, any request."""
    return bool(people.is_call_operator.test(user))


@rules.predicate
def is_functional_operator(user, request=None) -> bool:
    """The functional operator of the request's territory (decides its conflicts, R10)."""
    if not people.is_functional_operator.test(user):
        return False
    return request is None or _in_building_territory(user, request)


@rules.predicate
def is_party_organization(user, request) -> bool:
    """Any employee of an organisation the request is or was routed to or by (S2)."""
    org = roles.organization_of(user)
    if org is None or request is None or not roles.is_working_staff(user):
        return False
    if org.pk in {request.executor_org_id, request.controller_org_id, request.origin_org_id}:
        return True
    return request.events.filter(actor_org=org).exists()


@rules.predicate
def reads_territory(user, request) -> bool:
    return (
        request is not None
        and people.is_territorial_reader.test(user)
        and _in_building_territory(user, request)
    )


QUEUE_KINDS = frozenset({"uo", "rso", "contractor"})


@rules.predicate
def is_queue_user(user) -> bool:
    """Staff of an executing organisation with a workflow role: the work queue (R19)."""
    org = roles.organization_of(user)
    return (
        org is not None
        and bool(org.kind_codes & QUEUE_KINDS)
        and bool(roles.roles_of(user) & CONTROLLER_ROLES)
    )


@dataclass(frozen=True)
class Who:
    """A named party of the workflow table: its label names it in refusals."""

    name: str
    label: str
    predicate: rules.Predicate

    def __call__(self, user, request) -> bool:
        return bool(self.predicate.test(user, request))


EXECUTOR = Who("executor", "диспетчер организации-исполнителя", is_executor)
CONTROLLER = Who("controller", "контролёр (заявка на контроле)", is_controller)
EXECUTOR_DISPATCHER = Who(
    "executor_dispatcher", "диспетчер организации-исполнителя", is_executor_dispatcher
)
CONTROL_BODY_CONTROLLER = Who(
    "control_body_controller", "контролёр контрольного органа", is_control_body_controller
)
ORIGIN_UO = Who("origin_uo", "управляющая организация, передавшая заявку", is_origin_uo)
AUTHOR = Who("author", "заявитель", is_author)
CALL_OPERATOR = Who("call_operator", "оператор call-центра", is_call_operator)
FUNCTIONAL_OPERATOR = Who("functional_operator", "функциональный оператор", is_functional_operator)
APPEAL_JUDGE = Who(
    "appeal_judge", "руководитель или контролёр контрольного органа", is_appeal_judge
)


@rules.predicate
def is_integration_party(user, request) -> bool:
    """An integration token whose agreement names an organisation party to the request (its
    requests are read as that organisation's, S1, S2)."""
    from domovoy.directory.permissions import agreement_of

    agreement = agreement_of(user)
    return (
        request is not None
        and agreement is not None
        and agreement.organization_id is not None
        and agreement.organization_id
        in {request.executor_org_id, request.controller_org_id, request.origin_org_id}
    )


@rules.predicate
def is_current_party(user, request) -> bool:
    """Staff of an organisation the request is routed to now (executor, controller, origin
    UO) — decided from the row alone, so list serializers ask it without a query per row."""
    org = roles.organization_of(user)
    return (
        org is not None
        and request is not None
        and roles.is_working_staff(user)
        and org.pk in {request.executor_org_id, request.controller_org_id, request.origin_org_id}
    )


# The rules, one named permission each (docs/decisions.md, "Readers are decided by role"):
# - view_request: status, public history and public comments — the author, the parties, the
#   call centre (S2: it finds any request) and the territorial readers (by role);
# - view_request_internal: internal notes, reasons, actors and documents of the history — the
#   parties and the territorial readers; never the author or the call centre (S2);
# - view_personal_data: the applicant's name, phone and flat (S5) — the author, the current
#   parties (and an integration acting for one), the call centre that talks to the caller.
can_view_request = (
    is_author | is_party_organization | is_call_operator | reads_territory | is_integration_party
)

rules.add_perm("servicedesk.view_request", can_view_request)
rules.add_perm(
    "servicedesk.view_request_internal",
    is_party_organization | reads_territory | is_integration_party,
)
rules.add_perm(
    "servicedesk.view_personal_data",
    is_author | is_current_party | is_call_operator | is_integration_party,
)
# The statistics page (R18): an executing organisation its own, the statistics readers (the
# territorial readers and the media role) their territory's.
rules.add_perm("servicedesk.view_statistics", people.is_statistics_reader | is_queue_user)
rules.add_perm("servicedesk.log_call", is_call_operator)
# The resident's cabinet: «Мои заявки», a new request of one's own (D3).
rules.add_perm("servicedesk.use_cabinet", people.is_resident)
# Documents of history rows (works-done document, verification evidence, closing act; S5):
# the parties of the request and the functional operator of its territory who decides its
# conflicts — not every reader of the request.
rules.add_perm(
    "servicedesk.view_request_document",
    is_party_organization | is_functional_operator | is_integration_party,
)
rules.add_perm("servicedesk.use_queue", is_queue_user)
# R13: the call centre's survey call list, the control body's appeals.
rules.add_perm("servicedesk.survey_calls", is_call_operator)
rules.add_perm("servicedesk.decide_appeals", is_appeal_judge)
# The control lists (R14): the queue's users and the territorial readers; the conflicts list
# (R10) is the functional operator's.
rules.add_perm("servicedesk.view_lists", is_queue_user | people.is_territorial_reader)
rules.add_perm("servicedesk.view_conflicts", people.is_functional_operator)
# The classifier of topics (R2, G 3.5.2) and the classifier change requests applied to it (D6)
# are the functional operator's.
rules.add_perm("servicedesk.manage_classifier", people.is_functional_operator)
# The advance notice of a missed deadline (R14, Z 6.1.4.1): the executor of the request.
rules.add_perm("servicedesk.file_advance_notice", is_executor)
# System failures (S8, G 3.6.2): the operator posts them.
rules.add_perm("servicedesk.post_system_failure", people.is_operator)


# --- Issue 13: «У меня тоже» ------------------------------------------------------------------


def is_joinable(request) -> bool:
    """A request another resident may join: not deleted, not finished (closed, rejected,
    withdrawn) and public — its topic is not a personal one (``Topic.is_personal``)."""
    from .workflow import FINAL_STATUSES

    return (
        request is not None
        and not request.is_deleted
        and request.status not in FINAL_STATUSES
        and not request.topic.is_personal
    )


@rules.predicate
def lives_in_building(user, request) -> bool:
    """The user has a confirmed address (an active personal account, D3) in the request's
    building."""
    from .selectors import resident_lives_in

    return request is not None and resident_lives_in(user=user, building=request.building)


@rules.predicate
def may_join(user, request) -> bool:
    return is_joinable(request) and not is_author(user, request)


# A resident of the building presses «У меня тоже» on somebody else's open public request; the
# service says which of the conditions failed.
rules.add_perm("servicedesk.join_request", people.is_resident & lives_in_building & may_join)
