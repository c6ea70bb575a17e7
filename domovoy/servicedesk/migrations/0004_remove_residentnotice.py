"""N2: the service desk's own inbox (ResidentNotice) is retired; request notices live in the
notification engine. Existing notices move there first (an outbox row marked sent plus the inbox
message, read state kept), so residents keep their history and a retried producer still finds
the notice's dedup key."""

from django.db import migrations
from django.urls import NoReverseMatch, reverse

CHUNK = 2000


def _url(number):
    try:
        return reverse("servicedesk:resident_detail", args=[number])
    except NoReverseMatch:
        return f"/requests/my/{number}/"


def move_to_engine(apps, schema_editor):
    ResidentNotice = apps.get_model("servicedesk", "ResidentNotice")
    Notice = apps.get_model("notifications", "Notice")
    InboxMessage = apps.get_model("notifications", "InboxMessage")
    rows = (
        ResidentNotice.objects.select_related("request")
        .order_by("id")
        .values_list(
            "id", "recipient_id", "request_id", "request__number", "dedup_key", "status_word",
            "text", "created_at", "read_at",
        )
    )  # fmt: skip
    last = 0
    while True:
        chunk = list(rows.filter(id__gt=last)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1][0]
        notices = []
        for _pk, recipient, request_id, number, key, word, text, created, _read in chunk:
            # "servicedesk:event:<event pk>" / "servicedesk:comment:<comment pk>"
            _app, what, ref = (key.split(":") + ["", ""])[:3]
            kind = "request.comment" if what == "comment" else "request.status"
            new_key = f"request:{request_id}:{'comment' if what == 'comment' else 'event'}:{ref}"
            notices.append(
                Notice(
                    recipient_id=recipient,
                    channel="inbox",
                    kind=kind,
                    group=f"request:{request_id}",
                    subject=f"Заявка № {number}: {word}"[:200],
                    body=text,
                    url=_url(number),
                    due_at=created,
                    emergency=False,
                    dedup_key=f"{new_key}:inbox",
                    state="sent",
                    next_attempt_at=created,
                    sent_at=created,
                )
            )
        Notice.objects.bulk_create(notices, batch_size=500, ignore_conflicts=True)
        by_key = dict(
            Notice.objects.filter(dedup_key__in=[n.dedup_key for n in notices]).values_list(
                "dedup_key", "id"
            )
        )
        InboxMessage.objects.bulk_create(
            [
                InboxMessage(
                    recipient_id=n.recipient_id,
                    notice_id=by_key.get(n.dedup_key),
                    kind=n.kind,
                    subject=n.subject,
                    body=n.body,
                    url=n.url,
                    emergency=False,
                    created_at=row[7],
                    read_at=row[8],
                )
                for n, row in zip(notices, chunk, strict=True)
            ],
            batch_size=500,
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0003_queue_indexes"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(move_to_engine, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(
            name="ResidentNotice",
        ),
    ]
