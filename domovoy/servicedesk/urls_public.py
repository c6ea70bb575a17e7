"""Open data pages (R17), no login: /requests/public/…; names are prefixed ``public_``."""

from django.urls import path

from . import views_public as v

urlpatterns = [
    path("public/", v.public_requests, name="public_requests"),
    path("public/download/", v.public_download, name="public_download"),
    path("public/<str:number>/photo/<int:pk>/", v.public_photo, name="public_photo"),
]
