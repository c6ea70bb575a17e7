"""What the resident reads about their request (R4, R10–R12, N2; M 115.бел «Мои заявки»): ONE
table of words, written once and read by the resident's pages, their notices and the API.

- ``STATUSES``: per internal status, the short word of the badge (the 115.бел word of R4:
  «на рассмотрении», «в работе», «на контроле», «отклонено», «заявка закрыта»; a deployment
  may override it with ``SERVICEDESK_RESIDENT_STATUS_WORDS``) and one line telling what
  happens next. Two statuses under one word (new and accepted: «на рассмотрении») differ in
  their line, so a resident whose request was accepted reads that it was.
- ``ACTIONS``: per action the resident may take (the rows of ``workflow.TRANSITIONS`` whose
  party is the author), the button, one line under it saying what the button does, the name of
  its comment field and the message after it succeeded. «Переоткрыть» and «Не подтверждаю»
  (reopen, dispute) were easy to mix up; their lines name who gets the request next.
- ``MESSAGE``: the chat with the executor (not a workflow action).

Staff pages keep the internal names of ``workflow.Status`` and ``workflow.Action``.

Facts the lines rely on, so a change of the rules has to change them too (tests check them):
- new → edit and delete while nobody has accepted it (R12, guard ``NOT_ACCEPTED_YET``); the
  UO accepts within 24 hours (R14, Z 4.6).
- done → confirm (closed), dispute (conflict: the functional operator returns it to the
  executor or closes it with a reason both sides see, R10 / G 2.3), reopen (back to the same
  executor; without a comment it may be rejected, K 3), rate (1 returns it for rework, M).
  The regulations give the resident no term to confirm: the call centre may close a done
  request when the resident confirms by phone, or after more than three unanswered calls
  (R11, U 3.2.1а) — the line says that and names no number of days.
- withdraw «работы уже выполнены» counts as completed in statistics (R12, K 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .workflow import Action, Status


@dataclass(frozen=True)
class StatusWords:
    word: str  # the badge
    next: str  # one line: what happens now and what the resident may do


@dataclass(frozen=True)
class ActionWords:
    button: str
    hint: str  # shown under the button
    done: str  # the message after success
    comment: str = ""  # the label of the comment field ("" = no comment field)
    # A different message when the action led to one of these statuses (rating 1 → rework).
    done_when: tuple[tuple[Status, str], ...] = field(default=())


UNDER_REVIEW = _("на рассмотрении")
IN_PROGRESS = _("в работе")
UNDER_CONTROL = _("на контроле")
AWAITS_CONFIRMATION = _("выполнено, ждёт подтверждения")
REJECTED_WORD = _("отклонено")
CLOSED_WORD = _("заявка закрыта")

S = Status
STATUSES: dict[Status, StatusWords] = {
    S.NEW: StatusWords(
        UNDER_REVIEW,
        _("Исполнитель ещё не принял заявку (на это у него 24 часа). Пока её не приняли, "
          "заявку можно изменить или удалить."),
    ),
    S.ACCEPTED: StatusWords(
        UNDER_REVIEW,
        _("Исполнитель принял заявку и готовит работы; срок исполнения указан в заявке."),
    ),
    S.IN_WORK: StatusWords(
        IN_PROGRESS,
        _("Исполнитель выполняет работы. Когда он сообщит о выполнении, вы сможете его "
          "подтвердить или оспорить."),
    ),
    S.POSTPONED: StatusWords(
        IN_PROGRESS,
        _("Исполнитель отложил работы до назначенной даты; заявка остаётся у него."),
    ),
    S.REOPENED: StatusWords(
        IN_PROGRESS,
        _("Заявка снова у исполнителя: он примет её заново и доделает работы."),
    ),
    S.VERIFICATION: StatusWords(
        UNDER_CONTROL,
        _("Подрядчик сообщил о выполнении; управляющая организация проверяет работы. "
          "После проверки вы сможете подтвердить выполнение."),
    ),
    S.MODERATION: StatusWords(
        UNDER_CONTROL,
        _("Исполнитель сообщил о выполнении; организация, у которой заявка на контроле, "
          "проверяет работы и даст итоговый ответ."),
    ),
    # Not named by R4: the executor says it is done and the resident's answer is awaited.
    S.DONE: StatusWords(
        AWAITS_CONFIRMATION,
        _("Исполнитель сообщил, что работы выполнены. Подтвердите выполнение или оспорьте "
          "его; call-центр может позвонить вам и закрыть заявку с ваших слов."),
    ),
    S.CONFLICT: StatusWords(
        UNDER_CONTROL,
        _("Вы оспорили выполнение: функциональный оператор разберёт спор и вернёт заявку "
          "исполнителю или закроет её, объяснив решение."),
    ),
    S.REJECTED: StatusWords(
        REJECTED_WORD,
        _("Исполнитель отклонил заявку, причина — в его комментарии. Не согласны — "
          "переоткройте заявку и напишите почему."),
    ),
    S.CLOSED: StatusWords(
        CLOSED_WORD,
        _("Работа по заявке завершена. Если неисправность вернулась, переоткройте заявку."),
    ),
    S.WITHDRAWN: StatusWords(
        CLOSED_WORD,
        _("Вы отозвали заявку; исполнитель по ней больше не работает."),
    ),
}  # fmt: skip

A = Action
ACTIONS: dict[Action, ActionWords] = {
    A.CONFIRM: ActionWords(
        _("Подтвердить выполнение"),
        _("Работы сделаны, претензий нет — заявка закроется."),
        _("Вы подтвердили выполнение, заявка закрыта. Спасибо!"),
        comment=_("Комментарий"),
    ),
    A.DISPUTE: ActionWords(
        _("Оспорить выполнение"),
        _("Работы не сделаны, а исполнитель сообщил о выполнении? Спор разберёт "
          "функциональный оператор, не исполнитель."),
        _("Вы оспорили выполнение: спор разберёт функциональный оператор."),
        comment=_("Что не сделано"),
    ),
    A.REOPEN: ActionWords(
        _("Вернуть на доработку"),
        _("Заявка снова уйдёт тому же исполнителю. Напишите, что не так: без пояснения "
          "исполнитель вправе её отклонить."),
        _("Заявка возвращена исполнителю на доработку."),
        comment=_("Что не так"),
    ),
    A.WITHDRAW: ActionWords(
        _("Отозвать заявку"),
        _("Вопрос решился или больше не актуален — исполнитель прекратит работу по заявке."),
        _("Заявка отозвана."),
        comment=_("Комментарий"),
    ),
    A.RATE: ActionWords(
        _("Оценить работу"),
        _("Оценка от 1 до 5; оценка «1» вернёт заявку исполнителю на доработку."),
        _("Спасибо за оценку!"),
        comment=_("Отзыв"),
        done_when=((S.REOPENED, _("Оценка «1»: заявка возвращена исполнителю на доработку.")),),
    ),
    A.EDIT: ActionWords(
        _("Изменить заявку"),
        _("Можно, пока исполнитель не принял заявку."),
        _("Изменения сохранены."),
    ),
    A.DELETE: ActionWords(
        _("Удалить заявку"),
        _("Можно, пока исполнитель не принял заявку; она исчезнет из вашего списка."),
        _("Заявка удалена."),
    ),
    A.SURVEY_RETURN: ActionWords(
        _("Не удовлетворён"),
        _("Заявка уйдёт на дополнительный контроль и вернётся исполнителю на доработку."),
        _("Заявка отправлена на дополнительный контроль и возвращена на доработку."),
        comment=_("Что не так"),
    ),
    A.APPEAL: ActionWords(
        _("Обжаловать решение"),
        _("Не согласны с отклонением или закрытием? Жалобу рассмотрит контрольный орган и "
          "ответит с обоснованием."),
        _("Жалоба подана: контрольный орган рассмотрит её и ответит."),
        comment=_("Почему вы не согласны"),
    ),
}  # fmt: skip

# What happened, in the past tense: the titles of the resident's timeline (internal names never
# reach them, R4) and the staff's message after an action (instead of ««Выполнено»: выполнено»).
# Every action of the table has one (a test checks); the resident's own ones speak to them.
HAPPENED: dict[Action, str] = {
    A.CREATE: _("Заявка подана"),
    A.ACCEPT: _("Заявка принята исполнителем"),
    A.START: _("Заявка взята в работу"),
    A.POSTPONE: _("Работы отложены"),
    A.RESUME: _("Работы возобновлены"),
    A.EXTEND_DEADLINE: _("Срок продлён"),
    A.SET_DEADLINE: _("Срок установлен вручную"),
    A.CHANGE_TOPIC: _("Тема заявки изменена"),
    A.REDIRECT: _("Заявка передана исполнителю"),
    A.REJECT: _("Заявка отклонена"),
    A.RETURN_TO_UO: _("Заявка возвращена в управляющую организацию"),
    A.DISPATCH_CREW: _("Направлена аварийная бригада"),
    A.COMPLETE: _("Исполнитель сообщил о выполнении"),
    A.VERIFY: _("Выполнение проверено управляющей организацией"),
    A.VERIFY_RETURN: _("Заявка возвращена исполнителю после проверки"),
    A.MODERATION_APPROVE: _("Дан итоговый ответ"),
    A.MODERATION_RETURN: _("Заявка возвращена исполнителю с модерации"),
    A.CONFIRM: _("Вы подтвердили выполнение"),
    A.DISPUTE: _("Вы оспорили выполнение"),
    A.CONFLICT_RETURN: _("Заявка возвращена исполнителю после рассмотрения спора"),
    A.CONFLICT_CLOSE: _("Заявка закрыта после рассмотрения спора"),
    A.CLOSE_BY_CALL_CENTRE: _("Заявка закрыта call-центром"),
    A.REOPEN: _("Заявка возвращена на доработку"),
    A.WITHDRAW: _("Заявка отозвана"),
    A.RATE: _("Оценка работы"),
    A.EDIT: _("Заявка изменена"),
    A.DELETE: _("Заявка удалена"),
    # Staff-only rows (hidden from the resident's timeline, ``PUBLIC_HIDDEN_ACTIONS``).
    A.FLAG_NOT_ACCEPTED: _("Не принята за 24 часа"),
    A.FLAG_OVERDUE: _("Срок исполнения истёк"),
    A.ADVANCE_NOTICE: _("Исполнитель предупредил о срыве срока"),
    A.CLOCK_PAUSE: _("Срок перенесён на время сбоя системы"),
    A.SURVEY_RETURN: _("Опрос: не удовлетворён — заявка на дополнительном контроле"),
    A.APPEAL: _("Подана жалоба в контрольный орган"),
    A.APPEAL_UPHOLD: _("Жалоба признана обоснованной, заявка возвращена в работу"),
    A.APPEAL_DISMISS: _("Жалоба признана необоснованной"),
}

MESSAGE = ActionWords(
    _("Отправить"),
    _("Сообщение увидит исполнитель; ответ придёт в уведомлениях."),
    _("Сообщение отправлено."),
    comment=_("Сообщение исполнителю"),
)


def status_word(status: str) -> str:
    """The badge word; ``settings.SERVICEDESK_RESIDENT_STATUS_WORDS`` overrides any default
    (a deployment with other words, e.g. Belarusian)."""
    override = settings.SERVICEDESK_RESIDENT_STATUS_WORDS or {}
    return str(override.get(str(status)) or STATUSES[Status(status)].word)


def status_next(status: str) -> str:
    """The line under the badge: what happens next."""
    return str(STATUSES[Status(status)].next)


def action_words(action: str) -> ActionWords | None:
    """The resident's words of ``action``; None for an action residents never take."""
    try:
        return ACTIONS.get(Action(action))
    except ValueError:
        return None


def done_message(action: str, status: str) -> str:
    """The message after the resident's ``action`` led the request to ``status``."""
    words = action_words(action)
    if words is None:
        return ""
    for target, message in words.done_when:
        if target == status:
            return str(message)
    return str(words.done)


def happened(action: str) -> str:
    """What ``action`` did, in the past tense; "" for an unknown action."""
    try:
        return str(HAPPENED.get(Action(action), ""))
    except ValueError:
        return ""
