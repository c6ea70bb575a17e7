from django.contrib.auth import views as auth_views
from django.urls import path

from . import system, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("system/", system.system_status, name="system_status"),
    path("system/probe/", system.system_probe, name="system_probe"),
    path("favicon.ico", views.favicon, name="favicon"),
]
