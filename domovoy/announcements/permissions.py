"""Who publishes announcements and edits «Справка» (D7): the functional and the technical
operator (G 3.5.1, 3.6.1). Everyone reads help; announcements reach their audience."""

import rules

from domovoy.directory.permissions import is_operator

rules.add_perm("announcements.publish", is_operator)
rules.add_perm("announcements.edit_help", is_operator)
# The file of a help version: help is public (G 3.1.5), so its files are for everyone, but
# still only through the download view (S5: no public media URL).
rules.add_perm("announcements.view_help_file", rules.always_allow)
