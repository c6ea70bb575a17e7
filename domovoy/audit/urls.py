from django.urls import path

from . import views

urlpatterns = [
    path("", views.log, name="log"),
    path("export.xlsx", views.export, name="export"),
    path("personal-data/", views.personal_data, name="personal_data"),
    path("refusals/", views.refusals, name="refusals"),
]
