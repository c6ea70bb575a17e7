"""Pages of the feedback section (D6): my items, a new item, one item with its decision,
and the operators' queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from domovoy.core.errors import ApplicationError
from domovoy.web import pages

from . import permissions as perms
from . import selectors, services
from .forms import DecisionForm, FeedbackForm, QueueFilterForm
from .models import FeedbackStatus

PAGE_SIZE = 30
_FORM_FIELD = {"target_id": "building"}


def form_errors(form, exc):
    pages.apply_errors(form, exc, rename=_FORM_FIELD)


def _page(request, qs):
    return pages.page(request, qs, PAGE_SIZE)


@login_required
def feedback_list(request):
    page = _page(request, selectors.feedback_own(user=request.user))
    context = {"page": page, "is_operator": request.user.has_perm("feedback.view_queue")}
    if context["is_operator"]:
        context["queue_new"] = selectors.feedback_queue(
            user=request.user, status=FeedbackStatus.NEW
        ).count()
    return render(request, "feedback/list.html", context)


@login_required
def feedback_create(request):
    if request.method == "POST":
        form = FeedbackForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                item = services.feedback_item_create(author=request.user, **form.service_kwargs())
            except ApplicationError as exc:
                if exc.status_code == 403:
                    raise PermissionDenied(exc.message)
                form_errors(form, exc)
            else:
                messages.success(request, _("Обращение №%(n)s отправлено") % {"n": item.pk})
                return redirect("feedback:detail", pk=item.pk)
    else:
        form = FeedbackForm(user=request.user, initial={"kind": request.GET.get("kind", "")})
    return render(request, "feedback/form.html", {"form": form})


@login_required
def feedback_detail(request, pk):
    item = selectors.feedback_get(user=request.user, pk=pk)
    if item is None:
        raise Http404
    can_decide = not item.is_decided and request.user.has_perm("feedback.decide_item", item)
    return render(
        request,
        "feedback/detail.html",
        {
            "item": item,
            "can_decide": can_decide,
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def feedback_decide(request, pk):
    item = selectors.feedback_get(user=request.user, pk=pk)
    if item is None:
        raise Http404
    if not request.user.has_perm("feedback.decide_item", item):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_item_decide(
                item=item,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Решение сохранено"))
            return redirect("feedback:detail", pk=item.pk)
    return render(
        request,
        "feedback/detail.html",
        {
            "item": item,
            "can_decide": True,
            "decision_form": form,
        },
        status=400,
    )


@login_required
def feedback_queue(request):
    if not request.user.has_perm("feedback.view_queue"):
        raise PermissionDenied
    form = QueueFilterForm(request.GET or None, user=request.user)
    kind = status = None
    if form.is_bound and form.is_valid():
        kind, status = form.cleaned_data["kind"], form.cleaned_data["status"]
    qs = selectors.feedback_queue(user=request.user, kind=kind or None, status=status or None)
    return render(
        request,
        "feedback/queue.html",
        {
            "page": _page(request, qs),
            "form": form,
            "decidable": perms.decidable_kinds(request.user),
        },
    )
