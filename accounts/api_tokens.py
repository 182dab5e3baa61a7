"""API tokens for the VLE/LMS, and the courses each token may act on.

A token (DRF `rest_framework.authtoken`) belongs to one user: the VLE's service account, made by
the LEADS team with `manage.py create_vle_token --email ... --unit ...` (or, for an existing
account, in the Django admin, which lists tokens). The service account has no password, so it
cannot sign in to the web pages; it exists only to hold the token and to be named as the one who
enrolled learners and recorded results.

What a token may act on (its scope), checked on every request before anything is read or written:

* A token whose account is a LEADS admin (`User.is_leads_admin`) acts on every course.
* Any other token acts only on offerings of courses whose `Course.unit` is exactly its account's
  `User.unit`: not a parent's, not a child's. An account with no unit acts on nothing.
* Results (`POST /api/v1/results`) are also accepted where `assessments.services.may_record`
  lets the account record them (it instructs the offering), even for another unit's course.
  That part is checked in `assessments/api.py`, because accounts never imports assessments.

Outside its scope a request gets 403 with a JSON `detail` saying why; it never learns the other
unit's name. No token, or an unknown one, gets 401 before any of this.
"""

from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied

from .models import Unit, User
from .services import user_create


class VleTokenRefused(Exception):
    pass


def token_scope_allows(*, user, course) -> bool:
    """True when the token's account may act on this course (see the module's docstring)."""
    if user.is_leads_admin:
        return True
    return user.unit_id is not None and course.unit_id == user.unit_id


def holds_api_token(user) -> bool:
    """Whether this account has an API token: the VLE's service accounts do."""
    return Token.objects.filter(user_id=user.pk).exists()


def token_scope_refusal(*, user) -> str:
    if user.unit_id is None:
        return (
            "This token's account belongs to no unit and is not a LEADS admin account, "
            "so it may act on no course."
        )
    return (
        f"This token may act only on courses of {user.unit.name}; "
        "this offering's course belongs to another unit."
    )


def token_scope_check(*, user, course, also_allowed=False) -> None:
    """Refuse (403) when the course is outside the token's scope, unless `also_allowed`."""
    if also_allowed or token_scope_allows(user=user, course=course):
        return
    raise PermissionDenied(token_scope_refusal(user=user), code="outside_token_scope")


@transaction.atomic
def vle_token_create(
    *, email: str, unit: Unit | None = None, full_name: str = "", rotate: bool = False
) -> tuple[User, str, bool]:
    """Create the VLE's service account if it does not exist, and a token for it.

    Returns (account, token key, whether the account was created). The key is shown once by the
    caller; an account that already has a token keeps it unless `rotate` replaces it, so running
    the command twice never silently invalidates the key a VLE is using.
    """
    email = User.objects.normalize_email(email).strip().lower()
    account = User.objects.filter(email__iexact=email).first()
    created = account is None
    if created:
        if unit is None:
            raise VleTokenRefused("A new service account needs a unit (--unit).")
        account = user_create(
            email=email,
            full_name=full_name or f"VLE service account ({unit.name})",
            unit=unit,
            is_learner=False,
        )
    elif unit is not None and account.unit_id != unit.pk:
        current = account.unit.name if account.unit_id else "no unit"
        raise VleTokenRefused(
            f"{email} already exists and belongs to {current}, not {unit.name}; "
            "change its unit in the Django admin first if that is intended."
        )
    existing = Token.objects.filter(user=account).first()
    if existing and not rotate:
        raise VleTokenRefused(
            f"{email} already has a token (created {existing.created:%Y-%m-%d %H:%M}). "
            "Use --rotate to replace it; the old token stops working at once."
        )
    if existing:
        existing.delete()
    token = Token.objects.create(user=account)
    return account, token.key, created
