"""django-filter FilterSets of the directory, shared by the pages and the API.

The choices of building and organisation filters follow the caller (``_buildings``,
``_organizations``): an integration limited to a territory cannot probe ids outside it (an
unknown choice and a choice it may not see answer alike)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import (
    Account,
    Building,
    Department,
    Employee,
    ManagementPeriod,
    Organization,
    OrgKind,
    Premises,
    Resource,
    Role,
    ServiceLink,
    Territory,
)


def _viewer(request):
    return getattr(request, "user", None)


def _buildings(request):
    return selectors.building_list(viewer=_viewer(request))


def _organizations(request):
    return selectors.organization_visible(viewer=_viewer(request))


def _uos(request):
    return _organizations(request).filter(kinds__kind=OrgKind.UO)


class BuildingFilter(django_filters.FilterSet):
    """Registry filters (D3): address text, street, territory (with everything below),
    the UO managing the building today."""

    search = django_filters.CharFilter(label=_("Адрес"), method="filter_search")
    street = django_filters.CharFilter(label=_("Улица"), field_name="street")
    territory = django_filters.ModelChoiceFilter(
        label=_("Территория"), queryset=Territory.objects.all(), method="filter_territory"
    )
    manager = django_filters.ModelChoiceFilter(
        label=_("Управляющая организация"),
        queryset=_uos,
        method="filter_manager",
    )

    class Meta:
        model = Building
        fields = ["search", "street", "territory", "manager"]

    def filter_search(self, queryset, name, value):
        value = (value or "").strip().lower()
        return queryset.filter(search_text__contains=value) if value else queryset

    def filter_territory(self, queryset, name, value):
        return queryset.filter(territory__path__startswith=value.path) if value else queryset

    def filter_manager(self, queryset, name, value: int):
        if not value:
            return queryset
        managed = selectors.buildings_managed_by(organization=value).values("id")
        return queryset.filter(id__in=managed)


class BuildingPageFilter(BuildingFilter):
    """The page variant: the street is a select of the registry's streets."""

    street = django_filters.ChoiceFilter(
        label=_("Улица"), field_name="street", choices=[], empty_label=_("Все улицы")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.form.fields["street"]
        field.choices = [(s, s) for s in selectors.building_streets()]
        field.widget = forms.Select(choices=field.choices)
        self.form.fields["manager"].queryset = selectors.uo_list()
        self.form.fields["territory"].queryset = selectors.territory_list()
        for f in self.form.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs.setdefault("class", css)


class OrganizationFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(label=_("Поиск"), method="filter_search")
    kind = django_filters.ChoiceFilter(
        label=_("Вид"), choices=OrgKind.choices, field_name="kinds__kind"
    )
    inn = django_filters.CharFilter(field_name="inn")

    class Meta:
        model = Organization
        fields = ["search", "kind", "inn"]

    def filter_search(self, queryset, name, value):
        from django.db.models import Q

        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(short_name__icontains=value) | Q(full_name__icontains=value) | Q(inn=value)
        )


class DepartmentFilter(django_filters.FilterSet):
    organization = django_filters.ModelChoiceFilter(queryset=_organizations)

    class Meta:
        model = Department
        fields = ["organization"]


class EmployeeFilter(django_filters.FilterSet):
    organization = django_filters.ModelChoiceFilter(queryset=_organizations)
    role = django_filters.ChoiceFilter(choices=Role.choices, field_name="roles__role")
    is_active = django_filters.BooleanFilter(field_name="is_active")

    class Meta:
        model = Employee
        fields = ["organization", "department", "role", "is_active"]


class PremisesFilter(django_filters.FilterSet):
    building = django_filters.ModelChoiceFilter(queryset=_buildings)

    class Meta:
        model = Premises
        fields = ["building", "number"]


class AccountFilter(django_filters.FilterSet):
    building = django_filters.ModelChoiceFilter(
        queryset=_buildings, field_name="premises__building"
    )
    number = django_filters.CharFilter(field_name="number")

    class Meta:
        model = Account
        fields = ["building", "premises", "number"]


class ManagementPeriodFilter(django_filters.FilterSet):
    building = django_filters.ModelChoiceFilter(queryset=_buildings)
    organization = django_filters.ModelChoiceFilter(queryset=_organizations)

    class Meta:
        model = ManagementPeriod
        fields = ["building", "organization"]


class ServiceLinkFilter(django_filters.FilterSet):
    uo = django_filters.ModelChoiceFilter(queryset=_organizations)
    provider = django_filters.ModelChoiceFilter(queryset=_organizations)
    resource = django_filters.ChoiceFilter(choices=Resource.choices)

    class Meta:
        model = ServiceLink
        fields = ["uo", "provider", "resource"]
