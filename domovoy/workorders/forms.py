"""Page forms: a form of work order, a version of it, and the work order itself (built from the
version's fields). They only collect input; every rule is checked by the services."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from domovoy.core import bounds

from .models import FieldType

JSON_HELP = _("JSON; описание ключей — на странице формы")


class TemplateForm(forms.Form):
    kind = forms.CharField(
        label=_("Код формы"),
        max_length=50,
        help_text=_("латинские буквы, цифры, дефис и подчёркивание"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    title = forms.CharField(
        label=_("Название формы"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    description = forms.CharField(
        label=_("Требования к форме"),
        required=False,
        help_text=_("что должен содержать заказ-наряд: задание техническому оператору"),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
    )


class JSONTextField(forms.CharField):
    """A textarea holding JSON: parsed here, checked by the service."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.Textarea(
                attrs={"class": "form-control font-monospace", "rows": 14, "spellcheck": "false"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        try:
            return bounds.json_loads(text)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Неверный JSON: %(error)s") % {"error": exc}, code="json"
            ) from None

    def prepare_value(self, value):
        if isinstance(value, list | dict):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value


class VersionForm(forms.Form):
    title = forms.CharField(
        label=_("Заголовок печатной формы"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    fields = JSONTextField(label=_("Поля формы"), help_text=JSON_HELP)
    layout = JSONTextField(label=_("Печатная форма (разделы по порядку)"), help_text=JSON_HELP)
    note = forms.CharField(
        label=_("Что изменено"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Что исправить"),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )


WORKS_BLANK_ROWS = 3


def works_rows_from_post(post, name):
    """The works table rows typed on the page; rows left entirely empty are dropped."""
    try:
        count = min(int(post.get(f"{name}-rows", 0)), 500)
    except ValueError:
        count = 0
    rows = []
    for index in range(count):
        row = {
            key: post.get(f"{name}-{index}-{key}", "").strip()
            for key in ("name", "unit", "quantity")
        }
        if any(row.values()):
            rows.append(row)
    return rows


def work_order_data_from_post(version, post) -> dict:
    """What the executor typed, keyed by the version's field names (uncleaned)."""
    data = {}
    for field in version.fields:
        if field["type"] == FieldType.WORKS:
            data[field["name"]] = works_rows_from_post(post, field["name"])
        else:
            data[field["name"]] = post.get(field["name"], "")
    return data


def form_rows(version, values, errors):
    """The version's fields prepared for the template: widget kind, value, errors; the works
    table gets its rows plus a few blank ones."""
    rows = []
    for field in version.fields:
        name = field["name"]
        item = {
            "name": name,
            "label": field["label"],
            "type": field["type"],
            "required": bool(field.get("required")),
            "help": field.get("help", ""),
            "unit": field.get("unit", ""),
            "errors": errors.get(name, []),
        }
        if field["type"] == FieldType.WORKS:
            typed = list(values.get(name) or [])
            blank = {"name": "", "unit": "", "quantity": ""}
            item["rows"] = typed + [
                dict(blank) for _ in range(max(WORKS_BLANK_ROWS - len(typed), 1))
            ]
        else:
            item["value"] = values.get(name, "")
        rows.append(item)
    return rows
