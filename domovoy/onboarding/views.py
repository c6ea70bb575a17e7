"""Pages of onboarding (D5): the public request form, the applicant's status and correction
pages (secret token), the operators' queue and review, a UO's requests for its contractors."""

import datetime as _dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from domovoy.core import exports
from domovoy.core.errors import ApplicationError
from domovoy.core.private_files import serve_private_file
from domovoy.core.ratelimit import ratelimit
from domovoy.directory import roles
from domovoy.web import pages

from . import blanks, importers, selectors, services
from .forms import ApplicationForm, DecisionForm
from .models import OnboardingRequest


def intake_rate() -> str:
    """Public submissions per client IP: RATE_LIMIT_ONBOARDING_INTAKE (10 in 10 minutes)."""
    return settings.RATE_LIMIT_ONBOARDING_INTAKE


def _base_url(request):
    return request.build_absolute_uri("/")


def _apply_errors(form, exc):
    """Put a service's refusal on the form: field errors by field, the rest on top."""
    if isinstance(exc, importers.ImportRowsError):
        return exc.rows, exc.total
    pages.apply_errors(form, exc)
    return [], 0


def _submit(request, form, call):
    """Run ``call`` when the form is valid; returns (result, row_errors, total)."""
    if not form.is_valid():
        return None, [], 0
    try:
        return call(), [], 0
    except ApplicationError as exc:
        rows, total = _apply_errors(form, exc)
        return None, rows, total


def _render_form(
    request, form, *, title, rows=(), total=0, onboarding=None, contractor=False, extra=None
):
    context = {
        "form": form,
        "title": title,
        "row_errors": rows,
        "row_error_total": total,
        "onboarding": onboarding,
        "contractor": contractor,
        "template_kinds": blanks.SHEETS.keys(),
        **(extra or {}),
    }
    status = 400 if (form.is_bound and (form.errors or rows)) else 200
    if form.is_bound:
        form.mark_errors()
    return render(request, "onboarding/apply.html", context, status=status)


@ratelimit(key="onboarding-intake", rate=intake_rate)
def apply(request):
    """The public connection request (no login)."""
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        result, rows, total = _submit(
            request,
            form,
            lambda: services.onboarding_request_submit(
                card=form.card(),
                kinds=form.cleaned_data["kinds"],
                files=form.files_map(),
                license_scan=form.cleaned_data.get("license_scan"),
                management_start=form.cleaned_data.get("management_start"),
                submitted_by=request.user if request.user.is_authenticated else None,
                base_url=_base_url(request),
            ),
        )
        if result is not None:
            messages.success(
                request,
                _(
                    "Заявка принята. Сохраните ссылку на эту страницу: по "
                    "ней можно следить за заявкой; она также отправлена "
                    "на e-mail организации."
                ),
            )
            return redirect("onboarding:status", token=result.token)
        return _render_form(
            request, form, title=_("Заявка на подключение организации"), rows=rows, total=total
        )
    return _render_form(request, form, title=_("Заявка на подключение организации"))


def _by_token(token):
    try:
        return selectors.onboarding_request_by_token(token=token)
    except OnboardingRequest.DoesNotExist:
        raise Http404


def status(request, token):
    """The applicant's page of its request (reached by the secret link only)."""
    onboarding = _by_token(token)
    done, total, percent = selectors.progress_of(onboarding)
    return render(
        request,
        "onboarding/status.html",
        {
            "onboarding": onboarding,
            "percent": percent,
            "progress_url": reverse("onboarding:status_progress", args=[token]),
            "decisions": [d for d in onboarding.decisions.all()],
            "can_correct": onboarding.status
            in (OnboardingRequest.Status.CHANGES_REQUESTED, OnboardingRequest.Status.INVALID),
        },
    )


@ratelimit(key="onboarding-intake", rate=intake_rate)
def correct(request, token):
    onboarding = _by_token(token)
    if onboarding.status not in (
        OnboardingRequest.Status.CHANGES_REQUESTED,
        OnboardingRequest.Status.INVALID,
    ):
        messages.info(request, _("Заявку сейчас нельзя исправить."))
        return redirect("onboarding:status", token=token)
    contractor = onboarding.on_behalf_of_id is not None
    initial = {
        **onboarding.card,
        "kinds": onboarding.kinds,
        "management_start": onboarding.management_start,
    }
    form = ApplicationForm(
        request.POST or None, request.FILES or None, initial=initial, contractor=contractor
    )
    title = _("Исправление заявки № %(n)s") % {"n": onboarding.pk}
    if request.method == "POST":
        result, rows, total = _submit(
            request,
            form,
            lambda: services.onboarding_request_resubmit(
                request=onboarding,
                card=form.card(),
                kinds=form.cleaned_data.get("kinds"),
                files=form.files_map(),
                license_scan=form.cleaned_data.get("license_scan"),
                management_start=form.cleaned_data.get("management_start"),
                base_url=_base_url(request),
            ),
        )
        if result is not None:
            messages.success(request, _("Исправленная заявка подана повторно."))
            return redirect("onboarding:status", token=token)
        return _render_form(
            request,
            form,
            title=title,
            rows=rows,
            total=total,
            onboarding=onboarding,
            contractor=contractor,
        )
    return _render_form(request, form, title=title, onboarding=onboarding, contractor=contractor)


def _progress_response(request, onboarding, url):
    done, total, percent = selectors.progress_of(onboarding)
    response = render(
        request,
        "onboarding/_progress.html",
        {
            "onboarding": onboarding,
            "percent": percent,
            "done": done,
            "total": total,
            "progress_url": url,
        },
    )
    busy = (OnboardingRequest.Status.VALIDATING, OnboardingRequest.Status.LOADING)
    if onboarding.status not in busy and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # finished: reload the page to show the outcome
    return response


def status_progress(request, token):
    onboarding = _by_token(token)
    return _progress_response(
        request, onboarding, reverse("onboarding:status_progress", args=[token])
    )


# --- staff pages ---------------------------------------------------------------------------


def _staff_request(request, pk, perm="onboarding.view_request"):
    try:
        onboarding = selectors.onboarding_request_get(pk=pk)
    except OnboardingRequest.DoesNotExist:
        raise Http404
    if not request.user.has_perm(perm, onboarding):
        raise PermissionDenied
    return onboarding


@login_required
def queue(request):
    if not request.user.has_perm("onboarding.view_queue"):
        raise PermissionDenied
    status_filter = request.GET.get("status") or ""
    overdue = {"1": True, "0": False}.get(request.GET.get("overdue", ""))
    qs = selectors.onboarding_request_list(status=status_filter or None, overdue=overdue)
    page = pages.page(request, qs, 50)
    for item in page:
        item.overdue_flag = selectors.is_overdue(item)
    return render(
        request,
        "onboarding/queue.html",
        {
            "page": page,
            "statuses": OnboardingRequest.Status.choices,
            "status_filter": status_filter,
            "overdue_filter": request.GET.get("overdue", ""),
        },
    )


@login_required
def review(request, pk):
    onboarding = _staff_request(request, pk)
    steps = services.approval_steps()
    done, total, percent = selectors.progress_of(onboarding)
    return render(
        request,
        "onboarding/review.html",
        {
            "onboarding": onboarding,
            "card_rows": _card_rows(onboarding.card),
            "steps": steps,
            "step": services.current_step(onboarding, steps),
            "can_decide": request.user.has_perm("onboarding.decide", onboarding),
            "can_see_credentials": request.user.has_perm("onboarding.view_credentials", onboarding),
            "decision_form": DecisionForm(),
            "overdue": selectors.is_overdue(onboarding),
            "percent": percent,
            "progress_url": reverse("onboarding:progress", args=[pk]),
            "organization_url": _organization_url(onboarding.organization_id),
        },
    )


def _organization_url(pk):
    if pk is None:
        return ""
    try:
        return reverse("directory:organization", args=[pk])
    except NoReverseMatch:  # the directory pages may not offer a card page
        return ""


def _card_rows(card):
    from domovoy.directory.models import Organization

    rows = []
    for name, value in card.items():
        if value in ("", None):
            continue
        label = capfirst(str(Organization._meta.get_field(name).verbose_name))
        if name == "legal_form":
            value = dict(Organization.LegalForm.choices).get(value, value)
        elif name.endswith("date") and isinstance(value, str):
            value = _dt.date.fromisoformat(value).strftime("%d.%m.%Y")
        rows.append((label, value))
    return rows


@login_required
def stored_file(request, pk, name):
    """An uploaded file of a request («license» or a file kind), for the reviewers
    (``onboarding.view_files``, S5)."""
    onboarding = _staff_request(request, pk, perm="onboarding.view_files")
    if name == "license":
        field, filename = onboarding.license_scan, onboarding.license_scan_name
    else:
        stored = next((f for f in onboarding.files.all() if f.kind == name), None)
        field, filename = (stored.file, stored.original_name) if stored else (None, "")
    if not field:
        raise Http404
    return serve_private_file(request, field, filename=filename)


@login_required
def progress(request, pk):
    onboarding = _staff_request(request, pk)
    return _progress_response(request, onboarding, reverse("onboarding:progress", args=[pk]))


def _decide(request, pk, call, success):
    onboarding = _staff_request(request, pk)
    if not request.user.has_perm("onboarding.view_queue"):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        call(onboarding, form.cleaned_data)
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise PermissionDenied
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("onboarding:review", pk=pk)


@login_required
@require_POST
def approve(request, pk):
    return _decide(
        request,
        pk,
        lambda o, data: services.onboarding_request_approve(
            request=o,
            actor=request.user,
            comment=data.get("comment", ""),
            territory=data.get("territory"),
            base_url=_base_url(request),
        ),
        _("Решение принято."),
    )


@login_required
@require_POST
def request_changes(request, pk):
    return _decide(
        request,
        pk,
        lambda o, data: services.onboarding_request_changes(
            request=o,
            actor=request.user,
            comment=data.get("comment", ""),
            base_url=_base_url(request),
        ),
        _("Заявка возвращена на исправление; заявителю отправлено письмо."),
    )


@login_required
@require_POST
def reject(request, pk):
    return _decide(
        request,
        pk,
        lambda o, data: services.onboarding_request_reject(
            request=o,
            actor=request.user,
            comment=data.get("comment", ""),
        ),
        _("Заявка отклонена."),
    )


@login_required
@require_POST
def handed_over(request, pk):
    onboarding = _staff_request(request, pk, perm="onboarding.view_credentials")
    try:
        services.onboarding_credentials_handed_over(request=onboarding, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Передача логинов отмечена; пароли удалены из системы."))
    return redirect("onboarding:review", pk=pk)


@login_required
def apply_contractor(request):
    """A UO files the connection request of its contractor (D5) and lists its requests."""
    if not request.user.has_perm("onboarding.file_for_contractor"):
        raise PermissionDenied
    uo = roles.organization_of(request.user)
    form = ApplicationForm(request.POST or None, request.FILES or None, contractor=True)
    title = _("Подключение подрядной организации")
    mine = selectors.onboarding_request_list(on_behalf_of=uo).order_by("-id")[:50]
    extra = {"contractor_requests": mine}
    if request.method == "POST":
        result, rows, total = _submit(
            request,
            form,
            lambda: services.onboarding_request_submit(
                card=form.card(),
                kinds=["contractor"],
                files=form.files_map(),
                submitted_by=request.user,
                on_behalf_of=uo,
                base_url=_base_url(request),
            ),
        )
        if result is not None:
            messages.success(request, _("Заявка на подключение подрядчика подана."))
            return redirect("onboarding:review", pk=result.pk)
        return _render_form(
            request, form, title=title, rows=rows, total=total, contractor=True, extra=extra
        )
    return _render_form(request, form, title=title, contractor=True, extra=extra)


# --- blank forms to download ---------------------------------------------------------------


def template(request, kind):
    """A blank XLSX form of a file of appendix 2: its header row, an example row the importer
    skips, drop-down lists of roles and resources (``blanks``)."""
    if kind not in blanks.SHEETS:
        raise Http404
    return exports.xlsx_response(blanks.sheets(kind), filename=f"onboarding-{kind}.xlsx")
