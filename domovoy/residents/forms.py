"""Forms of the resident's pages; the rules are in ``services`` (the forms only carry input)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class ContactForm(_Styled):
    contact = forms.CharField(
        label=_("Телефон или электронная почта"),
        max_length=254,
        help_text=_("Например, +7 910 123-45-67 или ivanova@example.ru. Мы пришлём код."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}),
    )


class CodeForm(_Styled):
    code = forms.CharField(
        label=_("Код из сообщения"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


class NamesForm(_Styled):
    last_name = forms.CharField(label=_("Фамилия"), max_length=150)
    first_name = forms.CharField(label=_("Имя"), max_length=150)
    middle_name = forms.CharField(label=_("Отчество"), max_length=150, required=False)


class PasswordForm(NamesForm):
    password1 = forms.CharField(
        label=_("Пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Не короче 8 символов, не только цифры."),
    )
    password2 = forms.CharField(
        label=_("Пароль ещё раз"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Пароли не совпадают"))
        return data


class LinkByOwnerForm(_Styled):
    number = forms.CharField(label=_("Номер лицевого счёта"), max_length=40)
    last_name = forms.CharField(
        label=_("Фамилия собственника"),
        max_length=100,
        help_text=_("Как в квитанции; регистр и «ё» не важны."),
    )


class LinkByCodeForm(_Styled):
    code = forms.CharField(
        label=_("Код привязки"),
        max_length=20,
        help_text=_("Код выдаёт управляющая организация вашего дома."),
    )


class AccountNumberForm(_Styled):
    number = forms.CharField(label=_("Номер лицевого счёта"), max_length=40)
