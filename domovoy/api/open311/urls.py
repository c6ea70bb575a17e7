"""Routes of Open311 GeoReport v2 under /open311/v2/ (S6): every resource in ``.json`` and
``.xml``."""

from django.urls import path, re_path

from . import views

FMT = r"\.(?P<fmt>json|xml)$"

app_name = "open311"

urlpatterns = [
    path("", views.UnknownFormatView.as_view(), name="root"),
    re_path(r"^discovery" + FMT, views.DiscoveryView.as_view(), name="discovery"),
    re_path(r"^services" + FMT, views.ServiceListView.as_view(), name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, views.ServiceDefinitionView.as_view()),
    re_path(r"^requests" + FMT, views.RequestListView.as_view(), name="requests"),
    re_path(r"^requests/(?P<sr_id>[^/]+?)" + FMT, views.RequestDetailView.as_view()),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.TokenView.as_view()),
    re_path(r"^servicerequestupdates" + FMT, views.UpdateListView.as_view(), name="updates"),
    re_path(r"^.*$", views.UnknownFormatView.as_view()),
]
