"""Forms of the outage pages: publication with the zone picker's hidden inputs (O1, O2), the
card's refine / zone / complete / cancel forms, durations (O5) and «Мои адреса» (O6)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domovoy.core import bounds
from domovoy.core.bounds import IdFormField
from domovoy.core.errors import ApplicationError
from domovoy.directory.models import Resource

from .models import Completion, FavouriteLabel, Network, OutageKind
from .zones import MAX_ZONE_LABELS, zone_spec

DT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class ZoneFields(StyledForm):
    """The hidden inputs of the zone picker (``_zone_picker.html``, ``zone.js``)."""

    building_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    streets = forms.CharField(required=False, widget=forms.HiddenInput)
    polygon = forms.CharField(required=False, widget=forms.HiddenInput)

    def zone(self):
        data = self.cleaned_data
        try:
            parts = [x for x in (data.get("building_ids") or "").split(",") if x.strip()]
            ids = [bounds.parse_id(x) for x in parts]
            ids = None if None in ids else ids  # a bad or out-of-range id refuses the zone
            streets = bounds.json_loads(data.get("streets") or "[]")
            polygon = bounds.json_loads(data.get("polygon") or "[]")
        except (ValueError, TypeError):
            raise ApplicationError(
                _("Зона отключения задана неверно."), code="invalid_zone"
            ) from None
        if ids is None or not isinstance(streets, list) or not isinstance(polygon, list):
            raise ApplicationError(_("Зона отключения задана неверно."), code="invalid_zone")
        return zone_spec(building_ids=ids, streets=streets, polygon=polygon)

    def chosen_building_ids(self) -> list[int]:
        """The building ids the picker holds now (bound data or initial), bad parts skipped."""
        raw = self["building_ids"].value() or ""
        ids = []
        for part in str(raw).split(",")[:MAX_ZONE_LABELS]:
            part = part.strip()
            if bounds.parse_id(part) is not None:
                ids.append(int(part))
        return ids


class ZonePreviewForm(ZoneFields):
    """The address list of a zone before publishing (``views.zone_addresses``): the picker's
    inputs, and the network and resource the zone is for (to mark buildings the publisher does
    not serve). Unknown values of either are dropped, not refused: the list still shows."""

    resource = forms.CharField(required=False)
    network = forms.CharField(required=False)

    def clean_resource(self):
        value = self.cleaned_data.get("resource")
        return value if value in Resource.values else ""

    def clean_network(self):
        value = self.cleaned_data.get("network")
        return value if value in Network.values else ""


class OutageForm(ZoneFields):
    kind = forms.ChoiceField(label=gettext_lazy("Вид"), choices=OutageKind.choices)
    network = forms.ChoiceField(label=gettext_lazy("Чьи сети"), choices=Network.choices)
    resource = forms.ChoiceField(label=gettext_lazy("Ресурс"), choices=Resource.choices)
    start = forms.DateTimeField(label=gettext_lazy("Начало"), required=False, widget=DT_WIDGET)
    planned_end = forms.DateTimeField(
        label=gettext_lazy("Плановое окончание / прогноз восстановления"),
        required=False,
        widget=DT_WIDGET,
    )
    end_known_at = forms.DateTimeField(
        label=gettext_lazy("Срок окончания известен с"),
        required=False,
        widget=DT_WIDGET,
        help_text=gettext_lazy("Пусто — с текущего момента. Срок вносится в течение 1 часа."),
    )
    accident_at = forms.DateTimeField(
        label=gettext_lazy("Время возникновения аварии"), required=False, widget=DT_WIDGET
    )
    emergency_alert = forms.BooleanField(
        label=gettext_lazy("Экстренное оповещение"),
        required=False,
        help_text=gettext_lazy("Жители получат уведомление сразу, даже с 22:00 до 8:00."),
    )
    completion = forms.ChoiceField(
        label=gettext_lazy("Завершение"), choices=Completion.choices, initial=Completion.AUTO
    )
    reason = forms.CharField(label=gettext_lazy("Причина"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("Описание"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, networks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if networks:
            self.fields["network"].choices = [
                (n, label) for n, label in Network.choices if n in networks
            ]


class RefineForm(StyledForm):
    start = forms.DateTimeField(label=gettext_lazy("Начало"), required=False, widget=DT_WIDGET)
    planned_end = forms.DateTimeField(
        label=gettext_lazy("Плановое окончание / прогноз восстановления"),
        required=False,
        widget=DT_WIDGET,
    )
    end_known_at = forms.DateTimeField(
        label=gettext_lazy("Новый срок известен с"),
        required=False,
        widget=DT_WIDGET,
        help_text=gettext_lazy("Пусто — с текущего момента."),
    )
    reason = forms.CharField(label=gettext_lazy("Причина"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("Описание"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ZoneEditForm(ZoneFields):
    """«Изменить зону» on the card: the whole new zone and the outage's reason (O1, O2)."""

    reason = forms.CharField(label=gettext_lazy("Причина отключения"), max_length=300)


class CompleteForm(StyledForm):
    actual_end = forms.DateTimeField(
        label=gettext_lazy("Фактическое окончание"), required=False, widget=DT_WIDGET
    )
    known_at = forms.DateTimeField(
        label=gettext_lazy("Известно с"), required=False, widget=DT_WIDGET
    )


class CancelForm(StyledForm):
    reason = forms.CharField(label=gettext_lazy("Причина отмены"), max_length=500)


class DurationsForm(StyledForm):
    date_from = forms.DateField(
        label=gettext_lazy("С"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("По"), widget=forms.DateInput(attrs={"type": "date"})
    )
    resource = forms.ChoiceField(
        label=gettext_lazy("Ресурс"),
        required=False,
        choices=[("", gettext_lazy("Все"))] + Resource.choices,
    )
    by = forms.ChoiceField(
        label=gettext_lazy("Строки"),
        choices=[
            ("building", gettext_lazy("по домам")),
            ("account", gettext_lazy("по лицевым счетам")),
        ],
        initial="building",
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Не раньше даты начала."))
        elif start and end and (end - start).days > 366:
            self.add_error("date_to", _("Период не длиннее года."))
        return data


class FavouriteForm(StyledForm):
    building = IdFormField(widget=forms.HiddenInput)
    label = forms.ChoiceField(label=gettext_lazy("Метка"), choices=FavouriteLabel.choices)
    title = forms.CharField(label=gettext_lazy("Своё название"), required=False, max_length=100)


class StatisticsForm(StyledForm):
    """The period of the supplier delay statistics (O2)."""

    date_from = forms.DateField(
        label=gettext_lazy("С"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("По"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Не раньше даты начала."))
        elif start and end and (end - start).days > 366:
            self.add_error("date_to", _("Период не длиннее года."))
        return data
