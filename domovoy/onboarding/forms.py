"""The connection request form: the partner card (D1), kinds, licence scan and the files of
appendix 2. Field checks are ``check_card``'s (one set of rules for pages and API)."""

from django import forms
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from domovoy.core import uploads
from domovoy.directory.card import REQUIRED as CARD_REQUIRED
from domovoy.directory.models import Organization, OrgKind, Territory
from domovoy.directory.services import CARD_FIELDS

APPLICABLE_KIND_CHOICES = [
    (k, label) for k, label in OrgKind.choices if k in (OrgKind.UO, OrgKind.RSO, OrgKind.CONTRACTOR)
]
FILE_ACCEPT = ".xlsx,.csv"

# Sections of the card as on the regulations' form «Карта партнёра».
CARD_SECTIONS = [
    (
        _("Организация"),
        [
            "legal_form",
            "full_name",
            "short_name",
            "head_name",
            "postal_address",
            "actual_address",
            "head_phone",
            "dispatcher_phone",
            "email",
            "working_hours",
        ],
    ),
    (
        _("Регистрация и банк"),
        [
            "ogrn",
            "registration_date",
            "inn",
            "kpp",
            "bank_name",
            "bik",
            "settlement_account",
            "correspondent_account",
        ],
    ),
    (_("Коды классификаторов"), ["okved", "okpo", "okopf", "okfs", "okogu", "oktmo"]),
    (
        _("Ответственные лица"),
        [
            "chief_accountant_name",
            "chief_accountant_phone",
            "chief_engineer_name",
            "chief_engineer_phone",
        ],
    ),
    (
        _("Лицензия на управление МКД (для УО)"),
        ["license_number", "license_date", "license_issuer"],
    ),
]


# What the checks (``checks.check_request_card``, ``checks.required_files``) refuse when empty:
# always, or only for some applicants (the form marks both; the checks stay the one rule).
REQUIRED_ALWAYS = frozenset(CARD_REQUIRED) | {"kinds", "employees_file"}
FOR_UO = _("для УО")
REQUIRED_WHEN = {
    "kpp": _("для юридического лица"),
    "license_number": FOR_UO,
    "license_date": FOR_UO,
    "license_issuer": FOR_UO,
    "license_scan": FOR_UO,
    "accounts_file": FOR_UO,
}


def _card_field(name):
    model_field = Organization._meta.get_field(name)
    if name == "legal_form":
        field = forms.ChoiceField(
            choices=Organization.LegalForm.choices, initial=Organization.LegalForm.LEGAL
        )
        field.widget.attrs["class"] = "form-select"
    elif isinstance(model_field, models.DateField):
        field = forms.DateField(
            required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
        field.widget.attrs["class"] = "form-control"
    else:
        field = forms.CharField(required=False, max_length=model_field.max_length)
        field.widget.attrs["class"] = "form-control"
        if name == "email":
            field.widget.input_type = "email"
    field.label = capfirst(str(model_field.verbose_name))
    field.required = False
    return field


class ApplicationForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Вид организации"),
        choices=APPLICABLE_KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    license_scan = forms.FileField(
        label=_("Скан лицензии на управление МКД"),
        required=False,
        validators=[uploads.validator(uploads.LICENSE_SCAN)],
    )
    employees_file = forms.FileField(
        label=_("Список сотрудников"),
        required=False,
        validators=[uploads.validator(uploads.SPREADSHEET)],
    )
    served_file = forms.FileField(
        label=_("Обслуживающие / обслуживаемые организации"),
        required=False,
        validators=[uploads.validator(uploads.SPREADSHEET)],
    )
    accounts_file = forms.FileField(
        label=_("Дома и лицевые счета (для УО)"),
        required=False,
        validators=[uploads.validator(uploads.SPREADSHEET)],
    )
    management_start = forms.DateField(
        label=_("Начало управления домами"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        help_text=_("если в файле не указана своя дата для дома; по умолчанию — дата подключения"),
    )

    def __init__(self, *args, contractor=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CARD_FIELDS:
            self.fields[name] = _card_field(name)
        for name in ("license_scan", "employees_file", "served_file", "accounts_file"):
            self.fields[name].widget.attrs.update({"class": "form-control", "accept": FILE_ACCEPT})
        self.fields["license_scan"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"
        self.contractor = contractor
        if contractor:
            for name in (
                "kinds",
                "license_scan",
                "accounts_file",
                "management_start",
                "license_number",
                "license_date",
                "license_issuer",
            ):
                del self.fields[name]
        self._mark_required()

    def _mark_required(self):
        for name, field in self.fields.items():
            field.required_always = name in REQUIRED_ALWAYS
            field.required_when = "" if field.required_always else REQUIRED_WHEN.get(name, "")
            if field.required_always and name != "kinds":
                field.widget.attrs["aria-required"] = "true"

    def mark_errors(self):
        """Point assistive technology at each field's errors (called before rendering)."""
        for name in self.errors:
            if name in self.fields and name != "kinds":
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-errors"

    def error_summary(self):
        """The errors for the list on top: ``(anchor or "", text)``, the form's own (not a
        field's) first, then the fields in the order of the page, each text led by the
        field's label unless the message already names it («ИНН: неверная …»)."""
        items = [("", str(e)) for e in self.non_field_errors()]
        order = ["kinds"] + [n for _t, names in CARD_SECTIONS for n in names]
        order += [n for n in self.fields if n not in order]
        for name in order:
            if name not in self.fields or name not in self.errors:
                continue
            bound = self[name]
            anchor = f"{bound.auto_id}_0" if name == "kinds" else bound.auto_id
            label = str(bound.label)
            for e in self.errors[name]:
                text = str(e) if str(e).startswith(label) else f"{label}: {e}"
                items.append((anchor, text))
        return items

    def field_error_count(self):
        return sum(len(errors) for name, errors in self.errors.items() if name in self.fields)

    def card_sections(self):
        return [
            (title, [self[n] for n in names if n in self.fields]) for title, names in CARD_SECTIONS
        ]

    def card(self):
        return {name: self.cleaned_data.get(name) for name in CARD_FIELDS if name in self.fields}

    def files_map(self):
        return {
            kind: self.cleaned_data.get(f"{kind}_file")
            for kind in ("employees", "served", "accounts")
            if self.cleaned_data.get(f"{kind}_file")
        }


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Комментарий"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    territory = forms.ModelChoiceField(
        label=_("Территория организации"),
        queryset=Territory.objects.all(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
