"""Every write to announcements and «Справка» a user can cause (D7): one function per
action, one transaction each; refused input raises ApplicationError and stores nothing."""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.audit.services import audit_field_change
from domovoy.core import uploads
from domovoy.core.errors import ApplicationError, PermissionDeniedError
from domovoy.core.private_files import original_name
from domovoy.core.translit import _MAP as _TRANSLIT
from domovoy.directory.models import Role, Territory

from . import permissions as perms
from .models import Announcement, AnnouncementRole, Audience, Guide, GuideVersion, HelpSection


def _require_operator(actor):
    if not perms.is_operator(actor):
        raise PermissionDeniedError(_("Это могут делать только операторы системы"))


def slugify_ru(text, max_length=60):
    latin = "".join(_TRANSLIT.get(c, c) for c in (text or "").lower())
    return re.sub(r"[^a-z0-9]+", "-", latin).strip("-")[:max_length] or "guide"


@transaction.atomic
def announcement_publish(
    *,
    author,
    title,
    body,
    audience=Audience.ALL,
    roles=(),
    territories=(),
    published_at=None,
    expires_at=None,
):
    """Publish an announcement (D7) to all, to roles or to territories, now or at
    ``published_at``, optionally until ``expires_at``."""
    _require_operator(author)
    title, body = (title or "").strip(), (body or "").strip()
    roles = sorted(set(roles or ()))
    territories = list(territories or ())
    published_at = published_at or timezone.now()
    errors = {}
    if not title:
        errors["title"] = [_("Обязательное поле")]
    elif len(title) > Announcement._meta.get_field("title").max_length:
        errors["title"] = [_("Не длиннее 200 символов")]
    if not body:
        errors["body"] = [_("Обязательное поле")]
    if audience not in Audience.values:
        errors["audience"] = [
            _("Допустимые значения: %(values)s") % {"values": ", ".join(Audience.values)}
        ]
    elif audience == Audience.ROLES:
        unknown = set(roles) - set(Role.values)
        if not roles:
            errors["roles"] = [_("Укажите хотя бы одну роль")]
        elif unknown:
            errors["roles"] = [
                _("Неизвестная роль: %(values)s") % {"values": ", ".join(sorted(unknown))}
            ]
    elif audience == Audience.TERRITORIES:
        if not territories:
            errors["territories"] = [_("Укажите хотя бы одну территорию")]
        elif not all(isinstance(t, Territory) for t in territories):
            errors["territories"] = [_("Неизвестная территория")]
    if expires_at is not None and expires_at <= published_at:
        errors["expires_at"] = [_("Срок действия должен быть позже публикации")]
    if errors:
        raise ApplicationError(_("Объявление заполнено с ошибками"), fields=errors)
    announcement = Announcement.objects.create(
        title=title,
        body=body,
        audience=audience,
        published_at=published_at,
        expires_at=expires_at,
        author=author,
    )
    if audience == Audience.ROLES:
        AnnouncementRole.objects.bulk_create(
            [AnnouncementRole(announcement=announcement, role=r) for r in roles]
        )
    if audience == Audience.TERRITORIES:
        announcement.territories.set(territories)
    if roles or territories:  # rows the announcement's own history does not see
        audit_field_change(
            instance=announcement,
            field="audience",
            before=None,
            after={"roles": roles, "territories": [str(t) for t in territories]},
            actor=author,
        )
    return announcement


@transaction.atomic
def announcement_withdraw(*, announcement, actor):
    """End an announcement now (it stays in the operators' list as expired)."""
    _require_operator(actor)
    now = timezone.now()
    if announcement.expires_at is not None and announcement.expires_at <= now:
        raise ApplicationError(_("Объявление уже снято"), code="already_expired")
    announcement.expires_at = max(now, announcement.published_at)
    announcement.save(update_fields=["expires_at"])
    return announcement


def _check_file(upload):
    """Help files: the one upload rule of ``core.uploads`` (policy HELP_FILE)."""
    if upload:
        uploads.check_upload(upload, uploads.HELP_FILE, field="file")


@transaction.atomic
def help_section_create(*, actor, title, slug="", description="", position=0):
    _require_operator(actor)
    title = (title or "").strip()
    if not title:
        raise ApplicationError(
            _("Укажите название раздела"), fields={"title": [_("Обязательное поле")]}
        )
    slug = (slug or "").strip() or slugify_ru(title)
    if HelpSection.objects.filter(slug=slug).exists():
        raise ApplicationError(
            _("Раздел с таким адресом уже есть"),
            code="duplicate",
            fields={"slug": [_("Уже существует")]},
        )
    return HelpSection.objects.create(
        title=title, slug=slug, description=description or "", position=position or 0
    )


def _add_version(
    *,
    guide,
    actor,
    body,
    label="",
    file=None,
    effective_date=None,
    change_note="",
    inherit_file=None,
):
    last = guide.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = GuideVersion(
        guide=guide,
        number=last + 1,
        label=(label or "").strip(),
        body=body,
        effective_date=effective_date,
        change_note=(change_note or "").strip()[:300],
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if file:
        version.file = file
        version.file_name = original_name(file)
    elif inherit_file:
        version.file.name, version.file_name = inherit_file  # the same stored file, no copy
    version.save()
    guide.current_version = version
    guide.save(update_fields=["current_version", "updated_at"])
    return version


@transaction.atomic
def guide_create(
    *,
    actor,
    section,
    title,
    body,
    slug="",
    is_regulation=False,
    position=0,
    label="",
    file=None,
    effective_date=None,
    change_note="",
):
    """Create a guide with its first version (D7)."""
    _require_operator(actor)
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_("Обязательное поле")]
    if not body:
        errors["body"] = [_("Обязательное поле")]
    if section is None:
        errors["section"] = [_("Обязательное поле")]
    if errors:
        raise ApplicationError(_("Руководство заполнено с ошибками"), fields=errors)
    _check_file(file)
    slug = (slug or "").strip() or slugify_ru(title, 80)
    if Guide.objects.filter(slug=slug).exists():
        raise ApplicationError(
            _("Руководство с таким адресом уже есть"),
            code="duplicate",
            fields={"slug": [_("Уже существует")]},
        )
    guide = Guide.objects.create(
        section=section, title=title, slug=slug, is_regulation=is_regulation, position=position or 0
    )
    _add_version(
        guide=guide,
        actor=actor,
        body=body,
        label=label,
        file=file,
        effective_date=effective_date,
        change_note=change_note or "Первая версия",
    )
    return guide


@transaction.atomic
def guide_edit(
    *,
    guide,
    actor,
    body,
    title=None,
    label="",
    file=None,
    effective_date=None,
    change_note="",
):
    """Editing a guide adds a new version that becomes current; older ones stay readable.
    A new version without a file keeps the current version's file."""
    _require_operator(actor)
    body = (body or "").strip()
    errors = {}
    if not body:
        errors["body"] = [_("Обязательное поле")]
    if title is not None and not title.strip():
        errors["title"] = [_("Обязательное поле")]
    if errors:
        raise ApplicationError(_("Руководство заполнено с ошибками"), fields=errors)
    _check_file(file)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)  # serialise version numbers
    current = guide.current_version
    if title is not None and title.strip() != guide.title:
        guide.title = title.strip()
        guide.save(update_fields=["title", "updated_at"])
    _add_version(
        guide=guide,
        actor=actor,
        body=body,
        label=label,
        file=file,
        effective_date=effective_date,
        change_note=change_note,
        inherit_file=(current.file.name, current.file_name) if current and current.file else None,
    )
    return guide
