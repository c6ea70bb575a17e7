"""Pages of classifier management (R2), under /classifier/ in the «classifier» namespace."""

from django.urls import path

from . import views_classifier as v

urlpatterns = [
    path("", v.classifier_list, name="list"),
    path("new/", v.classifier_create, name="create"),
    path("<int:pk>/", v.classifier_detail, name="detail"),
    path("<int:pk>/deactivate/", v.classifier_deactivate, name="deactivate"),
]
