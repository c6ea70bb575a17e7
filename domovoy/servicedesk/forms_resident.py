"""Forms of the resident's cabinet and the call centre (R1, R4, R11, R12): intake, the caller
form and call attempts. The workflow actions' form is ``forms_action.ActionForm`` (audience
``PUBLIC``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from domovoy.core import uploads
from domovoy.directory.models import Building, Premises

from . import selectors
from .models import Call, Topic


def bootstrap(form):
    """Bootstrap classes on every widget that has none yet."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.HiddenInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


# --- Files ------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the type and size rules are the conversation service's."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


# --- Topics: a two-level choice (group → topic) -------------------------------------------


def topic_choices():
    """The classifier as option groups: each group with its leaf topics (R2). Requests are
    filed on leaves only (the service refuses a group)."""
    tree = selectors.topic_tree()
    has_children = {t.parent_id for t in tree if t.parent_id}
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    path: dict[int, str] = {}
    for topic in tree:
        parent_path = path.get(topic.parent_id, "")
        path[topic.pk] = f"{parent_path} / {topic.name}" if parent_path else topic.name
        if topic.pk in has_children:
            continue
        label = parent_path or str(_("Прочее"))
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append((topic.pk, topic.name))
    return [("", "—")] + groups


class TopicField(forms.TypedChoiceField):
    default_error_messages = {"invalid_choice": _("Выберите тему из списка")}

    def __init__(self, **kwargs):
        super().__init__(coerce=int, empty_value=None, **kwargs)
        self.choices = topic_choices

    def clean(self, value):
        pk = super().clean(value)
        return Topic.objects.filter(pk=pk).first() if pk else None


# --- Addresses ---------------------------------------------------------------------------


def saved_premises(user):
    """The resident's own premises (through their personal accounts, D3), one per premises."""
    return (
        Premises.objects.filter(accounts__residents=user, accounts__is_active=True)
        .select_related("building")
        .distinct()
        .order_by("building__street", "building__house_sort", "number")
    )


def find_premises(building, number):
    """The premises ``number`` of ``building`` or None; numbers are compared as typed."""
    number = (number or "").strip()
    if not building or not number:
        return None
    return Premises.objects.filter(building=building, number__iexact=number).first()


class AddressMixin(forms.Form):
    """A building found by typing (htmx search) and an optional flat number."""

    building = forms.ModelChoiceField(
        label=_("Дом"),
        queryset=Building.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Выберите дом из найденных")},
    )
    flat = forms.CharField(label=_("Квартира / помещение"), max_length=20, required=False)

    def resolve_address(self, building):
        """Resolve (building, premises); adds field errors and returns (None, None) if not."""
        flat = self.cleaned_data.get("flat", "")
        if building is None:
            self.add_error("building", _("Найдите дом по адресу и выберите его из списка"))
            return None, None
        premises = find_premises(building, flat)
        if flat and premises is None:
            self.add_error(
                "flat",
                _("В реестре дома нет помещения «%(n)s»; проверьте номер или оставьте поле пустым")
                % {"n": flat},
            )
        return building, premises


class ResidentRequestForm(AddressMixin):
    """A resident's new request (R1): a saved address or one found by typing, the topic, the
    text, photos and files, a contact phone."""

    address = forms.ChoiceField(label=_("Адрес"), widget=forms.RadioSelect, required=False)
    topic = TopicField(label=_("Тема"))
    text = forms.CharField(
        label=_("Опишите проблему"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    files = MultipleFileField(
        label=_("Фото и файлы"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx,.txt"}),
        validators=[uploads.validator(uploads.ATTACHMENT)],
    )
    phone = forms.CharField(label=_("Контактный телефон"), max_length=20, required=False)
    photos_public = forms.BooleanField(
        label=_("Разрешаю показывать фото на открытой карте заявок (без моих данных)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    SEARCH = "search"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.saved = list(saved_premises(user))
        choices = [(str(p.pk), f"{p.building.address}, кв. {p.number}") for p in self.saved]
        choices.append((self.SEARCH, _("Другой адрес")))
        self.fields["address"].choices = choices
        if not self.is_bound:
            self.initial.setdefault("address", str(self.saved[0].pk) if self.saved else "search")
            self.initial.setdefault("phone", user.phone)
        bootstrap(self)

    def clean(self):
        data = super().clean()
        choice = data.get("address") or self.SEARCH
        if choice != self.SEARCH:
            premises = next((p for p in self.saved if str(p.pk) == choice), None)
            if premises is None:
                self.add_error("address", _("Выберите один из своих адресов"))
                return data
            data["building_obj"], data["premises_obj"] = premises.building, premises
        else:
            data["building_obj"], data["premises_obj"] = self.resolve_address(data.get("building"))
        return data

    def create_kwargs(self):
        data = self.cleaned_data
        return {
            "building": data["building_obj"],
            "premises": data["premises_obj"],
            "topic": data["topic"],
            "text": data["text"],
            "phone": data["phone"],
        }


class CallForm(AddressMixin):
    """The call-centre operator's form for a caller (R1, U 3.2.2б): who called, where, what,
    and the outcome of the call."""

    phone = forms.CharField(label=_("Телефон звонящего"), max_length=20)
    caller_name = forms.CharField(label=_("Как обращаться"), max_length=200, required=False)
    outcome = forms.ChoiceField(
        label=_("Итог звонка"),
        choices=Call.Outcome.choices,
        widget=forms.RadioSelect,
        initial=Call.Outcome.REQUEST_CREATED,
    )
    topic = TopicField(label=_("Тема"), required=False)
    text = forms.CharField(
        label=_("Текст заявки"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    notes = forms.CharField(
        label=_("Содержание консультации"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    refusal_reason = forms.CharField(
        label=_("Причина отказа"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    # N2: the caller may refuse SMS about their request.
    no_sms = forms.BooleanField(label=_("не присылать SMS"), required=False)
    # R1: the operator saw the likely duplicates and files anyway.
    confirm_duplicate = forms.BooleanField(
        label=_("Это не повтор: всё равно создать заявку"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        data["building_obj"] = data["premises_obj"] = None
        if outcome == Call.Outcome.REQUEST_CREATED:
            data["building_obj"], data["premises_obj"] = self.resolve_address(data.get("building"))
        elif data.get("building") is not None:
            data["building_obj"] = data["building"]
            data["premises_obj"] = find_premises(data["building"], data.get("flat"))
        if outcome == Call.Outcome.CONSULTATION and not (data.get("notes") or "").strip():
            # The log must say what the caller was told (R1: "consultation given").
            self.add_error("notes", _("Кратко запишите, какая консультация дана"))
        return data

    def warn_duplicates(self):
        """R1: likely duplicates were found and the operator has not confirmed yet."""
        self.add_error(
            None,
            _(
                "Похоже на повтор: по этому дому и теме за сутки уже есть открытая "
                "заявка. Проверьте список; если это другая проблема, отметьте "
                "«всё равно создать» и запишите звонок снова."
            ),
        )


class CallAttemptForm(forms.Form):
    """A call to the resident about a completed request (R11)."""

    answered = forms.TypedChoiceField(
        label=_("Результат"),
        choices=(("0", _("Не ответил")), ("1", _("Дозвонились"))),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Примечание"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class CommentForm(forms.Form):
    """A message in the request's chat (R7, R12)."""

    text = forms.CharField(
        label=_("Сообщение"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    files = MultipleFileField(
        label=_("Фото и файлы"),
        required=False,
        validators=[uploads.validator(uploads.ATTACHMENT)],
    )
    photos_public = forms.BooleanField(
        label=_("Разрешаю показывать фото на открытой карте заявок (без моих данных)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Номер заявки, телефон или адрес"), max_length=200, required=False, strip=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
