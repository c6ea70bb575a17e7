"""Service requests (R1–R16): the classifier, requests, their history and the call centre's
calls (resident notices go through the notification engine, ``events.notify_resident``).
The workflow rules live in ``workflow.py``; writes in ``services.py``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from domovoy.core.models import TimeStampedModel
from domovoy.core.private_files import PrivateFileField, random_upload_to
from domovoy.directory.models import OrgKind, Resource

from .workflow import Action, RejectReason, ReturnReason, Status, WithdrawReason


class HandlerKind(models.TextChoices):
    """Who handles a topic (R2, R3): the kinds of ``directory.OrgKind`` that execute requests."""

    UO = OrgKind.UO.value, OrgKind.UO.label
    RSO = OrgKind.RSO.value, OrgKind.RSO.label
    CONTRACTOR = OrgKind.CONTRACTOR.value, OrgKind.CONTRACTOR.label


class Topic(models.Model):
    """A node of the classifier tree (K 3, G 3.5.2). Groups have children; requests are filed on
    leaves. The default deadline is either ``deadline_hours`` or ``deadline_days`` (exactly one),
    counted in working time (R15) or calendar time."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("группа"),
    )
    code = models.SlugField(_("код"), max_length=60, unique=True)
    name = models.CharField(_("название"), max_length=200)
    deadline_hours = models.PositiveIntegerField(_("срок, часов"), null=True, blank=True)
    deadline_days = models.PositiveIntegerField(_("срок, дней"), null=True, blank=True)
    deadline_working = models.BooleanField(
        _("срок в рабочем времени"),
        default=True,
        help_text=_("иначе — календарные часы или дни"),
    )
    is_emergency = models.BooleanField(_("аварийная"), default=False)
    handler_kind = models.CharField(
        _("исполнитель"), max_length=20, choices=HandlerKind.choices, default=HandlerKind.UO
    )
    resource = models.CharField(
        _("коммунальный ресурс"),
        max_length=20,
        choices=Resource.choices,
        blank=True,
        help_text=_("для тем ресурсоснабжающих организаций: по нему выбирается поставщик"),
    )
    is_active = models.BooleanField(_("действует"), default=True)
    order = models.PositiveIntegerField(_("порядок"), default=0)
    # Issue 13: a topic about one flat or one person's affairs («нет электричества в квартире»,
    # questions to the UO): its requests are private, nobody else may press «У меня тоже».
    is_personal = models.BooleanField(
        _("личная тема"),
        default=False,
        help_text=_("заявки по ней касаются одной квартиры: соседи не присоединяются к ним"),
    )

    class Meta:
        verbose_name = _("тема заявки")
        verbose_name_plural = _("классификатор тем")
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(deadline_hours__isnull=False) & Q(deadline_days__isnull=False)),
                name="topic_deadline_hours_or_days",
            ),
            models.CheckConstraint(
                condition=~Q(handler_kind="rso") | ~Q(resource=""),
                name="topic_rso_has_resource",
            ),
        ]

    def __str__(self):
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name

    @property
    def deadline_text(self):
        unit = _("раб.") if self.deadline_working else _("кал.")
        if self.deadline_days:
            return f"{self.deadline_days} {unit} дн."
        if self.deadline_hours:
            return f"{self.deadline_hours} {unit} ч"
        return "—"


class Channel(models.TextChoices):
    WEB = "web", _("Личный кабинет")
    APP = "app", _("Мобильное приложение")
    API = "api", _("API")
    CALL_CENTRE = "call_centre", _("Call-центр")
    EXTERNAL = "external", _("Внешний портал")


class DeadlineSource(models.TextChoices):
    TOPIC = "topic", _("по классификатору")
    MANUAL = "manual", _("установлен вручную")
    EXTENDED = "extended", _("продлён")


class ServiceRequest(TimeStampedModel):
    """A resident's request (заявка / сообщение). ``status`` is assigned only by
    ``services.service_request_transition``; ``version`` grows by one with every write, so a
    stale writer is refused (compare-and-set) even where row locks are a no-op (SQLite)."""

    # NULL only inside the creating transaction, until the row id it is made of is known.
    number = models.CharField(  # noqa: DJ001
        _("номер"), max_length=20, unique=True, null=True, editable=False
    )
    channel = models.CharField(_("канал"), max_length=20, choices=Channel.choices)
    external_system = models.CharField(_("внешняя система"), max_length=50, blank=True)
    external_id = models.CharField(_("номер во внешней системе"), max_length=100, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("заявитель (пользователь)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("кем внесена"),
    )
    caller_name = models.CharField(_("имя заявителя"), max_length=200, blank=True)
    phone = models.CharField(_("контактный телефон"), max_length=20, blank=True)
    # N2: a caller without an account hears of the request by SMS to ``phone`` unless they
    # asked the operator not to («не присылать SMS», the caller form).
    sms_opt_out = models.BooleanField(_("не присылать SMS"), default=False)
    building = models.ForeignKey(
        "directory.Building",
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("дом"),
    )
    premises = models.ForeignKey(
        "directory.Premises",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("помещение"),
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="requests", verbose_name=_("тема")
    )
    text = models.TextField(_("текст"))
    is_emergency = models.BooleanField(_("аварийная"), default=False)
    has_obscene = models.BooleanField(_("нецензурная лексика"), default=False)
    # Issue 9 (12d): a resident may report anywhere (a leak in a neighbour's yard), but a
    # request on a building where they have no confirmed address (an active personal account
    # they are a resident of) is flagged to the dispatcher.
    off_address = models.BooleanField(_("не по адресу проживания"), default=False)
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.NEW
    )

    # Who handles it (R3, R5, R6).
    executor_org = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        related_name="executed_requests",
        verbose_name=_("исполнитель"),
    )
    executor_department = models.ForeignKey(
        "directory.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("подразделение-исполнитель"),
    )
    executor_employee = models.ForeignKey(
        "directory.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_requests",
        verbose_name=_("ответственный сотрудник"),
    )
    controller_org = models.ForeignKey(
        "directory.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="controlled_requests",
        verbose_name=_("на контроле у"),
    )
    origin_org = models.ForeignKey(
        "directory.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="passed_requests",
        verbose_name=_("передана управляющей организацией"),
    )
    returns_count = models.PositiveSmallIntegerField(_("возвратов в УО"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("переоткрытий"), default=0)

    # Deadlines (R2, R14, R15).
    deadline_at = models.DateTimeField(_("срок исполнения"))
    deadline_source = models.CharField(
        _("как установлен срок"),
        max_length=10,
        choices=DeadlineSource.choices,
        default=DeadlineSource.TOPIC,
    )
    deadline_reason = models.TextField(_("основание изменения срока"), blank=True)
    postponed_until = models.DateField(_("отложена до"), null=True, blank=True)

    # Milestones.
    accepted_at = models.DateTimeField(_("принята"), null=True, blank=True)
    done_at = models.DateTimeField(_("выполнена"), null=True, blank=True)
    # When it left the queues: closed, rejected or withdrawn; cleared on reopen.
    closed_at = models.DateTimeField(_("закрыта"), null=True, blank=True)
    crew_dispatched_at = models.DateTimeField(
        _("направлена аварийная бригада"), null=True, blank=True
    )
    crew_dispatch_late = models.BooleanField(_("бригада направлена с опозданием"), default=False)

    # Outcomes.
    completion_report = models.TextField(_("отчёт о выполненных работах"), blank=True)
    final_answer = models.TextField(_("итоговый ответ"), blank=True)
    reject_reason = models.CharField(
        _("основание отклонения"), max_length=30, choices=RejectReason.choices, blank=True
    )
    return_reason = models.CharField(
        _("основание последнего возврата"), max_length=30, choices=ReturnReason.choices, blank=True
    )
    withdraw_reason = models.CharField(
        _("причина отзыва"), max_length=30, choices=WithdrawReason.choices, blank=True
    )
    rating = models.PositiveSmallIntegerField(_("оценка"), null=True, blank=True)
    rated_at = models.DateTimeField(_("оценена"), null=True, blank=True)

    is_deleted = models.BooleanField(_("удалена заявителем"), default=False)
    deleted_at = models.DateTimeField(_("удалена"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    # Deadline watch (R14, C6): set once by the worker (``services.deadline_watch``) the minute
    # a rule is broken; cleared when the deadline moves (a new deadline can be missed again).
    not_accepted_flagged_at = models.DateTimeField(
        _("отмечена: не принята за 24 часа"), null=True, blank=True
    )
    overdue_flagged_at = models.DateTimeField(_("отмечена просроченной"), null=True, blank=True)
    overdue_without_notice = models.BooleanField(
        _("просрочена без предупреждения"), default=False, db_default=False
    )

    # Issue 13, R14: the first request of the chain this one repeats (same building, premises
    # where known, topic, within SERVICEDESK_REPEAT_WINDOW_DAYS), set once at intake.
    repeat_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
        verbose_name=_("повтор заявки"),
    )
    # Issue 13: residents who pressed «У меня тоже» (``MeToo`` rows), kept here for the queue.
    me_too_count = models.PositiveIntegerField(_("присоединились жители"), default=0)

    class Meta:
        verbose_name = _("заявка")
        verbose_name_plural = _("заявки")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="request_rating_1_5",
            ),
        ]
        indexes = [
            # The executor's queue (R19, R14): "my organisation's requests in status X", the
            # hottest query of the system.
            models.Index(fields=["executor_org", "status"], name="sr_executor_status_idx"),
            # The controller's list of requests «на контроле» with their status.
            models.Index(fields=["controller_org", "status"], name="sr_controller_status_idx"),
            # Requests a UO passed on (verification tab, the queue's tab counts, S2 lists).
            models.Index(fields=["origin_org", "status"], name="sr_origin_status_idx"),
            # The queue's live poll (R19): "what changed since" — a few rows of the last
            # seconds, not every request of the organisation filtered by time.
            models.Index(fields=["updated_at"], name="sr_updated_idx"),
            # Per-building lists, repeat detection (R14) and the heat map (C1) by building/day.
            models.Index(fields=["building", "created_at"], name="sr_building_created_idx"),
            # Overdue scans (R14, C6) walk requests by deadline.
            models.Index(fields=["deadline_at"], name="sr_deadline_idx"),
            # «Мои заявки» of a resident, newest first.
            models.Index(fields=["author", "created_at"], name="sr_author_created_idx"),
            # Statistics and the heat map by topic and period (R18, C1).
            models.Index(fields=["topic", "created_at"], name="sr_topic_created_idx"),
            # The deadline watch (R14): one pass over the partial indexes of the requests not
            # yet flagged — flagged and closed rows are not in them at all.
            models.Index(
                fields=["deadline_at"],
                name="sr_watch_overdue_idx",
                condition=Q(
                    overdue_flagged_at__isnull=True,
                    status__in=["accepted", "in_work", "new", "postponed", "reopened"],
                ),
            ),
            models.Index(
                fields=["created_at"],
                name="sr_watch_accept_idx",
                condition=Q(not_accepted_flagged_at__isnull=True, status="new", is_emergency=False),
            ),
        ]

    def __str__(self):
        return f"№ {self.number or '—'}"

    @property
    def is_repeat(self) -> bool:
        return self.repeat_of_id is not None

    @property
    def affected_residents(self) -> int:
        """«Затронуто жителей»: the applicant and every resident who pressed «У меня тоже»."""
        return 1 + self.me_too_count

    @property
    def executor_is_contractor(self) -> bool:
        return self.executor_org.has_kind(OrgKind.CONTRACTOR) if self.executor_org_id else False

    @property
    def is_on_control(self) -> bool:
        return bool(self.controller_org_id) and self.controller_org_id != self.executor_org_id

    @property
    def resident_status(self) -> str:
        from .resident_words import status_word

        return status_word(self.status)

    @property
    def resident_status_next(self) -> str:
        """The line under the resident's status word: what happens next (``resident_words``)."""
        from .resident_words import status_next

        return status_next(self.status)


class RequestEvent(models.Model):
    """A history row per action (R4): who (and for which organisation), when, what, from → to,
    the reason (for participants), the public comment (for the resident) and data (the changed
    fields with old and new values, answers, reason codes). Written in the transaction of the
    change; never edited."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("время"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("кто"),
    )
    actor_org = models.ForeignKey(
        "directory.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("организация"),
    )
    action = models.CharField(_("действие"), max_length=30, choices=Action.choices)
    from_status = models.CharField(
        _("из статуса"), max_length=20, choices=Status.choices, blank=True
    )
    to_status = models.CharField(_("в статус"), max_length=20, choices=Status.choices)
    reason = models.TextField(_("причина"), blank=True)
    comment = models.TextField(_("публичный комментарий"), blank=True)
    data = models.JSONField(_("данные"), default=dict, blank=True)
    # Private (S5): a random name in private storage, served by ``staff_event_document``.
    document = PrivateFileField(_("документ"), prefix="servicedesk/events", blank=True)
    document_name = models.CharField(_("имя файла"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("событие заявки")
        verbose_name_plural = _("история заявок")
        ordering = ["at", "id"]
        indexes = [
            # A request's history, in order; also "what did organisation X do" via actor_org.
            models.Index(fields=["request", "at"], name="sr_event_request_at_idx"),
            # Statistics count actions (returns, redirects) per period.
            models.Index(fields=["action", "at"], name="sr_event_action_at_idx"),
        ]

    def __str__(self):
        return f"{self.request} {self.get_action_display()} {self.from_status}→{self.to_status}"


class CallAttempt(models.Model):
    """A call-centre call to the resident about a request (R11: closing after more than three
    unanswered calls; U 3.2.1а)."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="call_attempts"
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("время звонка"))
    phone = models.CharField(_("номер"), max_length=20)
    answered = models.BooleanField(_("дозвонились"))
    note = models.CharField(_("примечание"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("звонок заявителю")
        verbose_name_plural = _("звонки заявителям")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.request} {self.at:%d.%m %H:%M} {'+' if self.answered else '−'}"


class Call(TimeStampedModel):
    """The call centre's log of incoming calls (R1, U 3.2.2б): every call ends with a request
    created, a consultation, or a refusal with its reason."""

    class Outcome(models.TextChoices):
        REQUEST_CREATED = "request_created", _("Создана заявка")
        CONSULTATION = "consultation", _("Дана консультация")
        REFUSED = "refused", _("Отказ в создании заявки")

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("время звонка"))
    phone = models.CharField(_("номер звонящего"), max_length=20, blank=True)
    caller_name = models.CharField(_("имя звонящего"), max_length=200, blank=True)
    building = models.ForeignKey(
        "directory.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("итог"), max_length=20, choices=Outcome.choices)
    request = models.ForeignKey(
        ServiceRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    refusal_reason = models.TextField(_("причина отказа"), blank=True)
    notes = models.TextField(_("содержание"), blank=True)

    class Meta:
        verbose_name = _("входящий звонок")
        verbose_name_plural = _("журнал звонков")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="request_created") | Q(request__isnull=False),
                name="call_created_has_request",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="refused") | ~Q(refusal_reason=""),
                name="call_refusal_has_reason",
            ),
        ]
        indexes = [
            # The operator's screen: today's calls, newest first; search by caller's phone.
            models.Index(fields=["at"], name="call_at_idx"),
            models.Index(fields=["phone"], name="call_phone_idx"),
        ]

    def __str__(self):
        return f"{self.at:%d.%m %H:%M} {self.get_outcome_display()}"


# --- The conversation inside a request (R7, R12) -------------------------------------------------


class Comment(models.Model):
    """A message inside a request: a public comment the resident sees, or an internal note
    between the participating organisations (R7). The resident's messages to the executor are
    public comments by the author (R12). Written by ``conversation.comment_add``; never edited."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="comments", verbose_name=_("заявка")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("автор"),
    )
    author_org = models.ForeignKey(
        "directory.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("организация автора"),
    )
    text = models.TextField(_("текст"), blank=True)
    is_public = models.BooleanField(
        _("виден заявителю"),
        default=True,
        help_text=_("иначе — внутренняя заметка участников"),
    )
    created_at = models.DateTimeField(_("время"), default=timezone.now)

    class Meta:
        verbose_name = _("комментарий к заявке")
        verbose_name_plural = _("комментарии к заявкам")
        ordering = ["created_at", "id"]
        indexes = [
            # The conversation of one request, in order (the request card and the API).
            models.Index(fields=["request", "created_at"], name="sr_comment_request_idx"),
            # The queue's live poll (R19) looks for comments of the last seconds.
            models.Index(fields=["created_at"], name="sr_comment_created_idx"),
        ]

    def __str__(self):
        return f"{self.request} {self.text[:60]}"


def _attachment_path(instance, filename):
    """Kept for the early migrations only; attachments use ``random_upload_to`` now."""
    return random_upload_to("servicedesk/attachments")(instance, filename)


class Attachment(models.Model):
    """A file of a comment (R7): its type and size were checked against the settings, images
    have a 320 px JPEG thumbnail."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("комментарий")
    )
    # Denormalised from the comment: the download view looks an attachment up by request.
    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("заявка"),
    )
    # Attachments hold personal data (S5): random names in private storage, served only
    # through the permission-checked download views.
    file = PrivateFileField(_("файл"), prefix="servicedesk/attachments")
    thumbnail = PrivateFileField(_("миниатюра"), prefix="servicedesk/attachments", blank=True)
    original_name = models.CharField(_("имя файла"), max_length=255)
    content_type = models.CharField(_("тип"), max_length=100)
    size = models.PositiveIntegerField(_("размер, байт"))
    # R17, S5: the resident allowed this photo on the open-data page (set only by the
    # request's author when attaching; never by staff).
    is_public = models.BooleanField(_("можно показывать публично"), default=False)

    class Meta:
        verbose_name = _("вложение")
        verbose_name_plural = _("вложения")
        ordering = ["id"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class AdvanceNotice(models.Model):
    """An executor's advance notice that it will miss a deadline (R14, Z 6.1.4.1): reasons,
    measures and a new date, due 24 hours before the deadline (as soon as the risk is known
    when the whole term is shorter, ``deadlines.advance_notice_due_at``). A later notice is
    recorded as late. The new date is a proposal: the deadline moves only by the controller's
    «Установить срок вручную» (docs/decisions.md, "Deadline watch and advance notice")."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="advance_notices"
    )
    filed_at = models.DateTimeField(_("подано"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("кто")
    )
    organization = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("организация"),
    )
    deadline_at = models.DateTimeField(_("срок, о котором предупреждение"))
    reasons = models.TextField(_("причины срыва срока"))
    measures = models.TextField(_("принимаемые меры"))
    new_date = models.DateField(_("новый срок устранения"))
    is_late = models.BooleanField(_("подано позже срока предупреждения"), default=False)

    class Meta:
        verbose_name = _("предупреждение о срыве срока")
        verbose_name_plural = _("предупреждения о срыве сроков")
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["request", "filed_at"], name="sr_notice_request_idx"),
        ]

    def __str__(self):
        return f"{self.request} → {self.new_date:%d.%m.%Y}"


class SystemFailure(models.Model):
    """A failure of the system posted by the operator (S8, G 3.6.2): its period and what
    happened, shown to everyone. With ``pauses_clocks`` the deadline clocks stop for the
    period: open requests' deadlines move by the part of the period they were running
    (``services.system_failure_post``), and the deadline watch flags nothing while a pausing
    failure lasts."""

    starts_at = models.DateTimeField(_("начало сбоя"))
    ends_at = models.DateTimeField(_("окончание сбоя"))
    description = models.TextField(_("что случилось"))
    pauses_clocks = models.BooleanField(_("сроки заявок остановлены на время сбоя"), default=False)
    requests_moved = models.PositiveIntegerField(_("заявок с перенесённым сроком"), default=0)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("кто")
    )
    posted_at = models.DateTimeField(_("опубликовано"))

    class Meta:
        verbose_name = _("сбой системы")
        verbose_name_plural = _("сбои системы")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="sd_failure_period_idx")]

    def __str__(self):
        return f"{self.starts_at:%d.%m.%Y %H:%M} – {self.ends_at:%d.%m.%Y %H:%M}"


# --- Issue 13: «У меня тоже» -------------------------------------------------------------------


class MeToo(models.Model):
    """A resident affected by somebody else's open public request on their building pressed
    «У меня тоже»: they are counted on it (``ServiceRequest.me_too_count``) and get its status
    notices like the author. One row per (request, resident); withdrawing deletes it."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="me_too", verbose_name=_("заявка")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="me_too",
        verbose_name=_("житель"),
    )
    created_at = models.DateTimeField(_("время"), default=timezone.now)

    class Meta:
        verbose_name = _("«у меня тоже»")
        verbose_name_plural = _("«у меня тоже»")
        constraints = [
            models.UniqueConstraint(fields=["request", "user"], name="sr_me_too_unique"),
        ]

    def __str__(self):
        return f"{self.request} +{self.user_id}"


class Survey(models.Model):
    """R13 (M 115.бел): the next-morning satisfaction survey of one closing of a request.
    Created by the morning task for requests closed the previous day (one per closing: the
    request's ``closed_at`` is part of the key). ``delivery`` says how it reaches the
    resident: a notice by their channels, or the call centre's call list when they have none.
    The answer (regulation 004 asks one thing: satisfied or not) comes from the resident's page
    or from the call centre's call; «не удовлетворён» sends the request to additional control
    (``Action.SURVEY_RETURN``)."""

    class Delivery(models.TextChoices):
        NOTICE = "notice", _("уведомление")
        CALL = "call", _("звонок call-центра")

    class Via(models.TextChoices):
        CABINET = "cabinet", _("личный кабинет")
        CALL = "call", _("звонок call-центра")
        API = "api", _("API")

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("заявка")
    )
    closed_at = models.DateTimeField(_("закрытие, о котором опрос"))
    created_at = models.DateTimeField(_("опрос отправлен"))
    delivery = models.CharField(_("доставка"), max_length=10, choices=Delivery.choices)
    satisfied = models.BooleanField(_("удовлетворён"), null=True, blank=True)
    comment = models.TextField(_("комментарий"), blank=True)
    answered_at = models.DateTimeField(_("ответ получен"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("кто записал ответ"),
    )
    answered_via = models.CharField(_("как получен ответ"), max_length=10, blank=True,
                                    choices=Via.choices)  # fmt: skip

    class Meta:
        verbose_name = _("опрос удовлетворённости")
        verbose_name_plural = _("опросы удовлетворённости")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "closed_at"], name="survey_one_per_closing"),
        ]
        indexes = [
            # The call centre's list: unanswered surveys to be called, oldest first.
            models.Index(fields=["delivery", "answered_at"], name="survey_delivery_answered_idx"),
            # Satisfaction statistics by period.
            models.Index(fields=["answered_at"], name="survey_answered_idx"),
        ]

    def __str__(self):
        return f"{self.request} {self.closed_at:%d.%m.%Y}"


class Appeal(models.Model):
    """R13 (M 115.бел, law 300-З art. 20): the resident's appeal of a rejection or a closing,
    decided by the control body (supervisor or controller) with a reason, by ``due_at``
    (``SERVICEDESK_APPEAL_WORKING_DAYS`` working days). Filed and decided through the workflow
    (``Action.APPEAL``, ``APPEAL_UPHOLD``, ``APPEAL_DISMISS``); at most one pending per
    request."""

    class Subject(models.TextChoices):
        REJECTION = "rejection", _("отклонение заявки")
        CLOSING = "closing", _("закрытие заявки")

    class Decision(models.TextChoices):
        UPHELD = "upheld", _("жалоба обоснована, заявка возвращена в работу")
        DISMISSED = "dismissed", _("жалоба не обоснована")

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("заявка")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("заявитель"),
    )
    subject = models.CharField(_("что обжалуется"), max_length=10, choices=Subject.choices)
    text = models.TextField(_("текст жалобы"))
    filed_at = models.DateTimeField(_("подана"))
    due_at = models.DateTimeField(_("решить до"))
    decision = models.CharField(_("решение"), max_length=10, choices=Decision.choices,
                                blank=True)  # fmt: skip
    reason = models.TextField(_("основание решения"), blank=True)
    answer = models.TextField(_("ответ заявителю"), blank=True)
    decided_at = models.DateTimeField(_("решено"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("кто решил"),
    )

    class Meta:
        verbose_name = _("жалоба на решение по заявке")
        verbose_name_plural = _("жалобы на решения по заявкам")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=Q(decision=""), name="appeal_one_pending"
            ),
        ]
        indexes = [models.Index(fields=["decision", "due_at"], name="appeal_decision_due_idx")]

    def __str__(self):
        return f"{self.request} {self.filed_at:%d.%m.%Y}"

    @property
    def is_overdue(self) -> bool:
        moment = self.decided_at or timezone.now()
        return moment > self.due_at


# --- Statistics rollups (R18) ----------------------------------------------------------------

# Upper edges (minutes) of the duration buckets kept per rollup row for the median time to
# accept and to close; the last bucket is open-ended. The median is read by linear
# interpolation inside its bucket (``statistics.bucket_median``), so its error is bounded by
# the width of that bucket (docs/decisions.md, «Statistics rollups»).
DURATION_BUCKET_EDGES = (
    15, 30, 60, 120, 240, 480, 720, 1440, 2160, 2880, 4320, 5760,
    7200, 10080, 14400, 20160, 30240, 43200,
)  # fmt: skip
DURATION_BUCKETS = len(DURATION_BUCKET_EDGES) + 1


class RequestDayStat(models.Model):
    """One cell of the daily statistics rollup (R18): the requests filed on ``day`` (local
    date) executed by ``organization`` on ``topic`` in ``territory`` (the building's), with
    how many are now in each status (``st_<status>``). Rebuilt per day by
    ``statistics.rollup_days`` (the worker, incrementally, and ``manage.py
    rebuild_statistics``); the statistics page and API read only these rows.
    Returns to the UO are counted on the request's cohort day: ``returns_made`` in a row of
    the returning organisation (with no requests when it executes none of them), and
    ``returns_received`` in a row of the UO they went back to."""

    day = models.DateField(_("день"))
    # A month's row (``day`` its first day): the sum of its day rows, so that a long period
    # reads a dozen rows per cell instead of hundreds; the days at its ends read day rows.
    is_month = models.BooleanField(default=False)
    organization = models.ForeignKey(
        "directory.Organization", on_delete=models.CASCADE, related_name="+"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    territory = models.ForeignKey(
        "directory.Territory", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    emergency = models.PositiveIntegerField(default=0)
    obscene = models.PositiveIntegerField(default=0)
    late_crew = models.PositiveIntegerField(default=0)
    returns_made = models.PositiveIntegerField(default=0)
    returns_received = models.PositiveIntegerField(default=0)
    accept_minutes = models.BigIntegerField(default=0)
    close_minutes = models.BigIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("статистика заявок за день")
        verbose_name_plural = _("статистика заявок по дням")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "is_month", "organization", "topic", "territory"],
                name="sr_daystat_cell_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["is_month", "day"], name="sr_daystat_day_idx"),
            models.Index(fields=["organization", "day"], name="sr_daystat_org_day_idx"),
        ]

    def __str__(self):
        return f"{self.day} {self.organization_id}/{self.topic_id}: {self.received}"


# Requests per current status (``st_new`` …), then the histogram columns ``accept_b0`` … and
# ``close_b0`` … (counts per duration bucket).
for _status in Status.values:
    RequestDayStat.add_to_class(f"st_{_status}", models.PositiveIntegerField(default=0))
for _i in range(DURATION_BUCKETS):
    RequestDayStat.add_to_class(f"accept_b{_i}", models.PositiveIntegerField(default=0))
for _i in range(DURATION_BUCKETS):
    RequestDayStat.add_to_class(f"close_b{_i}", models.PositiveIntegerField(default=0))


class StatsRollupCursor(models.Model):
    """Where the worker's incremental rollup stopped: requests updated since ``last_run_at``
    (less a safety overlap) mark their cohort days for recomputation."""

    key = models.CharField(max_length=40, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("отметка пересчёта статистики")
        verbose_name_plural = _("отметки пересчёта статистики")

    def __str__(self):
        return f"{self.key}: {self.last_run_at}"
