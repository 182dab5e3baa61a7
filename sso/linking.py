"""Who an identity provider's answer signs in: the account rules of single sign-on.

- An identity already linked (provider + subject) signs in its account, whatever e-mail the
  provider gives now.
- A person signed in here who comes back from a provider links that identity to their account.
- Otherwise an existing account is linked only when the provider says the e-mail is verified
  (OIDC ``email_verified``; a SAML provider the centre marks ``trust_email``) and in one of its
  ``email_domains`` if the centre lists them; never by an unverified claim, which could be
  anyone's address, and never a staff or LEADS admin account, which its owner links.
- A first sign-in with a verified e-mail nobody has creates a learner account.
- Roles come only from the centre's explicit mapping of a claim (``providers.RoleMap``); they
  are granted, never taken away, by a sign-in, and each grant is audited.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import User
from accounts.services import user_create

from .models import ExternalIdentity

MAX_SUBJECT = 255  # ExternalIdentity.subject
# Accounts an e-mail address never links by itself: their owner links them, signed in.
PRIVILEGED = ("is_superuser", "is_staff", "is_leads_admin")


class SignInRefused(Exception):
    """The provider's answer signs nobody in; the message says why and what to do."""


def unreachable(provider) -> SignInRefused:
    return SignInRefused(f"{provider.name} cannot be reached just now. Try again in a few minutes.")


@dataclass(frozen=True)
class Claims:
    """What a provider said about the person, in one shape for OIDC and SAML."""

    subject: str
    email: str = ""
    email_verified: bool = False
    full_name: str = ""
    raw: dict | None = None  # every claim or attribute, for the role mapping


def _full_name(claims: Claims) -> str:
    name = (claims.full_name or "").strip()
    return name or claims.email.split("@")[0]


@transaction.atomic
def external_sign_in(*, provider, claims: Claims, current_user=None) -> User:
    """The account this provider's answer signs in (see the module docstring), linked and
    with its mapped roles; :class:`SignInRefused` when it signs in nobody, changing nothing."""
    if not claims.subject or len(claims.subject) > MAX_SUBJECT:
        raise SignInRefused(f"{provider.name} did not say who you are (no usable identifier).")
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=provider.slug, subject=claims.subject)
        .first()
    )
    signed_in = current_user if current_user is not None and current_user.is_authenticated else None
    if identity is not None:
        if signed_in is not None and signed_in.pk != identity.user_id:
            raise SignInRefused(
                f"This {provider.name} account is already linked to another account here."
            )
        user = identity.user
    elif signed_in is not None:
        user = _link(provider, claims, signed_in, actor=signed_in)
    else:
        user = _by_email(provider, claims)
    if not user.is_active:
        raise SignInRefused("This account is closed. Ask the LEADS team if that is a mistake.")
    _grant_roles(provider, claims, user)
    ExternalIdentity.objects.filter(provider=provider.slug, user=user).update(
        last_used_at=timezone.now()
    )
    return user


def _by_email(provider, claims: Claims) -> User:
    email = (claims.email or "").strip().lower()
    if not email:
        raise SignInRefused(
            f"{provider.name} did not give your e-mail address, which the centre needs to "
            "make your account. Ask your university's IT service to release it."
        )
    how_to_link = (
        f"If you have an account here, sign in with your password, then link {provider.name} "
        "from Sign-in methods (your name at the top of the page)."
    )
    if not claims.email_verified or not provider.vouches_for(email):
        # The same words whether or not an account has the address: they confirm nothing.
        raise SignInRefused(
            f"{provider.name} does not vouch for {email}, so the centre neither makes an "
            f"account from it nor links one to it. {how_to_link}"
        )
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if any(getattr(existing, flag) for flag in PRIVILEGED):
            raise SignInRefused(f"This account is linked only by its owner. {how_to_link}")
        return _link(provider, claims, existing, actor=existing)
    try:
        with transaction.atomic():
            user = user_create(email=email, full_name=_full_name(claims)[:200], is_learner=True)
    except (ValidationError, IntegrityError) as error:
        raise SignInRefused(
            f"No account could be made from what {provider.name} sent ({email}). Ask the "
            "LEADS team."
        ) from error
    audit_record(
        actor=user,
        action="sso.account_created",
        target=user,
        summary=f"Account made at the first sign-in with {provider.name}.",
    )
    return _link(provider, claims, user, actor=user)


def _link(provider, claims: Claims, user, *, actor) -> User:
    try:
        with transaction.atomic():
            ExternalIdentity.objects.create(
                user=user, provider=provider.slug, subject=claims.subject, email=claims.email or ""
            )
    except IntegrityError as error:
        raise SignInRefused(
            f"Your account here is already linked to another {provider.name} account. Unlink "
            "it from your account page first."
        ) from error
    audit_record(
        actor=actor,
        action="sso.linked",
        target=user,
        summary=f"Linked the {provider.name} account {claims.email or claims.subject}.",
    )
    return user


def _grant_roles(provider, claims: Claims, user) -> None:
    if provider.roles is None:
        return
    granted = [
        flag for flag in sorted(provider.roles.granted(claims.raw or {})) if not getattr(user, flag)
    ]
    if not granted:
        return
    for flag in granted:
        setattr(user, flag, True)
    user.save(update_fields=granted)
    audit_record(
        actor=None,
        action="sso.role_granted",
        target=user,
        summary=f"{provider.name}'s {provider.roles.claim} granted "
        f"{', '.join(f.removeprefix('is_').replace('_', ' ') for f in granted)}.",
        changes={flag: [False, True] for flag in granted},
    )


def identity_unlink(*, user, provider) -> None:
    """Remove a linked identity; refused when it is the only way the person can sign in."""
    if provider.sso_only or not user.has_usable_password():
        raise SignInRefused(
            f"{provider.name} is how you sign in here: without it you could not. Set a password "
            "first (Forgotten your password?), if the centre allows one."
        )
    deleted, _ = ExternalIdentity.objects.filter(user=user, provider=provider.slug).delete()
    if deleted:
        audit_record(
            actor=user,
            action="sso.unlinked",
            target=user,
            summary=f"Unlinked {provider.name}.",
        )


def password_refused_by(user) -> str | None:
    """The name of a provider that signs this person in only by single sign-on, if any."""
    from .providers import providers

    slugs = set(user.external_identities.values_list("provider", flat=True))
    for slug, provider in providers().items():
        if slug in slugs and provider.sso_only:
            return provider.name
    return None
