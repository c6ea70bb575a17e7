"""Pages of service requests: the resident's and the call centre's (urls_resident), the
executors' and controllers' (urls_staff)."""

from django.urls import include, path

urlpatterns = [
    path("", include("domovoy.servicedesk.urls_resident")),
    path("", include("domovoy.servicedesk.urls_staff")),
    path("", include("domovoy.servicedesk.urls_public")),
]
