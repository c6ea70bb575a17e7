"""Who may do what with notifications (N1): every signed-in user (resident or staff) manages
their own channels and reads their own inbox; nobody reads another's messages."""

import rules


@rules.predicate
def is_recipient(user, message) -> bool:
    return message is not None and message.recipient_id == getattr(user, "pk", None)


rules.add_perm("notifications.use_notifications", rules.is_authenticated)
rules.add_perm("notifications.read_message", rules.is_authenticated & is_recipient)
