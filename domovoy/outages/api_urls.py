"""API routes of outages under /api/v1/ (see ``api.py``)."""

from django.urls import path

from . import api

urlpatterns = [
    path("outages/", api.OutageListView.as_view(), name="outage-api-list"),
    path("outages/public/", api.PublicOutageListView.as_view(), name="outage-api-public"),
    path("outages/zone-preview/", api.ZonePreviewView.as_view(), name="outage-api-zone-preview"),
    path("outages/durations/", api.DurationsView.as_view(), name="outage-api-durations"),
    path(
        "outages/statistics/",
        api.SupplierStatisticsView.as_view(),
        name="outage-api-statistics",
    ),
    path("outages/favourites/", api.FavouriteListView.as_view(), name="outage-api-favourites"),
    path("outages/my-addresses/", api.MyAddressListView.as_view(), name="outage-api-my-addresses"),
    path(
        "outages/favourites/<int:pk>/",
        api.FavouriteDetailView.as_view(),
        name="outage-api-favourite",
    ),
    path("outages/<int:pk>/", api.OutageDetailView.as_view(), name="outage-api-detail"),
    path("outages/<int:pk>/refine/", api.OutageRefineView.as_view(), name="outage-api-refine"),
    path(
        "outages/<int:pk>/complete/", api.OutageCompleteView.as_view(), name="outage-api-complete"
    ),
    path("outages/<int:pk>/cancel/", api.OutageCancelView.as_view(), name="outage-api-cancel"),
]
