"""Filters of the audit log and the personal-data access log, shared by pages and the API."""

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from domovoy.core.bounds import IdFilter

from . import access_words
from .models import AuditEntry, PersonalDataAccess, RefusedAccess


def _start_of(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class _PeriodFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(label=_("с даты"), method="filter_from")
    date_to = django_filters.DateFilter(label=_("по дату"), method="filter_to")

    def filter_from(self, qs, name, value):
        return qs.filter(at__gte=_start_of(value))

    def filter_to(self, qs, name, value):
        # Inclusive: everything before the next local midnight.
        return qs.filter(at__lt=_start_of(value + dt.timedelta(days=1)))


class AuditEntryFilter(_PeriodFilterSet):
    actor = IdFilter(field_name="actor_id", label=_("кто (id пользователя)"))
    actor_name = django_filters.CharFilter(
        field_name="actor_name", lookup_expr="icontains", label=_("кто")
    )
    model = django_filters.CharFilter(method="filter_model", label=_("тип объекта"))
    object_id = django_filters.CharFilter(field_name="object_id", label=_("идентификатор"))
    action = django_filters.ChoiceFilter(choices=AuditEntry.Action.choices, label=_("действие"))

    class Meta:
        model = AuditEntry
        fields = []

    def filter_model(self, qs, name, value):
        # The human type name ("организация") or the machine one ("directory.organization").
        return qs.filter(Q(model=value) | Q(model_label=value.lower()))


class PersonalDataAccessFilter(_PeriodFilterSet):
    user = IdFilter(field_name="user_id", label=_("кто (id пользователя)"))
    user_name = django_filters.CharFilter(method="filter_user_name", label=_("кто"))
    subject = django_filters.CharFilter(
        field_name="subject", lookup_expr="icontains", label=_("чьи данные")
    )
    purpose = django_filters.CharFilter(method="filter_purpose", label=_("где"))

    class Meta:
        model = PersonalDataAccess
        fields = []

    def filter_purpose(self, qs, name, value):
        # The words the page shows («карточка заявки») or the stored code.
        codes = access_words.purposes_matching(value)
        return qs.filter(Q(purpose__icontains=value) | Q(purpose__in=codes))

    def filter_user_name(self, qs, name, value):
        for word in value.split():
            qs = qs.filter(
                Q(user__username__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(user__first_name__icontains=word)
            )
        return qs


class RefusedAccessFilter(_PeriodFilterSet):
    user = IdFilter(field_name="user_id", label=_("кто (id пользователя)"))
    username = django_filters.CharFilter(
        field_name="username", lookup_expr="icontains", label=_("логин")
    )
    route = django_filters.CharFilter(
        field_name="route", lookup_expr="icontains", label=_("маршрут")
    )
    status = django_filters.TypedChoiceFilter(
        choices=[(403, "403"), (404, "404")], coerce=int, label=_("ответ")
    )

    class Meta:
        model = RefusedAccess
        fields = []
