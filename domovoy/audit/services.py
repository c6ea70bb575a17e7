"""Writing the audit trail. Every historical record made by django-simple-history becomes one
``AuditEntry`` (with its before/after diff); bulk loads write one summary entry instead of a
row per account, so that importing 200,000 accounts stays fast."""

from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from .models import AuditEntry, PersonalDataAccess

_ACTIONS = {"+": AuditEntry.Action.CREATE, "~": AuditEntry.Action.UPDATE, "-": AuditEntry.Action.DELETE}
_SKIP = {"updated_at", "created_at", "search_text"}


def _actor_fields(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return {"actor": None, "actor_name": "система"}
    from domovoy.core.roles import organization_of

    org = organization_of(user)
    return {
        "actor": user,
        "actor_name": f"{user.get_full_name() or user.username}" + (f" ({org})" if org else ""),
        "organization_id": org.pk if org else None,
    }


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@receiver(post_create_historical_record)
def _on_history(sender, instance, history_instance, history_user=None, **kwargs):
    changes = {}
    action = _ACTIONS[history_instance.history_type]
    if action == AuditEntry.Action.UPDATE:
        prev = history_instance.prev_record
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
    AuditEntry.objects.create(
        action=action,
        model=instance._meta.verbose_name,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        changes=changes,
        **_actor_fields(history_user),
    )


def audit_bulk(*, actor, model, object_id, summary, details=None):
    return AuditEntry.objects.create(
        action=AuditEntry.Action.BULK, model=model, object_id=str(object_id),
        object_repr=summary[:300], changes=details or {}, **_actor_fields(actor),
    )


def personal_data_read(*, user, subject, purpose):
    """Log a staff read of personal data (S5)."""
    if getattr(user, "is_authenticated", False):
        PersonalDataAccess.objects.create(user=user, subject=subject, purpose=purpose)
