"""Pages of the resident's way in (mounted at the site's root)."""

from django.urls import path

from . import views

urlpatterns = [
    path("access/", views.access, name="access"),
    path("register/", views.register, name="register"),
    path("register/confirm/", views.register_confirm, name="register_confirm"),
    path("register/password/", views.register_password, name="register_password"),
    path("profile/", views.profile, name="profile"),
    path("profile/contact/", views.contact, name="contact"),
    path("profile/accounts/", views.accounts, name="accounts"),
    path("link-codes/", views.link_codes, name="link_codes"),
]
