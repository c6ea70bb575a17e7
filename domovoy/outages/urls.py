"""Pages of outages (mounted at /outages/, namespace "outages")."""

from django.urls import path

from . import views

app_name = "outages"

urlpatterns = [
    path("", views.outage_list, name="list"),
    path("public/", views.public_outages, name="public"),
    path("new/", views.outage_create, name="create"),
    path("buildings/", views.building_search, name="building-search"),
    path("zone/network/", views.zone_network, name="zone-network"),
    path("zone/addresses/", views.zone_addresses, name="zone-addresses"),
    path("durations/", views.durations, name="durations"),
    path("statistics/", views.statistics, name="statistics"),
    path("my-addresses/", views.favourites, name="favourites"),
    path("my-addresses/<int:pk>/delete/", views.favourite_delete, name="favourite-delete"),
    path("<int:pk>/", views.outage_detail, name="detail"),
    path("<int:pk>/edit/", views.outage_edit, name="edit"),
    path("<int:pk>/complete/", views.outage_complete, name="complete"),
    path("<int:pk>/cancel/", views.outage_cancel, name="cancel"),
]
