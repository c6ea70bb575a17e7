"""Pages of the technical operator for integration agreements and tokens (S1, G 3.1.6)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from domovoy.core.errors import ApplicationError
from domovoy.web import pages

from . import selectors, services
from .forms import AgreementForm, RateForm, TokenIssueForm
from .models import SCOPES

PAGE_SIZE = 50


def _require_issuer(request):
    if not request.user.has_perm("directory.issue_tokens"):
        raise PermissionDenied


def _apply_errors(form, exc):
    pages.apply_errors(form, exc, rename={"organization": "organization_inn"})


@login_required
@require_safe
def agreement_list(request):
    _require_issuer(request)
    page = pages.page(request, selectors.agreement_list(), PAGE_SIZE)
    return render(request, "integrations/list.html", {"page": page})


@login_required
def agreement_create(request):
    _require_issuer(request)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.integration_agreement_create(
                actor=request.user,
                number=data["number"],
                system_name=data["system_name"],
                parties=data["parties"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                scopes=data["scopes"],
                territory=data["territory"],
                organization=getattr(form, "organization", None),
                throttle_rate=data["throttle_rate"],
            )
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Соглашение зарегистрировано. Выпустите токен."))
            return redirect("integrations:detail", pk=agreement.pk)
    return render(request, "integrations/create.html", {"form": form})


def _detail_context(agreement, **extra):
    labels = dict(SCOPES)
    return {
        "agreement": agreement,
        "scope_labels": [labels.get(code, code) for code in agreement.scopes],
        "tokens": list(selectors.agreement_tokens(agreement=agreement)),
        "issue_form": TokenIssueForm(),
        "rate_form": RateForm(initial={"throttle_rate": agreement.throttle_rate}),
        **extra,
    }


@login_required
@require_safe
def agreement_detail(request, pk):
    _require_issuer(request)
    agreement = get_object_or_404(selectors.agreement_list(), pk=pk)
    return render(request, "integrations/detail.html", _detail_context(agreement))


@never_cache
@login_required
@require_POST
def token_issue(request, pk):
    _require_issuer(request)
    agreement = get_object_or_404(selectors.agreement_list(), pk=pk)
    form = TokenIssueForm(request.POST)
    if form.is_valid():
        try:
            instance, token = services.integration_token_issue(
                actor=request.user,
                agreement=agreement,
                expires_on=form.cleaned_data["expires_on"],
            )
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            # The token is shown on this response only: knox stores just its hash.
            return render(
                request,
                "integrations/token_issued.html",
                {"agreement": agreement, "token": token, "instance": instance},
            )
    return render(
        request,
        "integrations/detail.html",
        _detail_context(agreement, issue_form=form),
        status=400,
    )


@login_required
@require_POST
def agreement_rate(request, pk):
    """Set the agreement's own API rate (item 9 of issue 9)."""
    _require_issuer(request)
    agreement = get_object_or_404(selectors.agreement_list(), pk=pk)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.integration_agreement_set_rate(
                actor=request.user,
                agreement=agreement,
                throttle_rate=form.cleaned_data["throttle_rate"],
            )
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Частота запросов сохранена."))
            return redirect("integrations:detail", pk=agreement.pk)
    return render(
        request,
        "integrations/detail.html",
        _detail_context(agreement, rate_form=form),
        status=400,
    )


@login_required
@require_POST
def token_revoke(request, pk, token_key):
    _require_issuer(request)
    agreement = get_object_or_404(selectors.agreement_list(), pk=pk)
    try:
        services.integration_token_revoke(
            actor=request.user, agreement=agreement, token_key=token_key
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Токен отозван."))
    return redirect("integrations:detail", pk=agreement.pk)


@login_required
@require_safe
def agreement_uses(request, pk):
    _require_issuer(request)
    agreement = get_object_or_404(selectors.agreement_list(), pk=pk)
    uses = selectors.agreement_uses(agreement=agreement)
    page = pages.page(request, uses, PAGE_SIZE)
    return render(request, "integrations/uses.html", {"agreement": agreement, "page": page})
