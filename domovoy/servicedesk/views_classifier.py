"""Pages of classifier management (R2, G 3.5.2) under /classifier/: the topic tree, a new
topic, a topic with its edit form and its versions. The functional operator's; other roles
get 403. Writes go through ``classifier`` services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from domovoy.core import bounds
from domovoy.core.errors import ApplicationError
from domovoy.web import pages

from . import classifier
from .forms_classifier import RENAME, TopicForm
from .models import Topic

PERMISSION = "servicedesk.manage_classifier"


def _check(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def _topic(pk) -> Topic:
    if not 1 <= pk <= bounds.ID_MAX:
        raise Http404
    topic = Topic.objects.select_related("parent").filter(pk=pk).first()
    if topic is None:
        raise Http404
    return topic


def _tree() -> list[Topic]:
    """Every topic, retired ones included, groups followed by their subtopics."""
    topics = list(Topic.objects.order_by("order", "name"))
    children: dict = {}
    for topic in topics:
        children.setdefault(topic.parent_id, []).append(topic)
    ordered = []

    def walk(parent_id, depth):
        for topic in children.get(parent_id, []):
            topic.depth = depth
            topic.is_group = topic.pk in children
            ordered.append(topic)
            walk(topic.pk, depth + 1)

    walk(None, 0)
    return ordered


@login_required
def classifier_list(request):
    _check(request)
    tree = _tree()
    return render(
        request,
        "servicedesk/classifier/list.html",
        {"topics": tree, "active": sum(t.is_active for t in tree), "total": len(tree)},
    )


@login_required
def classifier_create(request):
    _check(request)
    if request.method == "POST":
        form = TopicForm(request.POST)
        if form.is_valid():
            try:
                topic = classifier.topic_create(
                    actor=request.user,
                    data=form.service_data(),
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as exc:
                pages.apply_errors(form, exc, rename=RENAME)
            else:
                messages.success(request, _("Тема добавлена"))
                return redirect("classifier:detail", pk=topic.pk)
        status = 400
    else:
        form = TopicForm(initial={"is_active": True, "deadline_working": True})
        status = 200
    return render(request, "servicedesk/classifier/form.html", {"form": form}, status=status)


def _versions(topic):
    return list(topic.history.select_related("history_user", "parent").order_by("-history_id"))


@login_required
def classifier_detail(request, pk):
    _check(request)
    topic = _topic(pk)
    status = 200
    if request.method == "POST":
        form = TopicForm(request.POST, topic=topic)
        if form.is_valid():
            try:
                classifier.topic_update(
                    actor=request.user,
                    topic=topic,
                    data=form.service_data(),
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as exc:
                pages.apply_errors(form, exc, rename=RENAME)
            else:
                messages.success(request, _("Изменения сохранены"))
                return redirect("classifier:detail", pk=topic.pk)
        status = 400
    else:
        form = TopicForm(topic=topic)
    return render(
        request,
        "servicedesk/classifier/detail.html",
        {
            "topic": topic,
            "form": form,
            "versions": _versions(topic),
            "requests_filed": topic.requests.count(),
        },
        status=status,
    )


@login_required
@require_POST
def classifier_deactivate(request, pk):
    _check(request)
    topic = _topic(pk)
    try:
        classifier.topic_deactivate(
            actor=request.user, topic=topic, reason=request.POST.get("reason", "")[:100]
        )
    except ApplicationError as exc:
        for field_messages in (exc.fields or {}).values():
            for message in field_messages:
                messages.error(request, message)
        if not exc.fields:
            messages.error(request, exc.message)
    else:
        messages.success(request, _("Тема выведена из действия"))
    return redirect("classifier:detail", pk=topic.pk)
