"""Pages of the resident's way in: registration (three steps), «Как получить доступ», the
profile with its re-confirmed contacts, the linked accounts, and the UO's link codes."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from domovoy.core import phones
from domovoy.core.errors import ServiceError
from domovoy.core.ratelimit import client_ip
from domovoy.web.pages import apply_errors

from . import selectors, services
from .forms import (
    AccountNumberForm,
    CodeForm,
    ContactForm,
    LinkByCodeForm,
    LinkByOwnerForm,
    NamesForm,
    PasswordForm,
)
from .models import ConfirmationCode
from .oidc import oidc_enabled

REGISTRATION = "residents_registration"  # session: the registration flow's token
CONTACT = "residents_contact"  # session: the contact change flow's token
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"


def needs(perm):
    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def shown_address(row) -> str:
    return (
        phones.display(row.address) if row.channel == ConfirmationCode.Channel.SMS else row.address
    )


def _oidc_context():
    return {"oidc_on": oidc_enabled(), "oidc_name": settings.OIDC_PROVIDER_NAME}


def access(request):
    """«Как получить доступ»: residents register themselves; staff get logins from their
    organisation; organisations connect through onboarding."""
    return render(request, "residents/access.html", _oidc_context())


# --- Registration --------------------------------------------------------------------------


def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.registration_start(
                contact=form.cleaned_data["contact"], client=client_ip(request)
            )
        except ServiceError as exc:
            apply_errors(form, exc)
        else:
            request.session[REGISTRATION] = row.token
            return redirect("residents:register_confirm")
    return render(request, "residents/register.html", {"form": form, **_oidc_context()})


def _registration_row(request):
    token = request.session.get(REGISTRATION)
    if not token:
        return None
    return ConfirmationCode.objects.filter(
        token=token, purpose=ConfirmationCode.Purpose.REGISTER
    ).first()


def register_confirm(request):
    row = _registration_row(request)
    if row is None or request.user.is_authenticated:
        return redirect("residents:register")
    form = CodeForm((request.POST or None) if request.POST.get("action") != "resend" else None)
    taken = ""
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            row = services.registration_start(contact=row.address, client=client_ip(request))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            request.session[REGISTRATION] = row.token
            messages.info(request, _("Мы отправили новый код."))
            return redirect("residents:register_confirm")
    elif request.method == "POST" and form.is_valid():
        try:
            services.registration_confirm(token=row.token, code=form.cleaned_data["code"])
        except ServiceError as exc:
            if exc.code == "already_registered":
                taken = exc.message
            else:
                apply_errors(form, exc)
        else:
            return redirect("residents:register_password")
    return render(
        request,
        "residents/register_confirm.html",
        {
            "form": form,
            "address": shown_address(row),
            "taken": taken,
            "minutes": settings.RESIDENTS_CODE_TTL_MINUTES,
        },
    )


@sensitive_post_parameters("password1", "password2")
def register_password(request):
    token = request.session.get(REGISTRATION)
    row = services.confirmed_registration(token)
    if row is None or request.user.is_authenticated:
        if not request.user.is_authenticated:
            messages.error(request, _("Сначала подтвердите телефон или почту кодом."))
        return redirect("residents:register")
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.registration_complete(
                token=token,
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                password=data["password1"],
            )
        except ServiceError as exc:
            apply_errors(form, exc, rename={"password": "password1"})
        else:
            request.session.pop(REGISTRATION, None)
            login(request, user, backend=PASSWORD_BACKEND)
            messages.success(
                request,
                _(
                    "Вы зарегистрированы. Привяжите лицевой счёт, чтобы подавать заявки "
                    "по своей квартире."
                ),
            )
            return redirect("residents:accounts")
    return render(
        request,
        "residents/register_password.html",
        {"form": form, "address": shown_address(row)},
    )


# --- Profile -------------------------------------------------------------------------------


@needs("residents.edit_profile")
def profile(request):
    user = request.user
    initial = {f: getattr(user, f) for f in ("last_name", "first_name", "middle_name")}
    form = NamesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(user=user, **form.cleaned_data)
        except ServiceError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Профиль сохранён."))
            return redirect("residents:profile")
    return render(
        request,
        "residents/profile.html",
        {
            "form": form,
            "phone": phones.display(user.phone),
            "accounts": selectors.resident_accounts(user=user),
        },
    )


@needs("residents.edit_profile")
def contact(request):
    """A new phone or e-mail: a code to it, then the code here; nothing changes before."""
    user = request.user
    token = request.session.get(CONTACT)
    row = (
        ConfirmationCode.objects.filter(
            token=token, user=user, purpose=ConfirmationCode.Purpose.CONTACT, used_at=None
        ).first()
        if token
        else None
    )
    action = request.POST.get("action", "")
    contact_form = ContactForm(request.POST if action == "send" else None)
    contact_form.fields["contact"].label = _("Новый телефон или адрес электронной почты")
    code_form = CodeForm(request.POST if action == "confirm" else None)
    if action == "send" and contact_form.is_valid():
        try:
            row = services.contact_change_start(
                user=user, contact=contact_form.cleaned_data["contact"], client=client_ip(request)
            )
        except ServiceError as exc:
            apply_errors(contact_form, exc)
        else:
            request.session[CONTACT] = row.token
            return redirect("residents:contact")
    elif action == "confirm" and row is not None and code_form.is_valid():
        try:
            services.contact_change_confirm(
                user=user, token=row.token, code=code_form.cleaned_data["code"]
            )
        except ServiceError as exc:
            apply_errors(code_form, exc)
        else:
            request.session.pop(CONTACT, None)
            messages.success(request, _("Контакт подтверждён и сохранён."))
            return redirect("residents:profile")
    elif action == "cancel":
        request.session.pop(CONTACT, None)
        return redirect("residents:profile")
    return render(
        request,
        "residents/contact.html",
        {
            "contact_form": contact_form,
            "code_form": code_form,
            "row": row,
            "address": shown_address(row) if row else "",
        },
    )


# --- Accounts ------------------------------------------------------------------------------


@needs("residents.link_account")
def accounts(request):
    user = request.user
    action = request.POST.get("action", "")
    owner_form = LinkByOwnerForm(request.POST if action == "owner" else None, prefix="owner")
    code_form = LinkByCodeForm(request.POST if action == "code" else None, prefix="code")
    try:
        if action == "owner" and owner_form.is_valid():
            account = services.account_link_by_owner(user=user, **owner_form.cleaned_data)
        elif action == "code" and code_form.is_valid():
            account = services.account_link_by_code(user=user, code=code_form.cleaned_data["code"])
        elif action == "unlink":
            services.account_unlink(user=user, account_id=request.POST.get("account", ""))
            messages.success(request, _("Лицевой счёт отвязан."))
            return redirect("residents:accounts")
        else:
            account = None
    except ServiceError as exc:
        if action == "unlink":
            messages.error(request, exc.message)
            return redirect("residents:accounts")
        apply_errors(owner_form if action == "owner" else code_form, exc)
    else:
        if account is not None:
            messages.success(
                request,
                _("Лицевой счёт %(number)s привязан: %(premises)s.")
                % {"number": account.number, "premises": account.premises},
            )
            return redirect("residents:accounts")
    return render(
        request,
        "residents/accounts.html",
        {
            "owner_form": owner_form,
            "code_form": code_form,
            "accounts": selectors.resident_accounts(user=user),
        },
    )


# --- Link codes (UO staff) -----------------------------------------------------------------


@never_cache  # the page shows a code once: no copy in any cache
@needs("residents.use_link_codes")
def link_codes(request):
    form = AccountNumberForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            account = selectors.account_for_link_code(
                actor=request.user, number=form.cleaned_data["number"]
            )
            row, code = services.link_code_issue(actor=request.user, account=account)
        except ServiceError as exc:
            apply_errors(form, exc)
        else:
            issued = {"row": row, "code": code, "account": account}
            form = AccountNumberForm()
    return render(request, "residents/link_codes.html", {"form": form, "issued": issued})
