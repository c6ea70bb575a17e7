"""The navigation of the signed-in user's role (one base layout, one menu per role).

The menu is a table (``MENU``): every item names the permission its page itself checks
(``user.has_perm``), so the menu offers exactly what the pages allow — no rule is written here.
tests/access/test_menu_matrix.py opens every item of every role's menu and expects 200."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

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
    # The area (dropdown) it is shown in, set by ``area()``; None: a plain link of the navbar.
    group: str | None = None


@dataclass
class MenuGroup:
    """One entry of the navbar: a dropdown ``label`` over ``items`` ((label, URL) pairs), or a
    plain link when it holds one item (``label`` None for an item without an area)."""

    label: str | None
    items: list[tuple[str, str]] = field(default_factory=list)
    # The page shown is one of the items (the dropdown is marked).
    active: bool = False

    @property
    def is_dropdown(self):
        return len(self.items) > 1

    @property
    def link(self):
        """(label, URL) of a plain link (a group of one item)."""
        return self.items[0]


def _own_organization(user):
    return roles.organization_of(user)


def area(label, *items):
    """``items`` shown in the navbar's dropdown ``label`` (an area of the menu)."""
    return tuple(replace(item, group=label) for item in items)


# Signed-in users, in the order shown. An item inside ``area(...)`` sits in that area's
# dropdown; an item outside any area is a plain link of the navbar. An area the user has only
# one item of shows as that item's plain link.
MENU = (
    MenuItem(_("Главная"), "home"),
    *area(
        _("Заявки"),
        MenuItem(_("Мои заявки"), "servicedesk:resident_list", "servicedesk.use_cabinet"),
        MenuItem(_("Подать заявку"), "servicedesk:resident_new", "servicedesk.use_cabinet"),
        MenuItem(_("Звонок"), "servicedesk:callcentre_new", "servicedesk.log_call"),
        MenuItem(_("Обзвон"), "servicedesk:callcentre_callbacks", "servicedesk.log_call"),
        MenuItem(_("Опрос жителей"), "servicedesk:callcentre_surveys", "servicedesk.survey_calls"),
        MenuItem(_("Очередь заявок"), "servicedesk:staff_queue", "servicedesk.use_queue"),
        MenuItem(_("Статистика"), "servicedesk:staff_stats", "servicedesk.view_statistics"),
        MenuItem(_("Жалобы жителей"), "servicedesk:staff_appeals", "servicedesk.decide_appeals"),
    ),
    *area(
        _("Отключения"),
        MenuItem(_("Отключения"), "outages:list", "outages.view_staff_list"),
        MenuItem(_("Карта отключений"), "outages:public", "outages.follow_addresses"),
        MenuItem(_("Мои адреса"), "outages:favourites", "outages.follow_addresses"),
        MenuItem(_("Задержки РСО"), "outages:statistics", "outages.view_supplier_statistics"),
    ),
    *area(
        _("Справочники"),
        MenuItem(_("Организации"), "directory:organizations", "directory.view_organization"),
        MenuItem(
            _("Моя организация"),
            "directory:organization",
            "directory.view_organization",
            target=_own_organization,
        ),
        MenuItem(_("Дома"), "directory:buildings", "directory.view_building"),
        MenuItem(_("Коды привязки"), "residents:link_codes", "residents.use_link_codes"),
        MenuItem(_("Классификатор"), "classifier:list", "servicedesk.manage_classifier"),
        MenuItem(_("Формы заказ-нарядов"), "workorders:templates", "workorders.view_templates"),
    ),
    *area(
        _("Администрирование"),
        MenuItem(_("Подключение"), "onboarding:queue", "onboarding.view_queue"),
        MenuItem(
            _("Подключить подрядчика"),
            "onboarding:apply_contractor",
            "onboarding.file_for_contractor",
        ),
        MenuItem(_("Аудит"), "audit:log", "audit.view_log"),
        MenuItem(_("Интеграции"), "integrations:list", "directory.issue_tokens"),
        MenuItem(_("Система"), "system_status", "web.view_system"),
        MenuItem(
            _("Сбои системы"), "servicedesk:staff_failures", "servicedesk.post_system_failure"
        ),
        MenuItem(_("Очередь уведомлений"), "notifications:outbox", "notifications.view_outbox"),
    ),
    MenuItem(_("Обратная связь"), "feedback:list", "feedback.file_item"),
    MenuItem(_("Справка"), "help:index"),
)

# The signed-in person's own dropdown at the navbar's end, above «Выйти».
ACCOUNT_MENU = (
    MenuItem(_("Профиль"), "residents:profile", "residents.edit_profile"),
    MenuItem(_("Сменить пароль"), "password_change"),
)

# Visitors who have not signed in: public pages only.
PUBLIC_MENU = (
    MenuItem(_("Отключения"), "outages:public"),
    MenuItem(_("Подключение организации"), "onboarding:apply"),
    MenuItem(_("Регистрация"), "residents:register"),
    MenuItem(_("Справка"), "help:index"),
)


def _offered(user, table=MENU):
    """(item, URL) of the items of ``table`` that ``user`` may open, each page once."""
    if not user.is_authenticated:
        return [(item, reverse(item.url_name)) for item in PUBLIC_MENU]
    offered, seen = [], set()
    for item in table:
        target = item.target(user) if item.target is not None else None
        if item.target is not None and target is None:
            continue
        if item.permission is not None and not user.has_perm(item.permission, target):
            continue
        url = reverse(item.url_name, args=[target.pk] if target is not None else [])
        # One page under two labels (a resident who is also staff) is offered once.
        if url not in seen:
            seen.add(url)
            offered.append((item, url))
    return offered


def menu_for(user) -> list[MenuGroup]:
    """The navbar of ``user``: the items they may open, by area, in the table's order."""
    groups, by_label = [], {}
    for item, url in _offered(user):
        if item.group is None:
            group = MenuGroup(None)
            groups.append(group)
        else:
            label = str(item.group)
            group = by_label.get(label)
            if group is None:
                group = by_label[label] = MenuGroup(label)
                groups.append(group)
        group.items.append((str(item.label), url))
    return groups


def flat(groups) -> list[tuple[str, str]]:
    """(label, URL) of every item of ``groups``, in order (the home page's tiles)."""
    return [entry for group in groups for entry in group.items]


def navigation(request):
    user = request.user
    groups = menu_for(user)
    for group in groups:
        group.active = any(url == request.path for _label, url in group.items)
    return {
        "nav_groups": groups,
        "nav_items": flat(groups),
        "account_items": [(str(item.label), url) for item, url in _offered(user, ACCOUNT_MENU)]
        if user.is_authenticated
        else [],
        "unread_notices": unread_count(user) if user.is_authenticated else 0,
        "current_org": roles.organization_of(user),
        "user_roles": roles.roles_of(user),
    }
