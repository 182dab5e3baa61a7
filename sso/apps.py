from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = "Single sign-on"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # A provider configured wrongly stops the start with a sentence naming what is wrong,
        # not the first person who tries to sign in with it.
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from .providers import SAML, providers

        saml = any(p.protocol == SAML for p in providers().values())
        local_cache = "LocMemCache" in settings.CACHES["default"]["BACKEND"]
        if saml and local_cache and getattr(settings, "SSO_SHARED_CACHE_REQUIRED", False):
            # A SAML sign-in's request and handoff must be seen by every web process.
            raise ImproperlyConfigured(
                "SAML sign-in needs REDIS_URL (a cache all processes share)."
            )
