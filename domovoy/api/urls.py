"""The REST API: each app contributes its routes from its own ``api_urls`` module."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# The docs page loads Swagger UI from its CDN, and its start-up script from this site (the
# "split" view: no inline script). Only this page widens the Content Security Policy.
_SWAGGER_CDN = "https://cdn.jsdelivr.net"
_docs = csp_update(
    {"script-src": [_SWAGGER_CDN], "style-src": [_SWAGGER_CDN], "img-src": [_SWAGGER_CDN]}
)(SpectacularSwaggerSplitView.as_view(url_name="schema"))

urlpatterns = [
    # Intake first (the busiest route): apps' routes do not overlap, so the order only saves
    # the resolver the patterns tried before it (issue 10).
    path("v1/", include("domovoy.servicedesk.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", _docs, name="api-docs"),
    path("v1/", include("domovoy.api.v1_urls")),
    path("v1/system/", include("domovoy.web.api_urls")),
    path("v1/", include("domovoy.directory.api_urls")),
    path("v1/", include("domovoy.onboarding.api_urls")),
    path("v1/", include("domovoy.feedback.api_urls")),
    path("v1/", include("domovoy.announcements.api_urls")),
    path("v1/", include("domovoy.audit.api_urls")),
    path("v1/", include("domovoy.workorders.api_urls")),
    path("v1/", include("domovoy.notifications.api_urls")),
    path("v1/", include("domovoy.outages.api_urls")),
    path("v1/", include("domovoy.residents.api_urls")),
]
