"""The technical operator's system status page: is the background worker alive?"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from domovoy.core.selectors import worker_probe_result, worker_status
from domovoy.core.services import worker_probe_request


def _require_operator(user):
    if not user.has_perm("web.view_system"):
        raise PermissionDenied


@login_required
def system_status(request):
    _require_operator(request.user)
    token = request.GET.get("probe", "")
    context = {
        **worker_status(),
        "probe_token": token,
        "probe": worker_probe_result(token) if token else None,
    }
    return render(request, "web/system.html", context)


@login_required
@require_POST
def system_probe(request):
    _require_operator(request.user)
    token = worker_probe_request()
    return redirect(f"{request.path.rsplit('/probe', 1)[0]}/?probe={token}")
