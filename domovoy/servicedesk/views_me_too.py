"""Issue 13: «Заявки по моему дому» — the open public requests on the buildings of the
resident's personal accounts, each with «У меня тоже» (join: counted, told of its status
changes) or «Отменить» (withdraw). Plain POST forms; the rules and the writes are in
``services.me_too_add`` / ``me_too_remove`` (permission ``servicedesk.join_request``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from domovoy.core.errors import ServiceError
from domovoy.web import pages

from . import selectors, services
from .models import ServiceRequest
from .views_resident import PAGE_SIZE, resident_required


@resident_required
def resident_building(request):
    """Open requests of the resident's buildings (no text, names or flats: S5)."""
    page = pages.page(request, selectors.resident_building_requests(user=request.user), PAGE_SIZE)
    joined = selectors.me_too_ids(user=request.user, requests=page.object_list)
    return render(request, "servicedesk/resident/building.html", {"page": page, "joined": joined})


@require_POST
@resident_required
def resident_me_too(request, number):
    """Press «У меня тоже» (``withdraw=1``: take it back), then back to the list."""
    sr = ServiceRequest.objects.select_related("topic", "building").filter(number=number).first()
    if sr is None:
        raise Http404(_("Заявка не найдена"))
    try:
        if request.POST.get("withdraw") == "1":
            services.me_too_remove(request=sr, user=request.user)
            messages.success(
                request, _("Вы больше не отмечены в заявке № %(n)s") % {"n": sr.number}
            )
        else:
            services.me_too_add(request=sr, user=request.user)
            messages.success(
                request,
                _("Вы отметили «У меня тоже» в заявке № %(n)s: сообщим, когда её решат")
                % {"n": sr.number},
            )
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("servicedesk:resident_building")
