"""The bench server's URLs: the project's, plus the bare one-row insert view that is the
baseline of ``bench.http_bench``. Mounted only by ``bench.http_settings``, never in production."""

import datetime as dt
import json
import uuid

from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from domovoy import urls as project

BARE_PATH = "bench/bare-insert/"


@csrf_exempt
def bare_insert(request):
    """The floor of intake: one ``ServiceRequest`` row from the posted JSON, the executor and
    deadline given by the client; no authentication, validation, routing, history or notice."""
    from domovoy.servicedesk.models import Channel, ServiceRequest

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        data = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest("JSON expected")
    sr = ServiceRequest.objects.create(
        number=f"B{uuid.uuid4().hex[:18]}",
        channel=Channel.API,
        building_id=data["building"],
        premises_id=data.get("premises"),
        topic_id=data["topic"],
        text=data["text"],
        executor_org_id=data["executor_org"],
        deadline_at=timezone.now() + dt.timedelta(hours=24),
    )
    return JsonResponse({"id": sr.pk, "number": sr.number}, status=201)


urlpatterns = [path(BARE_PATH, bare_insert), *project.urlpatterns]
