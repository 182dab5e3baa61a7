from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from demo.people import DEMO_PASSWORD, PEOPLE, seed_people


class Command(BaseCommand):
    help = "Create the demo centre's data. Safe to run again: it changes nothing the second time."

    @transaction.atomic
    def handle(self, *args, **options):
        seed_people()
        out = self.stdout
        out.write(self.style.SUCCESS("Demo centre ready."))
        out.write("")
        out.write(f"Every demo account's password: {DEMO_PASSWORD}")
        width = max(len(p.email) for p in PEOPLE)
        for person in PEOPLE:
            out.write(f"  {person.email.ljust(width)}  {person.role}")
        out.write("")
        out.write("Worth opening:")
        site = settings.SITE_URL
        out.write(f"  {site}/                      the public home page and catalogue")
        out.write(f"  {site}/accounts/sign-in/     sign in as any account above")
        out.write(f"  {site}/admin/                the Django admin (as admin@leads.example)")
