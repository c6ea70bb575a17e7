from django import forms
from django.utils.translation import gettext_lazy as _

from domovoy.directory import roles
from domovoy.directory.models import Building
from domovoy.directory.selectors import buildings_managed_by

from . import changes
from . import permissions as perms
from .models import FeedbackKind, FeedbackStatus, TargetType


def bootstrap(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


def allowed_buildings(user):
    """Buildings a non-operator may propose changes to: managed ones and the resident's own."""
    org = roles.organization_of(user)
    managed = buildings_managed_by(organization=org).values("id") if org else []
    return (
        (
            Building.objects.filter(id__in=managed)
            | Building.objects.filter(premises__accounts__residents=user)
        )
        .distinct()
        .order_by("street", "house_sort", "id")
    )


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(label=_("Вид обращения"), choices=FeedbackKind.choices)
    title = forms.CharField(label=_("Тема"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Описание"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    target_type = forms.ChoiceField(
        label=_("Что изменить"),
        required=False,
        choices=[("", "—")] + list(TargetType.choices),
    )
    building = forms.ModelChoiceField(
        label=_("Дом"), queryset=Building.objects.none(), required=False
    )
    field = forms.ChoiceField(label=_("Поле"), required=False)
    proposed_value = forms.CharField(
        label=_("Предлагаемое значение"), required=False, max_length=500
    )
    proposed_topic_name = forms.CharField(
        label=_("Предлагаемая тема классификатора"), required=False, max_length=200
    )
    proposed_topic_parent = forms.CharField(
        label=_("Родительская тема"), required=False, max_length=200
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.organization = roles.organization_of(user)
        if perms.is_feedback_operator(user):
            # Operators may name any building; a list of the whole registry is too long.
            self.fields["building"] = forms.ModelChoiceField(
                label=_("Дом (номер в реестре)"),
                queryset=Building.objects.all(),
                required=False,
                widget=forms.NumberInput,
            )
        else:
            self.fields["building"].queryset = allowed_buildings(user)
        self.fields["field"].choices = [
            ("", "—"),
            (str(TargetType.ORGANIZATION.label), changes.field_choices(TargetType.ORGANIZATION)),
            (str(TargetType.BUILDING.label), changes.field_choices(TargetType.BUILDING)),
        ]
        if self.organization is None:
            self.fields["target_type"].choices = [("", "—"), TargetType.choices[1]]
        bootstrap(self)

    def service_kwargs(self):
        data = self.cleaned_data
        target_type = data.get("target_type") or ""
        target_id = None
        if target_type == TargetType.ORGANIZATION and self.organization is not None:
            target_id = self.organization.pk
        elif target_type == TargetType.BUILDING and data.get("building") is not None:
            target_id = data["building"].pk
        return {
            "kind": data["kind"],
            "title": data.get("title", ""),
            "text": data.get("text", ""),
            "target_type": target_type,
            "target_id": target_id,
            "field": data.get("field", ""),
            "proposed_value": data.get("proposed_value", ""),
            "proposed_topic_name": data.get("proposed_topic_name", ""),
            "proposed_topic_parent": data.get("proposed_topic_parent", ""),
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Решение"),
        widget=forms.RadioSelect,
        choices=[("approve", _("Принять")), ("reject", _("Отклонить"))],
    )
    reason = forms.CharField(
        label=_("Обоснование (его увидит автор)"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Вид"), required=False)
    status = forms.ChoiceField(
        label=_("Статус"), required=False, choices=[("", _("Все"))] + list(FeedbackStatus.choices)
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = set(perms.visible_kinds(user))
        self.fields["kind"].choices = [("", _("Все"))] + [
            (k, label) for k, label in FeedbackKind.choices if k in kinds
        ]
        bootstrap(self)
