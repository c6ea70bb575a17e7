"""Who may do what on the resident's way in (S2), for the pages and the API alike.

- Registration and the ЕСИА sign-in are public (rate-limited in the services).
- A resident edits only their own profile and links or unlinks accounts only for themselves:
  there is no URL that names another person's profile.
- A one-time link code for an account is issued only by the staff (administrator, dispatcher,
  engineer) of the management company that manages the account's building today according to
  the registry (D4); another UO, a supplier or an operator may not.
"""

import rules

from domovoy.directory.permissions import (
    is_building_editor,
    is_building_editor_of_uo,
    is_resident,
    manages_building,
)


@rules.predicate
def manages_building_of_account(user, account):
    return account is not None and manages_building(user, account.premises.building)


# The profile page and its API: residents (staff contacts are kept by their organisation, D2).
rules.add_perm("residents.edit_profile", is_resident)
rules.add_perm("residents.link_account", is_resident)
# The page where UO staff issue link codes (no object) and the issue itself (an account).
rules.add_perm("residents.use_link_codes", is_building_editor_of_uo)
rules.add_perm(
    "residents.issue_link_code",
    is_building_editor_of_uo & is_building_editor & manages_building_of_account,
)
