"""Fill ``InboxMessage.group`` of existing messages from their outbox row (the notice).

Messages whose outbox row was already purged (``notice`` NULL) have nothing to copy from and
keep ``group = ""``. Runs after the service desk moved its old notices into the engine
(servicedesk 0004 creates inbox messages through the historical model), so those are filled
too. Chunked by id, one short transaction per chunk (``atomic = False``); only rows still
without a group are touched, so a rerun after an interruption resumes.
"""

from django.db import migrations, transaction
from django.db.models import Max, Min, OuterRef, Subquery

CHUNK = 10000


def copy_groups(apps, schema_editor):
    InboxMessage = apps.get_model("notifications", "InboxMessage")
    Notice = apps.get_model("notifications", "Notice")
    alias = schema_editor.connection.alias if schema_editor is not None else "default"
    bounds = InboxMessage.objects.using(alias).aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return
    notice_group = Subquery(Notice.objects.filter(pk=OuterRef("notice_id")).values("group")[:1])
    for start in range(bounds["low"], bounds["high"] + 1, CHUNK):
        with transaction.atomic(using=alias):
            InboxMessage.objects.using(alias).filter(
                id__gte=start, id__lt=start + CHUNK, notice_id__isnull=False, group=""
            ).update(group=notice_group)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notifications", "0002_inboxmessage_group"),
        ("servicedesk", "0004_remove_residentnotice"),
    ]

    operations = [
        migrations.RunPython(copy_groups, migrations.RunPython.noop, elidable=True),
    ]
