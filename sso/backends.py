"""Password sign-in, refused to people whose identity provider is the only way in here."""

from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Django's own backend, except that a person linked to a provider configured
    ``passwords: sso_only`` cannot use a password: not on the sign-in page, not in the Django
    admin. The refusal is the usual "does not match" one, so it says nothing about whether the
    password was right. (Sessions made by single sign-on are this backend's too: ``get_user``
    is Django's.)"""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from .linking import password_refused_by

        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and password_refused_by(user) is not None:
            return None
        return user
