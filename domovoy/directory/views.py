"""Pages of the directory: organisations and their cards (D1), staff (D2), the building
registry with its map and building pages (D3), registry editing (D4). Object rules come from
``permissions.py`` (S2); owners' names are masked unless the rule allows them (S5)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from domovoy.audit.services import personal_data_read
from domovoy.core.errors import ApplicationError
from domovoy.core.masking import mask_name
from domovoy.core.private_files import download_url, serve_private_file
from domovoy.directory import roles
from domovoy.web import pages

from . import selectors, services
from .filters import BuildingPageFilter
from .forms import (
    CARD_GROUPS,
    DepartmentForm,
    EmployeeForm,
    EmployeeRolesForm,
    ManagementCloseForm,
    ManagementPeriodForm,
    OrganizationCardForm,
    OrganizationSearchForm,
    ServiceLinkForm,
    role_choices_for,
)
from .models import Employee, ManagementPeriod, Organization, Resource

PAGE_SIZE = 50
NEW_CREDENTIALS_KEY = "directory_new_credentials"


def _require(request, perm, obj=None):
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _org_or_404(pk):
    try:
        return selectors.organization_detail(pk=pk)
    except Organization.DoesNotExist:
        raise Http404


# --- Organisations (D1)


@login_required
def organization_list(request):
    _require(request, "directory.view_organization")
    form = OrganizationSearchForm(request.GET or None)
    search = kind = None
    if form.is_valid():
        search, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    qs = selectors.organization_list(user=request.user, search=search, kind=kind)
    return render(
        request,
        "directory/organization_list.html",
        {
            "form": form,
            "page": pages.page(request, qs, per_page=PAGE_SIZE),
            "is_reader": roles.is_territorial_reader(request.user),
        },
    )


def _display(org, field):
    value = getattr(org, field)
    getter = getattr(org, f"get_{field}_display", None)
    if getter is not None:
        return getter()
    if field == "license_scan":
        return value
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return value


def _card_groups(org):
    meta = Organization._meta
    return [
        (title, [(meta.get_field(f).verbose_name, f, _display(org, f)) for f in fields])
        for title, fields in CARD_GROUPS
    ]


def _render_org_card(request, org, *, link_form=None, status=200):
    user = request.user
    can_registry = user.has_perm("directory.change_registry")
    context = {
        "org": org,
        "kinds": [k.get_kind_display() for k in org.kinds.all()],
        "full": user.has_perm("directory.view_organization_card", org),
        "license_scan_url": download_url(org, "license_scan")
        if user.has_perm("directory.view_license_scan", org)
        else "",
        "can_edit": user.has_perm("directory.change_organization", org),
        "can_view_staff": user.has_perm("directory.view_staff", org),
        "links": selectors.service_links_of(organization=org),
        "can_registry": can_registry,
        "is_uo": org.has_kind("uo"),
        "link_form": link_form or (ServiceLinkForm() if can_registry else None),
        "managed_count": selectors.buildings_managed_by(organization=org).count()
        if org.has_kind("uo")
        else None,
    }
    if context["full"]:
        context["groups"] = _card_groups(org)
    return render(request, "directory/organization_detail.html", context, status=status)


@login_required
def organization_detail(request, pk):
    org = _org_or_404(pk)
    _require(request, "directory.view_organization", org)
    return _render_org_card(request, org)


@login_required
@require_GET
def license_scan(request, pk):
    """The licence scan of an organisation, for ``directory.view_license_scan`` (S5)."""
    org = _org_or_404(pk)
    if not request.user.has_perm("directory.view_license_scan", org):
        raise Http404
    return serve_private_file(
        request, org.license_scan, filename=org.license_scan_name, inline=True
    )


@login_required
def organization_edit(request, pk):
    org = _org_or_404(pk)
    _require(request, "directory.change_organization", org)
    can_edit_kinds = request.user.has_perm("directory.change_organization_kinds", org)
    status = 200
    if request.method == "POST":
        form = OrganizationCardForm(request.POST, request.FILES, can_edit_kinds=can_edit_kinds)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in services.CARD_FIELDS}
            try:
                services.organization_update(
                    organization=org,
                    data=data,
                    kinds=form.cleaned_data["kinds"] if can_edit_kinds else None,
                    license_scan=request.FILES.get("license_scan"),
                )
            except ApplicationError as exc:
                pages.apply_errors(form, exc)
            else:
                messages.success(request, _("Карта организации сохранена"))
                return redirect("directory:organization", pk=org.pk)
        status = 400
    else:
        initial = model_to_dict(org, fields=[*services.CARD_FIELDS, "license_scan"])
        initial["kinds"] = sorted(org.kind_codes)
        form = OrganizationCardForm(initial=initial, can_edit_kinds=can_edit_kinds)
    return render(
        request, "directory/organization_edit.html", {"org": org, "form": form}, status=status
    )


@login_required
@require_POST
def service_link_add(request, pk):
    org = _org_or_404(pk)
    _require(request, "directory.change_registry")
    form = ServiceLinkForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.service_link_create(
                uo=org,
                provider=d["provider"],
                resource=d["resource"],
                start=d["start"],
                end=d["end"],
            )
        except ApplicationError as exc:
            pages.apply_errors(form, exc)
        else:
            messages.success(request, _("Обслуживающая организация добавлена"))
            return redirect("directory:organization", pk=org.pk)
    return _render_org_card(request, org, link_form=form, status=400)


# --- Staff (D2)


def _render_staff(request, org, *, department_form=None, employee_form=None, status=200):
    user = request.user
    can_change = user.has_perm("directory.change_staff", org)
    contacts = user.has_perm("directory.view_staff_contacts", org)
    employees = list(selectors.employee_list(organization=org, include_inactive=can_change))
    if contacts and not roles.organization_of(user) == org and employees:
        personal_data_read(user=user, subject=f"organization:{org.pk}:staff", purpose="staff page")
    credentials = request.session.pop(NEW_CREDENTIALS_KEY, None) if status == 200 else None
    return render(
        request,
        "directory/staff.html",
        {
            "org": org,
            "departments": selectors.department_list(organization=org),
            "employees": employees,
            "contacts": contacts,
            "usernames": user.has_perm("directory.view_staff_usernames", org),
            "can_change": can_change,
            "department_form": department_form or (DepartmentForm() if can_change else None),
            "employee_form": employee_form
            or (EmployeeForm(organization=org) if can_change else None),
            "role_choices": role_choices_for(org),
            "credentials": credentials,
        },
        status=status,
    )


@login_required
def staff(request, pk):
    org = _org_or_404(pk)
    _require(request, "directory.view_staff", org)
    return _render_staff(request, org)


@login_required
@require_POST
def department_add(request, pk):
    org = _org_or_404(pk)
    _require(request, "directory.change_staff", org)
    form = DepartmentForm(request.POST)
    if form.is_valid():
        try:
            services.department_create(organization=org, name=form.cleaned_data["name"])
        except ApplicationError as exc:
            pages.apply_errors(form, exc)
        else:
            messages.success(request, _("Подразделение добавлено"))
            return redirect("directory:staff", pk=org.pk)
    return _render_staff(request, org, department_form=form, status=400)


@login_required
@require_POST
def employee_add(request, pk):
    org = _org_or_404(pk)
    _require(request, "directory.change_staff", org)
    form = EmployeeForm(request.POST, organization=org)
    if form.is_valid():
        d = form.cleaned_data
        try:
            employee, password = services.employee_create(
                organization=org,
                full_name=d["full_name"],
                position=d["position"],
                roles=d["roles"],
                email=d["email"],
                phone=d["phone"],
                department=d["department"],
            )
        except ApplicationError as exc:
            pages.apply_errors(form, exc)
        else:
            # Shown once on the next page view, then gone from the session.
            request.session[NEW_CREDENTIALS_KEY] = {
                "name": employee.user.full_name,
                "username": employee.user.username,
                "password": password,
                "emailed": bool(employee.user.email),
            }
            return redirect("directory:staff", pk=org.pk)
    return _render_staff(request, org, employee_form=form, status=400)


def _employee_or_404(pk):
    return get_object_or_404(
        Employee.objects.select_related("organization", "organization__territory", "user"), pk=pk
    )


@login_required
@require_POST
def employee_roles(request, pk):
    employee = _employee_or_404(pk)
    _require(request, "directory.change_staff", employee.organization)
    form = EmployeeRolesForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Укажите хотя бы одну роль"))
        services.employee_set_roles(employee=employee, roles=form.cleaned_data["roles"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Роли сотрудника изменены"))
    return redirect("directory:staff", pk=employee.organization_id)


@login_required
@require_POST
def employee_deactivate(request, pk):
    employee = _employee_or_404(pk)
    _require(request, "directory.change_staff", employee.organization)
    try:
        services.employee_deactivate(employee=employee)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Доступ сотрудника закрыт"))
    return redirect("directory:staff", pk=employee.organization_id)


# --- Buildings (D3) and the management registry (D4)


@login_required
def building_list(request):
    _require(request, "directory.view_building")
    filterset = BuildingPageFilter(
        request.GET or None, queryset=selectors.building_list(with_manager=True)
    )
    qs = filterset.qs if filterset.is_bound else filterset.queryset
    if filterset.is_bound and not filterset.is_valid():
        qs = filterset.queryset.none()
    return render(
        request,
        "directory/building_list.html",
        {
            "filter": filterset,
            "page": pages.page(request, qs, per_page=PAGE_SIZE),
            "querystring": pages.querystring(request),
        },
    )


@login_required
def building_map(request):
    _require(request, "directory.view_building")
    filterset = BuildingPageFilter(request.GET or None, queryset=selectors.building_list())
    return render(
        request,
        "directory/building_map.html",
        {
            "filter": filterset,
            "querystring": pages.querystring(request),
            "map": pages.map_settings(),
        },
    )


def _bad_request(message, field=None):
    body = {"code": "invalid", "message": message, "fields": {field: [message]} if field else {}}
    return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})


def _parse_bbox(raw):
    parts = raw.split(",")
    if len(parts) != 4:
        raise ValueError
    min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValueError
    return min_lon, min_lat, max_lon, max_lat


@login_required
def building_geojson(request):
    """The filtered registry as a GeoJSON FeatureCollection, at most MAP_POINT_LIMIT points
    inside ``bbox=minlon,minlat,maxlon,maxlat``; ``truncated`` says some were left out."""
    _require(request, "directory.view_building")
    bbox = None
    if request.GET.get("bbox"):
        try:
            bbox = _parse_bbox(request.GET["bbox"])
        except ValueError:
            return _bad_request(_("bbox: ожидается minlon,minlat,maxlon,maxlat"), "bbox")
    filterset = BuildingPageFilter(request.GET, queryset=selectors.building_list())
    if not filterset.is_valid():
        return _bad_request(_("Неверный фильтр"), next(iter(filterset.errors), None))
    rows, truncated = selectors.building_map_points(queryset=filterset.qs, bbox=bbox)
    url_template = reverse("directory:building", args=[999999999]).replace("999999999", "{}")
    features = []
    for r in rows:
        address = f"{r['settlement']}, {r['street']}, д. {r['house']}" + (
            f", корп. {r['block']}" if r["block"] else ""
        )
        features.append(
            {
                "type": "Feature",
                "id": r["id"],
                "geometry": {"type": "Point", "coordinates": [r["longitude"], r["latitude"]]},
                "properties": {"address": address, "url": url_template.format(r["id"])},
            }
        )
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "truncated": truncated,
            "limit": selectors.MAP_POINT_LIMIT,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _render_building(request, building, *, period_form=None, status=200):
    user = request.user
    people = user.has_perm("directory.view_building_people", building)
    page = pages.page(
        request, selectors.premises_of_building(building=building), per_page=PAGE_SIZE
    )
    rows = []
    for premises in page:
        for account in premises.accounts.all() or [None]:
            owner = account.owner_name if account else ""
            rows.append(
                {
                    "premises": premises,
                    "account": account,
                    "owner": owner if people else mask_name(owner),
                }
            )
    if people and any(r["owner"] for r in rows):
        personal_data_read(
            user=user, subject=f"building:{building.pk}", purpose="building page: owners"
        )
    suppliers = selectors.building_suppliers(building=building)
    can_registry = user.has_perm("directory.change_registry")
    history = list(selectors.management_history(building=building))
    current = selectors.building_manager(building=building)
    return render(
        request,
        "directory/building_detail.html",
        {
            "building": building,
            "history": history,
            "current_manager": current,
            "suppliers": [(Resource(code).label, org) for code, org in suppliers.items()],
            "page": page,
            "rows": rows,
            "people": people,
            "can_registry": can_registry,
            "period_form": period_form or (ManagementPeriodForm() if can_registry else None),
            "map": pages.map_settings(),
        },
        status=status,
    )


def _building_or_404(pk):
    from .models import Building

    try:
        return selectors.building_detail(pk=pk)
    except Building.DoesNotExist:
        raise Http404


@login_required
def building_detail(request, pk):
    _require(request, "directory.view_building")
    return _render_building(request, _building_or_404(pk))


@login_required
@require_POST
def management_add(request, pk):
    building = _building_or_404(pk)
    _require(request, "directory.change_registry")
    form = ManagementPeriodForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.management_period_create(
                building=building,
                organization=d["organization"],
                start=d["start"],
                end=d["end"],
                basis=d["basis"],
            )
        except ApplicationError as exc:
            pages.apply_errors(form, exc)
        else:
            messages.success(request, _("Период управления добавлен"))
            return redirect("directory:building", pk=building.pk)
    return _render_building(request, building, period_form=form, status=400)


@login_required
@require_POST
def management_close(request, pk):
    period = get_object_or_404(ManagementPeriod.objects.select_related("building"), pk=pk)
    _require(request, "directory.change_registry")
    form = ManagementCloseForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Укажите дату окончания управления"))
        services.management_period_close(period=period, end=form.cleaned_data["end"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Период управления закрыт"))
    return redirect("directory:building", pk=period.building_id)
