"""django-filter FilterSet of requests, shared by the API list (and usable by the pages): status,
topic (a group takes its topics), building, executor organisation, overdue, the filing period
and ``q`` — a number or a phone, the call centre's lookup (S2)."""

import re

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from domovoy.core.bounds import IdFilter

from . import deadlines
from .models import ServiceRequest
from .workflow import Status


class RequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label=_("статус (можно несколько)")
    )
    topic = IdFilter(method="filter_topic", label=_("тема или группа тем (id)"))
    building = IdFilter(field_name="building_id", label=_("дом (id)"))
    executor = IdFilter(field_name="executor_org_id", label=_("организация-исполнитель (id)"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("просрочена"))
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("подана не раньше (дата)")
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("подана не позже (дата)")
    )
    q = django_filters.CharFilter(method="filter_q", label=_("номер заявки или телефон"))

    class Meta:
        model = ServiceRequest
        fields = []

    def filter_topic(self, queryset, name, value):
        return queryset.filter(Q(topic_id=value) | Q(topic__parent_id=value))

    def filter_overdue(self, queryset, name, value):
        # The rule of «overdue» is ``deadlines.overdue_q`` (R14), as on the pages.
        overdue = deadlines.overdue_q(timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(number__icontains=value)
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 5:
            # Phones are stored as +7XXXXXXXXXX: «8 910 …» and «+7 910 …» find the same one.
            condition |= Q(phone__contains=digits[-10:])
        return queryset.filter(condition)
