"""Pages of the satisfaction survey and of appeals (R13; regulation 004, M 115.бел).

- Resident: /requests/my/<number>/survey/ — the one question (satisfied or not) and a comment;
  the link of the morning notice, also shown on the request card. The appeal itself is a
  button of the card (the workflow's ``appeal`` action).
- Call centre: /requests/call/surveys/ — the call list of callers without a channel, with the
  answer recorded from the call.
- Control body: /requests/appeals/ — the pending appeals by deadline; /requests/appeals/<id>/ —
  the request, the appeal and the decision with its reason.
Every write goes through ``surveys`` or ``services.service_request_transition``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domovoy.core.errors import ServiceError, http_status
from domovoy.web import pages

from . import selectors, services, surveys
from .models import Appeal, Survey
from .views_resident import _own_request, call_operator_required, resident_required
from .workflow import Action

ANSWERS = [("1", gettext_lazy("Да, удовлетворён")), ("0", gettext_lazy("Нет, не удовлетворён"))]


class SurveyForm(forms.Form):
    satisfied = forms.ChoiceField(
        label=gettext_lazy("Удовлетворены ли вы результатом выполнения заявки?"),
        choices=ANSWERS,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Выберите ответ: «да» или «нет»")},
    )
    comment = forms.CharField(
        label=gettext_lazy("Комментарий (необязательно)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Решение"),
        choices=[
            (Action.APPEAL_UPHOLD.value, gettext_lazy("Жалоба обоснована — вернуть в работу")),
            (Action.APPEAL_DISMISS.value, gettext_lazy("Жалоба не обоснована — решение в силе")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Выберите решение")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Основание решения (для участников)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Укажите основание решения")},
    )
    comment = forms.CharField(
        label=gettext_lazy("Ответ заявителю"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Напишите ответ заявителю")},
    )


def _apply(form, exc: ServiceError):
    pages.apply_errors(form, exc)


# --- The resident -----------------------------------------------------------------------------


@resident_required
def resident_survey(request, number):
    """R13: the survey of the request's closing (the link of the morning notice)."""
    sr = _own_request(request.user, number)
    survey = surveys.survey_of(sr)
    pending = surveys.open_survey(sr)
    form, status = SurveyForm(), 200
    if request.method == "POST":
        form = SurveyForm(request.POST)
        if form.is_valid():
            try:
                surveys.survey_answer(
                    request=sr, actor=request.user, satisfied=form.cleaned_data["satisfied"],
                    comment=form.cleaned_data["comment"], via=Survey.Via.CABINET,
                )  # fmt: skip
            except ServiceError as exc:
                _apply(form, exc)
                status = http_status(exc)
            else:
                if form.cleaned_data["satisfied"] == "1":
                    messages.success(request, _("Спасибо за ответ!"))
                else:
                    messages.success(
                        request,
                        _("Заявка отправлена на дополнительный контроль и возвращена на "
                          "доработку."),
                    )  # fmt: skip
                return redirect("servicedesk:resident_detail", number=sr.number)
        else:
            status = 400
    return render(
        request,
        "servicedesk/resident/survey.html",
        {"sr": sr, "survey": survey, "pending": pending, "form": form},
        status=status,
    )


# --- The call centre ----------------------------------------------------------------------


@call_operator_required
def callcentre_surveys(request):
    """R13: the call list — callers without a channel whose request closed yesterday."""
    return render(
        request,
        "servicedesk/callcentre/surveys.html",
        {"page": pages.page(request, surveys.call_list(), 30), "form": SurveyForm()},
    )


@call_operator_required
def callcentre_survey_answer(request, pk):
    """R13: the operator records the caller's answer from the call."""
    if request.method != "POST":
        return redirect("servicedesk:callcentre_surveys")
    survey = get_object_or_404(Survey.objects.select_related("request"), pk=pk)
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            surveys.survey_answer(
                request=survey.request, actor=request.user,
                satisfied=form.cleaned_data["satisfied"], comment=form.cleaned_data["comment"],
                via=Survey.Via.CALL,
            )  # fmt: skip
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Ответ по заявке № %(n)s записан") % {"n": survey.request.number}
            )
    else:
        messages.error(request, _("Выберите ответ заявителя: «да» или «нет»"))
    return redirect("servicedesk:callcentre_surveys")


# --- The control body ---------------------------------------------------------------------


def appeal_judge_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm("servicedesk.decide_appeals"):
            raise PermissionDenied(_("Раздел доступен контрольному органу"))
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@appeal_judge_required
def staff_appeals(request):
    """R13: the pending appeals of the territory, by deadline; decided ones below."""
    return render(
        request,
        "servicedesk/staff/appeals.html",
        {
            "pending": surveys.appeals_for(request.user),
            "decided": surveys.appeals_for(request.user, pending_only=False).exclude(decision="")[
                :20
            ],
        },
    )


@appeal_judge_required
def staff_appeal(request, pk):
    """R13: one appeal — the request, the appealed answer, the resident's text and the decision
    with its reason."""
    appeal = get_object_or_404(Appeal.objects.select_related("request"), pk=pk)
    sr = selectors.request_get(number=appeal.request.number)
    if not request.user.has_perm("servicedesk.view_request", sr):
        raise Http404
    form, status = DecisionForm(), 200
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                services.service_request_transition(
                    request=sr, action=form.cleaned_data["decision"], actor=request.user,
                    reason=form.cleaned_data["reason"], comment=form.cleaned_data["comment"],
                )  # fmt: skip
            except ServiceError as exc:
                _apply(form, exc)
                status = http_status(exc)
            else:
                messages.success(request, _("Решение по жалобе принято"))
                return redirect("servicedesk:staff_appeal", pk=appeal.pk)
        else:
            status = 400
    appeal.refresh_from_db()
    last_answer = (
        sr.events.filter(action__in=["reject", "confirm", "close_by_call_centre",
                                     "moderation_approve", "conflict_close"])
        .order_by("-at", "-id")
        .first()
    )  # fmt: skip
    return render(
        request,
        "servicedesk/staff/appeal.html",
        {"appeal": appeal, "sr": sr, "form": form, "last_answer": last_answer},
        status=status,
    )
