"""The applicant's e-mails (D5), written to the notification outbox (N1) in the transaction of
the action that causes them and delivered by its workers (retries, attempts recorded).

The applicant is not a user yet: each notice carries the card's e-mail address
(``Notice.address``). Dedup keys name the request and the event, so a repeated call (a retried
task, a double click that reached the service) queues nothing twice:

- ``onboarding:<pk>:submitted`` — the request was filed (with the status link);
- ``onboarding:<pk>:changes:<decision pk>`` — returned for corrections (each return is its own
  event);
- ``onboarding:<pk>:rejected`` and ``onboarding:<pk>:connected``.

No password ever goes through here (docs/decisions.md, «Onboarding mail and the outbox»).
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from domovoy.notifications.services import notice_to_address

KIND = "onboarding"


def _absolute(path, base_url=""):
    base = (base_url or settings.SITE_URL or "http://127.0.0.1:8000").rstrip("/")
    return base + path


def status_path(request):
    return reverse("onboarding:status", args=[request.token])


def group_of(request):
    return f"onboarding:{request.pk}"


def _notify(request, event, subject, body):
    """Queue one e-mail to the applicant; nothing when the card has no address."""
    return notice_to_address(
        address=request.card.get("email") or "",
        kind=f"{KIND}.{event.split(':')[0]}",
        dedup_key=f"{group_of(request)}:{event}",
        group=group_of(request),
        subject=f"Domovoy: {subject}",
        body=body,
    )


def notify_submitted(request, base_url=""):
    return _notify(
        request,
        "submitted",
        _("заявка на подключение принята"),
        # One msgid per line: the translation tables hold one line per message.
        "\n".join(
            [
                _("Заявка № %(pk)s на подключение «%(short_name)s» принята.")
                % {"pk": request.pk, "short_name": request.short_name},
                _("Статус заявки: %(link)s") % {"link": _absolute(status_path(request), base_url)},
                _("Сохраните эту ссылку: по ней можно следить за заявкой и вносить исправления."),
            ]
        ),
    )


def notify_changes_requested(request, decision, comment, base_url=""):
    link = _absolute(reverse("onboarding:correct", args=[request.token]), base_url)
    return _notify(
        request,
        f"changes:{decision.pk}",
        _("заявка на подключение возвращена на исправление"),
        "\n\n".join(
            [
                _("Заявка № %(pk)s «%(short_name)s» возвращена на исправление.")
                % {"pk": request.pk, "short_name": request.short_name},
                _("Комментарий: %(comment)s") % {"comment": comment},
                _("Исправить и подать повторно: %(link)s") % {"link": link},
            ]
        ),
    )


def notify_rejected(request, comment):
    return _notify(
        request,
        "rejected",
        _("в подключении отказано"),
        "\n\n".join(
            [
                _("Заявка № %(pk)s «%(short_name)s» отклонена.")
                % {"pk": request.pk, "short_name": request.short_name},
                _("Причина: %(comment)s") % {"comment": comment},
            ]
        ),
    )


def notify_connected(request, organization):
    if request.on_behalf_of_id:
        body = _(
            "Организация «%(short_name)s» подключена. Логины и одноразовые пароли "
            "сотрудников выдаются управляющей организацией «%(on_behalf_of)s»."
        ) % {"short_name": organization.short_name, "on_behalf_of": request.on_behalf_of}
    else:
        body = _(
            "Организация «%(short_name)s» подключена к системе. Логины и одноразовые "
            "пароли отправлены сотрудникам на их адреса электронной почты."
        ) % {"short_name": organization.short_name}
    return _notify(request, "connected", _("организация подключена"), body)
