"""Reads of the resident's way in."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from domovoy.core.errors import Forbidden, NotFound
from domovoy.directory.models import Account

from .services import normalize_account_number


def resident_accounts(*, user) -> QuerySet[Account]:
    """The accounts linked to ``user`` with their premises and building (one query)."""
    return (
        Account.objects.filter(residents=user)
        .select_related("premises__building")
        .order_by("premises__building__street", "premises__building__house", "number")
    )


def account_for_link_code(*, actor, number) -> Account:
    """The account ``number`` for which ``actor`` may issue a link code: NotFound when there
    is none, Forbidden when its building is not managed by the actor's organisation."""
    account = (
        Account.objects.select_related("premises__building")
        .filter(number=normalize_account_number(number))
        .first()
    )
    if account is None:
        message = _("Лицевой счёт с таким номером не найден")
        raise NotFound(message, fields={"number": [message]})
    if not actor.has_perm("residents.issue_link_code", account):
        message = _("Этот лицевой счёт в доме, которым ваша организация не управляет")
        raise Forbidden(message, fields={"number": [message]})
    return account
