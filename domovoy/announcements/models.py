"""Announcements to participants (D7, G 3.5.1, 3.6.1) and the «Справка» section with
versioned user guides and the current regulation (G 3.1.5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from domovoy.core.private_files import PrivateFileField
from domovoy.directory.models import Role


class Audience(models.TextChoices):
    ALL = "all", _("Всем")
    ROLES = "roles", _("Ролям")
    TERRITORIES = "territories", _("Территориям")


class Announcement(models.Model):
    """An operator's announcement. Audience "all" is public (the portal shows it to
    anonymous visitors); "roles" reaches holders of the listed roles; "territories" reaches
    users whose organisation's territory (a resident: the building of an account) is in a
    listed territory or below it."""

    title = models.CharField(_("заголовок"), max_length=200)
    body = models.TextField(_("текст"))
    audience = models.CharField(
        _("кому"), max_length=12, choices=Audience.choices, default=Audience.ALL
    )
    territories = models.ManyToManyField(
        "directory.Territory",
        blank=True,
        related_name="announcements",
        verbose_name=_("территории"),
    )
    published_at = models.DateTimeField(_("опубликовано"), db_index=True)
    expires_at = models.DateTimeField(_("действует до"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("автор"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("объявление")
        verbose_name_plural = _("объявления")
        ordering = ["-published_at", "-id"]
        indexes = [
            # The public portal: audience "all", published, newest first.
            models.Index(fields=["audience", "-published_at"], name="announcement_audience_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_public(self):
        return self.audience == Audience.ALL


class AnnouncementRole(models.Model):
    """A role an announcement is addressed to (a row per role: indexable on SQLite and PG)."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="target_roles"
    )
    role = models.CharField(max_length=30, choices=Role.choices, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "role"], name="uniq_announcement_role")
        ]

    def __str__(self):
        return self.get_role_display()


class HelpSection(models.Model):
    title = models.CharField(_("название"), max_length=200)
    slug = models.SlugField(_("адрес"), max_length=60, unique=True)
    description = models.CharField(_("описание"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("раздел справки")
        verbose_name_plural = _("разделы справки")
        ordering = ["position", "title"]

    def __str__(self):
        return self.title


class Guide(models.Model):
    """A user guide (or the regulation, ``is_regulation``); its text lives in versions and
    ``current_version`` points at the one shown (G 3.1.5: current versions in «Справка»)."""

    section = models.ForeignKey(
        HelpSection, on_delete=models.PROTECT, related_name="guides", verbose_name=_("раздел")
    )
    title = models.CharField(_("название"), max_length=200)
    slug = models.SlugField(_("адрес"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)
    is_regulation = models.BooleanField(_("регламент"), default=False)
    current_version = models.ForeignKey(
        "GuideVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("текущая версия"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("руководство")
        verbose_name_plural = _("руководства")
        ordering = ["section__position", "position", "title"]

    def __str__(self):
        return self.title


class GuideVersion(models.Model):
    """One version of a guide. Editing a guide adds a version; older ones stay readable."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("номер версии"))
    label = models.CharField(
        _("редакция"), max_length=50, blank=True, help_text=_("например, «ред. 2» или «1.1»")
    )
    body = models.TextField(_("текст"))
    # Stored privately like every upload (S5) and served by ``help:file`` (help is public).
    file = PrivateFileField(_("файл"), prefix="help", blank=True)
    file_name = models.CharField(_("имя файла"), max_length=255, blank=True)
    effective_date = models.DateField(_("действует с"), null=True, blank=True)
    change_note = models.CharField(_("что изменено"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("автор"),
    )
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("версия руководства")
        verbose_name_plural = _("версии руководств")
        ordering = ["guide", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "number"], name="uniq_guide_version")
        ]

    def __str__(self):
        return _("%(guide)s — версия %(number)s") % {"guide": self.guide, "number": self.number}

    @property
    def display_label(self):
        return self.label or _("версия %(number)s") % {"number": self.number}
