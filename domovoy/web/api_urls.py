from django.urls import path

from . import api

urlpatterns = [
    path("worker-probe/", api.WorkerProbeView.as_view(), name="api-worker-probe"),
    path(
        "worker-probe/<str:token>/",
        api.WorkerProbeResultView.as_view(),
        name="api-worker-probe-result",
    ),
]
