"""Who publishes announcements and edits «Справка» (D7): the functional and the technical
operator (G 3.5.1, 3.6.1). Everyone reads help; announcements reach their audience."""

import rules

from domovoy.core import roles


@rules.predicate
def is_operator(user):
    return roles.has_role(user, "functional_operator", "technical_operator")


rules.add_perm("announcements.publish", is_operator)
rules.add_perm("announcements.edit_help", is_operator)
