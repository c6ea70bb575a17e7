from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from domovoy.core.ratelimit import ratelimit


@method_decorator(ratelimit(key="login", rate=(20, 60)), name="post")
class LoginView(auth_views.LoginView):
    """Password login; django-axes locks out repeated failures, a per-IP rate limit slows
    guessing across usernames (S1)."""

    def get_success_url(self):
        if getattr(self.request.user, "must_change_password", False):
            return reverse_lazy("password_change")
        return super().get_success_url()


@method_decorator(sensitive_post_parameters(), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        return response


@login_required
def home(request):
    if getattr(request.user, "must_change_password", False):
        return redirect("password_change")
    from domovoy.announcements.selectors import announcements_for

    return render(request, "web/home.html", {"announcements": announcements_for(request.user)[:5]})
