"""Pages of integration agreements, mounted at /integrations/ (namespace "integrations")."""

from django.urls import path

from . import pages

urlpatterns = [
    path("", pages.agreement_list, name="list"),
    path("new/", pages.agreement_create, name="create"),
    path("<int:pk>/", pages.agreement_detail, name="detail"),
    path("<int:pk>/rate/", pages.agreement_rate, name="rate"),
    path("<int:pk>/tokens/", pages.token_issue, name="issue"),
    path("<int:pk>/tokens/<str:token_key>/revoke/", pages.token_revoke, name="revoke"),
    path("<int:pk>/uses/", pages.agreement_uses, name="uses"),
]
