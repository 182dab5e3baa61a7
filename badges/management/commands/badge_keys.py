"""Manage the issuers' Open Badges 3.0 signing keys (badges/keys.py); never prints a private key.

    manage.py badge_keys list
    manage.py badge_keys generate [--issuer UUID]          # the first key of an issuer
    manage.py badge_keys rotate [--issuer UUID] [--by EMAIL]
                                                           # a new key signs; the old stays public
    manage.py badge_keys revoke-compromised KEY --reason "…" [--resign] [--by EMAIL]
    manage.py badge_keys rewrap                            # after changing BADGE_KEK
    manage.py badge_keys sign-missing                      # badges issued before OB 3.0 signing

KEY is the key's id (UUID) or its fragment (key-YYYYMMDD-xxxxxxxx). --issuer defaults to the
centre's issuer. Rotating and withdrawing are kept in the audit trail (accounts.audit): --by
names the LEADS team member doing it; without it the entry says the system did.
"""

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import User
from badges import identifiers, keys, services
from badges.models import Issuer, SigningKey

BY_HELP = "Your e-mail (a LEADS team account), recorded in the audit trail as who did it."


class Command(BaseCommand):
    help = (
        "Generate, rotate, list and withdraw the Ed25519 keys that sign Open Badges 3.0 "
        "credentials. Private keys stay encrypted with BADGE_KEK and are never shown."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("list", help="Every key: issuer, fragment, status, public key.")
        for name, text in [
            ("generate", "Make the issuer's first key (refused when one is active)."),
            ("rotate", "Make a new active key; the previous one is retired but stays published."),
        ]:
            sub = commands.add_parser(name, help=text)
            sub.add_argument("--issuer", help="The issuer's id (default: the centre).")
            if name == "rotate":
                sub.add_argument("--by", help=BY_HELP)
        compromised = commands.add_parser(
            "revoke-compromised",
            help="Withdraw a key: what it signed stops verifying; a new key replaces it.",
        )
        compromised.add_argument("key", help="The key's id or fragment.")
        compromised.add_argument("--reason", required=True, help="Why it is compromised.")
        compromised.add_argument(
            "--resign",
            action="store_true",
            help="Re-sign the credentials it signed with the new key (served copies only).",
        )
        compromised.add_argument("--by", help=BY_HELP)
        commands.add_parser("rewrap", help="Re-encrypt every private key under BADGE_KEK.")
        commands.add_parser("sign-missing", help="Sign badges that have no OB 3.0 credential.")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except (
            keys.SigningKeyError,
            services.IssueRefused,
            ImproperlyConfigured,
            PermissionDenied,
        ) as error:
            raise CommandError(str(error))

    def _actor(self, email):
        """The person recorded in the audit trail; None (the system) when --by is not given."""
        if not email:
            return None
        actor = User.objects.filter(email__iexact=email.strip()).first()
        if actor is None:
            raise CommandError(f"No account with the e-mail {email!r}.")
        return actor

    def _issuer(self, value):
        if not value:
            return services.issuer_get_default()
        try:
            return Issuer.objects.get(pk=value)
        except (Issuer.DoesNotExist, ValidationError, ValueError):
            raise CommandError(f"No issuer with id {value!r}.")

    def _key(self, value):
        query = Q(fragment=value)
        try:
            query |= Q(pk=value) if len(value) == 36 else Q()
            found = list(SigningKey.objects.filter(query).select_related("issuer"))
        except ValidationError:
            found = []
        if len(found) != 1:
            raise CommandError(f"No single signing key {value!r}; see `badge_keys list`.")
        return found[0]

    def _describe(self, key):
        return (
            f"{key.pk}  {key.fragment}  {key.status:<11}  {key.created_at:%Y-%m-%d}  "
            f"{key.issuer.name}  {key.public_key_multibase}  "
            f"{identifiers.verification_method_id(key)}"
        )

    def _list(self, **options):
        rows = SigningKey.objects.select_related("issuer").order_by("issuer", "-created_at")
        for key in rows:
            self.stdout.write(self._describe(key))
        if not rows:
            self.stderr.write("No signing keys yet: `badge_keys generate` makes the first.")

    def _generate(self, *, issuer, **options):
        key = keys.signing_key_create(issuer=self._issuer(issuer))
        self.stdout.write(f"Generated: {self._describe(key)}")

    def _rotate(self, *, issuer, by, **options):
        key = keys.signing_key_rotate(issuer=self._issuer(issuer), acting_user=self._actor(by))
        self.stdout.write(f"Now signing with: {self._describe(key)}")
        self.stderr.write("Earlier keys stay published, so what they signed still verifies.")

    def _revoke_compromised(self, *, key, reason, resign, by, **options):
        signing_key = self._key(key)
        replacement = services.signing_key_compromise(
            signing_key=signing_key, reason=reason, acting_user=self._actor(by)
        )
        self.stdout.write(f"Withdrawn: {signing_key.fragment}; it no longer verifies anything.")
        if replacement:
            self.stdout.write(f"Now signing with: {self._describe(replacement)}")
        if resign:
            count = services.assertions_resign(signing_key=signing_key)
            self.stdout.write(f"Re-signed {count} credential(s) with the active key.")

    def _rewrap(self, **options):
        self.stdout.write(f"Re-encrypted {keys.signing_keys_rewrap()} key(s) under BADGE_KEK.")

    def _sign_missing(self, **options):
        self.stdout.write(f"Signed {services.assertions_sign_missing()} credential(s).")
