"""Reads of announcements and help (D7)."""

from django.db.models import Prefetch, Q
from django.utils import timezone

from domovoy.directory import roles

from .models import Announcement, AnnouncementRole, Audience, Guide, GuideVersion, HelpSection


def _path_prefixes(path):
    """Path "/1/4/9/" → ["/1/", "/1/4/", "/1/4/9/"]: the territory and everything above it. An
    announcement to territory T reaches a user whose territory path starts with T.path, that
    is, whose path has T.path among its prefixes — one indexed ``IN`` on Territory.path."""
    parts = [p for p in (path or "").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _user_territory_paths(user):
    paths = set()
    org = roles.organization_of(user)  # memoised on the user: no extra query per call
    if org is not None and org.territory is not None:
        paths.add(org.territory.path)
    if getattr(user, "is_resident", False):
        from domovoy.directory.models import Building

        paths.update(
            Building.objects.filter(premises__accounts__residents=user, territory__isnull=False)
            .values_list("territory__path", flat=True)
            .distinct()
        )
    return paths


def _live(qs, now=None):
    now = now or timezone.now()
    return qs.filter(published_at__lte=now).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def announcements_for(user):
    """The announcements in ``user``'s cabinet, newest first: to all, to a role they hold,
    or to their territory or one above it. At most three queries whatever the data."""
    if not getattr(user, "is_authenticated", False):
        return public_announcements()
    cond = Q(audience=Audience.ALL)
    user_roles = roles.roles_of(user)
    if user_roles:
        cond |= Q(
            audience=Audience.ROLES,
            id__in=AnnouncementRole.objects.filter(role__in=user_roles).values("announcement_id"),
        )
    prefixes = sorted({p for path in _user_territory_paths(user) for p in _path_prefixes(path)})
    if prefixes:
        cond |= Q(
            audience=Audience.TERRITORIES,
            id__in=Announcement.territories.through.objects.filter(
                territory__path__in=prefixes
            ).values("announcement_id"),
        )
    return _live(Announcement.objects.filter(cond)).order_by("-published_at", "-id")


def public_announcements():
    """Announcements to all: shown on the public portal to anonymous visitors."""
    return _live(Announcement.objects.filter(audience=Audience.ALL)).order_by(
        "-published_at", "-id"
    )


def announcements_all():
    """Every announcement (scheduled, live and expired) for the operators' management list."""
    return (
        Announcement.objects.select_related("author")
        .prefetch_related("territories", "target_roles")
        .order_by("-published_at", "-id")
    )


def help_sections():
    """Sections with their guides and each guide's current version: three queries."""
    guides = Guide.objects.select_related("current_version").order_by("position", "title")
    return HelpSection.objects.prefetch_related(Prefetch("guides", queryset=guides))


def current_regulation():
    return (
        Guide.objects.select_related("current_version", "section")
        .filter(is_regulation=True, current_version__isnull=False)
        .order_by("-current_version__effective_date", "-updated_at")
        .first()
    )


def guide_list():
    return Guide.objects.select_related("section", "current_version").order_by(
        "section__position", "position", "title"
    )


def guide_with_versions():
    versions = GuideVersion.objects.select_related("author").order_by("-number")
    return guide_list().prefetch_related(Prefetch("versions", queryset=versions))
