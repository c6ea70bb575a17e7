"""Forms of the executors' and controllers' pages (R4–R6, R8, R10, R14, R18): bulk accept, the
queue's filters, the statistics period.

The action forms are not written by hand: ``forms_action.ActionForm`` builds one from a row of
the workflow table, so a new action or parameter in the table shows up on the request card
without a template change."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from domovoy.core.bounds import INT_MAX, IdFilter, parse_id
from domovoy.directory.models import Organization

from . import params
from .workflow import Status

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _leaf_topics():
    return params.TOPIC.queryset(None)


class BulkAcceptForm(forms.Form):
    """Accept several new requests with one public comment (R4: accepting needs one)."""

    comment = forms.CharField(
        label=_("Публичный комментарий"),
        help_text=_("виден заявителю каждой выбранной заявки"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    # "<pk>:<version>" of each row ticked on the page.
    rows = forms.MultipleChoiceField(required=True, error_messages={
        "required": _("Отметьте заявки, которые нужно принять"),
    })  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        values = self.data.getlist("rows") if hasattr(self.data, "getlist") else []
        self.fields["rows"].choices = [(v, v) for v in values]

    def clean_rows(self):
        parsed = []
        for value in self.cleaned_data["rows"]:
            pk_text, _sep, version_text = value.partition(":")
            pk = parse_id(pk_text)
            # A version is 0 or an id-like number in the range of its column.
            version = 0 if version_text == "0" else parse_id(version_text)
            if pk is None or version is None or version > INT_MAX:
                raise forms.ValidationError(_("Неверный выбор заявок"))
            parsed.append((pk, version))
        return parsed


# --- The queue's filters (django-filter) -----------------------------------------------------


class QueueFilter(django_filters.FilterSet):
    """Filters of the work queue and the control lists: status, topic, address (street, house),
    emergency, filing period."""

    status = django_filters.ChoiceFilter(
        label=_("Статус"),
        choices=Status.choices,
        empty_label=_("все"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Тема"),
        queryset=_leaf_topics(),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    address = django_filters.CharFilter(
        label=_("Адрес (улица, дом)"),
        method="filter_address",
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    building = IdFilter(field_name="building_id", widget=forms.HiddenInput)
    emergency = django_filters.BooleanFilter(
        label=_("Аварийные"),
        field_name="is_emergency",
        widget=forms.Select(
            attrs={"class": "form-select form-select-sm"},
            choices=[("", _("все")), ("true", _("только аварийные")), ("false", _("плановые"))],
        ),
    )
    date_from = django_filters.DateFilter(
        label=_("Поданы с"),
        method="filter_from",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )
    date_to = django_filters.DateFilter(
        label=_("по"),
        method="filter_to",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )

    def filter_address(self, queryset, name, value):
        words = value.strip().lower().replace(",", " ").split()
        condition = Q()
        for word in words[:4]:
            condition &= Q(building__search_text__contains=word)
        return queryset.filter(condition)

    @staticmethod
    def _day_start(day):
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    def filter_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=self._day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=self._day_start(value + dt.timedelta(days=1)))


class StatsForm(forms.Form):
    """The statistics period (R18) and, for control bodies, the organisation."""

    date_from = forms.DateField(label=_("С"), widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("По"), widget=DATE_WIDGET)
    organization = forms.ModelChoiceField(
        label=_("Организация"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is None:
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = organizations

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Конец периода раньше начала"))
        if start and end and (end - start).days > 3 * 366:
            self.add_error("date_to", _("Период не длиннее трёх лет"))
        return data


class AdvanceNoticeForm(forms.Form):
    """R14 (Z 6.1.4.1): reasons the deadline will be missed, measures taken, the new date."""

    reasons = forms.CharField(
        label=_("Причины срыва срока"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    measures = forms.CharField(
        label=_("Принимаемые меры"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    new_date = forms.DateField(label=_("Новый срок устранения"), widget=DATE_WIDGET)


DATETIME_WIDGET = forms.DateTimeInput(
    attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
)


class SystemFailureForm(forms.Form):
    """S8: the operator's notice of a system failure for a period."""

    starts_at = forms.DateTimeField(label=_("Начало сбоя"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Окончание сбоя"), widget=DATETIME_WIDGET)
    description = forms.CharField(
        label=_("Что случилось"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    pauses_clocks = forms.BooleanField(
        label=_("Остановить сроки заявок на время сбоя"),
        required=False,
        help_text=_("сроки открытых заявок продлятся на то время сбоя, когда они были в работе"),
    )
