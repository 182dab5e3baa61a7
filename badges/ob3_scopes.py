"""The scopes an application may ask a learner for: those it was granted when it registered
(RFC 7591 §2 lets the server narrow them), never more. Applications the centre made itself (the
Django admin, the demo) have no registration and may ask for any scope the API offers.

django-oauth-toolkit asks its scopes backend (``OAUTH2_PROVIDER["SCOPES_BACKEND_CLASS"]``) which
scopes exist for an application; it refuses an authorization or token request for any other
with ``invalid_scope``.
"""

from oauth2_provider.scopes import SettingsScopes


def _registered(application):
    registration = getattr(application, "registration", None)  # none: not registered by DCR
    return set(registration.scope.split()) if registration is not None else None


class RegisteredScopes(SettingsScopes):
    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        scopes = super().get_available_scopes(application, request, *args, **kwargs)
        allowed = _registered(application) if application is not None else None
        return scopes if allowed is None else [s for s in scopes if s in allowed]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        scopes = super().get_default_scopes(application, request, *args, **kwargs)
        allowed = _registered(application) if application is not None else None
        if allowed is None:
            return scopes
        return [s for s in scopes if s in allowed] or sorted(allowed)
