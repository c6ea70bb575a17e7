from django.urls import path

from . import api

urlpatterns = [
    path("audit/", api.AuditEntryListView.as_view(), name="api-audit-list"),
    path("audit/export.xlsx", api.AuditExportView.as_view(), name="api-audit-export"),
    path(
        "audit/personal-data/",
        api.PersonalDataAccessListView.as_view(),
        name="api-audit-personal-data",
    ),
    path("audit/refusals/", api.RefusedAccessListView.as_view(), name="api-audit-refusals"),
]
