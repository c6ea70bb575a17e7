from django import forms
from django.utils.translation import gettext_lazy as _

from domovoy.core import uploads
from domovoy.core.bounds import form_integer
from domovoy.directory.models import Role, Territory

from .models import Audience, HelpSection


def bootstrap(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Заголовок"), max_length=200)
    body = forms.CharField(label=_("Текст"), widget=forms.Textarea(attrs={"rows": 6}))
    audience = forms.ChoiceField(label=_("Кому"), choices=Audience.choices, initial=Audience.ALL)
    roles = forms.MultipleChoiceField(
        label=_("Роли"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    territories = forms.ModelMultipleChoiceField(
        label=_("Территории"),
        queryset=Territory.objects.order_by("path"),
        required=False,
        help_text=_("Объявление получат и пользователи нижестоящих территорий"),
    )
    published_at = forms.DateTimeField(
        label=_("Опубликовать"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(),
        help_text=_("пусто — сейчас"),
    )
    expires_at = forms.DateTimeField(
        label=_("Действует до"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(),
        help_text=_("пусто — бессрочно"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Название"), max_length=200)
    description = forms.CharField(label=_("Описание"), max_length=300, required=False)
    position = form_integer(
        "PositiveSmallIntegerField", label=_("Порядок"), initial=0, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class _VersionFields(forms.Form):
    body = forms.CharField(label=_("Текст"), widget=forms.Textarea(attrs={"rows": 14}))
    label = forms.CharField(
        label=_("Редакция"), max_length=50, required=False, help_text=_("например, «ред. 2»")
    )
    file = forms.FileField(
        label=_("Файл (PDF, DOC, DOCX, ODT, RTF, TXT)"),
        required=False,
        validators=[uploads.validator(uploads.HELP_FILE)],
    )
    effective_date = forms.DateField(
        label=_("Действует с"),
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    change_note = forms.CharField(label=_("Что изменено"), max_length=300, required=False)


class GuideCreateForm(_VersionFields):
    section = forms.ModelChoiceField(label=_("Раздел"), queryset=HelpSection.objects.all())
    title = forms.CharField(label=_("Название"), max_length=200)
    is_regulation = forms.BooleanField(label=_("Это регламент"), required=False)
    field_order = [
        "section",
        "title",
        "is_regulation",
        "body",
        "label",
        "file",
        "effective_date",
        "change_note",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class GuideEditForm(_VersionFields):
    title = forms.CharField(label=_("Название"), max_length=200)
    field_order = ["title", "body", "label", "file", "effective_date", "change_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
