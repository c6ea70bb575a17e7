"""The project's URLs plus this app's pages and API, until ``domovoy.urls`` mounts them."""

from django.urls import include, path

from domovoy.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("workorders/", include(("domovoy.workorders.urls", "workorders"))),
    path("api/v1/", include("domovoy.workorders.api_urls")),
]
