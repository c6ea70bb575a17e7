"""List filters of outages (API and pages): resource, status, kind, building, period."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from domovoy.core.bounds import IdFilter
from domovoy.directory.models import Resource

from . import selectors
from .models import Outage, OutageKind, OutageStatus

PERIODS = (("current", _("Текущие")), ("planned", _("Запланированные")))


class OutageFilter(django_filters.FilterSet):
    resource = django_filters.ChoiceFilter(
        choices=Resource.choices, label=_("Ресурс"), empty_label=_("Все")
    )
    status = django_filters.ChoiceFilter(
        choices=OutageStatus.choices, label=_("Статус"), empty_label=_("Все")
    )
    kind = django_filters.ChoiceFilter(
        choices=OutageKind.choices, label=_("Вид"), empty_label=_("Все")
    )
    organization = IdFilter(field_name="organization_id")
    building = IdFilter(method="filter_building", label=_("дом (id)"))
    date_from = django_filters.DateFilter(method="filter_noop", label=_("с даты"))
    date_to = django_filters.DateFilter(method="filter_noop", label=_("по дату"))
    period = django_filters.ChoiceFilter(
        choices=PERIODS, method="filter_noop", label=_("Сейчас"), empty_label=_("Все")
    )

    class Meta:
        model = Outage
        fields = ["resource", "status", "kind", "organization"]

    def filter_noop(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def filter_building(self, queryset, name, value):
        return queryset.filter(selectors.zone_exists(Q(building_id=value)))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        return selectors.narrow(
            queryset,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            period=data.get("period") or None,
        )
