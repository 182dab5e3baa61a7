from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "badges"
    verbose_name = "Open Badges"

    def ready(self):
        from courses.signals import enrollment_move_checked, enrollments_completed

        from .receivers import on_enrollments_completed, refuse_moving_a_badge_holder

        enrollments_completed.connect(on_enrollments_completed, dispatch_uid="badges.issue")
        enrollment_move_checked.connect(
            refuse_moving_a_badge_holder, dispatch_uid="badges.refuse_move"
        )

        # What the public badge documents show: a change drops their kept copies (public_cache).
        from django.db.models.signals import post_delete, post_migrate, post_save

        from courses.models import Course

        from .models import Assertion, BadgeClass, BadgeClassVersion, Issuer, SigningKey
        from .public_cache import on_migrate, on_public_change

        # A version saved (a new one, or an unused one brought up to date) changes its public
        # badge class page and JSON and the issuer page's links.
        for model in (Assertion, BadgeClass, BadgeClassVersion, Issuer, SigningKey, Course):
            for signal in (post_save, post_delete):
                signal.connect(on_public_change, sender=model, dispatch_uid=f"public.{model}")
        post_migrate.connect(on_migrate, sender=self, dispatch_uid="public.migrate")

        # Our EU extension's JSON-LD context joins the offline loader's shipped contexts, so
        # every verification in this process (the /verify/ page included) can expand it.
        from .signing import document_loader

        document_loader()
