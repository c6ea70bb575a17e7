"""The kinds of workflow parameters (issue 10): ONE object per kind knows how a value of that
kind is cleaned and checked (``clean``, used by the transition service), which Django form field
asks for it (``form_field``, used by ``forms_action.ActionForm`` on every page) and which DRF
field reads it (``api_field``, used by the API's action serializers).

``workflow.PARAMS`` names each parameter with its kind (``Param("deadline", ..., DATETIME)``)
beside the transition table; nothing else interprets a parameter.

Models are looked up inside the methods: ``workflow`` (and so this module) is imported by the
app's models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework import serializers

from domovoy.core import bounds
from domovoy.core.phones import normalize as validate_phone

from . import documents
from . import permissions as who

# Who fills the form: staff cards get selects; the resident's cabinet and the call centre get
# radios and stars (``forms_action.ActionForm``).
STAFF = "staff"
PUBLIC = "public"

DATE_WIDGET_FORMAT = "%Y-%m-%d"
DATETIME_WIDGET_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


def executor_kinds():
    """Organisation kinds that execute requests."""
    from domovoy.directory.models import OrgKind

    return (OrgKind.UO, OrgKind.RSO, OrgKind.CONTRACTOR)


@dataclass(frozen=True)
class FieldContext:
    """What a form field may depend on: the request, the acting user's organisation, who fills
    the form (``STAFF`` or ``PUBLIC``) and the organisation chosen in the form
    (``organization``: its departments and employees are offered; by default the request's
    executor)."""

    request: object
    actor_org: object = None
    audience: str = STAFF
    organization: object = None

    @property
    def chosen_org(self):
        return self.organization or getattr(self.request, "executor_org", None)


def _select():
    return forms.Select(attrs={"class": "form-select"})


def _as_aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class Kind:
    """A parameter kind. ``name`` is shown in the API's action info (``api_name`` when it
    differs); ``recorded`` kinds have their cleaned value written into the history row."""

    name = "text"
    api_name = ""
    recorded = False

    @property
    def info_name(self) -> str:
        return self.api_name or self.name

    @property
    def choices(self):
        return None

    def clean(self, param, value, *, request, now):
        """The value the effect uses; raises ``ValueError`` with a message for the field."""
        raise NotImplementedError

    def form_field(self, param, *, required: bool, ctx: FieldContext) -> forms.Field:
        raise NotImplementedError

    def api_field(self, param, *, required: bool) -> serializers.Field:
        raise NotImplementedError

    def initial(self, param, request):
        """The request's current value (for parameters that edit the request)."""
        return getattr(request, param.name, None)

    def offered(self, request) -> list[tuple[str, str]]:
        """The (value, label) pairs the API's action info lists for ``request`` (none for free
        values)."""
        return []

    def __repr__(self):
        return f"<param kind {self.name}>"


# Free texts that get a textarea; other text parameters a line.
LONG_TEXT = {"comment", "reason", "report", "text"}


class Text(Kind):
    name = "text"
    max_length = 5000

    def clean(self, param, value, *, request, now):
        return str(value).strip()

    def form_field(self, param, *, required, ctx):
        if param.name in LONG_TEXT:
            widget = forms.Textarea(attrs={"rows": 3, "class": "form-control"})
        else:
            widget = forms.TextInput(attrs={"class": "form-control"})
        return forms.CharField(required=required, max_length=self.max_length, widget=widget)

    def api_field(self, param, *, required):
        return serializers.CharField(
            required=required, allow_blank=not required, max_length=self.max_length
        )


class Phone(Text):
    name = "phone"

    def clean(self, param, value, *, request, now):
        value = str(value).strip()
        if not value:
            return ""
        try:
            return validate_phone(value)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None

    def form_field(self, param, *, required, ctx):
        widget = forms.TextInput(attrs={"class": "form-control"})
        return forms.CharField(required=required, max_length=20, widget=widget)


class DateTime(Kind):
    """A moment in the future (a deadline); a date alone means the end of that day."""

    name = "datetime"
    recorded = True

    def clean(self, param, value, *, request, now):
        if isinstance(value, str):
            parsed = parse_datetime(value) or parse_date(value)
            if parsed is None:
                raise ValueError(_("ожидается дата и время"))
            value = parsed
        if isinstance(value, dt.datetime):
            value = _as_aware(value)
        elif isinstance(value, dt.date):
            tz = timezone.get_current_timezone()
            value = dt.datetime.combine(value, dt.time(23, 59, 59), tzinfo=tz)
        else:
            raise ValueError(_("ожидается дата и время"))
        if value <= now:
            raise ValueError(_("срок должен быть в будущем"))
        return value

    def form_field(self, param, *, required, ctx):
        widget = forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"},
            format=DATETIME_WIDGET_FORMAT,
        )
        return forms.DateTimeField(required=required, widget=widget, input_formats=DATETIME_FORMATS)

    def api_field(self, param, *, required):
        return serializers.DateTimeField(required=required)


class Date(Kind):
    """A day after today (postponed until)."""

    name = "date"
    recorded = True

    def clean(self, param, value, *, request, now):
        if isinstance(value, str):
            parsed = parse_date(value)
            if parsed is None:
                raise ValueError(_("ожидается дата"))
            value = parsed
        elif isinstance(value, dt.datetime):
            value = timezone.localdate(_as_aware(value))
        elif not isinstance(value, dt.date):
            raise ValueError(_("ожидается дата"))
        if value <= timezone.localdate(now):
            raise ValueError(_("дата должна быть позже сегодняшней"))
        return value

    def form_field(self, param, *, required, ctx):
        widget = forms.DateInput(
            attrs={"type": "date", "class": "form-control"}, format=DATE_WIDGET_FORMAT
        )
        return forms.DateField(required=required, widget=widget)

    def api_field(self, param, *, required):
        return serializers.DateField(required=required)


class Choice(Kind):
    """One code of a ``TextChoices`` (reasons, grounds)."""

    name = "choice"
    recorded = True

    def __init__(self, enum):
        self.enum = enum

    @property
    def choices(self):
        return self.enum

    def clean(self, param, value, *, request, now):
        if str(value) not in self.enum.values:
            allowed = ", ".join(f"«{c.label}»" for c in self.enum)
            raise ValueError(_("допустимо: %(allowed)s") % {"allowed": allowed})
        return str(value)

    def offered(self, request) -> list[tuple[str, str]]:
        """The (code, label) pairs a form or the API's action info offers for ``request``."""
        return list(self.enum.choices)

    def form_field(self, param, *, required, ctx):
        choices = self.offered(ctx.request)
        if ctx.audience == PUBLIC:
            return forms.ChoiceField(
                required=required,
                choices=choices if required else [("", "—"), *choices],
                widget=forms.RadioSelect,
            )
        return forms.ChoiceField(required=required, choices=[("", "—"), *choices], widget=_select())

    def api_field(self, param, *, required):
        return serializers.ChoiceField(required=required, choices=self.enum.choices)


class Grounds(Choice):
    """A closed list of grounds (R6) where some grounds hold only when the request shows them:
    ``conditions`` maps a code to ``(holds(request) -> bool, message)``. A ground that does not
    hold is refused by ``clean`` and left out of the form's choices."""

    def __init__(self, enum, conditions):
        super().__init__(enum)
        self.conditions = dict(conditions)

    def holds(self, code, request) -> bool:
        condition = self.conditions.get(code)
        return condition is None or request is None or bool(condition[0](request))

    def clean(self, param, value, *, request, now):
        code = super().clean(param, value, request=request, now=now)
        if not self.holds(code, request):
            raise ValueError(str(self.conditions[code][1]))
        return code

    def offered(self, request):
        return [(code, label) for code, label in self.enum.choices if self.holds(code, request)]


class Bool(Kind):
    """A yes/no answer; a checkbox, so «no» (unticked) is an answer too."""

    name = "bool"
    recorded = True

    def clean(self, param, value, *, request, now):
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "on", "yes", "да")
        return bool(value)

    def form_field(self, param, *, required, ctx):
        widget = forms.CheckboxInput(attrs={"class": "form-check-input"})
        return forms.BooleanField(required=False, widget=widget)

    def api_field(self, param, *, required):
        return serializers.BooleanField(required=required)


class Rating(Kind):
    """The resident's mark, 1 to 5."""

    name = "rating"
    recorded = True
    low, high = 1, 5

    def clean(self, param, value, *, request, now):
        try:
            rating = int(value)
        except (TypeError, ValueError):
            rating = None
        if rating is None or not self.low <= rating <= self.high:
            raise ValueError(_("оценка — целое число от 1 до 5"))
        return rating

    def form_field(self, param, *, required, ctx):
        marks = range(self.low, self.high + 1)
        if ctx.audience == PUBLIC:
            return forms.TypedChoiceField(
                required=required,
                coerce=int,
                choices=[(n, "★" * n) for n in marks],
                widget=forms.RadioSelect,
            )
        return forms.TypedChoiceField(
            required=required,
            coerce=int,
            choices=[("", "—"), *((n, str(n)) for n in marks)],
            widget=_select(),
        )

    def api_field(self, param, *, required):
        return serializers.IntegerField(required=required, min_value=self.low, max_value=self.high)


class File(Kind):
    """A confirming document (R9, R10): ``documents.check_document``'s rule."""

    name = "file"

    def clean(self, param, value, *, request, now):
        documents.check_document(value)  # raises ValueError naming the problem
        return value

    def form_field(self, param, *, required, ctx):
        return forms.FileField(
            required=required,
            validators=[_validate_document],
            widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
        )

    def api_field(self, param, *, required):
        return serializers.FileField(required=required)

    def initial(self, param, request):
        return None


def _validate_document(upload):
    try:
        documents.check_document(upload)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


# --- References: an object by id -----------------------------------------------------------


class Reference(Kind):
    """An object by its id (a model instance from a form is taken as it is)."""

    api_name = "id"
    model_label = ""  # "app_label.Model"

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_label)

    def get(self, value):
        model = self.model
        if isinstance(value, model):
            return value
        try:
            return model.objects.get(pk=int(value))
        except (TypeError, ValueError, model.DoesNotExist):
            raise ValueError(_("не найдено")) from None

    def clean(self, param, value, *, request, now):
        obj = self.get(value)
        problem = self.problem(obj, request)
        if problem:
            raise ValueError(problem)
        return obj

    def problem(self, obj, request) -> str:
        return ""

    def queryset(self, ctx: FieldContext):
        raise NotImplementedError

    def form_field(self, param, *, required, ctx):
        return forms.ModelChoiceField(
            required=required, queryset=self.queryset(ctx), widget=_select()
        )

    def api_field(self, param, *, required):
        return bounds.api_id(required=required, help_text=f"{self.name} id")

    def initial(self, param, request):
        return getattr(request, f"{param.name}_id", None)


def topic_problem(topic) -> str:
    """Why a request cannot be filed on ``topic`` (R2), or ""."""
    from . import intake_cache

    if not topic.is_active:
        return _("Тема «%(name)s» больше не используется") % {"name": topic.name}
    if topic.pk in intake_cache.group_topic_ids():
        return _("«%(name)s» — группа тем; выберите тему внутри неё") % {"name": topic}
    return ""


class TopicRef(Reference):
    name = "topic"
    model_label = "servicedesk.Topic"

    def problem(self, obj, request):
        return topic_problem(obj)

    def queryset(self, ctx):
        return (
            self.model.objects.filter(is_active=True)
            .exclude(children__is_active=True)
            .select_related("parent")
            .order_by("parent__order", "parent__name", "order", "name")
        )


class OfferedIdField(forms.ChoiceField):
    """A select of the objects offered now whose posted id goes to the service as it is: the
    service checks it against the same rule and names the problem («организация не
    обслуживает дом», «подразделение другой организации») for a page and the API alike."""

    def __init__(self, *, offered, **kwargs):
        super().__init__(choices=[("", "—"), *offered], **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        number = bounds.parse_id(value)
        if number is None:
            raise ValidationError(_("выберите из списка"), code="invalid")
        return number

    def valid_value(self, value):
        return True


class OfferedRef(Reference):
    """A reference whose form offers a list computed for the request (``options``) as
    (id, label) pairs, posted as an id (``OfferedIdField``)."""

    def options(self, ctx: FieldContext) -> list[tuple[str, str]]:
        return [(str(obj.pk), self.label(obj)) for obj in self.queryset(ctx)]

    def label(self, obj) -> str:
        return str(obj)

    def form_field(self, param, *, required, ctx):
        return OfferedIdField(offered=self.options(ctx), required=required, widget=_select())


class OrganizationRef(OfferedRef):
    """The organisation a request is passed to (R5): only those that may execute on its
    building (``selectors.redirect_organizations``); the transition service refuses others."""

    name = "organization"
    model_label = "directory.Organization"

    def problem(self, obj, request):
        if not obj.is_active or not (obj.kind_codes & set(executor_kinds())):
            return _("организация не может исполнять заявки")
        return ""

    def allowed(self, request):
        from .selectors import redirect_organizations

        return redirect_organizations(request=request)

    def queryset(self, ctx):
        return self.allowed(ctx.request)

    def label(self, obj):
        return obj.short_name

    def offered(self, request):
        return [(str(o.pk), o.short_name) for o in self.allowed(request)]


class DepartmentRef(OfferedRef):
    """A department of the organisation chosen in the form (``ctx.chosen_org``)."""

    name = "department"
    model_label = "directory.Department"

    def of(self, organization):
        if organization is None:
            return self.model.objects.none()
        return self.model.objects.filter(organization=organization).order_by("name", "id")

    def queryset(self, ctx):
        return self.of(ctx.chosen_org)


class EmployeeRef(OfferedRef):
    """An employee who executes requests (a dispatcher or an engineer) of the organisation
    chosen in the form, of the chosen department when one is."""

    name = "employee"
    model_label = "directory.Employee"

    def problem(self, obj, request):
        if not obj.is_active:
            return _("сотрудник неактивен")
        if not obj.roles.filter(role__in=who.EXECUTOR_ROLES).exists():
            return _("сотрудник не исполняет заявки: нет роли диспетчера или инженера")
        return ""

    def of(self, organization, *, department=None):
        if organization is None:
            return self.model.objects.none()
        qs = self.model.objects.filter(
            organization=organization, is_active=True, roles__role__in=who.EXECUTOR_ROLES
        )
        if department is not None:
            qs = qs.filter(department=department)
        return (
            qs.select_related("user")
            .distinct()
            .order_by("user__last_name", "user__first_name", "id")
        )

    def queryset(self, ctx):
        return self.of(ctx.chosen_org)

    def label(self, obj):
        return f"{obj.user.full_name or obj.user.username} — {obj.position}"


class PremisesRef(Reference):
    name = "premises"
    model_label = "directory.Premises"

    def problem(self, obj, request):
        if obj.building_id != request.building_id:
            return _("помещение не относится к дому заявки")
        return ""

    def queryset(self, ctx):
        return self.model.objects.filter(building_id=ctx.request.building_id).order_by("number")


# --- The kinds the table uses ----------------------------------------------------------------

TEXT = Text()
PHONE = Phone()
DATETIME = DateTime()
DATE = Date()
BOOL = Bool()
RATING = Rating()
FILE = File()
TOPIC = TopicRef()
ORGANIZATION = OrganizationRef()
DEPARTMENT = DepartmentRef()
EMPLOYEE = EmployeeRef()
PREMISES = PremisesRef()


def choice(enum) -> Choice:
    return Choice(enum)


def grounds(enum, conditions) -> Grounds:
    return Grounds(enum, conditions)


# The API's description of the kinds (``ParamInfoSerializer``).
KIND_HELP = "text, phone, datetime, date, choice, bool, rating, id, file"
