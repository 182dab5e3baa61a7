from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo centre's data. It sits above every other app, so it may use all their services."""

    name = "demo"
    verbose_name = "Demo data"
