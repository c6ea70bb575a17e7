"""Writing the audit trail. Every historical record made by django-simple-history becomes one
``AuditEntry`` (with its before/after diff); bulk loads write one summary entry instead of a
row per account, so that importing 200,000 accounts stays fast.

Who made the change: simple-history takes the user from ``instance._history_user`` if set,
else from the request its ``HistoryRequestMiddleware`` exposes (pages and API calls, token
calls included: DRF copies the authenticated user onto the Django request). Code that writes
outside a request on behalf of a person (a worker task, a management command) wraps the
write in ``acting_as(user)``; otherwise the entry is attributed to «система»."""

from contextlib import contextmanager
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import translation
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record

from domovoy.core.choices import choice_label

from .models import AuditEntry, PersonalDataAccess, RefusedAccess

_ACTIONS = {
    "+": AuditEntry.Action.CREATE,
    "~": AuditEntry.Action.UPDATE,
    "-": AuditEntry.Action.DELETE,
}
# Never in the log: timestamps (the entry has its own), derived text, secrets and login times.
_SKIP = {"updated_at", "created_at", "search_text", "house_sort", "password", "last_login"}
_SYSTEM = "система"


def _person_name(user):
    # Russian order: surname, name, patronymic (User.full_name), else the login.
    return getattr(user, "full_name", "") or user.get_full_name() or user.username


def _actor_fields(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return {"actor": None, "actor_name": _SYSTEM, "organization_id": None}
    from domovoy.directory.roles import organization_of

    org = organization_of(user)
    return {
        "actor": user,
        "actor_name": (_person_name(user) + (f" ({org})" if org else ""))[:300],
        "organization_id": org.pk if org else None,
    }


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


_model_names: dict[tuple, str] = {}


def _model_name(model):
    # One language in the stored log, whatever the language of the request that wrote it;
    # made once per model and setting (the catalogues do not change while the process runs).
    key = (model._meta.label_lower, settings.LANGUAGE_CODE)
    name = _model_names.get(key)
    if name is None:
        with translation.override(settings.LANGUAGE_CODE):
            name = _model_names[key] = str(model._meta.verbose_name)
    return name


def _related(instance, name):
    try:
        return getattr(instance, name, None)
    except (ObjectDoesNotExist, AttributeError):
        return None


def _territory_path(instance, actor_org=None):
    """The territory an object belongs to: its own, its building's, its organisation's; else
    the acting organisation's. Empty when none is known (seen by operators only)."""
    if instance._meta.label_lower == "directory.territory":
        return instance.path or ""
    for name in (None, "building", "organization"):
        holder = instance if name is None else _related(instance, name)
        if holder is None:
            continue
        if getattr(holder, "territory_id", None):
            territory = _related(holder, "territory")
            if territory is not None:
                return territory.path
    territory = getattr(actor_org, "territory", None) if actor_org is not None else None
    return territory.path if territory is not None else ""


def _actor_org(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from domovoy.directory.roles import organization_of

    return organization_of(user)


def _previous_record(history_instance, instance):
    # By history_id, not by history_date (simple-history's prev_record): two saves within
    # one clock tick (frozen time in tests, a coarse clock) must still diff against each other.
    pk_name = instance._meta.pk.attname
    return (
        type(history_instance)
        .objects.filter(**{pk_name: instance.pk}, history_id__lt=history_instance.history_id)
        .order_by("-history_id")
        .first()
    )


@receiver(post_create_historical_record)
def _on_history(sender, instance, history_instance, history_user=None, **kwargs):
    changes = {}
    action = _ACTIONS[history_instance.history_type]
    if action == AuditEntry.Action.UPDATE:
        prev = _previous_record(history_instance, instance)
        if prev is not None:
            delta = history_instance.diff_against(prev)
            changes = {
                c.field: [_jsonable(c.old), _jsonable(c.new)]
                for c in delta.changes
                if c.field not in _SKIP
            }
            if not changes:
                return
    elif action == AuditEntry.Action.CREATE:
        changes = {
            f.attname: [None, _jsonable(getattr(instance, f.attname))]
            for f in instance._meta.concrete_fields
            if f.attname not in _SKIP and getattr(instance, f.attname) not in (None, "")
        }
    elif action == AuditEntry.Action.DELETE:
        changes = {
            f.attname: [_jsonable(getattr(instance, f.attname)), None]
            for f in instance._meta.concrete_fields
            if f.attname not in _SKIP and getattr(instance, f.attname) not in (None, "")
        }
    AuditEntry.objects.create(
        action=action,
        model=_model_name(instance),
        model_label=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        changes=changes,
        territory_path=_territory_path(instance, _actor_org(history_user)),
        **_actor_fields(history_user),
    )


@contextmanager
def acting_as(user):
    """Attribute the history (and so the audit entries) of writes inside the block to ``user``
    when there is no request: worker tasks, commands, service tests."""
    sentinel = object()
    previous = getattr(HistoricalRecords.context, "request", sentinel)
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is sentinel:
            del HistoricalRecords.context.request
        else:
            HistoricalRecords.context.request = previous


def audit_record(
    *,
    actor,
    action,
    instance=None,
    model="",
    object_id="",
    object_repr="",
    changes=None,
    territory_path=None,
):
    """One entry for a change made without simple-history (tokens, agreements, settings)."""
    if instance is not None:
        model = model or _model_name(instance)
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)
        if territory_path is None:
            territory_path = _territory_path(instance, _actor_org(actor))
    return AuditEntry.objects.create(
        action=action,
        model=str(model)[:100],
        model_label=instance._meta.label_lower if instance is not None else "",
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:300],
        changes=_jsonable(changes or {}),
        territory_path=territory_path or "",
        **_actor_fields(actor),
    )


def audit_bulk(*, actor, model, object_id, summary, details=None):
    org = _actor_org(actor)
    territory = getattr(org, "territory", None)
    return AuditEntry.objects.create(
        action=AuditEntry.Action.BULK,
        model=str(model)[:100],
        object_id=str(object_id),
        object_repr=summary[:300],
        changes=_jsonable(details or {}),
        territory_path=territory.path if territory is not None else "",
        **_actor_fields(actor),
    )


def personal_data_read(*, user, subject, purpose):
    """Log a staff read of personal data (S5)."""
    if getattr(user, "is_authenticated", False):
        PersonalDataAccess.objects.create(
            user=user, subject=str(subject)[:200], purpose=str(purpose)[:200]
        )


def refusal_record(*, request, route, object_id, status):
    """Log a refused access of ``request.user`` to a personal-data route (item 10, S3)."""
    from domovoy.core.client_address import client_address

    user = request.user
    org = _actor_org(user)
    return RefusedAccess.objects.create(
        user=user,
        username=user.get_username()[:150],
        organization_id=org.pk if org else None,
        method=request.method[:10],
        path=request.get_full_path()[:500],
        route=route[:200],
        object_id=object_id[:200],
        status=status,
        address=client_address(request),
    )


def current_actor():
    """The person simple-history attributes the writes of this thread to: the request's user or
    the one of ``acting_as``; None outside both (the entry then says «система»)."""
    request = getattr(HistoricalRecords.context, "request", None)
    return getattr(request, "user", None)


def audit_field_change(*, instance, field, before, after, actor=None):
    """One "update" entry for a change that is not a save of ``instance`` itself: the roles of
    an employee, the kinds of an organisation, the audience of an announcement (rows written
    with bulk_create, which no history sees). Nothing when ``before == after``."""
    if before == after:
        return None
    return audit_record(
        actor=actor if actor is not None else current_actor(),
        action=AuditEntry.Action.UPDATE,
        instance=instance,
        changes={field: [before, after]},
    )


# --- Request and outage histories in the exportable log (item 11 of issue 9). Their rows are
# only ever inserted by their services (servicedesk.events.record_event, outages._revise); each
# becomes an entry of the request or outage it belongs to, so that the log, its filters and its
# export show them next to every other change.


def _history_entry(*, subject, actor, actor_org_id, action, changes):
    fields = _actor_fields(actor)
    if actor_org_id is not None:
        fields["organization_id"] = actor_org_id
    return AuditEntry.objects.create(
        action=action,
        model=_model_name(subject),
        model_label=subject._meta.label_lower,
        object_id=str(subject.pk),
        object_repr=str(subject)[:300],
        changes=_jsonable(changes),
        territory_path=_territory_path(subject, _actor_org(actor)),
        **fields,
    )


@receiver(post_save, sender="servicedesk.RequestEvent")
def _on_request_event(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    with translation.override(settings.LANGUAGE_CODE):
        changes = {
            "action": [None, choice_label(instance, "action")],
            "status": [
                choice_label(instance, "from_status") if instance.from_status else None,
                choice_label(instance, "to_status"),
            ],
        }
    for name in ("reason", "comment"):
        if getattr(instance, name):
            changes[name] = [None, getattr(instance, name)]
    for name, value in (instance.data or {}).items():
        pair = value if isinstance(value, list) and len(value) == 2 else [None, value]
        changes.setdefault(name, pair)
    _history_entry(
        subject=instance.request,
        actor=instance.actor,
        actor_org_id=instance.actor_org_id,
        action=AuditEntry.Action.UPDATE if instance.from_status else AuditEntry.Action.CREATE,
        changes=changes,
    )


@receiver(post_save, sender="outages.OutageRevision")
def _on_outage_revision(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    with translation.override(settings.LANGUAGE_CODE):
        changes = {"action": [None, instance.get_action_display()]}
    for name, value in (instance.changes or {}).items():
        changes[name] = value if isinstance(value, list) and len(value) == 2 else [None, value]
    if instance.note:
        changes["note"] = [None, instance.note]
    _history_entry(
        subject=instance.outage,
        actor=instance.actor,
        actor_org_id=instance.actor_org_id,
        action=AuditEntry.Action.CREATE
        if instance.action == "published" and instance.number <= 1
        else AuditEntry.Action.UPDATE,
        changes=changes,
    )


# A sign-in stamps last_login, which the trail does not keep: no historical row per login.
@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _skip_login_stamp(sender, instance, update_fields=None, raw=False, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        instance.skip_history_when_saving = True


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _end_login_stamp(sender, instance, **kwargs):
    instance.__dict__.pop("skip_history_when_saving", None)
