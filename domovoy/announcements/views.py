"""Pages of «Справка» (help, public) and announcements (D7)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from domovoy.core.errors import ApplicationError
from domovoy.core.private_files import serve_private_file
from domovoy.web import pages

from . import selectors, services
from .forms import AnnouncementForm, GuideCreateForm, GuideEditForm, SectionForm
from .models import Announcement, Guide, GuideVersion, HelpSection

PAGE_SIZE = 20


def _require_editor(request):
    if not request.user.has_perm("announcements.edit_help"):
        raise PermissionDenied


def _form_errors(form, exc):
    pages.apply_errors(form, exc)


def help_index(request):
    user = request.user
    announcements = (
        selectors.announcements_for(user)
        if user.is_authenticated
        else selectors.public_announcements()
    )
    return render(
        request,
        "help/index.html",
        {
            "sections": selectors.help_sections(),
            "regulation": selectors.current_regulation(),
            "announcements": announcements[:3],
            "can_edit": user.has_perm("announcements.edit_help"),
        },
    )


def guide_detail(request, slug, number=None):
    guide = get_object_or_404(selectors.guide_with_versions(), slug=slug)
    versions = list(guide.versions.all())
    if number is None:
        version = guide.current_version
    else:
        version = next((v for v in versions if v.number == number), None)
        if version is None:
            raise Http404
    return render(
        request,
        "help/guide.html",
        {
            "guide": guide,
            "version": version,
            "versions": versions,
            "is_current": version is not None and version.pk == guide.current_version_id,
            "can_edit": request.user.has_perm("announcements.edit_help"),
        },
    )


@require_GET
def help_file(request, slug, number):
    """The file of a help version (``announcements.view_help_file``)."""
    version = (
        GuideVersion.objects.filter(guide__slug=slug, number=number).select_related("guide").first()
    )
    if version is None or not request.user.has_perm("announcements.view_help_file", version):
        raise Http404
    return serve_private_file(request, version.file, filename=version.file_name, inline=True)


@login_required
def section_create(request):
    _require_editor(request)
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.help_section_create(
                actor=request.user, **{k: v for k, v in form.cleaned_data.items() if v is not None}
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Раздел создан"))
            return redirect("help:index")
    return render(request, "help/form.html", {"form": form, "heading": _("Новый раздел")})


@login_required
def guide_create(request):
    _require_editor(request)
    initial = {}
    section = HelpSection.objects.filter(slug=request.GET.get("section", "")).first()
    if section:
        initial["section"] = section
    form = GuideCreateForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            guide = services.guide_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Руководство опубликовано"))
            return redirect("help:guide", slug=guide.slug)
    return render(
        request,
        "help/form.html",
        {"form": form, "heading": _("Новое руководство"), "multipart": True},
    )


@login_required
def guide_edit(request, slug):
    _require_editor(request)
    guide = get_object_or_404(Guide.objects.select_related("current_version"), slug=slug)
    current = guide.current_version
    initial = {"title": guide.title, "body": current.body if current else ""}
    form = GuideEditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.guide_edit(guide=guide, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Сохранена новая версия"))
            return redirect("help:guide", slug=guide.slug)
    return render(
        request,
        "help/form.html",
        {
            "form": form,
            "heading": _("Правка: %(t)s") % {"t": guide.title},
            "multipart": True,
            "note": _("Сохранение создаёт новую версию; прежние версии остаются доступными."),
        },
    )


def announcement_list(request):
    """The public portal's announcements (to all); a signed-in user sees their own too."""
    user = request.user
    qs = (
        selectors.announcements_for(user)
        if user.is_authenticated
        else selectors.public_announcements()
    )
    page = pages.page(request, qs, PAGE_SIZE)
    return render(
        request,
        "help/announcements.html",
        {
            "page": page,
            "can_publish": user.has_perm("announcements.publish"),
        },
    )


@login_required
def announcement_create(request):
    if not request.user.has_perm("announcements.publish"):
        raise PermissionDenied
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_publish(author=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Объявление опубликовано"))
            return redirect("help:announcements_manage")
    return render(request, "help/announcement_form.html", {"form": form})


@login_required
def announcements_manage(request):
    if not request.user.has_perm("announcements.publish"):
        raise PermissionDenied
    page = pages.page(request, selectors.announcements_all(), PAGE_SIZE)
    return render(request, "help/announcements_manage.html", {"page": page})


@login_required
@require_POST
def announcement_withdraw(request, pk):
    if not request.user.has_perm("announcements.publish"):
        raise PermissionDenied
    announcement = get_object_or_404(Announcement, pk=pk)
    try:
        services.announcement_withdraw(announcement=announcement, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Объявление снято"))
    return redirect("help:announcements_manage")
