"""Pages of notifications (N1): the inbox, the channel settings (with Telegram linking and
web push), the Telegram webhook."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from domovoy.core import bounds
from domovoy.core.errors import ApplicationError
from domovoy.web import pages
from domovoy.web.pages import redirect_next

from . import channels, selectors, services

PAGE_SIZE = 20


def _back(request, default="notifications:inbox"):
    return redirect_next(request, default)


@login_required
def inbox(request):
    only_unread = request.GET.get("unread") == "1"
    qs = selectors.inbox_list(user=request.user)
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = pages.page(request, qs, PAGE_SIZE)
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread": selectors.unread_count(request.user),
            "only_unread": only_unread,
        },
    )


@login_required
@require_POST
def mark_read(request, pk):
    try:
        message = services.inbox_mark_read(user=request.user, message_id=pk)
    except ApplicationError:
        raise Http404 from None
    if request.POST.get("open") and message.url.startswith("/"):
        return redirect(message.url)
    return _back(request)


@login_required
@require_POST
def mark_all_read(request):
    count = services.inbox_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("Все сообщения отмечены прочитанными"))
    return _back(request)


@login_required
def preferences(request):
    if request.method == "POST":
        chosen = request.POST.getlist("channels")
        try:
            services.preferences_set(user=request.user, chosen=chosen)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Настройки уведомлений сохранены"))
            return redirect("notifications:settings")
    prefs = selectors.preferences_of(user=request.user)
    return render(
        request,
        "notifications/settings.html",
        {
            "prefs": prefs,
            "telegram_on": channels.telegram_configured(),
            "telegram_url": selectors.telegram_start_url(prefs.telegram),
            "push_on": channels.push_configured(),
            "vapid_public_key": selectors.vapid_public_key(),
            "unread": selectors.unread_count(request.user),
        },
    )


@login_required
@require_POST
def telegram_link(request):
    try:
        services.telegram_link_start(user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("notifications:settings") + "#telegram")


@login_required
@require_POST
def telegram_unlink(request):
    services.telegram_unlink(user=request.user)
    messages.success(request, _("Telegram отключён"))
    return redirect(reverse("notifications:settings") + "#telegram")


@csrf_exempt
@require_POST
def telegram_webhook(request, secret):
    """Telegram's updates. The secret in the path (and, when Telegram sends it, the
    ``X-Telegram-Bot-Api-Secret-Token`` header) must match NOTIFICATIONS_TELEGRAM_WEBHOOK_SECRET;
    otherwise the URL does not exist. Answers a link with a confirmation message (Telegram
    executes a method returned in the webhook's response)."""
    expected = settings.NOTIFICATIONS_TELEGRAM_WEBHOOK_SECRET
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise Http404
    header = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
    if header is not None and not hmac.compare_digest(header.encode(), expected.encode()):
        raise Http404
    try:
        update = bounds.json_loads(request.body or b"{}")
    except ValueError:
        return HttpResponseBadRequest("bad json")
    if not isinstance(update, dict):
        return HttpResponseBadRequest("bad update")
    link = services.telegram_update_handle(update)
    if link is None:
        return JsonResponse({})
    return JsonResponse(
        {
            "method": "sendMessage",
            "chat_id": link.chat_id,
            "text": _("Готово: уведомления «Домового» будут приходить в этот чат."),
        }
    )
