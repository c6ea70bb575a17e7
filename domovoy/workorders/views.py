"""Pages of work orders (R9, G 2.4): the forms and their versions for operators; the work order
form for the executor of a request; a work order with its PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from domovoy.core.errors import ApplicationError
from domovoy.web import pages

from . import definition, selectors, services
from .defaults import DEFAULT_VERSION
from .forms import (
    RejectForm,
    TemplateForm,
    VersionForm,
    form_rows,
    work_order_data_from_post,
)
from .models import FieldType, SectionKind
from .pdf import render_work_order_pdf


def _refuse_forbidden(exc):
    if exc.status_code == 403:
        raise PermissionDenied(exc.message)


# --- Forms and versions (operators) ---------------------------------------------------------


@login_required
def template_list(request):
    if not request.user.has_perm("workorders.view_templates"):
        raise PermissionDenied
    can_add = request.user.has_perm("workorders.add_template")
    form = TemplateForm(request.POST or None) if can_add else None
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        if form.is_valid():
            try:
                template = services.work_order_template_create(
                    actor=request.user, **form.cleaned_data
                )
            except ApplicationError as exc:
                _refuse_forbidden(exc)
                pages.apply_errors(form, exc)
            else:
                messages.success(request, _("Форма «%(t)s» создана") % {"t": template.title})
                return redirect("workorders:template", pk=template.pk)
    return render(
        request,
        "workorders/template_list.html",
        {"templates": selectors.templates_list(), "form": form},
    )


@login_required
def template_detail(request, pk):
    if not request.user.has_perm("workorders.view_templates"):
        raise PermissionDenied
    template = selectors.template_get(pk=pk)
    if template is None:
        raise Http404
    return render(
        request,
        "workorders/template_detail.html",
        {
            "template": template,
            "versions": list(template.versions.all()),
            "can_add_version": request.user.has_perm("workorders.add_version"),
            "can_decide": request.user.has_perm("workorders.decide_version"),
        },
    )


@login_required
def version_create(request, pk):
    if not request.user.has_perm("workorders.add_version"):
        raise PermissionDenied
    template = selectors.template_get(pk=pk)
    if template is None:
        raise Http404
    if request.method == "POST":
        form = VersionForm(request.POST)
        if form.is_valid():
            try:
                version = services.work_order_template_version_create(
                    template=template, actor=request.user, **form.cleaned_data
                )
            except ApplicationError as exc:
                _refuse_forbidden(exc)
                pages.apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Версия %(n)s загружена и ждёт утверждения функциональным оператором")
                    % {"n": version.number},
                )
                return redirect("workorders:version", pk=version.pk)
    else:
        # Start from the latest version (or the shipped example) and change what is needed.
        base = next(iter(template.versions.all()), None)
        source = (
            {"title": base.title, "fields": base.fields, "layout": base.layout}
            if base
            else DEFAULT_VERSION
        )
        form = VersionForm(initial={k: source[k] for k in ("title", "fields", "layout")})
    return render(
        request,
        "workorders/version_form.html",
        {
            "template": template,
            "form": form,
            "field_types": FieldType.choices,
            "section_kinds": SectionKind.choices,
        },
    )


@login_required
def version_detail(request, pk):
    if not request.user.has_perm("workorders.view_templates"):
        raise PermissionDenied
    version = selectors.version_get(pk=pk)
    if version is None:
        raise Http404
    labels = {f["name"]: f["label"] for f in version.fields}
    sections = [
        {
            "kind": SectionKind(s["kind"]).label,
            "title": s.get("title", ""),
            "fields": [labels.get(n, n) for n in s.get("fields", [])]
            + ([labels.get(s["field"], s["field"])] if s.get("field") else []),
            "text": s.get("text", ""),
        }
        for s in version.layout
    ]
    return render(
        request,
        "workorders/version_detail.html",
        {
            "version": version,
            "fields": [{**f, "type_label": FieldType(f["type"]).label} for f in version.fields],
            "sections": sections,
            "can_decide": version.is_draft and request.user.has_perm("workorders.decide_version"),
            "reject_form": RejectForm(),
        },
    )


@login_required
@require_POST
def version_approve(request, pk):
    version = selectors.version_get(pk=pk)
    if version is None:
        raise Http404
    try:
        services.work_order_template_version_approve(version=version, actor=request.user)
    except ApplicationError as exc:
        _refuse_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Версия %(n)s утверждена и действует") % {"n": version.number})
    return redirect("workorders:version", pk=pk)


@login_required
@require_POST
def version_reject(request, pk):
    version = selectors.version_get(pk=pk)
    if version is None:
        raise Http404
    try:
        services.work_order_template_version_reject(
            version=version, actor=request.user, reason=request.POST.get("reason", "")
        )
    except ApplicationError as exc:
        _refuse_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Версия %(n)s отклонена") % {"n": version.number})
    return redirect("workorders:version", pk=pk)


# --- Work orders (the executor) -------------------------------------------------------------


@login_required
def work_order_create(request, request_id):
    sr = selectors.service_request_get(pk=request_id)
    if sr is None:
        raise Http404
    if not request.user.has_perm("workorders.add_work_order", sr):
        raise PermissionDenied(_("Заказ-наряд составляет организация — исполнитель заявки"))
    versions = list(selectors.active_versions())
    kind = request.POST.get("template") or request.GET.get("template")
    version = next((v for v in versions if v.template.kind == kind), None) or next(
        iter(versions), None
    )
    values, errors, error_message = {}, {}, ""
    if request.method == "POST" and version is not None:
        values = work_order_data_from_post(version, request.POST)
        try:
            work_order = services.work_order_create(
                request=sr, actor=request.user, data=values, template_kind=version.template.kind
            )
        except ApplicationError as exc:
            _refuse_forbidden(exc)
            errors, error_message = exc.fields, exc.message
        else:
            messages.success(request, _("Заказ-наряд № %(n)s составлен") % {"n": work_order.number})
            return redirect("workorders:detail", pk=work_order.pk)
    status_ok = sr.status in services.work_order_statuses()
    return render(
        request,
        "workorders/work_order_form.html",
        {
            "sr": sr,
            "version": version,
            "versions": versions,
            "rows": form_rows(version, values, errors) if version else [],
            "error_message": error_message,
            "status_ok": status_ok,
            "existing": list(selectors.work_orders_of(request=sr)),
        },
    )


def _visible_work_order(request, pk):
    work_order = selectors.work_order_get(pk=pk)
    if work_order is None:
        raise Http404
    if not request.user.has_perm("workorders.view_work_order", work_order):
        raise PermissionDenied
    return work_order


@login_required
def work_order_detail(request, pk):
    work_order = _visible_work_order(request, pk)
    version = work_order.version
    scalar, works = [], None
    for field in version.fields:
        value = work_order.data.get(field["name"])
        if field["type"] == FieldType.WORKS:
            works = {
                "label": field["label"],
                "rows": [
                    {**row, "quantity": definition.format_quantity(row["quantity"])}
                    for row in value or []
                ],
            }
        else:
            scalar.append((field["label"], definition.display_value(field, value)))
    return render(
        request,
        "workorders/work_order_detail.html",
        {
            "wo": work_order,
            "snap": work_order.snapshot,
            "scalar": scalar,
            "works": works,
            "report_text": services.work_order_report_text(work_order),
            "can_create": request.user.has_perm("workorders.add_work_order", work_order.request),
        },
    )


@login_required
def work_order_pdf(request, pk):
    work_order = _visible_work_order(request, pk)
    response = HttpResponse(render_work_order_pdf(work_order), content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{pdf_filename(work_order)}"'
    return response


def pdf_filename(work_order) -> str:
    """An ASCII file name (ЗН → ZN) that every browser accepts in the header."""
    return f"{work_order.number.replace('ЗН', 'ZN')}.pdf"
