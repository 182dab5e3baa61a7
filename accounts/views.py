from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse_lazy

from .forms import PasswordResetForm
from .models import Role


@login_required
def dashboard(request):
    """The signed-in home page: one panel for each role the person holds."""
    return render(
        request,
        "accounts/dashboard.html",
        {"roles": request.user.roles, "Role": Role},
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, with links built from SITE_URL rather than the request's Host header,
    which anyone can set to a domain of their own (password-reset poisoning)."""

    success_url = reverse_lazy("password_reset_done")
    form_class = PasswordResetForm

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL, "site_title": settings.SITE_NAME}
        return super().form_valid(form)
