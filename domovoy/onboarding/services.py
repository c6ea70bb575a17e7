"""Every write of onboarding (D5): submit, resubmit, decide, load. One transaction each.

The loader of buildings, premises and accounts, ``accounts_load``, is public: other code (the
bench, a registry import) calls it with rows of dicts.
"""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.files.base import File
from django.core.mail import send_mail
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.audit.services import audit_bulk
from domovoy.core import roles as core_roles
from domovoy.core import uploads
from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.core.private_files import original_name
from domovoy.core.worktime import add_working_days
from domovoy.directory import services as directory_services
from domovoy.directory.card import check_card
from domovoy.directory.models import (
    Account,
    Building,
    ManagementPeriod,
    Organization,
    OrgKind,
    Premises,
    Role,
)

from . import importers
from .models import ApprovalStep, OnboardingDecision, OnboardingFile, OnboardingRequest

log = logging.getLogger(__name__)

APPLICABLE_KINDS = (OrgKind.UO, OrgKind.RSO, OrgKind.CONTRACTOR)
BATCH = 5000
PROGRESS_EVERY = 1000
Status = OnboardingRequest.Status
Action = OnboardingDecision.Action


# --- approval steps ------------------------------------------------------------------------


class DefaultStep:
    """The step used when none is configured: the functional operator decides."""

    pk = None
    order = 1
    name = "Функциональный оператор"
    decider_role = Role.FUNCTIONAL_OPERATOR
    decider_kind = ""


def approval_steps():
    steps = list(ApprovalStep.objects.filter(is_active=True).order_by("order", "id"))
    return steps or [DefaultStep()]


def current_step(request, steps=None):
    steps = steps or approval_steps()
    return steps[min(request.current_step, len(steps) - 1)]


def user_decides_step(user, step):
    if not core_roles.has_role(user, step.decider_role):
        return False
    if step.decider_kind and not user.is_superuser:
        return step.decider_kind in core_roles.kinds_of(user)
    return True


# --- helpers -------------------------------------------------------------------------------


def _actor_name(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return "заявитель"
    org = core_roles.organization_of(user)
    name = user.get_full_name() or user.username
    return f"{name} ({org})" if org else name


def _decision(request, action, *, actor=None, comment="", step=None):
    return OnboardingDecision.objects.create(
        request=request,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        comment=comment or "",
        step_order=getattr(step, "order", None),
        step_name=getattr(step, "name", ""),
    )


def _absolute(path, base_url=""):
    base = (base_url or settings.SITE_URL or "http://127.0.0.1:8000").rstrip("/")
    return base + path


def status_path(request):
    return reverse("onboarding:status", args=[request.token])


def _mail_applicant(request, subject, body):
    email = request.card.get("email")
    if email:
        transaction.on_commit(lambda: send_mail(f"Domovoy: {subject}", body, None, [email]))


def _jsonable_card(cleaned):
    card = {}
    for key in directory_services.CARD_FIELDS:
        value = cleaned.get(key)
        if isinstance(value, dt.date):
            value = value.isoformat()
        card[key] = "" if value is None else value
    return card


def card_for_create(card):
    data = dict(card)
    for key in ("registration_date", "license_date"):
        if data.get(key):
            data[key] = (
                dt.date.fromisoformat(data[key]) if isinstance(data[key], str) else data[key]
            )
        else:
            data[key] = None
    return data


def _check_card(card, kinds, *, license_scan_present, exclude_request=None):
    """Card errors (D1) by field, with the connection rules of D5 on top."""
    cleaned, errors, warnings = check_card(card, codes_are_warnings=True, is_uo=OrgKind.UO in kinds)
    if not kinds:
        errors["kinds"] = [_("Укажите хотя бы один вид организации")]
    elif set(kinds) - set(APPLICABLE_KINDS):
        errors["kinds"] = [_("Подключиться можно как УО, РСО или подрядная организация")]
    if OrgKind.UO in kinds and not license_scan_present:
        errors["license_scan"] = [_("Для управляющей организации приложите скан лицензии")]
    for key in ("registration_date", "license_date"):
        value = cleaned.get(key)
        if isinstance(value, str) and value:
            try:
                cleaned[key] = dt.date.fromisoformat(value)
            except ValueError:
                errors.setdefault(key, []).append(_("Дата в формате ГГГГ-ММ-ДД"))
    inn = cleaned.get("inn")
    if inn and "inn" not in errors:
        if Organization.objects.filter(inn=inn).exists():
            errors["inn"] = [_("Организация с таким ИНН уже подключена")]
        else:
            others = OnboardingRequest.objects.filter(card__inn=inn).exclude(
                status__in=(Status.APPROVED, Status.REJECTED)
            )
            if exclude_request is not None:
                others = others.exclude(pk=exclude_request.pk)
            if others.exists():
                errors["inn"] = [_("Заявка на подключение этой организации уже подана")]
    card_warnings = [
        {"sheet": "card", "line": None, "column": field, "reason": msg}
        for field, msgs in warnings.items()
        for msg in msgs
    ]
    return _jsonable_card(cleaned), errors, card_warnings


def _required_files(kinds, files, *, existing=()):
    errors = {}
    present = set(files) | set(existing)
    if OnboardingFile.Kind.EMPLOYEES not in present:
        errors["employees_file"] = [_("Приложите список сотрудников")]
    if OrgKind.UO in kinds and OnboardingFile.Kind.ACCOUNTS not in present:
        errors["accounts_file"] = [
            _("Управляющая организация прикладывает список домов и лицевых счетов")
        ]
    if OrgKind.UO not in kinds and OnboardingFile.Kind.ACCOUNTS in files:
        errors["accounts_file"] = [
            _("Список домов и лицевых счетов прикладывает только управляющая организация")
        ]
    return errors


def validate_sources(*, kinds, sources, applicant_inn, progress=None, check_db=True):
    """Parse and check all files. ``sources`` maps a file kind to a file object.

    Returns (parsed, report): parsed = {"employees": [...], "served": [...],
    "accounts": [...]}; the report holds every bad row and the warnings."""
    report = importers.Report()
    parsed = {"employees": [], "served": [], "accounts": []}
    done = [0]

    def tick(line):
        if progress:
            progress(done[0] + line)

    for kind in ("employees", "served", "accounts"):
        source = sources.get(kind)
        if source is None:
            continue
        spec = importers.SHEETS[kind]
        rows = importers.iter_sheet(
            spec, source, report, progress=tick, progress_every=PROGRESS_EVERY
        )
        if kind == "employees":
            parsed[kind] = importers.check_employees(rows, kinds=kinds, report=report)
            if not parsed[kind] and not report.error_count:
                report.error(kind, None, "", _("в списке нет ни одного сотрудника"))
        elif kind == "served":
            parsed[kind] = importers.check_served(
                rows, kinds=kinds, applicant_inn=applicant_inn, report=report
            )
        else:
            parsed[kind] = importers.check_accounts(rows, report=report, check_db=check_db)
            if not parsed[kind] and not report.error_count:
                report.error(kind, None, "", _("в списке нет ни одного лицевого счёта"))
        done[0] += parsed[kind][-1]["line"] if parsed[kind] else 0
    return parsed, report


def _summary(parsed):
    first = importers.PREVIEW_ROWS
    return {
        "employees": {
            "count": len(parsed["employees"]),
            "first": [
                {k: r[k] for k in ("line", "full_name", "position", "email", "roles")}
                for r in parsed["employees"][:first]
            ],
        },
        "served": {
            "count": len(parsed["served"]),
            "first": [
                {k: r[k] for k in ("line", "name", "inn", "resource")}
                for r in parsed["served"][:first]
            ],
        },
        "accounts": importers.accounts_summary(parsed["accounts"]),
    }


def _store_files(request, files):
    for kind, upload in files.items():
        OnboardingFile.objects.filter(request=request, kind=kind).delete()
        stored = OnboardingFile(
            request=request, kind=kind, original_name=(getattr(upload, "name", "") or kind)[:255]
        )
        upload.seek(0)
        stored.file.save(stored.original_name.rsplit("/", 1)[-1], File(upload), save=False)
        stored.save()


def _stored_sources(request):
    return {f.kind: f.file for f in request.files.all()}


def _mark_complete(request, *, actor, action):
    """A complete submission passed validation: the deadline starts now (D5)."""
    now = timezone.now()
    request.status = Status.SUBMITTED
    request.current_step = 0
    request.submitted_at = now
    request.due_date = add_working_days(
        timezone.localdate(now), settings.ONBOARDING_DEADLINE_WORKING_DAYS
    )
    request.is_overdue = False
    request.errors = []
    request.last_error = ""
    request.progress_done = request.progress_total
    request.save()
    _decision(request, action, actor=actor)


# --- submission ----------------------------------------------------------------------------


def onboarding_request_submit(
    *,
    card,
    kinds,
    files,
    license_scan=None,
    management_start=None,
    submitted_by=None,
    on_behalf_of=None,
    base_url="",
):
    """File a connection request (D5). ``files`` maps "employees" / "served" / "accounts" to
    uploaded files. The card and the cheap file checks of ``core.uploads`` (type, size, zip
    bounds; nothing is parsed) refuse bad input before anything is stored (S7); the files are
    then stored and parsed by the worker only, whose progress the status page shows."""
    kinds = sorted(set(kinds or ()))
    if on_behalf_of is not None:
        kinds, license_scan, management_start = [OrgKind.CONTRACTOR], None, None
    files = {k: f for k, f in (files or {}).items() if f}
    card_json, errors, card_warnings = _check_card(
        card, kinds, license_scan_present=bool(license_scan)
    )
    errors.update(_required_files(kinds, files))
    errors.update(_check_uploads(files, license_scan))
    if errors:
        raise ApplicationError(
            _("Заявка заполнена с ошибками; ничего не сохранено"),
            code="invalid_card",
            fields=errors,
        )
    with transaction.atomic():
        request = _create_request(
            card_json,
            kinds,
            license_scan,
            management_start,
            submitted_by,
            on_behalf_of,
            Status.VALIDATING,
        )
        request.warnings = card_warnings
        _store_files(request, files)
        _queue_job(request, "validate")
        _mail_submitted(request, base_url)
    return request


def _create_request(
    card, kinds, license_scan, management_start, submitted_by, on_behalf_of, status
):
    request = OnboardingRequest(
        card=card,
        kinds=kinds,
        management_start=management_start,
        status=status,
        submitted_by=submitted_by if getattr(submitted_by, "pk", None) else None,
        on_behalf_of=on_behalf_of,
    )
    if license_scan:
        request.license_scan.save(license_scan.name, license_scan, save=False)
        request.license_scan_name = original_name(license_scan)
    request.save()
    return request


def _mail_submitted(request, base_url):
    _mail_applicant(
        request,
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


# --- background jobs: lease, heartbeat, sweeper --------------------------------------------
#
# A request in «validating» or «loading» has one job. Its row carries the lease: the worker that
# claims it writes a random token, ``lease_until`` and ``heartbeat_at``, and renews them with
# every progress figure; only the holder of the token may write the result. A worker that dies
# leaves a lease that expires; ``onboarding_jobs_sweep`` (every minute) queues the job again
# and, after ONBOARDING_JOB_MAX_ATTEMPTS starts, gives up with a message the applicant and the
# operator read. The check writes nothing but its result, the load runs in one transaction:
# a killed attempt leaves nothing behind and the next one restarts cleanly.


class LeaseLost(Exception):
    """Another worker holds the job now: stop without writing anything."""


def job_lease_seconds():
    return settings.ONBOARDING_JOB_LEASE_SECONDS


def job_max_attempts():
    return settings.ONBOARDING_JOB_MAX_ATTEMPTS


def _queue_job(request, kind, **params):
    """Mark the job queued (no token, a lease for the queue) and send it to the worker after
    the commit. The caller saves nothing more; this saves the request."""
    request.job_token = ""
    request.job_params = {"kind": kind, **params}
    request.attempts = 0
    request.lease_until = timezone.now() + dt.timedelta(seconds=job_lease_seconds())
    request.heartbeat_at = None
    request.progress_done = 0
    request.progress_phase = "validate" if kind == "validate" else "load"
    request.save()
    _enqueue(request.pk, request.job_params)


def _enqueue(pk, params):
    from .tasks import onboarding_load_task, onboarding_validate_task

    if params.get("kind") == "load":
        args = (pk, params.get("actor_id"), params.get("territory_id"), params.get("base_url", ""))
        transaction.on_commit(lambda: onboarding_load_task(*args))
    else:
        transaction.on_commit(lambda: onboarding_validate_task(pk))


def _claim(pk, status, *, now=None):
    """Take the job of request ``pk`` in ``status`` when it is queued or its lease expired.
    Returns the token, or None (done, held by a live worker, or given up)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    free = Q(job_token="") | Q(lease_until__lt=now) | Q(lease_until=None)
    jobs = OnboardingRequest.objects.filter(pk=pk, status=status).filter(free)
    taken = jobs.filter(attempts__lt=job_max_attempts()).update(
        job_token=token,
        attempts=F("attempts") + 1,
        lease_until=now + dt.timedelta(seconds=job_lease_seconds()),
        heartbeat_at=now,
        progress_done=0,
    )
    if taken:
        return token
    stale = jobs.first()
    if stale is not None:  # every attempt used: the job will not be started again
        _give_up(stale)
    return None


def _heartbeat(pk, token, **fields):
    """Renew the lease (with the progress figures in ``fields``); LeaseLost if it is gone."""
    now = timezone.now()
    renewed = OnboardingRequest.objects.filter(pk=pk, job_token=token).update(
        heartbeat_at=now, lease_until=now + dt.timedelta(seconds=job_lease_seconds()), **fields
    )
    if not renewed:
        raise LeaseLost


def _release(request):
    request.job_token = ""
    request.lease_until = None
    request.heartbeat_at = timezone.now()


def _give_up(request):
    """Every attempt of the job died: stop it with a clear error (S7). A check ends «invalid»
    (the applicant corrects and files again), a load goes back to the decider's queue."""
    n = job_max_attempts()
    with transaction.atomic():
        request = OnboardingRequest.objects.select_for_update().get(pk=request.pk)
        if request.status not in (Status.VALIDATING, Status.LOADING):
            return request
        _release(request)
        if request.status == Status.VALIDATING:
            message = _(
                "Проверка файлов прерывалась %(n)s раз(а) и остановлена. Проверьте файлы "
                "(возможно, их стоит разделить на части), приложите их заново и подайте "
                "заявку повторно; если ошибка повторится, обратитесь к оператору."
            ) % {"n": n}
            request.status = Status.INVALID
            request.errors = [{"sheet": "", "line": None, "column": "", "reason": message}]
            request.summary = {"error_count": 1}
            request.last_error = message
            request.save()
            for stored in request.files.all():
                stored.file.delete(save=False)
            request.files.all().delete()
            _decision(request, Action.CHECK_FAILED, comment=message)
        else:
            message = _(
                "Загрузка данных прерывалась %(n)s раз(а) и остановлена; ничего не сохранено. "
                "Повторите согласование или обратитесь к техническому оператору."
            ) % {"n": n}
            request.status = Status.SUBMITTED
            request.last_error = message
            request.save()
            _decision(request, Action.LOAD_FAILED, comment=message)
    log.error("onboarding request %s: job given up after %s attempts", request.pk, n)
    return request


def onboarding_jobs_sweep(*, now=None):
    """Queue again every job whose lease expired (its worker died or the queue lost it); give
    up on those that used every attempt. Returns {"requeued": n, "failed": n}."""
    now = now or timezone.now()
    stale = OnboardingRequest.objects.filter(
        Q(lease_until__lt=now) | Q(lease_until=None),
        status__in=(Status.VALIDATING, Status.LOADING),
    ).only("id", "status", "attempts", "job_token", "lease_until", "job_params")
    result = {"requeued": 0, "failed": 0}
    for request in stale:
        if request.attempts >= job_max_attempts():
            _give_up(request)
            result["failed"] += 1
            continue
        # Only if nobody claimed or renewed it since it was read.
        queued = OnboardingRequest.objects.filter(
            pk=request.pk, job_token=request.job_token, lease_until=request.lease_until
        ).update(job_token="", lease_until=now + dt.timedelta(seconds=job_lease_seconds()))
        if queued:
            params = request.job_params or {
                "kind": "validate" if request.status == Status.VALIDATING else "load"
            }
            _enqueue(request.pk, params)
            result["requeued"] += 1
            log.warning("onboarding request %s: job re-queued (lease expired)", request.pk)
    return result


def _check_uploads(files, license_scan):
    """The cheap checks of ``core.uploads`` (type, size, zip bounds; nothing is parsed), errors
    by form field."""
    errors = {}
    checks = [(upload, uploads.SPREADSHEET, f"{kind}_file") for kind, upload in files.items()]
    if license_scan:
        checks.append((license_scan, uploads.LICENSE_SCAN, "license_scan"))
    for upload, policy, field in checks:
        try:
            uploads.check_upload(upload, policy, field=field)
        except uploads.UploadError as exc:
            errors.update(exc.fields)
    return errors


def onboarding_request_validate(*, request_id):
    """The worker's check of the files of a submission (only the worker parses them): row
    counts, then every row, with progress and a heartbeat every ``PROGRESS_EVERY`` rows; errors
    leave nothing but the list of bad rows (the stored files are deleted)."""
    token = _claim(request_id, Status.VALIDATING)
    request = OnboardingRequest.objects.get(pk=request_id)
    if token is None:
        return request
    resubmit = request.decisions.filter(action__in=(Action.SUBMIT, Action.RESUBMIT)).exists()
    try:
        sources = _stored_sources(request)
        counts = {kind: importers.count_rows(source) for kind, source in sources.items()}
        _heartbeat(request.pk, token, progress_total=sum(counts.values()), progress_done=0)
        parsed, report = validate_sources(
            kinds=request.kinds,
            sources=sources,
            applicant_inn=request.card.get("inn"),
            progress=lambda done: _heartbeat(
                request.pk, token, progress_done=done, progress_phase="validate"
            ),
        )
    except LeaseLost:
        return request
    with transaction.atomic():
        request = OnboardingRequest.objects.select_for_update().get(pk=request.pk)
        if request.job_token != token or request.status != Status.VALIDATING:
            return request  # the lease was lost: the holder writes the result
        _release(request)
        if report.error_count:
            request.status = Status.INVALID
            request.errors = report.errors
            request.summary = {"error_count": report.error_count}
            request.save()
            for stored in request.files.all():
                stored.file.delete(save=False)
            request.files.all().delete()
            return request
        for stored in request.files.all():
            OnboardingFile.objects.filter(pk=stored.pk).update(rows=counts.get(stored.kind, 0))
        request.progress_total = sum(counts.values())
        request.summary = _summary(parsed)
        request.warnings = [w for w in request.warnings if w["sheet"] == "card"] + report.warnings
        _mark_complete(request, actor=None, action=Action.RESUBMIT if resubmit else Action.SUBMIT)
    return request


def onboarding_request_resubmit(
    *,
    request,
    card,
    kinds=None,
    files=None,
    license_scan=None,
    management_start=None,
    actor=None,
    base_url="",
):
    """The applicant's corrections after «требуются исправления» (or a failed check): checked
    again in full by the worker; the deadline restarts from this complete submission (D5)."""
    if request.status not in (Status.CHANGES_REQUESTED, Status.INVALID):
        raise ApplicationError(
            _("Заявку сейчас нельзя исправить"), code="wrong_status", status_code=409
        )
    kinds = [OrgKind.CONTRACTOR] if request.on_behalf_of_id else sorted(set(kinds or ()))
    files = {k: f for k, f in (files or {}).items() if f}
    existing = {f.kind: f.file for f in request.files.all()}
    card_json, errors, card_warnings = _check_card(
        card,
        kinds,
        license_scan_present=bool(license_scan or request.license_scan),
        exclude_request=request,
    )
    errors.update(_required_files(kinds, files, existing=existing))
    errors.update(_check_uploads(files, license_scan))
    if errors:
        raise ApplicationError(
            _("Заявка заполнена с ошибками; ничего не сохранено"),
            code="invalid_card",
            fields=errors,
        )
    kept = set(existing) | set(files)
    if OrgKind.UO not in kinds:
        kept.discard(OnboardingFile.Kind.ACCOUNTS)
    with transaction.atomic():
        _apply_card(request, card_json, kinds, license_scan, management_start)
        request.status = Status.VALIDATING
        request.warnings = card_warnings
        request.errors = []
        request.summary = {}
        request.last_error = ""
        request.progress_total = 0
        _store_files(request, files)
        request.files.exclude(kind__in=list(kept)).delete()
        _queue_job(request, "validate")
    return request


def _apply_card(request, card_json, kinds, license_scan, management_start):
    request.card = card_json
    request.kinds = kinds
    if management_start is not None:
        request.management_start = management_start
    if license_scan:
        request.license_scan.save(license_scan.name, license_scan, save=False)
        request.license_scan_name = original_name(license_scan)


# --- decisions -----------------------------------------------------------------------------


def _lock(request):
    # Lock the request row: two operators deciding at once must not both win.
    return OnboardingRequest.objects.select_for_update().get(pk=request.pk)


def _check_decider(request, actor):
    if request.status != Status.SUBMITTED:
        raise ApplicationError(
            _("Решение по заявке в этом статусе не принимается"),
            code="wrong_status",
            status_code=409,
        )
    steps = approval_steps()
    step = current_step(request, steps)
    if not user_decides_step(actor, step):
        raise PermissionDeniedError(
            _("Решение на шаге «%(name)s» принимает другая роль") % {"name": step.name}
        )
    return step, steps


@transaction.atomic
def onboarding_request_changes(*, request, actor, comment, base_url=""):
    """Return the request to the applicant with a comment; the e-mail carries the link to
    the correction page (its secret token)."""
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(
            _("Укажите, что нужно исправить"),
            code="comment_required",
            fields={"comment": [_("Обязательное поле")]},
        )
    request = _lock(request)
    step, _steps = _check_decider(request, actor)
    request.status = Status.CHANGES_REQUESTED
    request.current_step = 0
    request.is_overdue = False
    request.save()
    _decision(request, Action.REQUEST_CHANGES, actor=actor, comment=comment, step=step)
    link = _absolute(reverse("onboarding:correct", args=[request.token]), base_url)
    _mail_applicant(
        request,
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
    return request


@transaction.atomic
def onboarding_request_reject(*, request, actor, comment):
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(
            _("Укажите причину отказа"),
            code="comment_required",
            fields={"comment": [_("Обязательное поле")]},
        )
    request = _lock(request)
    step, _steps = _check_decider(request, actor)
    request.status = Status.REJECTED
    request.save()
    _decision(request, Action.REJECT, actor=actor, comment=comment, step=step)
    _mail_applicant(
        request,
        _("в подключении отказано"),
        "\n\n".join(
            [
                _("Заявка № %(pk)s «%(short_name)s» отклонена.")
                % {"pk": request.pk, "short_name": request.short_name},
                _("Причина: %(comment)s") % {"comment": comment},
            ]
        ),
    )
    return request


def onboarding_request_approve(*, request, actor, comment="", territory=None, base_url=""):
    """Approve the current step; the last step connects the organisation in one transaction
    (or, for large files, hands the load to the worker with visible progress)."""
    with transaction.atomic():
        request = _lock(request)
        step, steps = _check_decider(request, actor)
        _decision(request, Action.APPROVE, actor=actor, comment=comment, step=step)
        if request.current_step + 1 < len(steps):
            request.current_step += 1
            request.save()
            return request
        if request.progress_total > settings.ONBOARDING_ASYNC_ROWS:
            request.status = Status.LOADING
            request.last_error = ""
            _queue_job(
                request,
                "load",
                actor_id=actor.pk,
                territory_id=territory.pk if territory else None,
                base_url=base_url,
            )
            return request
        try:
            _load(request, actor=actor, territory=territory, base_url=base_url)
        except IntegrityError:
            raise ApplicationError(
                _(
                    "Данные изменились во время загрузки (лицевой счёт или "
                    "логин уже занят); повторите согласование"
                ),
                code="conflict",
                status_code=409,
            )
    return request


def onboarding_request_load(*, request_id, actor_id, territory_id=None, base_url=""):
    """The worker's final load of an approved request, in one transaction that commits only
    while this worker holds the job's lease; on refusal nothing is stored and the request goes
    back to the decider's queue with the reason."""
    from domovoy.directory.models import Territory, User

    token = _claim(request_id, Status.LOADING)
    request = OnboardingRequest.objects.get(pk=request_id)
    if token is None:
        return request
    actor = User.objects.get(pk=actor_id)
    territory = Territory.objects.filter(pk=territory_id).first() if territory_id else None
    reporter = _ProgressReporter(request.pk, token)

    def still_ours():
        # Right before the result is written: a worker that lost its lease rolls back.
        if not OnboardingRequest.objects.filter(pk=request.pk, job_token=token).update(
            job_token="", lease_until=None
        ):
            raise LeaseLost
        _release(request)

    try:
        with transaction.atomic():
            _load(
                request,
                actor=actor,
                territory=territory,
                base_url=base_url,
                progress=reporter,
                before_save=still_ours,
            )
    except LeaseLost:
        pass
    except (ApplicationError, IntegrityError) as exc:
        message = (
            exc.message
            if isinstance(exc, ApplicationError)
            else _("Данные изменились во время загрузки (лицевой счёт или логин уже занят)")
        )
        with transaction.atomic():
            request = _lock(request)
            if request.job_token == token and request.status == Status.LOADING:
                _release(request)
                request.status = Status.SUBMITTED
                request.last_error = message
                request.save()
                _decision(request, Action.LOAD_FAILED, actor=actor, comment=message)
    finally:
        reporter.close()
    request.refresh_from_db()
    return request


class _ProgressReporter:
    """Progress of a load running inside one big transaction. On PostgreSQL it is written
    through a second, autocommit connection so that the request page sees it before the
    commit; on SQLite (one writer at a time) only the cache carries it."""

    def __init__(self, pk, token=""):
        self.pk = pk
        self.token = token
        self.side = None

    def __call__(self, done, total):
        from django.core.cache import cache

        cache.set(progress_cache_key(self.pk), (done, total), 3600)
        if connection.vendor != "postgresql":
            return
        try:
            if self.side is None:
                self.side = connections.create_connection("default")
                with self.side.cursor() as cursor:
                    # Never wait on a lock held by the loading transaction.
                    cursor.execute("SET lock_timeout = '200ms'")
            with self.side.cursor() as cursor:
                # The progress renews the job's lease (its heartbeat).
                now = timezone.now()
                cursor.execute(
                    f"UPDATE {OnboardingRequest._meta.db_table} SET progress_done = %s, "
                    "progress_total = %s, progress_phase = 'load', heartbeat_at = %s, "
                    "lease_until = %s WHERE id = %s AND job_token = %s",
                    [
                        done,
                        total,
                        now,
                        now + dt.timedelta(seconds=job_lease_seconds()),
                        self.pk,
                        self.token,
                    ],
                )
        except Exception:  # noqa: BLE001 - progress is best effort, the load goes on
            log.warning("onboarding progress not written", exc_info=True)

    def close(self):
        if self.side is not None:
            self.side.close()


def progress_cache_key(pk):
    return f"onboarding:progress:{pk}"


def _load(request, *, actor, territory=None, base_url="", progress=None, before_save=None):
    """Create everything of an approved request. Runs inside the caller's transaction."""
    kinds = request.kinds
    parsed, report = validate_sources(
        kinds=kinds, sources=_stored_sources(request), applicant_inn=request.card.get("inn")
    )
    if report.error_count:
        raise importers.ImportRowsError(
            report.errors,
            total=report.error_count,
            message=_("Данные изменились после подачи заявки; загрузка отменена: %(errors)s")
            % {
                "errors": "; ".join(
                    _("%(sheet)s стр. %(line)s: %(reason)s")
                    % {"sheet": e["sheet"], "line": e["line"], "reason": e["reason"]}
                    for e in report.errors[:5]
                )
            },
        )
    territory = territory or (request.on_behalf_of.territory if request.on_behalf_of else None)
    org = directory_services.organization_create(
        data=card_for_create(request.card),
        kinds=kinds,
        territory=territory,
        codes_are_warnings=True,
    )
    if request.license_scan:
        org.license_scan.name = request.license_scan.name  # the same private file, no copy
        org.license_scan_name = request.license_scan_name
        org.save(update_fields=["license_scan", "license_scan_name"])
    contractor_for_uo = request.on_behalf_of_id is not None
    employees = parsed["employees"]
    has_admin = any(Role.ORG_ADMIN in e["roles"] for e in employees)
    credentials = []
    for index, row in enumerate(employees):
        roles = set(row["roles"])
        if index == 0 and not has_admin:
            roles.add(Role.ORG_ADMIN)
        employee, password = directory_services.employee_create(
            organization=org,
            full_name=row["full_name"],
            position=row["position"],
            roles=sorted(roles),
            email=row["email"],
            phone=row["phone"],
            send_credentials=not contractor_for_uo,
        )
        if contractor_for_uo:
            credentials.append(
                {
                    "full_name": row["full_name"],
                    "position": row["position"],
                    "username": employee.user.username,
                    "password": password,
                }
            )
    links = 0
    today = timezone.localdate()
    served_orgs = Organization.objects.in_bulk([r["organization_id"] for r in parsed["served"]])
    for row in parsed["served"]:
        other = served_orgs[row["organization_id"]]
        uo, provider = (org, other) if row["direction"] == "provider" else (other, org)
        directory_services.service_link_create(
            uo=uo, provider=provider, resource=row["resource"], start=today
        )
        links += 1
    if contractor_for_uo and not any(
        r["organization_id"] == request.on_behalf_of_id for r in parsed["served"]
    ):
        directory_services.service_link_create(uo=request.on_behalf_of, provider=org, start=today)
        links += 1
    stats = {"buildings": 0, "new_buildings": 0, "premises": 0, "accounts": 0, "periods": 0}
    if parsed["accounts"]:
        stats = accounts_load(
            rows=parsed["accounts"],
            actor=actor,
            organization=org,
            management_start=request.management_start or today,
            validate=False,
            progress=progress,
            audit=False,
        )
    summary = (
        f"Подключение «{org.short_name}» по заявке № {request.pk}: "
        f"сотрудников {len(employees)}, связей {links}, домов {stats['buildings']}, "
        f"лицевых счетов {stats['accounts']}"
    )
    audit_bulk(
        actor=actor,
        model="организация",
        object_id=org.pk,
        summary=summary,
        details={"request": request.pk, "employees": len(employees), "links": links, **stats},
    )
    if before_save is not None:
        before_save()
    request.organization = org
    request.status = Status.APPROVED
    request.is_overdue = False
    request.credentials = credentials
    request.last_error = ""
    request.progress_done = request.progress_total
    request.save()
    _decision(request, Action.LOADED, actor=actor, comment=summary)
    if contractor_for_uo:
        body = _(
            "Организация «%(short_name)s» подключена. Логины и одноразовые пароли "
            "сотрудников выдаются управляющей организацией «%(on_behalf_of)s»."
        ) % {"short_name": org.short_name, "on_behalf_of": request.on_behalf_of}
    else:
        body = _(
            "Организация «%(short_name)s» подключена к системе. Логины и одноразовые "
            "пароли отправлены сотрудникам на их адреса электронной почты."
        ) % {"short_name": org.short_name}
    _mail_applicant(request, _("организация подключена"), body)
    return org


# --- the loader ----------------------------------------------------------------------------


def accounts_load(
    *,
    rows,
    actor=None,
    organization=None,
    management_start=None,
    validate=True,
    progress=None,
    audit=True,
    batch_size=BATCH,
):
    """Load buildings, premises and personal accounts (D3) from rows of dicts with the keys
    settlement, city_district, street, house, block, flat, account, last_name, first_name,
    middle_name and optionally entrances, floors, latitude, longitude, management_start.

    An existing building with the same address is reused, new ones, premises and accounts are
    inserted with ``bulk_create`` in batches. With ``organization`` (a UO) its management
    periods are recorded; an overlap with another UO's period refuses everything. With
    ``validate`` the rows are checked first (every bad row reported, nothing stored).
    Returns counts. One transaction."""
    if validate:
        report = importers.Report()
        rows = importers.check_accounts(
            (
                (r.get("line", i), {k: "" if val is None else str(val) for k, val in r.items()})
                for i, r in enumerate(rows, start=1)
            ),
            report=report,
        )
        if report.error_count:
            raise importers.ImportRowsError(report.errors, total=report.error_count)
    elif not isinstance(rows, list):
        rows = list(rows)
    if organization is not None and not organization.has_kind(OrgKind.UO):
        raise ApplicationError(
            _("Дома загружаются только для управляющей организации"), code="not_uo"
        )
    with transaction.atomic():
        stats = _bulk_load(
            rows,
            organization=organization,
            management_start=management_start,
            progress=progress,
            batch_size=batch_size,
        )
        if audit:
            audit_bulk(
                actor=actor,
                model="лицевой счёт",
                object_id=organization.pk if organization else "-",
                summary=f"Загрузка лицевых счетов: домов {stats['buildings']}, "
                f"счетов {stats['accounts']}",
                details=stats,
            )
    return stats


def _bulk_load(rows, *, organization, management_start, progress, batch_size):
    total = len(rows)
    # 1. Buildings: reuse by address, insert the new ones.
    first_of = {}
    for row in rows:
        first_of.setdefault(importers.building_key(row), row)
    streets = sorted({k[1] for k in first_of})
    existing = {}
    for i in range(0, len(streets), importers.DB_CHUNK):
        for b in Building.objects.filter(street__in=streets[i : i + importers.DB_CHUNK]).only(
            "id", "settlement", "street", "house", "block"
        ):
            key = (b.settlement, b.street, b.house, b.block)
            if key in first_of:
                existing[key] = b.pk
    new_buildings = []
    for key, row in first_of.items():
        if key in existing:
            continue
        settlement, street, house, block = key
        new_buildings.append(
            Building(
                settlement=settlement,
                street=street,
                house=house,
                block=block,
                city_district=row.get("city_district") or "",
                entrances=row.get("entrances") or 1,
                floors=row.get("floors") or 1,
                latitude=row.get("latitude"),
                longitude=row.get("longitude"),
                search_text=Building.compose_search_text(street, house, block),
            )
        )
    building_ids = dict(existing)
    _bulk_create_with_ids(Building, new_buildings, batch_size)
    for b in new_buildings:
        building_ids[(b.settlement, b.street, b.house, b.block)] = b.pk
    # 2. Premises: reuse those of existing buildings.
    premises_ids = {}
    old_ids = list(existing.values())
    for i in range(0, len(old_ids), importers.DB_CHUNK):
        for pk, building_id, number in Premises.objects.filter(
            building_id__in=old_ids[i : i + importers.DB_CHUNK]
        ).values_list("id", "building_id", "number"):
            premises_ids[(building_id, number)] = pk
    new_premises, seen = [], set()
    for row in rows:
        key = (building_ids[importers.building_key(row)], row["flat"])
        if key in premises_ids or key in seen:
            continue
        seen.add(key)
        new_premises.append(Premises(building_id=key[0], number=key[1]))
    done = 0
    for i in range(0, len(new_premises), batch_size):
        batch = new_premises[i : i + batch_size]
        _bulk_create_with_ids(Premises, batch, batch_size)
        for p in batch:
            premises_ids[(p.building_id, p.number)] = p.pk
        if progress:
            progress(min(total, i + len(batch)) // 2, total)
    # 3. Accounts.
    for i in range(0, total, batch_size):
        Account.objects.bulk_create(
            [
                Account(
                    premises_id=premises_ids[(building_ids[importers.building_key(r)], r["flat"])],
                    number=r["account"],
                    owner_last_name=r.get("last_name") or "",
                    owner_first_name=r.get("first_name") or "",
                    owner_middle_name=r.get("middle_name") or "",
                )
                for r in rows[i : i + batch_size]
            ],
            batch_size=batch_size,
        )
        done = min(total, i + batch_size)
        if progress:
            progress(total // 2 + done // 2, total)
    # 4. Management registry of the UO (D4).
    periods = 0
    if organization is not None:
        default_start = management_start or timezone.localdate()
        for key, row in first_of.items():
            start = row.get("management_start") or default_start
            if key in existing:
                building = Building(
                    pk=existing[key], settlement=key[0], street=key[1], house=key[2], block=key[3]
                )
                try:
                    directory_services.management_period_create(
                        building=building,
                        organization=organization,
                        start=start,
                        basis="Подключение к системе",
                    )
                except ApplicationError as exc:
                    raise ApplicationError(
                        _(
                            "Дом %(address)s: %(message)s. Согласование не выполнено, "
                            "ничего не сохранено."
                        )
                        % {"address": building.address, "message": exc.message},
                        code="management_overlap",
                        fields=exc.fields,
                    )
                periods += 1
        new_periods = [
            ManagementPeriod(
                building_id=b.pk,
                organization=organization,
                start=first_of[(b.settlement, b.street, b.house, b.block)].get("management_start")
                or default_start,
                basis="Подключение к системе",
            )
            for b in new_buildings
        ]
        # New buildings have no periods yet: nothing can overlap, insert in bulk.
        ManagementPeriod.objects.bulk_create(new_periods, batch_size=batch_size)
        periods += len(new_periods)
    return {
        "buildings": len(first_of),
        "new_buildings": len(new_buildings),
        "premises": len(new_premises),
        "accounts": total,
        "periods": periods,
    }


def _bulk_create_with_ids(model, objs, batch_size):
    if not objs:
        return
    model.objects.bulk_create(objs, batch_size=batch_size)
    if objs[0].pk is None:  # a database that cannot return ids from a bulk insert
        raise ApplicationError(_("База данных не вернула идентификаторы при пакетной вставке"))


# --- deadlines and hand-over ---------------------------------------------------------------


def onboarding_mark_overdue(*, today=None):
    """Flag requests whose deadline for issuing accounts has passed (D5)."""
    today = today or timezone.localdate()
    return OnboardingRequest.objects.filter(
        status__in=OnboardingRequest.OPEN_STATUSES, due_date__lt=today, is_overdue=False
    ).update(is_overdue=True)


@transaction.atomic
def onboarding_credentials_handed_over(*, request, actor):
    """The UO confirms it handed the first logins to its contractor; they are erased."""
    request = _lock(request)
    if not request.credentials:
        raise ApplicationError(
            _("Логины уже переданы"), code="already_handed_over", status_code=409
        )
    request.credentials = []
    request.credentials_handed_over_at = timezone.now()
    request.credentials_handed_over_by = actor
    request.save()
    return request
