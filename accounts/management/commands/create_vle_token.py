"""Make the VLE's service account (if needed) and its API token; print the token once."""

from django.core.management.base import BaseCommand, CommandError

from accounts.api_tokens import VleTokenRefused, vle_token_create
from accounts.models import Unit


class Command(BaseCommand):
    help = (
        "Create an API token for a VLE/LMS service account, creating the account (no password) "
        "in the given unit if it does not exist. The token acts only on that unit's courses "
        "unless the account is a LEADS admin. The key is printed once and not shown again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The service account's e-mail.")
        parser.add_argument(
            "--unit", help="The unit's name or id. Required when the account is new."
        )
        parser.add_argument("--name", default="", help="The account's display name.")
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Replace the account's existing token (the old one stops working).",
        )

    def handle(self, *args, email, unit, name, rotate, **options):
        unit_obj = self._unit(unit) if unit else None
        try:
            account, key, created = vle_token_create(
                email=email, unit=unit_obj, full_name=name, rotate=rotate
            )
        except VleTokenRefused as exc:
            raise CommandError(str(exc))
        if created:
            self.stderr.write(f"Created the service account {account.email} in {account.unit}.")
        scope = "every course" if account.is_leads_admin else f"courses of {account.unit}"
        self.stderr.write(f"Token for {account.email}, acting on {scope}. Keep it secret:")
        self.stdout.write(key)

    def _unit(self, value):
        units = Unit.objects.filter(name__iexact=value.strip())
        if value.strip().isdigit():
            units = units | Unit.objects.filter(pk=int(value))
        found = list(units.distinct())
        if len(found) != 1:
            names = ", ".join(Unit.objects.values_list("name", flat=True)[:20])
            raise CommandError(f"No single unit called {value!r}. Units: {names or 'none yet'}.")
        return found[0]
