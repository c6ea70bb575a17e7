"""Who reads the audit trail (S3) and the log of personal-data reads (S5) — by role: the
operators read all of it, the control roles (controller, ЦУР, supervisor) their territory's
part (``selectors.audit_entries_visible_to``); the media role and the call centre never."""

import rules

from domovoy.directory.permissions import (
    is_operator,
    is_technical_operator,
    is_territorial_reader,
)

rules.add_perm("audit.view_log", is_territorial_reader)
rules.add_perm("audit.view_personal_data_log", is_operator)
# Refused attempts on personal data (item 10 of issue 9): the technical operator's page.
rules.add_perm("audit.view_refusals", is_technical_operator)


def can_view_log(user):
    return user.has_perm("audit.view_log")


def can_view_personal_data_log(user):
    return user.has_perm("audit.view_personal_data_log")


def can_view_refusals(user):
    return user.has_perm("audit.view_refusals")
