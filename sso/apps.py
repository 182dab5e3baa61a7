from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = "Single sign-on"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # A provider configured wrongly stops the start with a sentence naming what is wrong,
        # not the first person who tries to sign in with it.
        from .providers import providers

        providers()
