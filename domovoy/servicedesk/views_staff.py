"""Pages of the executors and controllers of requests (R4–R6, R8, R10, R14, R16, R18, R19, S2).

- the work queue of a UO, supplier or contractor dispatcher with tabs, filters and bulk
  accept, refreshed live by htmx polling with a visible and audible alert (R19);
- the request card for staff: everything about the request, its history, the conversation and
  every action the workflow table allows this user now, each as a form generated from the
  table's parameters, all posting to one action view (R4–R6, R8, R10);
- the control lists (R14) and the conflict queue (R10);
- statistics of an organisation with an XLSX export (R18).

No rule is repeated here: buttons come from ``services.allowed_actions``, every write goes
through ``services`` (or ``conversation.comment_add``), every list is a function of
``selectors``, the marks of a row are the rules of ``deadlines``, and access is the ``rules``
of ``permissions.py``."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from domovoy.core.bounds import parse_id
from domovoy.core.errors import Conflict, Invalid, Stale, http_status
from domovoy.core.masking import mask_flat, mask_name, mask_phone
from domovoy.core.private_files import download_url, serve_private_file
from domovoy.directory import roles
from domovoy.directory.models import OrgKind
from domovoy.web import pages

from . import conversation, deadlines, downloads, selectors, services, statistics, surveys
from .forms_action import action_form
from .forms_staff import (
    AdvanceNoticeForm,
    BulkAcceptForm,
    QueueFilter,
    StatsForm,
    SystemFailureForm,
)
from .models import RequestEvent
from .resident_words import happened
from .workflow import FINAL_STATUSES, OPEN_STATUSES, PARAMS, Action, Status, transition_for

PAGE_SIZE = 50
# Query parameters that are not filters: the page and the live partial's switch.
NOT_FILTERS = ("page", "partial")
# R19: the page polls this often; the live query looks back a little further than the last
# poll so that a change committed while the previous poll ran is not missed (the page drops
# alerts it has already shown).
POLL_SECONDS = 10
LIVE_OVERLAP = dt.timedelta(seconds=5)
LIVE_MAX_ROWS = 50


# --- Who is looking ------------------------------------------------------------------------


def _org(user):
    return roles.organization_of(user)


def _is_queue_user(user) -> bool:
    """Staff of an executing organisation with a workflow role (R19)."""
    return user.has_perm("servicedesk.use_queue")


def _is_list_user(user) -> bool:
    """The control lists (R14): ``servicedesk.view_lists``."""
    return user.has_perm("servicedesk.view_lists")


def _require_queue_user(request):
    if not _is_queue_user(request.user):
        raise PermissionDenied


def _page(request, queryset):
    """A page of requests in two steps, three queries whatever the list's length (R19): the
    count and the page's ids come from the requests table alone (its indexes, narrow rows
    sorted), then only those rows are read with what a row shows
    (``selectors.request_rows``). Joining the relations before sorting and cutting made a large
    organisation's page sort thousands of wide joined rows and plan a ten-table join."""
    page = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.request_rows(list(page.object_list))
    return page


def _now():
    return timezone.now()


# --- Row marks (R8, R14, R16) -------------------------------------------------------------


def _mark_rows(rows, *, now, org=None):
    """Flags each row shows; computed from the row itself (no query) by the same rules as the
    lists (``deadlines``)."""
    for sr in rows:
        sr.is_overdue_now = deadlines.is_overdue(sr, now)
        sr.crew_missing = deadlines.is_crew_missing(sr, now)
        sr.not_accepted_late = deadlines.is_not_accepted_late(sr, now)
        sr.can_bulk_accept = (
            org is not None
            and sr.executor_org_id == org.pk
            and sr.status in selectors.ACCEPT_SOURCES
        )
    return rows


def _mark_personal(rows, user):
    """S5: the flat number of a row is for those who may read the request's personal data
    (``servicedesk.view_personal_data``, decided from the row without a query)."""
    for sr in rows:
        sr.flat_hidden = not selectors.sees_personal_data(user, sr)
    return rows


# --- The work queue (R19) --------------------------------------------------------------------


TAB_LABELS = {
    "new": gettext_lazy("Новые"),
    "mine": gettext_lazy("Мои"),
    "today": gettext_lazy("Срок сегодня"),
    "overdue": gettext_lazy("Просрочены"),
    "control": gettext_lazy("На контроле"),
    "verification": gettext_lazy("На проверке"),
    "returned": gettext_lazy("Возвращены"),
    "all": gettext_lazy("Все в работе"),
}
# The tabs are the selectors' (their conditions are there); a tab without a label fails here.
TABS = tuple((code, TAB_LABELS[code]) for code in selectors.QUEUE_TABS)
TAB_CODES = set(selectors.QUEUE_TABS)


def _queue_rows(request, *, tab, org, employee, now):
    base = selectors.queue_tab(tab, organization=org, employee=employee, now=now)
    filterset = QueueFilter(request.GET or None, queryset=base)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    page = _page(request, qs)
    _mark_rows(page.object_list, now=now, org=org)
    return filterset, page


@login_required
@require_GET
def staff_queue(request):
    """The dispatcher's work queue (R19): tabs, filters, bulk accept, live refresh."""
    _require_queue_user(request)
    user, now = request.user, _now()
    org, employee = _org(user), roles.employee_of(user)
    tab = request.GET.get("tab", "new")
    if tab not in TAB_CODES:
        tab = "new"
    filterset, page = _queue_rows(request, tab=tab, org=org, employee=employee, now=now)
    context = {
        "tab": tab,
        "filter": filterset,
        "page": page,
        "querystring": pages.querystring(request, drop=NOT_FILTERS),
        "now": now,
        "org": org,
        "selectable": True,
        "bulk_form": BulkAcceptForm(),
    }
    if request.GET.get("partial") == "rows":
        return render(request, "servicedesk/staff/_queue_table.html", context)
    counts = selectors.queue_tab_counts(organization=org, employee=employee, now=now)
    context.update(
        {
            "tabs": [(code, label, counts.get(code)) for code, label in TABS],
            "since": now.isoformat(),
            "poll_seconds": POLL_SECONDS,
        }
    )
    return render(request, "servicedesk/staff/queue.html", context)


def _parse_since(raw, now):
    since = parse_datetime(raw or "")
    if since is None:
        return None
    if timezone.is_naive(since):
        since = timezone.make_aware(since)
    return min(since, now)


@login_required
@require_GET
def staff_queue_live(request):
    """R19: what changed for this organisation since the page's last poll. One query on
    ``updated_at`` (plus one on new comments); the answer replaces the polling element, carries
    the next ``since`` and the alerts (new and emergency requests) the page shows and sounds."""
    _require_queue_user(request)
    user, now = request.user, _now()
    org = _org(user)
    since = _parse_since(request.GET.get("since"), now)
    changed, alerts = [], []
    if since is not None:
        window = since - LIVE_OVERLAP
        changed = selectors.queue_changes(organization=org, since=window, limit=LIVE_MAX_ROWS)
        for row in changed:
            fresh = row["executor_org_id"] == org.pk and row["status"] in (
                Status.NEW,
                Status.REOPENED,
            )
            if not fresh:  # other changes refresh the rows without an alert
                continue
            address = f"{row['building__street']}, {row['building__house']}" + (
                f"к{row['building__block']}" if row["building__block"] else ""
            )
            alerts.append(
                {
                    "key": f"{row['pk']}:{row['version']}",
                    "number": row["number"],
                    "emergency": row["is_emergency"],
                    "title": (
                        _("Аварийная заявка № %(n)s") if row["is_emergency"] else
                        _("Новая заявка № %(n)s")
                    ) % {"n": row["number"]},
                    "text": f"{row['topic__name']} — {address}",
                    "url": reverse("servicedesk:staff_detail", args=[row["number"]]),
                }
            )  # fmt: skip
        comments = int(selectors.queue_has_new_comments(organization=org, since=window))
    else:
        comments = 0
    context = {
        "since": now.isoformat(),
        "poll_seconds": POLL_SECONDS,
        "changed": len(changed) + comments,
        "alerts_json": json.dumps(alerts, ensure_ascii=False),
        "alerts": alerts,
    }
    return render(request, "servicedesk/staff/_live.html", context)


@login_required
@require_POST
def staff_bulk_accept(request):
    """Accept the ticked requests with one public comment (R4) through
    ``services.service_request_bulk_accept``: the accepted ones and each refused one with its
    reason are shown."""
    _require_queue_user(request)
    form = BulkAcceptForm(request.POST)
    back = pages.next_url(request, "servicedesk:staff_queue")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    result = services.service_request_bulk_accept(
        actor=request.user, rows=form.cleaned_data["rows"], comment=form.cleaned_data["comment"]
    )
    if result.accepted:
        messages.success(
            request,
            _("Принято заявок: %(n)s (№ %(numbers)s)")
            % {"n": len(result.accepted), "numbers": ", ".join(result.accepted)},
        )
    for number, reason in result.refused:
        messages.error(
            request, _("Заявка № %(n)s не принята: %(reason)s") % {"n": number, "reason": reason}
        )
    return redirect(back)


# --- The request card (R4–R6, R8, R10, R16) --------------------------------------------------


def _request_or_404(user, number, *, perm="servicedesk.view_request_internal"):
    sr = selectors.request_get(number=number)
    if sr is None or sr.is_deleted or not user.has_perm(perm, sr):
        raise Http404
    return sr


_CHOICE_DATA = ("reject_reason", "return_reason", "withdraw_reason", "grounds")


def _event_details(event) -> list[str]:
    """What a history row's data says, in words (reason codes, dates, answers)."""
    data, details = event.data or {}, []
    for name in _CHOICE_DATA:
        if data.get(name):
            choices = PARAMS[name].choices
            label = choices(data[name]).label if data[name] in choices.values else data[name]
            details.append(f"{PARAMS[name].label}: {label}")
    for name in ("deadline", "until"):
        if data.get(name):
            value = parse_datetime(str(data[name])) if name == "deadline" else None
            shown = (
                timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if value else str(data[name])
            )
            details.append(f"{PARAMS[name].label}: {shown}")
    if data.get("keep_control"):
        details.append(_("оставлена на контроле"))
    if data.get("rating"):
        details.append(_("оценка: %(r)s") % {"r": data["rating"]})
    if "minutes_since_creation" in data:
        details.append(_("через %(m)s мин после подачи") % {"m": data["minutes_since_creation"]})
    for name in ("no_claims_time", "no_claims_quality"):
        if name in data:
            details.append(f"{PARAMS[name].label}: {_('да') if data[name] else _('нет')}")
    if "unanswered_calls" in data:
        details.append(_("неотвеченных звонков: %(n)s") % {"n": data["unanswered_calls"]})
    if data.get("has_obscene") and event.action in (Action.CREATE, Action.REJECT):
        details.append(_("в тексте нецензурная лексика"))
    details.extend(_watch_details(event, data))
    return details


def _watch_details(event, data) -> list[str]:
    """The deadline watch's and the advance notice's rows (R14) in words."""
    details = []
    if event.action == Action.ADVANCE_NOTICE:
        details.append(_("Меры: %(m)s") % {"m": data.get("measures", "")})
        if data.get("new_date"):
            new = dt.date.fromisoformat(data["new_date"]).strftime("%d.%m.%Y")
            details.append(_("Новый срок: %(d)s") % {"d": new})
        if data.get("late"):
            details.append(_("подано позже чем за 24 часа до срока"))
    if data.get("late_entry"):
        entered = parse_datetime(str(data["late_entry"].get("entered_at", "")))
        when = timezone.localtime(entered).strftime("%d.%m.%Y %H:%M") if entered else ""
        details.append(_("внесено позже, %(at)s (сбой системы)") % {"at": when})
    if event.action == Action.FLAG_OVERDUE and data.get("without_notice"):
        details.append(_("без предупреждения о срыве срока"))
    return details


def _history(sr, *, personal, documents):
    items = []
    for event in selectors.request_history(request=sr):
        actor = str(event.actor) if event.actor_id else ""
        if actor and not personal and event.actor_id == sr.author_id:
            actor = mask_name(actor)  # the applicant's name is personal data (S5)
        items.append(
            {
                "event": event,
                "actor": actor,
                "title": Action(event.action).label
                if event.action in Action.values
                else event.action,
                "from_label": Status(event.from_status).label if event.from_status else "",
                "to_label": Status(event.to_status).label if event.to_status else "",
                "status_changed": event.from_status != event.to_status,
                "details": _event_details(event),
                "document_url": download_url(event, "document") if documents else "",
            }
        )
    return items


BUTTON_STYLE = {
    Action.ACCEPT: "primary",
    Action.START: "primary",
    Action.COMPLETE: "success",
    Action.VERIFY: "success",
    Action.MODERATION_APPROVE: "success",
    Action.CONFLICT_CLOSE: "success",
    Action.CLOSE_BY_CALL_CENTRE: "success",
    Action.DISPATCH_CREW: "warning",
    Action.REJECT: "outline-danger",
    Action.RETURN_TO_UO: "outline-danger",
    Action.VERIFY_RETURN: "outline-danger",
    Action.MODERATION_RETURN: "outline-danger",
    Action.CONFLICT_RETURN: "outline-danger",
}


def _action_panels(request, sr, *, bound=None):
    """One form per allowed action (R4: only the allowed ones), the bound one (with its errors)
    in place of its blank twin."""
    org = _org(request.user)
    panels = []
    for transition in services.allowed_actions(sr, request.user):
        code = transition.action.value
        if bound is not None and bound.transition.action == transition.action:
            form = bound
        else:
            form = action_form(transition, sr, actor_org=org)
        panels.append(
            {
                "code": code,
                "label": transition.label,
                "form": form,
                "style": BUTTON_STYLE.get(transition.action, "outline-secondary"),
                "open": bound is not None and form is bound,
                "url": reverse("servicedesk:staff_action", args=[sr.number, code]),
            }
        )
    return panels


def _notice_form_for(user, sr):
    """The advance notice form (R14) for the request's executor while it is open."""
    if sr.status in OPEN_STATUSES and user.has_perm("servicedesk.file_advance_notice", sr):
        return AdvanceNoticeForm()
    return None


def _render_card(request, sr, *, bound=None, error=None, status=200, notice_form=None):
    user, now = request.user, _now()
    personal = selectors.personal_data_shown(user, sr, purpose="staff request card")
    _mark_rows([sr], now=now)
    context = {
        "sr": sr,
        "now": now,
        "personal": personal,
        "caller_name": sr.caller_name if personal else mask_name(sr.caller_name),
        "phone": sr.phone if personal else (mask_phone(sr.phone) if sr.phone else ""),
        "premises": (
            (
                f"{sr.premises.get_kind_display()} {sr.premises.number}"
                if personal
                else mask_flat(sr.premises.number)
            )
            if sr.premises_id
            else ""
        ),  # fmt: skip
        "crew_due_at": deadlines.crew_due_at(sr),
        "accept_due_at": deadlines.accept_due_at(sr) if sr.status == Status.NEW else None,
        "history": _history(
            sr,
            personal=personal,
            documents=user.has_perm("servicedesk.view_request_document", sr),
        ),
        "panels": _action_panels(request, sr, bound=bound),
        "advance_notices": selectors.advance_notices_of(sr),
        "notice_form": notice_form or _notice_form_for(user, sr),
        "notice_due_at": deadlines.advance_notice_due_at(sr),
        "comments": conversation.comments_for(request=sr, user=user),
        "can_comment": user.has_perm("servicedesk.comment_request", sr),
        "can_note": conversation.can_write_internal(user, sr),
        "upload_rules": conversation.upload_rules_text(),
        "error": error,
        "stale": status == 409,
        "is_final": sr.status in FINAL_STATUSES,
        "chain": _repeat_chain(user, sr),
        # R13: «не удовлетворён» in the survey; an appeal awaiting the control body.
        "additional_control": surveys.on_additional_control(sr),
        "appeal_pending": surveys.pending_appeal(sr),
    }
    return render(request, "servicedesk/staff/detail.html", context, status=status)


def _repeat_chain(user, sr) -> list:
    """R14: the chain of repeats the request belongs to; a row links to its card only for a
    user who may read that request (another executor's request shows its number alone)."""
    chain = selectors.repeat_chain(sr)
    for row in chain:
        row.visible = user.has_perm("servicedesk.view_request", row)
    return chain


@login_required
@require_GET
def staff_detail(request, number):
    """The request card for staff (404 for anyone who is not party and reads no territory)."""
    sr = _request_or_404(request.user, number)
    return _render_card(request, sr)


STALE_MESSAGE = gettext_lazy(
    "Заявка изменилась, пока вы её смотрели: обновите страницу и повторите действие."
)


@login_required
@require_POST
def staff_action(request, number, action):
    """THE action endpoint of the card: any row of the workflow table, its form generated from
    the table, performed by ``service_request_transition`` with the version the user saw.

    Refusals answer with the status the API gives for the same refusal
    (``core.errors.http_status``): a stale version or the request's state (status, guard) 409
    on the card with its reason, bad input 400 on the form; a caller who is not the party
    gets ``Forbidden`` through to ``web.middleware.ServiceErrorMiddleware`` (403)."""
    user = request.user
    sr = selectors.request_get(number=number)
    if sr is None or sr.is_deleted or not user.has_perm("servicedesk.view_request", sr):
        raise PermissionDenied  # not a party: no action, and no hint whether it exists
    transition = transition_for(action)
    if transition is None or transition.action == Action.CREATE:
        raise Http404
    form = None
    try:
        posted = request.POST.get(f"{transition.action.value}-version", "")
        if not posted.isdigit() or int(posted) != sr.version:
            raise Stale(STALE_MESSAGE)
        services.check_allowed(transition, sr, user)
        form = action_form(
            transition, sr, actor_org=_org(user), data=request.POST, files=request.FILES
        )
        if not form.is_valid():
            return _render_card(
                request, sr, bound=form, error=_("Исправьте поля формы"), status=400
            )
        services.service_request_transition(
            request=sr,
            action=transition.action,
            actor=user,
            expected_version=form.cleaned_data["version"],
            **form.params(),
        )
    except Stale as exc:
        fresh = selectors.request_get(number=number)
        return _render_card(request, fresh, error=str(STALE_MESSAGE), status=http_status(exc))
    except (Invalid, Conflict) as exc:
        if form is not None and isinstance(exc, Invalid):
            pages.apply_errors(form, exc)
        return _render_card(request, sr, bound=form, error=exc.message, status=http_status(exc))
    messages.success(
        request, _("Заявка № %(n)s: %(happened)s. Статус — «%(status)s».") % {
            "n": sr.number, "happened": happened(transition.action).lower(),
            "status": sr.get_status_display(),
        }
    )  # fmt: skip
    if user.has_perm("servicedesk.view_request_internal", sr):
        return redirect("servicedesk:staff_detail", number=sr.number)
    return redirect("servicedesk:staff_queue")


@login_required
@require_GET
def staff_redirect_options(request, number, field):
    """The departments or employees (``field``) of the organisation chosen in the redirect
    form (R5), as ``<option>``s for htmx. Only for who may redirect this request now (the
    workflow table: 403/409 otherwise), and only for an organisation the request may be passed
    to (400 otherwise); employees narrow to the chosen department when it is of that
    organisation."""
    user = request.user
    sr = selectors.request_get(number=number)
    if sr is None or sr.is_deleted or not user.has_perm("servicedesk.view_request", sr):
        raise PermissionDenied
    if field not in ("department", "employee"):
        raise Http404
    services.check_allowed(transition_for(Action.REDIRECT), sr, user)
    prefix = Action.REDIRECT.value
    raw = request.GET.get(f"{prefix}-organization", "")
    org = None
    if raw:
        org_id = parse_id(raw)
        org = PARAMS["organization"].kind.allowed(sr).filter(pk=org_id).first() if org_id else None
        if org is None:
            raise Invalid(
                _("Эта организация не может исполнять заявки по дому %(address)s")
                % {"address": sr.building.address},
                code="organization_not_serving",
            )
    kind = PARAMS[field].kind
    if field == "department":
        rows = kind.of(org)
    else:
        department = None
        dep_id = parse_id(request.GET.get(f"{prefix}-department", ""))
        if org is not None and dep_id:
            department = PARAMS["department"].kind.of(org).filter(pk=dep_id).first()
        rows = kind.of(org, department=department)
    options = [(obj.pk, kind.label(obj)) for obj in rows]
    return render(request, "servicedesk/staff/_options.html", {"options": options})


@login_required
@require_POST
def staff_advance_notice(request, number):
    """R14 (Z 6.1.4.1): the executor warns that it will miss the deadline — reasons, measures,
    a new date — through ``services.advance_notice_file``. Bad input 400 on the card's form, a
    closed request 409; not the executor 403 (``web.middleware``)."""
    sr = _request_or_404(request.user, number)
    form = AdvanceNoticeForm(request.POST)
    if not form.is_valid():
        return _render_card(
            request, sr, notice_form=form, error=_("Исправьте поля формы"), status=400
        )
    try:
        notice = services.advance_notice_file(request=sr, actor=request.user, **form.cleaned_data)
    except (Invalid, Conflict) as exc:
        if isinstance(exc, Invalid):
            pages.apply_errors(form, exc)
        return _render_card(
            request, sr, notice_form=form, error=exc.message, status=http_status(exc)
        )
    text = _("Предупреждение о срыве срока отправлено контролирующим.")
    if notice.is_late:
        text += " " + _("Оно подано позже чем за 24 часа до срока и отмечено как позднее.")
    messages.success(request, text)
    return redirect(reverse("servicedesk:staff_detail", args=[sr.number]) + "#sd-notices")


@login_required
def staff_failures(request):
    """S8 (G 3.6.2): the system failures posted; the operator posts one (optionally pausing
    the deadline clocks) through ``services.system_failure_post``. Staff read the list."""
    user = request.user
    can_post = user.has_perm("servicedesk.post_system_failure")
    if not can_post and not roles.is_working_staff(user):
        raise PermissionDenied
    form, error, status = (SystemFailureForm() if can_post else None), None, 200
    if request.method == "POST":
        if not can_post:
            raise PermissionDenied
        form = SystemFailureForm(request.POST)
        if form.is_valid():
            try:
                failure = services.system_failure_post(actor=user, **form.cleaned_data)
            except Invalid as exc:
                pages.apply_errors(form, exc)
                error, status = exc.message, 400
            else:
                messages.success(
                    request,
                    _("Сообщение о сбое опубликовано. Перенесены сроки заявок: %(n)s.")
                    % {"n": failure.requests_moved},
                )
                return redirect("servicedesk:staff_failures")
        else:
            error, status = _("Исправьте поля формы"), 400
    context = {"form": form, "error": error, "failures": selectors.system_failures()[:100]}
    return render(request, "servicedesk/staff/failures.html", context, status=status)


@login_required
@require_POST
def staff_comment(request, number):
    """A public comment or an internal note with files (R7) through ``conversation``."""
    sr = _request_or_404(request.user, number)
    text = request.POST.get("text", "")
    is_public = request.POST.get("is_public", "1") == "1"
    try:
        conversation.comment_add(
            request=sr,
            author=request.user,
            text=text,
            is_public=is_public,
            files=request.FILES.getlist("files"),
        )
    except (Invalid, Conflict) as exc:
        messages.error(request, exc.message)
        for errors in (exc.fields or {}).values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.success(
            request, _("Комментарий добавлен") if is_public else _("Внутренняя заметка добавлена")
        )
    return redirect(reverse("servicedesk:staff_detail", args=[sr.number]) + "#conversation")


@login_required
@require_GET
def staff_attachment(request, number, pk):
    """A file of the conversation, by the conversation's reading rules (``?thumb=1`` for an
    image's thumbnail); never a public /media/ link (S5)."""
    sr = _request_or_404(request.user, number)
    attachment = conversation.attachment_get(request=sr, user=request.user, pk=pk)
    if attachment is None:
        raise Http404
    return downloads.attachment_response(
        request, attachment, thumbnail=bool(request.GET.get("thumb") and attachment.thumbnail)
    )


@login_required
@require_GET
def staff_event_document(request, number, event_id):
    """A document of a history row (works-done document, verification evidence, closing act):
    only for the parties of the request (``servicedesk.view_request_document``, S2, S5)."""
    sr = _request_or_404(request.user, number)
    if not request.user.has_perm("servicedesk.view_request_document", sr):
        raise Http404
    event = RequestEvent.objects.filter(request=sr, pk=event_id).first()
    if event is None or not event.document:
        raise Http404
    return serve_private_file(request, event.document, filename=event.document_name)


# --- Control lists (R14, R10) -----------------------------------------------------------------


def _list_scope(user, org) -> dict:
    """An executor's list is its own; a reader's list is its territory's (S2)."""
    return selectors.list_scope(user)


def _list_new(user, org, now):
    return selectors.new_requests(**_list_scope(user, org))


def _list_postponed(user, org, now):
    return selectors.postponed_requests(**_list_scope(user, org))


def _list_overdue(user, org, now):
    return selectors.overdue_requests(now=now, **_list_scope(user, org))


def _list_repeat(user, org, now):
    return selectors.repeat_list(**_list_scope(user, org))


def _list_not_accepted(user, org, now):
    return selectors.not_accepted_in_time(now=now, **_list_scope(user, org))


def _list_crew(user, org, now):
    return selectors.crew_dispatch_overdue(now=now, **_list_scope(user, org))


def _list_verification(user, org, now):
    return selectors.verification_queue(organization=org)


def _list_moderation(user, org, now):
    return selectors.controller_queue(organization=org).filter(status=Status.MODERATION)


def _list_conflicts(user, org, now):
    return selectors.conflict_queue(territory=roles.territory_scope(user))


def _for_executors(user, org):
    return _is_queue_user(user)


def _for_readers(user, org):
    return True


def _for_uo(user, org):
    # A superuser passes every permission and has no organisation: no UO of his own to verify.
    return _is_queue_user(user) and org is not None and org.has_kind(OrgKind.UO)


def _for_functional_operator(user, org):
    return user.has_perm("servicedesk.view_conflicts")


# code: (title, rows, who sees the list)
LISTS = {
    "new": (gettext_lazy("Новые заявки"), _list_new, _for_readers),
    "repeat": (gettext_lazy("Повторные"), _list_repeat, _for_readers),
    "postponed": (gettext_lazy("Отложенные"), _list_postponed, _for_readers),
    "overdue": (gettext_lazy("Просроченные"), _list_overdue, _for_readers),
    "not-accepted": (
        gettext_lazy("Не приняты за 24 часа"),
        _list_not_accepted,
        _for_readers,
    ),
    "crew": (gettext_lazy("Аварийная бригада не направлена"), _list_crew, _for_readers),
    "moderation": (gettext_lazy("На модерации у нас"), _list_moderation, _for_executors),
    "verification": (
        gettext_lazy("Проверка выполнения подрядчиками"),
        _list_verification,
        _for_uo,
    ),
    "conflicts": (
        gettext_lazy("Конфликтные ситуации"),
        _list_conflicts,
        _for_functional_operator,
    ),
}


def _lists_for(user, org):
    return [(code, spec[0]) for code, spec in LISTS.items() if spec[2](user, org)]


@login_required
@require_GET
def staff_list(request, kind):
    """The control lists (R14): new, postponed, overdue, not accepted in 24 hours, emergency
    crews not dispatched (R8), moderation and verification (R5, R10), conflicts (R10)."""
    user = request.user
    if not _is_list_user(user) and not _for_functional_operator(user, None):
        raise PermissionDenied  # the menu offers the lists by the same two permissions
    spec = LISTS.get(kind)
    if spec is None:
        raise Http404
    org = _org(user)
    title, rows, allowed = spec
    if not allowed(user, org):
        raise PermissionDenied
    now = _now()
    base = rows(user, org, now)
    filterset = QueueFilter(request.GET or None, queryset=base)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    page = _page(request, qs)
    _mark_rows(page.object_list, now=now, org=org if _is_queue_user(user) else None)
    _mark_personal(page.object_list, user)
    context = {
        "kind": kind,
        "title": title,
        "lists": _lists_for(user, org),
        "filter": filterset,
        "page": page,
        "querystring": pages.querystring(request, drop=NOT_FILTERS),
        "now": now,
        "org": org,
    }
    return render(request, "servicedesk/staff/list.html", context)


# --- Statistics (R18) ------------------------------------------------------------------------


def _stats_scope(request):
    """The organisation whose statistics are shown (``statistics.statistics_scope``)."""
    if not request.user.has_perm("servicedesk.view_statistics"):
        raise PermissionDenied
    return statistics.statistics_scope(request.user)


def _stats_request(request):
    org, choices, territory = _stats_scope(request)
    today = timezone.localdate()
    initial = {"date_from": today.replace(day=1), "date_to": today}
    data = request.GET.copy()
    for key, value in initial.items():
        if not data.get(key):
            data[key] = value.isoformat()
    form = StatsForm(data, organizations=choices)
    stats = None
    if form.is_valid():
        chosen = form.cleaned_data.get("organization") or org
        stats = statistics.rollup_statistics(
            organization=chosen,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            territory=territory,
        )
        stats["organization"] = chosen
        stats["date_from"] = form.cleaned_data["date_from"]
        stats["date_to"] = form.cleaned_data["date_to"]
    return form, stats


@login_required
@require_GET
def staff_stats(request):
    """R18: the statistics page of an organisation."""
    form, stats = _stats_request(request)
    context = {
        "form": form,
        "stats": stats,
        "querystring": pages.querystring(request, drop=NOT_FILTERS),
    }
    if stats:
        s = stats["summary"]
        context["summary_cards"] = [
            (_("Всего заявок"), s["total"], ""),
            (_("Выполнено"), s["completed"], ""),
            (_("В срок"), s["on_time_share"], "%"),
            (_("Просрочено в работе"), s["overdue_open"], ""),
            (_("Принятие, в среднем"), s["avg_accept_hours"], " " + _("ч")),
            (_("Закрытие, в среднем"), s["avg_close_hours"], " " + _("ч")),
            (_("Принятие, медиана"), s["median_accept_hours"], " " + _("ч")),
            (_("Закрытие, медиана"), s["median_close_hours"], " " + _("ч")),
            (_("Отклонено"), s["rejected"], ""),
            (_("Возвращено в УО"), s["returned_to_uo"], ""),
            (_("Бригада с опозданием"), s["late_crew"], ""),
            (_("Аварийных"), s["emergency"], ""),
            (_("Нецензурная лексика"), s["obscene"], ""),
            (_("Средняя оценка"), s["avg_rating"], ""),
            (_("Удовлетворены (4–5)"), s["satisfied_share"], "%"),
            (_("Не удовлетворены (1–2)"), s["dissatisfied"], ""),
        ]
        if s["overdue_open"] is None:  # the whole territory: see the overdue list instead
            overdue = _("Просрочено в работе")
            context["summary_cards"] = [c for c in context["summary_cards"] if c[0] != overdue]
        context["chart_data"] = statistics.chart_data(stats)
        context["breakdowns"] = [
            (_("По темам"), stats["by_topic"], _("Тема")),
            (_("По периодам"), stats["by_period"], _("Месяц") if stats["monthly"] else _("День")),
        ]
        if stats["by_building"]:
            context["breakdowns"].append((_("По домам"), stats["by_building"], _("Дом")))
    return render(request, "servicedesk/staff/stats.html", context, status=200 if stats else 400)


@login_required
@require_GET
def staff_stats_xlsx(request):
    """R18: the same statistics as an XLSX workbook."""
    form, stats = _stats_request(request)
    if stats is None:
        return HttpResponse(
            "; ".join(str(e) for errors in form.errors.values() for e in errors), status=400
        )
    filename = f"statistics-{stats['date_from']:%Y%m%d}-{stats['date_to']:%Y%m%d}.xlsx"
    return statistics.statistics_xlsx_response(stats, filename=filename)
