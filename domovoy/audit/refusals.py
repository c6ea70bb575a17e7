"""Refused access to personal data leaves a trace (item 10 of issue 9, S3/S5).

One declarative list: the routes (URL names, ``fnmatch`` patterns) whose objects carry personal
data — service requests and their files, buildings with their people, accounts and premises,
organisation cards and staff, onboarding files, work orders, feedback, the audit logs. A 403 or
404 answered to a signed-in person on one of them is recorded by ``RefusedAccessMiddleware``
with who, when, method, path, route, object and the client address. Anonymous refusals are not
recorded: nobody to attribute them to, they are answered by the login page, and the rate limits
bound enumeration."""

from fnmatch import fnmatchcase

PERSONAL_DATA_ROUTES = (
    # Service requests: pages of residents, the call centre and staff; the API.
    "servicedesk:resident_detail",
    "servicedesk:resident_comment",
    "servicedesk:resident_attachment",
    "servicedesk:resident_action",
    "servicedesk:callcentre_request",
    "servicedesk:callcentre_attachment",
    "servicedesk:callcentre_attempt",
    "servicedesk:callcentre_action",
    "servicedesk:staff_detail",
    "servicedesk:staff_action",
    "servicedesk:staff_comment",
    "servicedesk:staff_attachment",
    "servicedesk:staff_event_document",
    "sd-request-*",
    "sd-attachment*",
    # Organisations, their staff and buildings with their people; accounts and premises.
    "directory:organization*",
    "directory:staff",
    "directory:employee_*",
    "directory:department_add",
    "directory:service_link_add",
    "directory:building",
    "directory:management_*",
    "organization-detail",
    "employee-*",
    "building-detail",
    "building-manager",
    "building-supplier",
    "premises-detail",
    "account-*",
    # Onboarding requests and their documents (licence scans, lists of accounts).
    "onboarding:review",
    "onboarding:file",
    "onboarding:progress",
    "onboarding:approve",
    "onboarding:request_changes",
    "onboarding:reject",
    "onboarding:handed_over",
    "onboarding-request-*",
    # Work orders (names, addresses, signatures) and feedback.
    "workorders:detail",
    "workorders:pdf",
    "workorders:create",
    "work-order-detail",
    "work-order-pdf",
    "feedback:detail",
    "feedback:decide",
    "feedback-item-detail",
    "feedback-item-decide",
    # Personal notices.
    "notifications:mark-read",
    "notif-mark-read",
    # The logs themselves.
    "audit:*",
    "api-audit-*",
)

REFUSED_STATUSES = (403, 404)
# The kwargs that name the object, in the order they are reported.
_OBJECT_KWARGS = ("pk", "number", "id", "attachment_id", "event_id", "request_id", "name", "kind")


def is_personal_data_route(view_name):
    return bool(view_name) and any(fnmatchcase(view_name, p) for p in PERSONAL_DATA_ROUTES)


def object_of(kwargs):
    """ "number=2026-000123, pk=5": the route's object, for the log."""
    ordered = [k for k in _OBJECT_KWARGS if k in kwargs] + sorted(
        k for k in kwargs if k not in _OBJECT_KWARGS
    )
    return ", ".join(f"{k}={kwargs[k]}" for k in ordered)[:200]
