"""Pages of outages: the list (O7), the publication form with the zone picker (O1, O2), the
card with history, delays and delivery statistics (O1–O3), durations with export (O5), the
public list and map and the resident's «Мои адреса» (O6). Views call services and selectors."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.directory import roles
from domovoy.directory.models import Resource
from domovoy.directory.selectors import buildings_matching_address
from domovoy.notifications.channels import LABELS as CHANNEL_LABELS
from domovoy.web import pages

from . import export, filters, notify, selectors, services
from . import permissions as perms
from .forms import (
    CancelForm,
    CompleteForm,
    DurationsForm,
    FavouriteForm,
    OutageForm,
    RefineForm,
    StatisticsForm,
    ZoneEditForm,
    ZonePreviewForm,
)
from .models import Network
from .zones import MAX_ZONE_LABELS, resolve_zone

# --- Staff pages -----------------------------------------------------------------------------


@login_required
def outage_list(request):
    if not request.user.has_perm("outages.view_staff_list"):
        return redirect("outages:public")
    org = roles.organization_of(request.user)
    filterset = filters.OutageFilter(
        request.GET or None,
        queryset=selectors.outages_visible_to(request.user)
        .select_related(*selectors.LIST_RELATED)
        .order_by("-start", "-id"),
    )
    for field in filterset.form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)
        if isinstance(field.widget, forms.DateInput):
            field.widget.input_type = "date"
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    if filterset.is_bound and not filterset.is_valid():
        qs = qs.none()
    return render(
        request,
        "outages/outage_list.html",
        {
            "filter": filterset,
            "page": pages.page(request, qs),
            "may_publish": perms.may_publish(request.user),
            "may_read_durations": request.user.has_perm("outages.view_durations"),
            "now": timezone.now(),
            "delays": selectors.supplier_delay_stats(organization=org) if org else None,
            "may_read_statistics": request.user.has_perm("outages.view_supplier_statistics"),
        },
    )


@login_required
def outage_create(request):
    if not perms.may_publish(request.user):
        raise PermissionDenied
    networks = perms.networks_of(request.user)
    form = OutageForm(request.POST or None, networks=networks)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            outage = services.outage_publish(
                actor=request.user,
                kind=d["kind"],
                resource=d["resource"],
                network=d["network"],
                zone=form.zone(),
                reason=d["reason"],
                description=d["description"],
                start=d["start"],
                planned_end=d["planned_end"],
                completion=d["completion"],
                accident_at=d["accident_at"],
                end_known_at=d["end_known_at"],
                emergency_alert=d["emergency_alert"],
            )
        except ApplicationError as exc:
            pages.apply_errors(form, exc)
        else:
            messages.success(request, _("Отключение опубликовано, жители будут оповещены."))
            return redirect("outages:detail", pk=outage.pk)
    return render(
        request,
        "outages/outage_form.html",
        {
            "form": form,
            "map": pages.map_settings(),
            "settlements": selectors.settlements(),
            "zone_labels": selectors.zone_labels(form.chosen_building_ids())
            if form.is_bound
            else [],
            # the list of the zone as it was sent (the same as the picker fetches)
            "zone_preview": _sent_zone_preview(request) if form.is_bound else None,
        },
    )


# --- The zone picker without tiles (issue 12, item 8) ------------------------------------------


def _publisher_scope(user, network, resource):
    """The buildings ``user``'s organisation may cut on ``network`` for ``resource`` (the
    supplier's network: the buildings of the UOs it serves by service link), or
    ``PermissionDenied`` for a user who does not publish on that network."""
    try:
        org = perms.publisher_org(user, network)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    return perms.buildings_in_scope(organization=org, network=network, resource=resource)


@login_required
@require_GET
def zone_network(request):
    """Points of the buildings of the publisher's network for ``network`` and ``resource``, to
    draw a zone around even when the map tiles do not load."""
    if not request.user.has_perm("outages.publish_outage"):
        raise PermissionDenied
    network, resource = request.GET.get("network"), request.GET.get("resource")
    if network not in Network.values or resource not in Resource.values:
        return JsonResponse(
            {"code": "invalid", "message": _("Укажите сети и коммунальный ресурс.")}, status=400
        )
    scope = _publisher_scope(request.user, network, resource)
    return JsonResponse(
        selectors.network_points(scope=scope), json_dumps_params={"ensure_ascii": False}
    )


def _zone_preview(user, form):
    """The zone's address list (``selectors.ZoneAddresses``) or a refusal: resolved by the
    code that publishing runs (``zones.resolve_zone``); buildings outside the publisher's
    network for the chosen resource are marked."""
    if not form.is_valid():
        return {"error": _("Зона отключения задана неверно.")}
    d = form.cleaned_data
    scope = None
    if d["network"] and d["resource"]:
        scope = _publisher_scope(user, d["network"], d["resource"])
    try:
        ids = resolve_zone(form.zone())
    except ApplicationError as exc:
        if exc.code == "empty_zone":
            return {"empty": True}
        return {"error": exc.message}
    return {
        "list": selectors.zone_addresses(ids, scope=scope),
        "resource": Resource(d["resource"]).label if d["resource"] else "",
    }


def _sent_zone_preview(request):
    try:
        return _zone_preview(request.user, ZonePreviewForm(request.POST))
    except PermissionDenied:  # a network this user does not publish on: the form says so
        return None


@login_required
@require_POST
def zone_addresses(request):
    """The address list of the zone being drawn (an htmx fragment of the picker)."""
    if not request.user.has_perm("outages.publish_outage"):
        raise PermissionDenied
    return render(
        request,
        "outages/_zone_addresses.html",
        {"zone_preview": _zone_preview(request.user, ZonePreviewForm(request.POST))},
    )


def _outage_or_404(request, pk):
    outage = selectors.outage_detail(user=request.user, pk=pk)
    if outage is None:
        raise Http404
    return outage


def _detail(request, outage, *, zone_form=None, status=200):
    """Render the card; ``zone_form`` is a bound «Изменить зону» form to show again (opened)."""
    can_change = perms.is_responsible_staff(request.user, outage) and outage.status == "published"
    # Delivery statistics and the revisions' actors are for working staff, not for the media
    # role, which sees what the public sees (by role, S2).
    is_staff = request.user.has_perm("outages.view_delivery")
    local = timezone.localtime
    refine = RefineForm(
        initial={
            "start": local(outage.start),
            "planned_end": local(outage.planned_end) if outage.planned_end else None,
            "reason": outage.reason,
            "description": outage.description,
        }
    )
    zone = list(outage.zone.all())
    context = {
        "outage": outage,
        "zone": zone,
        "revisions": list(outage.revisions.all()),
        "can_change": can_change,
        "is_staff": is_staff,
        "delivery": (
            [(CHANNEL_LABELS.get(c, c), row) for c, row in notify.stats(outage).items()]
            if is_staff
            else None
        ),
        "schedule": notify.delivery_schedule(outage) if is_staff else None,
        "refine_form": refine,
        "complete_form": CompleteForm(),
        "cancel_form": CancelForm(),
        "map": pages.map_settings(),
        "now": timezone.now(),
        "points": [
            [z.building.latitude, z.building.longitude, z.building.short_address]
            for z in zone[:MAX_ZONE_LABELS]
            if z.building.latitude is not None
        ],
    }
    if can_change:
        if zone_form is None:
            zone_form = ZoneEditForm(
                initial={
                    "building_ids": ",".join(str(z.building_id) for z in zone),
                    "streets": "[]",
                    "polygon": "",
                    "reason": outage.reason,
                }
            )
            labels = [
                [z.building_id, z.building.short_address, z.building.latitude, z.building.longitude]
                for z in zone[:MAX_ZONE_LABELS]
            ]
        else:
            labels = selectors.zone_labels(zone_form.chosen_building_ids())
        context.update(
            zone_form=zone_form,
            zone_open=zone_form.is_bound,
            zone_labels=labels,
            settlements=selectors.settlements(),
        )
    return render(request, "outages/outage_detail.html", context, status=status)


def outage_detail(request, pk):
    return _detail(request, _outage_or_404(request, pk))


def _act(request, pk, form_class, action, success):
    outage = _outage_or_404(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect("outages:detail", pk=pk)
    try:
        action(outage, form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("outages:detail", pk=pk)


def _edit_zone(request, pk):
    """«Изменить зону»: the refine service with the new zone (O1, O2); the service tells the
    residents of added buildings. A refusal re-renders the card with the picker as it was."""
    outage = _outage_or_404(request, pk)
    form = ZoneEditForm(request.POST)
    refusal = None
    if form.is_valid():
        try:
            services.outage_refine(
                actor=request.user,
                outage=outage,
                zone=form.zone(),
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            refusal = exc
            pages.apply_errors(form, exc)
        else:
            messages.success(request, _("Зона отключения изменена."))
            return redirect("outages:detail", pk=pk)
    outage.refresh_from_db(fields=["status"])
    if not (perms.is_responsible_staff(request.user, outage) and outage.status == "published"):
        # no picker to show this user (another organisation, a resident, a closed outage)
        messages.error(
            request, refusal.message if refusal else _("Изменить зону этого отключения нельзя.")
        )
        return redirect("outages:detail", pk=pk)
    return _detail(request, outage, zone_form=form)


@login_required
@require_POST
def outage_edit(request, pk):
    if request.POST.get("action") == "zone":
        return _edit_zone(request, pk)

    def refine(outage, d):
        kwargs = {"reason": d["reason"], "description": d["description"]}
        if d["start"]:
            kwargs["start"] = d["start"]
        if d["planned_end"] or not outage.is_emergency:
            kwargs["planned_end"] = d["planned_end"]
        kwargs["end_known_at"] = d["end_known_at"]
        services.outage_refine(actor=request.user, outage=outage, **kwargs)

    return _act(request, pk, RefineForm, refine, _("Изменения сохранены."))


@login_required
@require_POST
def outage_complete(request, pk):
    def complete(outage, d):
        services.outage_complete(
            actor=request.user, outage=outage, actual_end=d["actual_end"], known_at=d["known_at"]
        )

    return _act(request, pk, CompleteForm, complete, _("Отключение завершено."))


@login_required
@require_POST
def outage_cancel(request, pk):
    def cancel(outage, d):
        services.outage_cancel(actor=request.user, outage=outage, reason=d["reason"])

    return _act(request, pk, CancelForm, cancel, _("Отключение отменено."))


@login_required
def durations(request):
    if not request.user.has_perm("outages.view_durations"):
        raise PermissionDenied
    today = timezone.localdate()
    form = DurationsForm(
        request.GET or None,
        initial={"date_from": today.replace(day=1), "date_to": today, "by": "building"},
    )
    rows = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        by_account = d["by"] == "account"
        rows = selectors.outage_durations(
            user=request.user,
            date_from=d["date_from"],
            date_to=d["date_to"],
            resource=d["resource"] or None,
            by_account=by_account,
        )
        fmt = request.GET.get("format")
        stem = f"outages-{d['date_from']:%Y%m%d}-{d['date_to']:%Y%m%d}"
        if fmt == "csv":
            return export.durations_csv_response(
                rows, by_account=by_account, filename=f"{stem}.csv"
            )
        if fmt == "xlsx":
            title = _("Длительность отключений с %(a)s по %(b)s") % {
                "a": d["date_from"].strftime("%d.%m.%Y"),
                "b": d["date_to"].strftime("%d.%m.%Y"),
            }
            return export.durations_xlsx_response(
                rows, by_account=by_account, title=title, filename=f"{stem}.xlsx"
            )
    return render(
        request,
        "outages/durations.html",
        {
            "form": form,
            "rows": rows[:1000] if rows is not None else None,
            "total": len(rows) if rows is not None else 0,
            "by_account": form.is_bound
            and form.is_valid()
            and form.cleaned_data["by"] == "account",
            "querystring": pages.querystring(request, drop=("page", "format")),
        },
    )


@login_required
def statistics(request):
    """Supplier delay statistics over a period (O2, issue 11): the control body sees every
    responsible organisation of its territory, an organisation its own; XLSX export."""
    if not request.user.has_perm("outages.view_supplier_statistics"):
        raise PermissionDenied
    today = timezone.localdate()
    asked = "date_from" in request.GET or "date_to" in request.GET
    form = StatisticsForm(
        request.GET if asked else {"date_from": today.replace(day=1), "date_to": today}
    )
    rows = None
    if form.is_valid():
        d = form.cleaned_data
        rows = selectors.supplier_statistics(
            user=request.user, date_from=d["date_from"], date_to=d["date_to"]
        )
        if request.GET.get("format") == "xlsx":
            title = _("Задержки поставщиков с %(a)s по %(b)s") % {
                "a": d["date_from"].strftime("%d.%m.%Y"),
                "b": d["date_to"].strftime("%d.%m.%Y"),
            }
            stem = f"outage-delays-{d['date_from']:%Y%m%d}-{d['date_to']:%Y%m%d}"
            return export.statistics_xlsx_response(rows, title=title, filename=f"{stem}.xlsx")
    return render(
        request,
        "outages/statistics.html",
        {
            "form": form,
            "rows": rows,
            "all_organisations": perms.reads_all_statistics(request.user),
            "querystring": pages.querystring(request, drop=("page", "format")),
        },
    )


# --- Public and resident pages (O6) ----------------------------------------------------------


def public_outages(request):
    resource = request.GET.get("resource") or None
    if resource not in Resource.values:
        resource = None
    address = (request.GET.get("address") or "").strip()[:200]
    outages = list(selectors.public_outages(resource=resource, search=address or None)[:200])
    points = selectors.zone_points([o.pk for o in outages], limit_per_outage=500)
    now = timezone.now()
    features = [
        {
            "id": o.pk,
            "resource": o.resource,
            "label": f"{o.get_resource_display()}: {o.reason}",
            "current": o.start <= now,
            "url": f"{o.pk}/",
            "points": [[lat, lon, addr] for _i, lat, lon, addr in points.get(o.pk, []) if lat],
        }
        for o in outages
    ]
    return render(
        request,
        "outages/public.html",
        {
            "outages": outages,
            "now": now,
            "resources": Resource.choices,
            "resource": resource or "",
            "address": address,
            "map": pages.map_settings(),
            "features": features,
        },
    )


@login_required
def favourites(request):
    form = FavouriteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.favourite_add(
                user=request.user, building_id=d["building"], label=d["label"], title=d["title"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Адрес добавлен: уведомления об отключениях включены."))
            return redirect("outages:favourites")
    elif request.method == "POST":
        messages.error(request, _("Выберите дом из списка."))
    # Issue 12: the resident's own home (their accounts' buildings) is listed too, as «мой дом».
    items = selectors.my_addresses(user=request.user)
    upcoming = {}
    if items:
        ids = [item.building.pk for item in items]
        for o in selectors.public_outages().filter(selectors.zone_exists(Q(building_id__in=ids))):
            upcoming.setdefault(o.pk, o)
    return render(
        request,
        "outages/favourites.html",
        {"form": form, "items": items, "outages": list(upcoming.values())},
    )


@login_required
@require_POST
def favourite_delete(request, pk):
    try:
        services.favourite_remove(user=request.user, favourite_id=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Адрес удалён из избранного."))
    return redirect("outages:favourites")


@login_required
@require_GET
def building_search(request):
    """Up to 20 buildings matching an address text, for the zone picker and «Мои адреса»."""
    rows = buildings_matching_address((request.GET.get("q") or "")[:100], limit=20)
    return JsonResponse(
        {
            "results": [
                {
                    "id": b.pk,
                    "address": b.address,
                    "short": b.short_address,
                    "lat": b.latitude,
                    "lon": b.longitude,
                }
                for b in rows
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )
