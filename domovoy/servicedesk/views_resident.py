"""Pages of the resident's cabinet and of the call centre for service requests (R1, R4, R7,
R11, R12, N2, S2).

Resident (``User.is_resident``): «Мои заявки», a new request, one request with its public
history, the controller's final answer, the chat with the executor and a button per action the
workflow allows now. Notices about requests are in the notification engine's inbox
(/notifications/); the old inbox URLs redirect there.
Call centre (``servicedesk.log_call``): the caller form with its call log, the search of any
request, a request's status and public comments, the call-back list with call attempts and
closing (R11).

Every write goes through ``services`` (and ``conversation`` for messages and files); the
buttons come from ``services.allowed_actions`` and their fields from the workflow table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from domovoy.core.errors import Conflict, Invalid, ServiceError, http_status
from domovoy.core.private_files import download_url
from domovoy.directory.models import Building, Premises
from domovoy.directory.selectors import address_lookup
from domovoy.notifications.selectors import unread_count
from domovoy.web import pages

from . import downloads, events, resident_words, selectors, services, surveys
from . import permissions as who
from .forms_action import PUBLIC, ActionForm
from .forms_resident import (
    CallAttemptForm,
    CallForm,
    CommentForm,
    ResidentRequestForm,
    SearchForm,
)
from .models import Call, Channel, ServiceRequest, Topic
from .resident_words import status_word as resident_status_word
from .workflow import Action, Status, transition_for

PAGE_SIZE = 20
ADDRESS_RESULTS = 10
PREMISES_OPTIONS = 2000


# --- Access -------------------------------------------------------------------------------


def resident_required(view):
    """The resident's cabinet (``servicedesk.use_cabinet``): signed-in users with the resident
    flag (D3); others get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm("servicedesk.use_cabinet"):
            raise PermissionDenied(_("Раздел доступен жителям"))
        return view(request, *args, **kwargs)

    return wrapper


def call_operator_required(view):
    """Call-centre pages: an operator of a call-centre organisation (``servicedesk.log_call``)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm("servicedesk.log_call"):
            raise PermissionDenied(_("Раздел доступен операторам call-центра"))
        return view(request, *args, **kwargs)

    return wrapper


def _own_request(user, number) -> ServiceRequest:
    """The resident's own request or 404 (S2: another resident's request does not exist for
    them)."""
    sr = selectors.request_get(number=number)
    if sr is None or sr.is_deleted or not who.is_author(user, sr):
        raise Http404
    return sr


def _any_request(user, number) -> ServiceRequest:
    """Any request for the call centre (S2 exception, U 3.2.1б)."""
    sr = selectors.request_get(number=number)
    if sr is None or sr.is_deleted or not user.has_perm("servicedesk.view_request", sr):
        raise Http404
    return sr


# The names a service uses for fields that a page's form calls otherwise.
_FORM_FIELD = {"attachments": "files", "file": "files", "premises": "flat"}


def form_errors(form, exc: ServiceError):
    """Show a refusal on a form: field messages on their fields, the rest on top."""
    pages.apply_errors(form, exc, rename=_FORM_FIELD)


# --- The conversation service (comments and attachments, R7) ------------------------------


def _conversation():
    """``conversation`` (comment_add, comments_for) once it exists; None before."""
    try:
        from . import conversation
    except ImportError:  # pragma: no cover - the module lands with the conversation work
        return None
    return conversation


def public_comments(sr, user):
    """The messages of the request the viewer may read, public ones only (the resident's chat
    with the executor; the call centre reads the same, S2)."""
    conversation = _conversation()
    if conversation is None:
        return None
    comments = conversation.comments_for(request=sr, user=user)
    return [c for c in comments if getattr(c, "is_public", True)]


def create_with_files(*, files, photos_public=False, **create_kwargs) -> ServiceRequest:
    """Intake with photos and files (R1, R7) in one transaction: the request and the author's
    first public message carrying the files; a refused file leaves nothing. ``photos_public``:
    the resident allowed the photos on the open-data page (R17)."""
    conversation = _conversation()
    if conversation is not None and hasattr(conversation, "service_request_create_with_files"):
        return conversation.service_request_create_with_files(
            files=files, photos_public=photos_public, **create_kwargs
        )
    with transaction.atomic():
        sr = services.service_request_create(**create_kwargs)
        if files:
            if conversation is None:
                raise Invalid(
                    _("Прикрепление файлов пока недоступно"),
                    code="attachments_unavailable",
                    fields={"files": [_("Отправьте заявку без файлов")]},
                )
            conversation.comment_add(
                request=sr, author=create_kwargs["actor"], text="", is_public=True, files=files
            )
    return sr


def attachment_response(request, sr, pk):
    """A file of the request's conversation, checked by the conversation's reading rules
    (never a public /media/ link); ``?thumb=1`` for an image's thumbnail."""
    conversation = _conversation()
    attachment = (
        conversation.attachment_get(request=sr, user=request.user, pk=pk) if conversation else None
    )
    if attachment is None:
        raise Http404
    return downloads.attachment_response(
        request, attachment, thumbnail=bool(request.GET.get("thumb") and attachment.thumbnail)
    )


# --- The timeline (shared with the staff pages) ------------------------------------------


@dataclass
class TimelineItem:
    at: object
    title: str
    status_word: str = ""
    comment: str = ""
    reason: str = ""
    org_name: str = ""
    actor_name: str = ""
    document_url: str = ""
    document_name: str = ""


def timeline_items(events, *, public: bool) -> list[TimelineItem]:
    """History rows → timeline items. ``public``: the resident's (and the call centre's) view —
    resident words, public comments, organisations but no staff names or internal reasons (the
    caller passes ``request_history(public_only=True)``). Otherwise the staff view with the
    internal status names, actors, reasons and documents."""
    items = []
    for event in events:
        changed = event.from_status != event.to_status
        if public:
            title = resident_words.happened(event.action) or event.get_action_display()
            if event.action == Action.RATE and event.data.get("rating"):
                title = f"{title}: {'★' * int(event.data['rating'])}"
            word = resident_status_word(event.to_status) if changed else ""
            items.append(
                TimelineItem(
                    at=event.at,
                    title=title,
                    status_word=word,
                    comment=event.comment,
                    org_name=str(event.actor_org) if event.actor_org_id else "",
                )
            )
        else:
            items.append(
                TimelineItem(
                    at=event.at,
                    title=event.get_action_display(),
                    status_word=event.get_to_status_display() if changed else "",
                    comment=event.comment,
                    reason=event.reason,
                    org_name=str(event.actor_org) if event.actor_org_id else "",
                    actor_name=str(event.actor) if event.actor_id else "",
                    document_url=download_url(event, "document"),
                    document_name=event.document_name,
                )
            )
    return items


def _words(action, resident: bool):
    """The resident's words of ``action`` (``resident_words``) on the resident's pages; None
    elsewhere (the call centre keeps the table's labels)."""
    return resident_words.action_words(action) if resident else None


def action_forms(
    sr, user, *, bound: ActionForm | None = None, resident: bool = False
) -> list[ActionForm]:
    """One small form per action the workflow allows ``user`` now (buttons never copy the
    rules); ``bound`` replaces the form of its action (a refused post, with its errors).
    ``resident``: buttons, lines under them and field names in the resident's words."""
    transitions = services.allowed_actions(sr, user)
    result = []
    for transition in transitions:
        if bound is not None and bound.transition.action == transition.action:
            result.append(bound)
        else:
            words = _words(transition.action, resident)
            result.append(
                ActionForm(transition=transition, request=sr, audience=PUBLIC, words=words)
            )
    return result


def _run_action(request, sr, action, *, resident: bool = False):
    """Post one action's form to the transition service. Returns (done, form, error)."""
    transition = transition_for(action)
    if transition is None or action == Action.CREATE:
        raise Http404
    form = ActionForm(
        request.POST, request.FILES, transition=transition, request=sr, audience=PUBLIC,
        words=_words(transition.action, resident),
    )  # fmt: skip
    if not form.is_valid():
        return False, form, None
    try:
        services.service_request_transition(
            request=sr,
            action=action,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            **form.params(),
        )
    except (Invalid, Conflict) as exc:  # Forbidden: the middleware's 403
        pages.apply_errors(form, exc, rename=_FORM_FIELD)
        return False, form, exc
    return True, form, None


# --- Resident pages ---------------------------------------------------------------------


@resident_required
def resident_list(request):
    """«Мои заявки» (R4, M): number, topic, address, the resident's status word, deadline."""
    page = pages.page(request, selectors.resident_requests(user=request.user), PAGE_SIZE)
    unread = unread_count(request.user)
    return render(request, "servicedesk/resident/list.html", {"page": page, "unread": unread})


@resident_required
def resident_new(request):
    """A new request from the cabinet (R1): the request and its files in one transaction."""
    if request.method == "POST":
        form = ResidentRequestForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                sr = create_with_files(
                    files=form.cleaned_data["files"],
                    photos_public=form.cleaned_data.get("photos_public", False),
                    channel=Channel.WEB,
                    author=request.user,
                    actor=request.user,
                    **form.create_kwargs(),
                )
            except (Invalid, Conflict) as exc:  # Forbidden: the middleware's 403
                form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Заявка № %(n)s подана: %(word)s")
                    % {"n": sr.number, "word": sr.resident_status},
                )
                return redirect("servicedesk:resident_detail", number=sr.number)
    else:
        form = ResidentRequestForm(user=request.user)
    chosen = form.cleaned_data.get("building") if form.is_bound and form.is_valid() else None
    if chosen is None and form.is_bound:
        chosen = _building_from(request.POST.get("building"))
    status = 400 if form.is_bound else 200
    return render(
        request,
        "servicedesk/resident/new.html",
        {"form": form, "chosen_building": chosen, "upload_rules": _upload_rules()},
        status=status,
    )


def _upload_rules() -> str:
    conversation = _conversation()
    return conversation.upload_rules_text() if conversation is not None else ""


def _building_from(value):
    try:
        return Building.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None


def _detail_context(request, sr, *, bound=None, comment_form=None):
    history = selectors.request_history(request=sr, public_only=True)
    comments = public_comments(sr, request.user)
    return {
        "sr": sr,
        "timeline": timeline_items(history, public=True),
        "forms": action_forms(sr, request.user, bound=bound, resident=True),
        "comments": comments,
        "chat_enabled": comments is not None,
        "comment_form": comment_form or CommentForm(),
        "message_words": resident_words.MESSAGE,
        # R13: the open survey of this closing, the additional-control mark, a pending appeal.
        "survey_pending": surveys.open_survey(sr),
        "additional_control": surveys.on_additional_control(sr),
        "appeal_pending": surveys.pending_appeal(sr),
    }


@resident_required
def resident_detail(request, number):
    """One request: its public timeline, the final answer, the chat and the allowed actions."""
    sr = _own_request(request.user, number)
    events.notices_mark_read(user=request.user, request=sr)
    return render(request, "servicedesk/resident/detail.html", _detail_context(request, sr))


def _resident_message(exc: ServiceError, sr, form) -> str:
    """The service's refusal in the resident's words: a wrong-status refusal names the
    internal status, which residents never see (R4), so it is told with their word."""
    if exc.code == "invalid_status":
        return _("Действие «%(a)s» сейчас недоступно: заявка «%(w)s»") % {
            "a": form.label,
            "w": sr.resident_status,
        }
    return exc.message


@require_POST
@resident_required
def resident_action(request, number, action):
    """Any action of the workflow on the resident's own request: confirm, dispute, reopen,
    withdraw, rate, edit, delete — whatever the table allows now (R10–R12)."""
    sr = _own_request(request.user, number)
    done, form, exc = _run_action(request, sr, action, resident=True)
    if done:
        sr.refresh_from_db()
        messages.success(request, resident_words.done_message(action, sr.status) or form.label)
        if action == Action.DELETE:
            return redirect("servicedesk:resident_list")
        return redirect("servicedesk:resident_detail", number=sr.number)
    sr.refresh_from_db()
    if exc is not None:
        messages.error(request, _resident_message(exc, sr, form))
    context = _detail_context(request, sr, bound=form)
    context["failed_action"] = action
    status = http_status(exc) if exc is not None else 400
    return render(request, "servicedesk/resident/detail.html", context, status=status)


@require_POST
@resident_required
def resident_comment(request, number):
    """A message to the executor inside the request, with files (R7, R12)."""
    sr = _own_request(request.user, number)
    conversation = _conversation()
    if conversation is None:
        raise Http404
    form, status = CommentForm(request.POST, request.FILES), 400
    if form.is_valid():
        try:
            conversation.comment_add(
                request=sr,
                author=request.user,
                text=form.cleaned_data["text"],
                is_public=True,
                files=form.cleaned_data["files"],
                photos_public=form.cleaned_data.get("photos_public", False),
            )
        except (Invalid, Conflict) as exc:
            form_errors(form, exc)
            status = http_status(exc)
        else:
            messages.success(request, str(resident_words.MESSAGE.done))
            return redirect(reverse("servicedesk:resident_detail", args=[sr.number]) + "#chat")
    context = _detail_context(request, sr, comment_form=form)
    return render(request, "servicedesk/resident/detail.html", context, status=status)


@require_GET
@resident_required
def resident_attachment(request, number, pk):
    return attachment_response(request, _own_request(request.user, number), pk)


def resident_inbox(request):
    """The old inbox of request notices: the resident's one inbox is now the notification
    engine's (N2); the URL stays so old links and bookmarks land there."""
    return redirect("notifications:inbox", permanent=True)


def resident_inbox_read(request):
    """The old "mark read" route (POST from a stale page): nothing to mark here any more."""
    return redirect("notifications:inbox", permanent=True)


# --- Address search (htmx), for residents and the call centre -----------------------------


def _address_search_allowed(user) -> bool:
    return user.has_perm("servicedesk.use_cabinet") or user.has_perm("servicedesk.log_call")


@require_GET
@login_required
def address_search(request):
    """Typed address → matching buildings as radio choices (an htmx fragment). A typed house
    matches exactly; when the street has no such house the fragment says «дом не найден» and
    offers the street's houses, none chosen (issue 12)."""
    if not _address_search_allowed(request.user):
        raise PermissionDenied
    query = request.GET.get("q", "")[:200]
    lookup = address_lookup(query, limit=ADDRESS_RESULTS)
    return render(
        request,
        "servicedesk/resident/_address_results.html",
        {"buildings": lookup.buildings, "lookup": lookup, "query": query},
    )


@require_GET
@login_required
def premises_options(request):
    """The premises numbers of a building for the flat field (an htmx fragment: datalist)."""
    if not _address_search_allowed(request.user):
        raise PermissionDenied
    building = _building_from(request.GET.get("building"))
    numbers = []
    if building is not None and not request.user.has_perm("servicedesk.log_call"):
        # 12d: a resident may report on any building, but learns nothing of a building where
        # they have no confirmed address (its flats are listed to those who live there).
        if not selectors.resident_lives_in(user=request.user, building=building):
            building = None
    if building is not None:
        numbers = list(
            Premises.objects.filter(building=building)
            .order_by("number")
            .values_list("number", flat=True)[:PREMISES_OPTIONS]
        )
    return render(request, "servicedesk/resident/_premises_options.html", {"numbers": numbers})


# --- Call centre ----------------------------------------------------------------------------


@call_operator_required
def callcentre_new(request):
    """The caller form (R1, U 3.2.2б): every call ends with an outcome in the log — a request
    created (linked), a consultation, or a refusal with its reason. Beside it, the call screen
    (``callcentre_context``): outages on the building, the caller's requests, duplicates. A
    likely duplicate is a warning the operator confirms, not a refusal. The request of a
    caller whose phone is a registered resident's is filed in that resident's name (it shows
    in their cabinet); others hear by SMS unless they refuse it (N2)."""
    duplicates = []
    if request.method == "POST":
        form = CallForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            creating = data["outcome"] == Call.Outcome.REQUEST_CREATED
            if creating and not data["confirm_duplicate"]:
                duplicates = selectors.likely_duplicates(
                    building=data["building_obj"], topic=data["topic"]
                )
            if duplicates:
                form.warn_duplicates()
            else:
                try:
                    with transaction.atomic():
                        sr = None
                        if creating:
                            sr = services.service_request_create(
                                channel=Channel.CALL_CENTRE,
                                actor=request.user,
                                author=selectors.resident_by_phone(phone=data["phone"]),
                                caller_name=data["caller_name"],
                                phone=data["phone"],
                                building=data["building_obj"],
                                premises=data["premises_obj"],
                                topic=data["topic"],
                                text=data["text"],
                                sms_opt_out=data["no_sms"],
                            )
                        services.call_register(
                            actor=request.user,
                            outcome=data["outcome"],
                            phone=data["phone"],
                            caller_name=data["caller_name"],
                            building=data["building_obj"],
                            request=sr,
                            refusal_reason=data["refusal_reason"],
                            notes=data["notes"],
                        )
                except (Invalid, Conflict) as exc:  # Forbidden: the middleware's 403
                    form_errors(form, exc)
                else:
                    if sr is not None:
                        messages.success(
                            request,
                            _("Звонок записан, создана заявка № %(n)s") % {"n": sr.number},
                        )
                    else:
                        label = Call.Outcome(data["outcome"]).label
                        messages.success(request, _("Звонок записан: %(o)s") % {"o": label})
                    return redirect("servicedesk:callcentre_new")
    else:
        form = CallForm()
    chosen = _building_from(request.POST.get("building")) if form.is_bound else None
    recent = list(selectors.call_log(user=request.user).filter(operator=request.user)[:5])
    screen = None
    if form.is_bound:
        screen = selectors.call_screen(
            user=request.user,
            building=chosen,
            phone=request.POST.get("phone", ""),
            topic=form.cleaned_data.get("topic") if hasattr(form, "cleaned_data") else None,
        )
    return render(
        request,
        "servicedesk/callcentre/new.html",
        {
            "form": form,
            "chosen_building": chosen,
            "recent": recent,
            "screen": screen,
            "duplicate_warning": bool(duplicates),
        },
        status=400 if form.is_bound else 200,
    )


def _topic_from(value):
    try:
        return Topic.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None


@require_GET
@call_operator_required
def callcentre_context(request):
    """The call screen beside the caller form (an htmx fragment, R1): the building's outages
    now and planned, the caller's earlier requests by phone, the likely duplicates of the
    request being filed (same building and topic, open, last 24 hours)."""
    screen = selectors.call_screen(
        user=request.user,
        building=_building_from(request.GET.get("building")),
        phone=request.GET.get("phone", ""),
        topic=_topic_from(request.GET.get("topic")),
    )
    return render(request, "servicedesk/callcentre/_context.html", {"screen": screen})


@call_operator_required
def callcentre_calls(request):
    """The call log: every call with its outcome (R1)."""
    qs = selectors.call_log(user=request.user)
    outcome = request.GET.get("outcome", "")
    if outcome in Call.Outcome.values:
        qs = qs.filter(outcome=outcome)
    if request.GET.get("mine"):
        qs = qs.filter(operator=request.user)
    return render(
        request,
        "servicedesk/callcentre/calls.html",
        {
            "page": pages.page(request, qs, 50),
            "outcomes": Call.Outcome.choices,
            "outcome": outcome,
            "mine": bool(request.GET.get("mine")),
        },
    )


@call_operator_required
def callcentre_search(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = (
        pages.page(request, selectors.request_search(user=request.user, query=query), PAGE_SIZE)
        if query
        else None
    )
    return render(
        request, "servicedesk/callcentre/search.html", {"form": form, "page": page, "q": query}
    )


def _callcentre_context(request, sr, *, bound=None, attempt_form=None):
    history = selectors.request_history(request=sr, public_only=True)
    comments = public_comments(sr, request.user)
    attempts = list(sr.call_attempts.select_related("operator").order_by("at", "id"))
    since = [a for a in attempts if sr.done_at is None or a.at >= sr.done_at]
    return {
        "sr": sr,
        "timeline": timeline_items(history, public=True),
        "comments": comments,
        "chat_enabled": comments is not None,
        "forms": action_forms(sr, request.user, bound=bound),
        "attempts": attempts,
        "unanswered": sum(1 for a in since if not a.answered),
        "unanswered_limit": services.unanswered_calls_limit(),
        "can_call": sr.status == Status.DONE and bool(sr.phone),
        "attempt_form": attempt_form or CallAttemptForm(),
    }


@call_operator_required
def callcentre_request(request, number):
    """A request as the call centre sees it: status, public history and comments, call
    attempts and the closing the workflow allows (R11, S2)."""
    sr = _any_request(request.user, number)
    # The call centre talks to the caller: it reads the applicant's data, and the read is
    # logged like the staff card's and the API's (one rule, S5).
    selectors.personal_data_shown(request.user, sr, purpose="call centre request card")
    return render(request, "servicedesk/callcentre/request.html", _callcentre_context(request, sr))


@require_GET
@call_operator_required
def callcentre_attachment(request, number, pk):
    return attachment_response(request, _any_request(request.user, number), pk)


@require_POST
@call_operator_required
def callcentre_attempt(request, number):
    """Log a call to the resident: answered or not (R11, U 3.2.1а)."""
    sr = _any_request(request.user, number)
    form, status = CallAttemptForm(request.POST), 400
    if form.is_valid():
        try:
            services.call_attempt_log(
                request=sr,
                actor=request.user,
                answered=form.cleaned_data["answered"],
                note=form.cleaned_data["note"],
            )
        except (Invalid, Conflict) as exc:
            form_errors(form, exc)
            status = http_status(exc)
        else:
            messages.success(request, _("Звонок отмечен"))
            if request.POST.get("next") == "callbacks":
                return redirect("servicedesk:callcentre_callbacks")
            return redirect("servicedesk:callcentre_request", number=sr.number)
    context = _callcentre_context(request, sr, attempt_form=form)
    return render(request, "servicedesk/callcentre/request.html", context, status=status)


@require_POST
@call_operator_required
def callcentre_action(request, number, action):
    """An action of the workflow by the call centre (closing on R11's grounds)."""
    sr = _any_request(request.user, number)
    done, form, exc = _run_action(request, sr, action)
    if done:
        messages.success(request, _("Выполнено: %(a)s") % {"a": form.label})
        return redirect("servicedesk:callcentre_request", number=sr.number)
    if exc is not None:
        messages.error(request, exc.message)
    sr.refresh_from_db()
    context = _callcentre_context(request, sr, bound=form)
    status = http_status(exc) if exc is not None else 400
    return render(request, "servicedesk/callcentre/request.html", context, status=status)


@call_operator_required
def callcentre_callbacks(request):
    """The call-back list (R11)."""
    return render(
        request,
        "servicedesk/callcentre/callbacks.html",
        {
            "page": pages.page(request, selectors.callback_list(user=request.user), 30),
            "unanswered_limit": services.unanswered_calls_limit(),
        },
    )
