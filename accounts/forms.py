from django import forms
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    UserChangeForm,
)
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm

from .models import User


class SignInForm(AuthenticationForm):
    """Django's sign-in form, labelled for e-mail, with a message that names no account."""

    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That e-mail address and password do not match an account. "
            "Passwords are case-sensitive."
        ),
    }


class UserAdminCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "full_name")


class UserAdminChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form, which also reaches people invited by the centre who never set a
    password (Django skips accounts without a usable password), so an expired invitation can be
    renewed from the sign-in page."""

    def get_users(self, email):
        return User.objects.filter(email__iexact=email.strip(), is_active=True)
