from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "badges"
    verbose_name = "Open Badges"

    def ready(self):
        from courses.signals import enrollments_completed

        from .receivers import on_enrollments_completed

        enrollments_completed.connect(on_enrollments_completed, dispatch_uid="badges.issue")

        # Our EU extension's JSON-LD context joins the offline loader's shipped contexts, so
        # every verification in this process (the /verify/ page included) can expand it.
        from .credentials import document_loader

        document_loader()
