"""Forms of the integration pages (the technical operator's)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from domovoy.directory.models import Organization, Territory

from .models import SCOPES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", attrs={"class": "form-control"}, **kwargs)


class AgreementForm(forms.Form):
    number = forms.CharField(
        label=_("Номер соглашения"),
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    system_name = forms.CharField(
        label=_("Информационная система"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    parties = forms.CharField(
        label=_("Стороны соглашения"),
        max_length=500,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    valid_from = forms.DateField(label=_("Действует с"), widget=DateInput())
    valid_to = forms.DateField(label=_("Действует по"), widget=DateInput())
    scopes = forms.MultipleChoiceField(
        label=_("Разрешённые операции"),
        choices=SCOPES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    territory = forms.ModelChoiceField(
        label=_("Территория (пусто — вся система)"),
        required=False,
        queryset=Territory.objects.order_by("path"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    organization_inn = forms.CharField(
        label=_("ИНН организации-участника (необязательно)"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )

    throttle_rate = forms.CharField(
        label=_("Частота запросов (пусто — по умолчанию)"),
        required=False,
        max_length=20,
        help_text=_("Например 600/мин или 10000/час"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean_organization_inn(self):
        inn = (self.cleaned_data.get("organization_inn") or "").strip()
        self.organization = None
        if not inn:
            return ""
        org = Organization.objects.filter(inn=inn).first()
        if org is None:
            raise forms.ValidationError(_("Организация с таким ИНН не подключена"))
        self.organization = org
        return inn


class TokenIssueForm(forms.Form):
    expires_on = forms.DateField(
        label=_("Действует по (пусто — до конца соглашения)"),
        required=False,
        widget=DateInput(),
    )


class RateForm(forms.Form):
    throttle_rate = forms.CharField(
        label=_("Частота запросов (пусто — по умолчанию)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
