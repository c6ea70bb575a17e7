"""Forms of the executors' and controllers' pages (R4–R6, R8, R10, R14, R18).

The action forms are not written by hand: ``action_form_class`` builds one from a row of the
workflow table (its mandatory, conditional and optional parameters, ``workflow.PARAMS``), so a
new action or parameter in the table shows up on the request card without a template change.
The forms only parse input; the rules live in ``services.service_request_transition``, whose
``ApplicationError.fields`` are put next to the fields."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from domovoy.core.bounds import INT_MAX, IdFilter, form_integer, parse_id
from domovoy.directory.models import Department, Employee, Organization, OrgKind, Premises

from . import documents
from .models import Topic
from .services import required_params
from .workflow import PARAMS, Status, Transition

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(
    attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
)
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]
# Long free texts get a textarea; other text parameters a line.
LONG_TEXT = {"comment", "reason", "report", "text"}
EXECUTOR_KINDS = (OrgKind.UO, OrgKind.RSO, OrgKind.CONTRACTOR)
EXECUTOR_ROLES = ("uo_dispatcher", "uo_engineer", "supplier_dispatcher")


def _validate_document(upload):
    try:
        documents.check_document(upload)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


def _label(name):
    text = str(PARAMS[name].label)
    return text[:1].upper() + text[1:]


def _leaf_topics():
    return (
        Topic.objects.filter(is_active=True)
        .exclude(children__is_active=True)
        .select_related("parent")
        .order_by("parent__order", "parent__name", "order", "name")
    )


def _executor_organizations():
    return (
        Organization.objects.filter(is_active=True, kinds__kind__in=EXECUTOR_KINDS)
        .distinct()
        .order_by("short_name")
    )


def _departments(orgs):
    return Department.objects.filter(organization__in=[o for o in orgs if o]).order_by("name")


def _employees(orgs):
    return (
        Employee.objects.filter(
            organization__in=[o for o in orgs if o],
            is_active=True,
            roles__role__in=EXECUTOR_ROLES,
        )
        .select_related("user")
        .distinct()
        .order_by("user__last_name", "user__first_name")
    )


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.full_name or obj.user.username} — {obj.position}"


def _field_for(name, *, required, request, actor_org):
    """One form field for a workflow parameter, by its kind."""
    param = PARAMS[name]
    label, kind = _label(name), param.kind
    common = {"label": label, "required": required}
    if param.public:
        common["help_text"] = _("виден заявителю")
    if kind == "text":
        widget = (
            forms.Textarea(attrs={"rows": 3, "class": "form-control"})
            if name in LONG_TEXT
            else forms.TextInput(attrs={"class": "form-control"})
        )
        return forms.CharField(widget=widget, max_length=5000, **common)
    if kind == "datetime":
        return forms.DateTimeField(widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS, **common)
    if kind == "date":
        return forms.DateField(widget=DATE_WIDGET, **common)
    if kind == "choice":
        choices = [("", "—")] + list(param.choices.choices)
        return forms.ChoiceField(
            choices=choices, widget=forms.Select(attrs={"class": "form-select"}), **common
        )
    if kind == "bool":
        common["required"] = False  # a checkbox: «no» is an answer too
        return forms.BooleanField(
            widget=forms.CheckboxInput(attrs={"class": "form-check-input"}), **common
        )
    if kind == "rating":
        return forms.TypedChoiceField(
            choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)],
            coerce=int,
            widget=forms.Select(attrs={"class": "form-select"}),
            **common,
        )
    select = forms.Select(attrs={"class": "form-select"})
    if kind == "topic":
        return forms.ModelChoiceField(queryset=_leaf_topics(), widget=select, **common)
    if kind == "organization":
        return forms.ModelChoiceField(queryset=_executor_organizations(), widget=select, **common)
    if kind == "department":
        orgs = (actor_org, request.executor_org)
        return forms.ModelChoiceField(queryset=_departments(orgs), widget=select, **common)
    if kind == "employee":
        orgs = (actor_org, request.executor_org)
        return EmployeeChoiceField(queryset=_employees(orgs), widget=select, **common)
    if kind == "premises":
        queryset = Premises.objects.filter(building_id=request.building_id).order_by("number")
        return forms.ModelChoiceField(queryset=queryset, widget=select, **common)
    if kind == "phone":
        return forms.CharField(
            max_length=20, widget=forms.TextInput(attrs={"class": "form-control"}), **common
        )
    if kind == "file":
        return forms.FileField(
            validators=[_validate_document],
            widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
            **common,
        )
    raise AssertionError(f"no form field for parameter kind {kind}")


class ActionForm(forms.Form):
    """Base of the generated action forms: the version the user saw travels with the form so
    that a concurrent change is refused (409) instead of being overwritten."""

    version = form_integer("PositiveIntegerField", widget=forms.HiddenInput)

    transition: Transition
    param_names: tuple[str, ...] = ()

    def params(self) -> dict:
        """The cleaned parameters for ``service_request_transition``; empty optional values
        are left out (the service treats them as absent)."""
        result = {}
        for name in self.param_names:
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            result[name] = value
        return result

    @property
    def has_files(self):
        return any(isinstance(f, forms.FileField) for f in self.fields.values())


def action_form_class(transition: Transition, request, *, actor_org=None) -> type[ActionForm]:
    """A form class for ``transition`` on ``request``: its mandatory parameters (including the
    ones a condition makes mandatory for this request now) first, then the optional ones."""
    mandatory = required_params(transition, request)
    names = list(dict.fromkeys(mandatory + transition.optional + transition.conditional_params))
    fields = {
        name: _field_for(name, required=name in mandatory, request=request, actor_org=actor_org)
        for name in names
    }
    attrs = {**fields, "transition": transition, "param_names": tuple(names)}
    return type(f"{transition.action.value.title()}ActionForm", (ActionForm,), attrs)


def action_form(transition, request, *, actor_org=None, data=None, files=None):
    cls = action_form_class(transition, request, actor_org=actor_org)
    prefix = transition.action.value
    if data is None:
        return cls(prefix=prefix, initial={"version": request.version})
    return cls(data, files, prefix=prefix)


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
