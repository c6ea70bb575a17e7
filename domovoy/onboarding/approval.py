"""Approval steps of a connection request (D5) and the record of every decision.

Steps are configured as ``ApprovalStep`` rows; without any, the functional operator decides
alone (``DefaultStep``). A request's ``current_step`` indexes the active steps in order.
"""

from django.utils.translation import gettext as _

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.directory import roles as who_is
from domovoy.directory.models import Role

from .models import ApprovalStep, OnboardingDecision, OnboardingRequest

Status = OnboardingRequest.Status


class DefaultStep:
    """The step used when none is configured: the functional operator decides."""

    pk = None
    order = 1
    name = "Функциональный оператор"
    decider_role = Role.FUNCTIONAL_OPERATOR
    decider_kind = ""


def approval_steps():
    steps = list(ApprovalStep.objects.filter(is_active=True).order_by("order", "id"))
    return steps or [DefaultStep()]


def current_step(request, steps=None):
    steps = steps or approval_steps()
    return steps[min(request.current_step, len(steps) - 1)]


def user_decides_step(user, step):
    if not who_is.has_role(user, step.decider_role):
        return False
    if step.decider_kind and not user.is_superuser:
        return step.decider_kind in who_is.kinds_of(user)
    return True


def actor_name(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return "заявитель"
    org = who_is.organization_of(user)
    name = user.get_full_name() or user.username
    return f"{name} ({org})" if org else name


def decision_record(request, action, *, actor=None, comment="", step=None):
    return OnboardingDecision.objects.create(
        request=request,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_name(actor),
        comment=comment or "",
        step_order=getattr(step, "order", None),
        step_name=getattr(step, "name", ""),
    )


def lock(request):
    # Lock the request row: two operators deciding at once must not both win.
    return OnboardingRequest.objects.select_for_update().get(pk=request.pk)


def check_decider(request, actor):
    if request.status != Status.SUBMITTED:
        raise ApplicationError(
            _("Решение по заявке в этом статусе не принимается"),
            code="wrong_status",
            status_code=409,
        )
    steps = approval_steps()
    step = current_step(request, steps)
    if not user_decides_step(actor, step):
        raise PermissionDeniedError(
            _("Решение на шаге «%(name)s» принимает другая роль") % {"name": step.name}
        )
    return step, steps
