from django.contrib import admin
from django.urls import include, path

# The API first: its calls (integrations file requests in bulk) resolve without trying every
# page's pattern; no page lives under api/ (issue 10).
urlpatterns = [
    path("api/", include("domovoy.api.urls")),
    path("", include("domovoy.web.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("directory/", include(("domovoy.directory.urls", "directory"))),
    path("onboarding/", include(("domovoy.onboarding.urls", "onboarding"))),
    path("feedback/", include(("domovoy.feedback.urls", "feedback"))),
    path("help/", include(("domovoy.announcements.urls", "help"))),
    path("requests/", include(("domovoy.servicedesk.urls", "servicedesk"))),
    path("classifier/", include(("domovoy.servicedesk.urls_classifier", "classifier"))),
    path("workorders/", include(("domovoy.workorders.urls", "workorders"))),
    path("notifications/", include(("domovoy.notifications.urls", "notifications"))),
    path("outages/", include(("domovoy.outages.urls", "outages"))),
    path("audit/", include(("domovoy.audit.urls", "audit"))),
    path("integrations/", include(("domovoy.api.integration_urls", "integrations"))),
    path("open311/v2/", include("domovoy.api.open311.urls")),
    path("", include(("domovoy.residents.urls", "residents"))),
    # The ЕСИА seam (OpenID Connect); its views answer 404 while OIDC_* is not set.
    path("oidc/", include("mozilla_django_oidc.urls")),
]
# No /media/ pattern, in DEBUG or not: uploads are private and leave only through download
# views that ask a permission (domovoy.core.private_files, S5).

# A request refused before any view reads it answers 400 with a sentence (S7).
handler400 = "domovoy.web.bad_request.bad_request"
