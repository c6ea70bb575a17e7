"""The REST API: each app contributes its routes from its own ``api_urls`` module."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("v1/", include("domovoy.api.v1_urls")),
    path("v1/system/", include("domovoy.core.api_urls")),
    path("v1/", include("domovoy.directory.api_urls")),
    path("v1/", include("domovoy.onboarding.api_urls")),
    path("v1/", include("domovoy.feedback.api_urls")),
    path("v1/", include("domovoy.announcements.api_urls")),
    path("v1/", include("domovoy.audit.api_urls")),
    path("v1/", include("domovoy.servicedesk.api_urls")),
    path("v1/", include("domovoy.workorders.api_urls")),
    path("v1/", include("domovoy.notifications.api_urls")),
    path("v1/", include("domovoy.outages.api_urls")),
]
