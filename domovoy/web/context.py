"""The navigation of the signed-in user's role (one base layout, one menu per role).

The menu is a table (``MENU``): every item names the permission its page itself checks
(``user.has_perm``), so the menu offers exactly what the pages allow — no rule is written here.
tests/access/test_menu_matrix.py opens every item of every role's menu and expects 200."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from domovoy.directory import roles
from domovoy.notifications.selectors import unread_count


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    # The page's own permission; None: the page is open to every signed-in user.
    permission: str | None = None
    # The object the permission is asked about and the URL's argument (e.g. one's own
    # organisation); the item is left out when there is none.
    target: Callable | None = None


def _own_organization(user):
    return roles.organization_of(user)


# Signed-in users, in the order shown.
MENU = (
    MenuItem(_("Главная"), "home"),
    MenuItem(_("Подключение"), "onboarding:queue", "onboarding.view_queue"),
    MenuItem(_("Организации"), "directory:organizations", "directory.view_organization"),
    MenuItem(
        _("Моя организация"),
        "directory:organization",
        "directory.view_organization",
        target=_own_organization,
    ),
    MenuItem(
        _("Подключить подрядчика"), "onboarding:apply_contractor", "onboarding.file_for_contractor"
    ),
    MenuItem(_("Мои заявки"), "servicedesk:resident_list", "servicedesk.use_cabinet"),
    MenuItem(_("Подать заявку"), "servicedesk:resident_new", "servicedesk.use_cabinet"),
    MenuItem(_("Профиль"), "residents:profile", "residents.edit_profile"),
    MenuItem(_("Коды привязки"), "residents:link_codes", "residents.use_link_codes"),
    MenuItem(_("Отключения"), "outages:public", "outages.follow_addresses"),
    MenuItem(_("Мои адреса"), "outages:favourites", "outages.follow_addresses"),
    MenuItem(_("Звонок"), "servicedesk:callcentre_new", "servicedesk.log_call"),
    MenuItem(_("Обзвон"), "servicedesk:callcentre_callbacks", "servicedesk.log_call"),
    MenuItem(_("Очередь заявок"), "servicedesk:staff_queue", "servicedesk.use_queue"),
    MenuItem(_("Отключения"), "outages:list", "outages.view_staff_list"),
    MenuItem(_("Задержки РСО"), "outages:statistics", "outages.view_supplier_statistics"),
    MenuItem(_("Классификатор"), "classifier:list", "servicedesk.manage_classifier"),
    MenuItem(_("Формы заказ-нарядов"), "workorders:templates", "workorders.view_templates"),
    MenuItem(_("Статистика"), "servicedesk:staff_stats", "servicedesk.view_statistics"),
    MenuItem(_("Дома"), "directory:buildings", "directory.view_building"),
    MenuItem(_("Обратная связь"), "feedback:list", "feedback.file_item"),
    MenuItem(_("Аудит"), "audit:log", "audit.view_log"),
    MenuItem(_("Интеграции"), "integrations:list", "directory.issue_tokens"),
    MenuItem(_("Система"), "system_status", "web.view_system"),
    MenuItem(_("Очередь уведомлений"), "notifications:outbox", "notifications.view_outbox"),
    MenuItem(_("Справка"), "help:index"),
)

# Visitors who have not signed in: public pages only.
PUBLIC_MENU = (
    MenuItem(_("Отключения"), "outages:public"),
    MenuItem(_("Подключение организации"), "onboarding:apply"),
    MenuItem(_("Регистрация"), "residents:register"),
    MenuItem(_("Справка"), "help:index"),
)


def menu_for(user) -> list[tuple[str, str]]:
    """(label, URL) of the items ``user`` may open."""
    if not user.is_authenticated:
        return [(str(item.label), reverse(item.url_name)) for item in PUBLIC_MENU]
    items = []
    for item in MENU:
        target = item.target(user) if item.target is not None else None
        if item.target is not None and target is None:
            continue
        if item.permission is not None and not user.has_perm(item.permission, target):
            continue
        args = [target.pk] if target is not None else []
        items.append((str(item.label), reverse(item.url_name, args=args)))
    # One page under two labels (a resident who is also staff) is offered once.
    seen, unique = set(), []
    for label, url in items:
        if url not in seen:
            seen.add(url)
            unique.append((label, url))
    return unique


def navigation(request):
    user = request.user
    return {
        "nav_items": menu_for(user),
        "unread_notices": unread_count(user) if user.is_authenticated else 0,
        "current_org": roles.organization_of(user),
        "user_roles": roles.roles_of(user),
    }
