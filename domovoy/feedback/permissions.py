"""Who sees and decides feedback (D6), for the pages and the API alike.

Deciders by kind (a declarative table, read by the services, the pages and the tests):
data changes — either operator (U 3.4.1з sends them to technical support, G 3.1.4 has the
technical operator enter the data, the functional operator edits registered data too);
the classifier and suggestions — the functional operator (G 3.5.1–3.5.2); errors and
vulnerabilities — the technical operator (G 3.6.2). Vulnerability reports are visible only to
their author and the technical operator (G 3.1.6: found vulnerabilities must not spread).
"""

import rules

from domovoy.directory import roles
from domovoy.directory.permissions import is_operator, is_technical_operator, manages_building

from .models import FeedbackKind, TargetType

FUNCTIONAL = "functional_operator"
TECHNICAL = "technical_operator"

DECIDERS = {
    FeedbackKind.DATA_CHANGE: (FUNCTIONAL, TECHNICAL),
    FeedbackKind.CLASSIFIER_CHANGE: (FUNCTIONAL,),
    FeedbackKind.SUGGESTION: (FUNCTIONAL,),
    FeedbackKind.ERROR: (TECHNICAL,),
    FeedbackKind.VULNERABILITY: (TECHNICAL,),
}


def _has_any(user, codes):
    return bool(roles.roles_of(user) & set(codes)) or getattr(user, "is_superuser", False)


@rules.predicate
def is_signed_in(user):
    return bool(getattr(user, "is_authenticated", False))


# Either operator reads the queue (the role predicates are the directory's, defined once).
is_feedback_operator = is_operator


@rules.predicate
def is_author(user, item):
    return item is not None and getattr(user, "pk", None) == item.author_id


@rules.predicate
def operator_may_see(user, item):
    if item is None:
        return False
    if item.kind == FeedbackKind.VULNERABILITY:
        return is_technical_operator(user)
    return is_feedback_operator(user)


@rules.predicate
def may_decide(user, item):
    return item is not None and _has_any(user, DECIDERS[item.kind])


rules.add_perm("feedback.file_item", is_signed_in)
rules.add_perm("feedback.view_item", is_author | operator_may_see)
rules.add_perm("feedback.view_queue", is_feedback_operator)
rules.add_perm("feedback.decide_item", may_decide)


def may_propose_change(user, target_type, target):
    """A participant proposes changes to its own organisation's card, to the buildings it
    manages, or (a resident) to the buildings of its accounts; operators to any."""
    if target is None:
        return False
    if is_feedback_operator(user):
        return True
    if target_type == TargetType.ORGANIZATION:
        org = roles.organization_of(user)
        return org is not None and org.pk == target.pk
    if target_type == TargetType.BUILDING:
        if manages_building(user, target):
            return True
        return target.premises.filter(accounts__residents=user).exists()
    return False


def visible_kinds(user):
    """The kinds an operator sees in the queue."""
    if is_technical_operator(user):
        return list(FeedbackKind.values)
    if is_feedback_operator(user):
        return [k for k in FeedbackKind.values if k != FeedbackKind.VULNERABILITY]
    return []


def decidable_kinds(user):
    return [k for k, codes in DECIDERS.items() if _has_any(user, codes)]
