"""Who reads the audit trail (S3) and the log of personal-data reads (S5)."""

import rules

# The directory module declares "audit.view_log" (operators and control bodies); importing it
# here makes sure the rule is registered wherever the audit pages are used.
from domovoy.directory import permissions as directory_rules

rules.add_perm("audit.view_personal_data_log", directory_rules.is_operator)
# Refused attempts on personal data (item 10 of issue 9): the technical operator's page.
rules.add_perm("audit.view_refusals", directory_rules.is_technical_operator)


def can_view_log(user):
    return user.has_perm("audit.view_log")


def can_view_personal_data_log(user):
    return user.has_perm("audit.view_personal_data_log")


def can_view_refusals(user):
    return user.has_perm("audit.view_refusals")
