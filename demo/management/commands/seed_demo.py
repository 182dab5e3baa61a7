from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from demo.badges import seed_badges
from demo.courses import seed_courses
from demo.delivery import seed_delivery
from demo.evidence import seed_evidence
from demo.pathways import seed_pathways
from demo.people import DEMO_PASSWORD, PEOPLE, seed_people
from demo.wallets import seed_wallets


class Command(BaseCommand):
    help = "Create the demo centre's data. Safe to run again: it changes nothing the second time."

    def handle(self, *args, **options):
        # Accounts with a password printed for everyone must never reach a real centre. The
        # production settings do not install this app; this refuses any other settings that
        # did not ask for the demo (config/settings/local.py and test.py set the flag).
        if not getattr(settings, "DEMO_SEED_ALLOWED", False):
            raise CommandError(
                "seed_demo creates the demo centre's accounts with a published password and "
                "runs only with the local or test settings (DJANGO_SETTINGS_MODULE="
                "config.settings.local, as `make demo` does), never against a real centre's "
                f"database. These settings ({settings.SETTINGS_MODULE}) do not set "
                "DEMO_SEED_ALLOWED: nothing was written."
            )
        # The demo's past e-mails (submissions, decisions, badges) are not sent to anyone.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            people = seed_people()
            courses = seed_courses(people)
            delivery = seed_delivery(people, courses)
            badges = seed_badges(people)
            evidence = seed_evidence(people)
            seed_wallets(people)
            pathway = seed_pathways(people)
        self._report(courses, delivery, badges, evidence, pathway)

    def _report(self, courses, delivery, badges, evidence, pathway):
        out = self.stdout
        out.write(self.style.SUCCESS("Demo centre ready."))
        out.write("")
        out.write(f"Every demo account's password: {DEMO_PASSWORD}")
        width = max(len(p.email) for p in PEOPLE)
        for person in PEOPLE:
            out.write(f"  {person.email.ljust(width)}  {person.role}")
        resubmitted = courses["Leading School Improvement"]
        running = delivery["running"]
        pages = [
            ("/", "the public catalogue"),
            ("/accounts/sign-in/", "sign in as any account above"),
            ("/leads/courses/", "a course leader's courses (leader@leads.example)"),
            ("/leads/review/", "the Dean's review queue (dean.ied@leads.example)"),
            (f"/leads/courses/{resubmitted.pk}/", "a resubmitted course: what changed"),
            ("/leads/submissions/", "every submission, with a chart (admin@leads.example)"),
            ("/centre/courses/", "publish courses and run offerings (admin)"),
            ("/centre/badges/", "design, issue and revoke badges (admin)"),
            (f"/offerings/{running.pk}/", "a cohort: a learner withdrawn, one moved (admin)"),
            (f"/offerings/{running.pk}/edit/", "edit dates, places, instructors (admin)"),
            (f"/teach/offerings/{running.pk}/grid/", "results grid (leader.data@leads.example)"),
            ("/learn/", "a learner's progress (learner@leads.example)"),
            ("/learn/badges/", "a learner's badges (learner@leads.example)"),
            (
                f"/teach/offerings/{evidence['portfolio'].pk}/evidence/",
                "evidence to judge, every state (instructor@leads.example)",
            ),
            ("/teach/moderation/", "blind second marking (assessor@leads.example)"),
            ("/teach/referrals/", "assessors disagree (leader.data@leads.example)"),
            (
                f"/learn/enrolments/{evidence['nadia'].pk}/evidence/{evidence['exercises'].pk}/",
                "rework, then pass (nadia.hassan@learners.example)",
            ),
            (
                f"/courses/{evidence['window'].course.lineage}/prior-learning/",
                "apply for recognition of prior learning",
            ),
            (
                "/learn/badges/imported/",
                "a badge from another issuer, verified (learner@leads.example)",
            ),
            (f"/pathways/{pathway.pk}/", "a pathway that stacks two micro-credentials"),
            ("/learn/pathways/", "halfway through the pathway (learner@leads.example)"),
            ("/centre/badges/pathways/", "define and publish pathways (admin)"),
            ("/api/v1/docs/", "the API for the VLE"),
            ("/admin/", "the Django admin (admin@leads.example)"),
        ]
        words = {
            "valid": "a valid badge, issued automatically on completion",
            "manual": "a badge issued by hand after the leader confirmed",
            "revoked": "a revoked badge, with its reason",
            "expired": "an expired badge",
        }
        for label, assertion in badges.items():
            if assertion is not None:
                pages.append((f"/public/assertions/{assertion.pk}", words[label]))
        finished = pathway.assertions.first()
        if finished is not None:
            what = "a pathway badge, issued automatically (hina.baig@learners.example)"
            pages.append((f"/public/assertions/{finished.pk}", what))
        from badges.models import Assertion

        own = (
            Assertion.objects.filter(recipient__email="learner@leads.example", revoked_at=None)
            .exclude(credential_json="")
            .first()
        )
        if own is not None:
            pages.append((f"/learn/badges/{own.pk}/wallet/",
                          "add a badge to a wallet (learner@leads.example)"))  # fmt: skip
        out.write("")
        out.write("Worth opening:")
        column = max(len(path) for path, _ in pages) + len(settings.SITE_URL) + 2
        for path, what in pages:
            out.write(f"  {(settings.SITE_URL + path).ljust(column)}{what}")
