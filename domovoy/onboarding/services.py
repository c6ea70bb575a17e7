"""Every write of onboarding (D5): submit, resubmit, decide, load. One transaction each.

The public entry points of the app: views, the API and the tasks call these. The parts live
in their own modules and are re-exported here:

- ``approval``: the approval steps and the record of decisions;
- ``checks``: the card, the files, the worker's parse of every row;
- ``jobs``: the background check and load (lease, heartbeat, sweeper, progress);
- ``notices``: the applicant's e-mails, through the notification outbox;
- ``domovoy.directory.loader``: every directory write of the final load (the organisation,
  its employees and links, buildings, premises and accounts). Its ``accounts_load`` is
  re-exported: the bench and other callers find it here.
"""

import logging

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.audit.services import audit_bulk
from domovoy.core.errors import ApplicationError
from domovoy.core.private_files import original_name
from domovoy.core.worktime import add_working_days
from domovoy.directory import loader
from domovoy.directory.loader import BATCH, accounts_load  # noqa: F401 - public, re-exported
from domovoy.directory.models import OrgKind, Territory, User

from . import importers, notices
from .approval import (  # noqa: F401 - re-exported
    DefaultStep,
    approval_steps,
    check_decider,
    current_step,
    decision_record,
    lock,
    user_decides_step,
)
from .checks import (  # noqa: F401 - re-exported
    APPLICABLE_KINDS,
    PROGRESS_EVERY,
    card_for_create,
    check_request_card,
    check_uploads,
    required_files,
    summary_of,
    validate_sources,
)
from .jobs import (  # noqa: F401 - re-exported
    LeaseLost,
    ProgressReporter,
    claim,
    heartbeat,
    job_lease_seconds,
    job_max_attempts,
    onboarding_jobs_sweep,
    progress_cache_key,
    queue_job,
    release,
)
from .models import OnboardingDecision, OnboardingFile, OnboardingRequest
from .notices import status_path  # noqa: F401 - re-exported (views)

log = logging.getLogger(__name__)

Status = OnboardingRequest.Status
Action = OnboardingDecision.Action

# The names the tests and older callers used before the split.
_claim, _heartbeat, _ProgressReporter = claim, heartbeat, ProgressReporter


# --- helpers -------------------------------------------------------------------------------


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
    decision_record(request, action, actor=actor)


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
    card_json, errors, card_warnings = check_request_card(
        card, kinds, license_scan_present=bool(license_scan)
    )
    errors.update(required_files(kinds, files))
    errors.update(check_uploads(files, license_scan))
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
        queue_job(request, "validate")
        notices.notify_submitted(request, base_url)
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


def onboarding_request_validate(*, request_id):
    """The worker's check of the files of a submission (only the worker parses them): row
    counts, then every row, with progress and a heartbeat every ``PROGRESS_EVERY`` rows; errors
    leave nothing but the list of bad rows (the stored files are deleted)."""
    token = claim(request_id, Status.VALIDATING)
    request = OnboardingRequest.objects.get(pk=request_id)
    if token is None:
        return request
    resubmit = request.decisions.filter(action__in=(Action.SUBMIT, Action.RESUBMIT)).exists()
    try:
        sources = _stored_sources(request)
        counts = {kind: importers.count_rows(source) for kind, source in sources.items()}
        heartbeat(request.pk, token, progress_total=sum(counts.values()), progress_done=0)
        parsed, report = validate_sources(
            kinds=request.kinds,
            sources=sources,
            applicant_inn=request.card.get("inn"),
            progress=lambda done: heartbeat(
                request.pk, token, progress_done=done, progress_phase="validate"
            ),
        )
    except LeaseLost:
        return request
    with transaction.atomic():
        request = OnboardingRequest.objects.select_for_update().get(pk=request.pk)
        if request.job_token != token or request.status != Status.VALIDATING:
            return request  # the lease was lost: the holder writes the result
        release(request)
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
        request.summary = summary_of(parsed)
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
    card_json, errors, card_warnings = check_request_card(
        card,
        kinds,
        license_scan_present=bool(license_scan or request.license_scan),
        exclude_request=request,
    )
    errors.update(required_files(kinds, files, existing=existing))
    errors.update(check_uploads(files, license_scan))
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
        queue_job(request, "validate")
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
    request = lock(request)
    step, _steps = check_decider(request, actor)
    request.status = Status.CHANGES_REQUESTED
    request.current_step = 0
    request.is_overdue = False
    request.save()
    decision = decision_record(
        request, Action.REQUEST_CHANGES, actor=actor, comment=comment, step=step
    )
    notices.notify_changes_requested(request, decision, comment, base_url)
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
    request = lock(request)
    step, _steps = check_decider(request, actor)
    request.status = Status.REJECTED
    request.save()
    decision_record(request, Action.REJECT, actor=actor, comment=comment, step=step)
    notices.notify_rejected(request, comment)
    return request


def onboarding_request_approve(*, request, actor, comment="", territory=None, base_url=""):
    """Approve the current step; the last step connects the organisation in one transaction
    (or, for large files, hands the load to the worker with visible progress)."""
    with transaction.atomic():
        request = lock(request)
        step, steps = check_decider(request, actor)
        decision_record(request, Action.APPROVE, actor=actor, comment=comment, step=step)
        if request.current_step + 1 < len(steps):
            request.current_step += 1
            request.save()
            return request
        if request.progress_total > settings.ONBOARDING_ASYNC_ROWS:
            request.status = Status.LOADING
            request.last_error = ""
            queue_job(
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
    token = claim(request_id, Status.LOADING)
    request = OnboardingRequest.objects.get(pk=request_id)
    if token is None:
        return request
    actor = User.objects.get(pk=actor_id)
    territory = Territory.objects.filter(pk=territory_id).first() if territory_id else None
    reporter = ProgressReporter(request.pk, token)

    def still_ours():
        # Right before the result is written: a worker that lost its lease rolls back.
        if not OnboardingRequest.objects.filter(pk=request.pk, job_token=token).update(
            job_token="", lease_until=None
        ):
            raise LeaseLost
        release(request)

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
            request = lock(request)
            if request.job_token == token and request.status == Status.LOADING:
                release(request)
                request.status = Status.SUBMITTED
                request.last_error = message
                request.save()
                decision_record(request, Action.LOAD_FAILED, actor=actor, comment=message)
    finally:
        reporter.close()
    request.refresh_from_db()
    return request


def _load(request, *, actor, territory=None, base_url="", progress=None, before_save=None):
    """Create everything of an approved request (through ``directory.loader``). Runs inside
    the caller's transaction: a refusal leaves nothing."""
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
    contractor_for_uo = request.on_behalf_of_id is not None
    org, credentials, stats = loader.organization_load(
        card=card_for_create(request.card),
        kinds=kinds,
        territory=territory or (request.on_behalf_of.territory if contractor_for_uo else None),
        license_scan=request.license_scan.name if request.license_scan else None,
        license_scan_name=request.license_scan_name,
        employees=parsed["employees"],
        served=parsed["served"],
        accounts=parsed["accounts"],
        management_start=request.management_start,
        provider_for=request.on_behalf_of if contractor_for_uo else None,
        # A contractor connected by its UO gets its logins through the UO, not by e-mail.
        send_credentials=not contractor_for_uo,
        actor=actor,
        progress=progress,
    )
    summary = (
        f"Подключение «{org.short_name}» по заявке № {request.pk}: "
        f"сотрудников {stats['employees']}, связей {stats['links']}, "
        f"домов {stats['buildings']}, лицевых счетов {stats['accounts']}"
    )
    audit_bulk(
        actor=actor,
        model="организация",
        object_id=org.pk,
        summary=summary,
        details={"request": request.pk, **stats},
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
    decision_record(request, Action.LOADED, actor=actor, comment=summary)
    notices.notify_connected(request, org)
    return org


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
    request = lock(request)
    if not request.credentials:
        raise ApplicationError(
            _("Логины уже переданы"), code="already_handed_over", status_code=409
        )
    request.credentials = []
    request.credentials_handed_over_at = timezone.now()
    request.credentials_handed_over_by = actor
    request.save()
    return request
