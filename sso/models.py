"""A person's identities at the centre's identity providers (``providers.py``)."""

from django.conf import settings
from django.db import models


class ExternalIdentity(models.Model):
    """One person's account at one identity provider: the provider's stable subject identifier
    (OIDC ``sub``, SAML persistent NameID or ``eduPersonPrincipalName``), linked to one of our
    accounts. It is what signs them in afterwards, whatever their e-mail becomes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    provider = models.CharField(max_length=40)
    subject = models.CharField(max_length=255)
    # The e-mail address the provider gave when the identity was linked, for the account page.
    email = models.EmailField(blank=True)
    linked_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="one_account_per_subject"),
            models.UniqueConstraint(fields=["provider", "user"], name="one_subject_per_account"),
        ]

    def __str__(self):
        return f"{self.provider}:{self.subject}"


class UsedAssertion(models.Model):
    """A SAML assertion already used to sign in, kept until it expires: the same assertion
    posted again (a replay) is refused."""

    provider = models.CharField(max_length=40)
    assertion_id = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "assertion_id"], name="assertion_used_once")
        ]

    def __str__(self):
        return f"{self.provider}:{self.assertion_id}"
