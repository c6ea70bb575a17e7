"""Who may use the web app's own pages: the system status page and the worker probe (page and
API) are the technical operator's (G 3.6)."""

import rules

from domovoy.directory.permissions import is_technical_operator

rules.add_perm("web.view_system", is_technical_operator)
