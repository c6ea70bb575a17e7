"""The form of a topic on the classifier pages (R2). It only shapes the input: the deadline
as an amount and a unit; every rule is the service's (``classifier``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from domovoy.core import bounds
from domovoy.directory.models import Resource

from .models import HandlerKind, Topic

UNIT_HOURS, UNIT_DAYS = "hours", "days"
# The service's field names of the deadline, shown next to the amount on the page.
RENAME = {"deadline_hours": "deadline_amount", "deadline_days": "deadline_amount"}


def _text(**attrs):
    return forms.TextInput(attrs={"class": "form-control", **attrs})


class TopicForm(forms.Form):
    name = forms.CharField(label=_("Название"), max_length=200, required=False, widget=_text())
    parent = forms.ModelChoiceField(
        label=_("Группа"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=_("— нет (тема — группа верхнего уровня)"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    deadline_amount = forms.IntegerField(
        label=_("Нормативный срок"),
        required=False,
        min_value=-bounds.INT_MAX,
        max_value=bounds.INT_MAX,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        help_text=_("для групп можно не указывать"),
    )
    deadline_unit = forms.ChoiceField(
        label=_("Единица срока"),
        choices=[(UNIT_HOURS, _("часы")), (UNIT_DAYS, _("дни"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    deadline_working = forms.BooleanField(
        label=_("Срок в рабочем времени (иначе — календарном)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    handler_kind = forms.ChoiceField(
        label=_("Исполнитель"),
        choices=HandlerKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    resource = forms.ChoiceField(
        label=_("Коммунальный ресурс"),
        choices=[("", "—"), *Resource.choices],
        required=False,
        help_text=_("для тем ресурсоснабжающих организаций"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    is_emergency = forms.BooleanField(
        label=_("Аварийная"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    is_active = forms.BooleanField(
        label=_("Действует"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    order = forms.IntegerField(
        label=_("Порядок"),
        required=False,
        min_value=0,
        max_value=bounds.INT_MAX,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    reason = forms.CharField(
        label=_("Что и почему изменено"),
        required=False,
        max_length=100,
        widget=_text(),
    )

    def __init__(self, *args, topic=None, **kwargs):
        if topic is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(topic)
        super().__init__(*args, **kwargs)
        groups = Topic.objects.filter(parent__isnull=True)
        if topic is not None:
            groups = groups.exclude(pk=topic.pk)
        self.fields["parent"].queryset = groups.order_by("order", "name")

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        amount = data.pop("deadline_amount")
        unit = data.pop("deadline_unit")
        data["deadline_hours"] = amount if unit == UNIT_HOURS else None
        data["deadline_days"] = amount if unit == UNIT_DAYS else None
        if data["order"] is None:
            data["order"] = 0
        return data


def initial_of(topic: Topic) -> dict:
    return {
        "name": topic.name,
        "parent": topic.parent_id,
        "deadline_amount": topic.deadline_days or topic.deadline_hours,
        "deadline_unit": UNIT_DAYS if topic.deadline_days else UNIT_HOURS,
        "deadline_working": topic.deadline_working,
        "handler_kind": topic.handler_kind,
        "resource": topic.resource,
        "is_emergency": topic.is_emergency,
        "is_active": topic.is_active,
        "order": topic.order,
    }
