"""The navigation of the signed-in user's role (one base layout, one menu per role). Every
item that leads to protected data asks the same named permission as its page and API
(``user.has_perm``); no rule is repeated here."""

from django.urls import reverse
from django.utils.translation import gettext as _

from domovoy.directory import roles
from domovoy.notifications.selectors import unread_count


def _menu(user):
    if not user.is_authenticated:
        return [
            (_("Отключения"), reverse("outages:public")),
            (_("Подключение организации"), reverse("onboarding:apply")),
            (_("Справка"), reverse("help:index")),
        ]
    items = [(_("Главная"), reverse("home"))]
    if user.has_perm("onboarding.view_queue"):
        items.append((_("Подключение"), reverse("onboarding:queue")))
    if user.has_perm("directory.view_organization"):
        items.append((_("Организации"), reverse("directory:organizations")))
    org = roles.organization_of(user)
    if org is not None:
        items.append((_("Моя организация"), reverse("directory:organization", args=[org.pk])))
    if user.has_perm("onboarding.file_for_contractor"):
        items.append((_("Подключить подрядчика"), reverse("onboarding:apply_contractor")))
    if getattr(user, "is_resident", False):
        items.append((_("Мои заявки"), reverse("servicedesk:resident_list")))
        items.append((_("Подать заявку"), reverse("servicedesk:resident_new")))
        items.append((_("Отключения"), reverse("outages:public")))
        items.append((_("Мои адреса"), reverse("outages:favourites")))
    if user.has_perm("servicedesk.log_call"):
        items.append((_("Звонок"), reverse("servicedesk:callcentre_new")))
        items.append((_("Обзвон"), reverse("servicedesk:callcentre_callbacks")))
    if user.has_perm("servicedesk.use_queue"):
        items.append((_("Очередь заявок"), reverse("servicedesk:staff_queue")))
    if org is not None or user.is_superuser:
        items.append((_("Отключения"), reverse("outages:list")))
    if user.has_perm("workorders.view_templates"):
        items.append((_("Формы заказ-нарядов"), reverse("workorders:templates")))
    if user.has_perm("servicedesk.view_statistics"):
        items.append((_("Статистика"), reverse("servicedesk:staff_stats")))
    if user.has_perm("directory.view_building"):
        items.append((_("Дома"), reverse("directory:buildings")))
    if org is not None or user.is_superuser:
        items.append((_("Обратная связь"), reverse("feedback:list")))
    if user.has_perm("audit.view_log"):
        items.append((_("Аудит"), reverse("audit:log")))
    if user.has_perm("directory.issue_tokens"):
        items.append((_("Интеграции"), reverse("integrations:list")))
        items.append((_("Система"), reverse("system_status")))
    items.append((_("Справка"), reverse("help:index")))
    return items


def navigation(request):
    user = request.user
    return {
        "nav_items": _menu(user),
        "unread_notices": unread_count(user) if user.is_authenticated else 0,
        "current_org": roles.organization_of(user),
        "user_roles": roles.roles_of(user),
    }
