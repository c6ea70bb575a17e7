"""Page forms of the directory. They only parse input; the rules (check digits, overlaps,
roles) live in the services, whose ``ApplicationError.fields`` are shown next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from domovoy.core import uploads

from .models import Department, Organization, OrgKind, Resource, Role, roles_allowed_for
from .services import CARD_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")

# The card grouped as on the «Карта партнёра» (D1).
CARD_GROUPS = [
    (
        _("Реквизиты"),
        [
            "legal_form",
            "full_name",
            "short_name",
            "ogrn",
            "registration_date",
            "inn",
            "kpp",
        ],
    ),
    (
        _("Контакты"),
        [
            "head_name",
            "head_phone",
            "dispatcher_phone",
            "email",
            "postal_address",
            "actual_address",
            "working_hours",
            "chief_accountant_name",
            "chief_accountant_phone",
            "chief_engineer_name",
            "chief_engineer_phone",
        ],
    ),
    (_("Банк"), ["bank_name", "bik", "settlement_account", "correspondent_account"]),
    (_("Коды"), ["okved", "okpo", "okopf", "okfs", "okogu", "oktmo"]),
    (
        _("Лицензия на управление МКД"),
        ["license_number", "license_date", "license_issuer", "license_scan"],
    ),
]


def add_bootstrap(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class OrganizationCardForm(forms.Form):
    """The card of an organisation (D1); kinds only for operators."""

    def __init__(self, *args, can_edit_kinds=False, **kwargs):
        super().__init__(*args, **kwargs)
        fields = forms.fields_for_model(
            Organization,
            fields=[*CARD_FIELDS, "license_scan"],
            widgets={"registration_date": DATE_WIDGET, "license_date": DATE_WIDGET},
        )
        self.fields.update(fields)
        self.fields["license_scan"].validators.append(uploads.validator(uploads.LICENSE_SCAN))
        if can_edit_kinds:
            self.fields["kinds"] = forms.MultipleChoiceField(
                label=_("Виды организации"),
                choices=OrgKind.choices,
                widget=forms.CheckboxSelectMultiple,
            )
        add_bootstrap(self)

    def groups(self):
        out = [
            (title, [self[f] for f in names if f in self.fields]) for title, names in CARD_GROUPS
        ]
        if "kinds" in self.fields:
            out.insert(0, (_("Виды"), [self["kinds"]]))
        return out


class OrganizationSearchForm(forms.Form):
    q = forms.CharField(label=_("Поиск"), required=False)
    kind = forms.ChoiceField(
        label=_("Вид"), required=False, choices=[("", _("Все виды")), *OrgKind.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_bootstrap(self)


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Название подразделения"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_bootstrap(self)


class EmployeeForm(forms.Form):
    full_name = forms.CharField(label=_("ФИО"), max_length=450)
    position = forms.CharField(label=_("Должность"), max_length=200)
    department = forms.ModelChoiceField(
        label=_("Подразделение"), queryset=Department.objects.none(), required=False
    )
    roles = forms.MultipleChoiceField(
        label=_("Роли"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Телефон"), max_length=20, required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organization=organization)
        self.fields["roles"].choices = role_choices_for(organization)
        add_bootstrap(self)


def role_choices_for(organization):
    """Only the roles this organisation's kinds may give (the service refuses the rest)."""
    allowed = roles_allowed_for(organization.kind_codes)
    return [(code, label) for code, label in Role.choices if code in allowed]


class EmployeeRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Роли"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )


class ManagementPeriodForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Управляющая организация"), queryset=Organization.objects.none()
    )
    start = forms.DateField(label=_("Начало управления"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("Окончание (включительно)"), widget=DATE_WIDGET, required=False)
    basis = forms.CharField(label=_("Основание"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            kinds__kind=OrgKind.UO
        ).order_by("short_name")
        add_bootstrap(self)


class ManagementCloseForm(forms.Form):
    end = forms.DateField(label=_("Последний день управления"), widget=DATE_WIDGET)


class ServiceLinkForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=_("РСО или подрядчик"), queryset=Organization.objects.none()
    )
    resource = forms.ChoiceField(
        label=_("Ресурс"),
        required=False,
        choices=[("", _("— работы подрядчика —")), *Resource.choices],
    )
    start = forms.DateField(label=_("С"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("По"), widget=DATE_WIDGET, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = (
            Organization.objects.filter(kinds__kind__in=[OrgKind.RSO, OrgKind.CONTRACTOR])
            .distinct()
            .order_by("short_name")
        )
        add_bootstrap(self)
