from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe

from domovoy.core.ratelimit import ratelimit


def login_rate() -> str:
    """Per client IP, across usernames (axes handles one username): RATE_LIMIT_LOGIN."""
    return settings.RATE_LIMIT_LOGIN


@method_decorator(ratelimit(key="login", rate=login_rate), name="post")
class LoginView(auth_views.LoginView):
    """Password login; django-axes locks out repeated failures, a per-IP rate limit slows
    guessing across usernames (S1). A one-time password leads to the password change page."""

    redirect_authenticated_user = False

    def get_success_url(self):
        if getattr(self.request.user, "must_change_password", False):
            return str(reverse_lazy("password_change"))
        return super().get_success_url()


@method_decorator(sensitive_post_parameters(), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Own template names: django.contrib.admin (earlier in INSTALLED_APPS) ships
    registration/password_change_form.html, which would shadow ours. After the change the
    person goes straight back to work."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        return form

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        messages.success(self.request, _("Пароль изменён."))
        return response


def home(request):
    """Signed-in users: their home; visitors: the public landing (what Domovoy is, the way in
    for residents, the public outages; issue 12)."""
    if not request.user.is_authenticated:
        return render(request, "web/landing.html")
    if getattr(request.user, "must_change_password", False):
        return redirect("password_change")
    from domovoy.announcements.selectors import announcements_for

    return render(request, "web/home.html", {"announcements": announcements_for(request.user)[:5]})


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, which browsers and bookmarks ask for without reading the page's <link>."""
    path = finders.find("web/favicon.ico")
    return FileResponse(open(path, "rb"), content_type="image/x-icon")
