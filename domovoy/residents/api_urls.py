from django.urls import path

from . import api

urlpatterns = [
    path("registration/", api.RegistrationView.as_view(), name="api-registration"),
    path(
        "registration/confirm/",
        api.RegistrationConfirmView.as_view(),
        name="api-registration-confirm",
    ),
    path(
        "registration/complete/",
        api.RegistrationCompleteView.as_view(),
        name="api-registration-complete",
    ),
    path("profile/", api.ProfileView.as_view(), name="api-profile"),
    path("profile/contact/", api.ContactView.as_view(), name="api-profile-contact"),
    path(
        "profile/contact/confirm/",
        api.ContactConfirmView.as_view(),
        name="api-profile-contact-confirm",
    ),
    path("profile/accounts/", api.AccountsView.as_view(), name="api-profile-accounts"),
    path("profile/accounts/<int:pk>/", api.AccountView.as_view(), name="api-profile-account"),
    path("link-codes/", api.LinkCodeView.as_view(), name="api-link-codes"),
]
