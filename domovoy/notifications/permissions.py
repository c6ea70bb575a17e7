"""Who may do what with notifications (N1): every signed-in user (resident or staff) manages
their own channels and reads their own inbox; nobody reads another's messages. The outbox
(every recipient's delivery rows) is the technical operator's: they read it and start a new
retry round of failed rows (issue 11)."""

import rules

from domovoy.directory.permissions import is_technical_operator


@rules.predicate
def is_recipient(user, message) -> bool:
    return message is not None and message.recipient_id == getattr(user, "pk", None)


rules.add_perm("notifications.use_notifications", rules.is_authenticated)
rules.add_perm("notifications.read_message", rules.is_authenticated & is_recipient)
rules.add_perm("notifications.view_outbox", is_technical_operator)
rules.add_perm("notifications.retry_delivery", is_technical_operator)
