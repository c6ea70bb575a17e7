from django.urls import path

from . import integrations, views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("integrations/", integrations.AgreementListView.as_view(), name="api-integrations"),
    path(
        "integrations/<int:pk>/",
        integrations.AgreementDetailView.as_view(),
        name="api-integration",
    ),
    path(
        "integrations/<int:pk>/tokens/",
        integrations.TokenListView.as_view(),
        name="api-integration-tokens",
    ),
    path(
        "integrations/<int:pk>/tokens/<str:token_key>/",
        integrations.TokenRevokeView.as_view(),
        name="api-integration-token",
    ),
    path(
        "integrations/<int:pk>/uses/",
        integrations.TokenUseListView.as_view(),
        name="api-integration-uses",
    ),
]
