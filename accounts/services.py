"""Writes to users and units."""

from django.db import transaction

from .access import require_leads_admin
from .audit import audit_record
from .models import Unit, User


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    password: str | None = None,
    unit: Unit | None = None,
    is_course_leader: bool = False,
    is_instructor: bool = False,
    is_leads_admin: bool = False,
    is_learner: bool = True,
) -> User:
    """Create a person. Without a password they cannot sign in until they set one by e-mail."""
    user = User(
        email=User.objects.normalize_email(email).lower(),
        full_name=full_name.strip(),
        unit=unit,
        is_course_leader=is_course_leader,
        is_instructor=is_instructor,
        is_leads_admin=is_leads_admin,
        is_staff=is_leads_admin,
        is_learner=is_learner,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def unit_set_dean(
    *, unit: Unit, dean: User | None, designates: list[User] = (), acting_user: User | None
) -> Unit:
    """Name the unit's dean (None: no dean) and the designates who may decide for them.

    Only the LEADS team appoints; `acting_user` None is the system (the demo seed, a data load).
    A change is audited with who made it; naming the people already named records nothing.
    """
    if acting_user is not None:
        require_leads_admin(acting_user, "appoint deans")
    locked = Unit.objects.select_for_update(of=("self",)).select_related("dean").get(pk=unit.pk)
    before_dean = locked.dean
    before_designates = list(locked.designates.all())
    designates = list(designates)
    unit.dean = dean
    unit.save(update_fields=["dean"])
    unit.designates.set(designates)

    changes = {}
    if (before_dean and before_dean.pk) != (dean and dean.pk):
        changes["dean"] = [before_dean, dean]
    if {p.pk for p in before_designates} != {p.pk for p in designates}:
        changes["designates"] = [_names(before_designates), _names(designates)]
    if changes:
        audit_record(
            actor=acting_user,
            action="unit.dean_appointed",
            target=unit,
            summary=_dean_summary(unit, dean, changes),
            changes=changes,
        )
    return unit


def _names(people) -> list[str]:
    return sorted(str(person) for person in people)


def _dean_summary(unit, dean, changes) -> str:
    if "dean" not in changes:
        return f"Changed the designates of {unit}."
    if dean is None:
        return f"Removed the dean of {unit}."
    return f"Appointed {dean} as dean of {unit}."


def invitation_link(user) -> str:
    """A one-time link for a new account to set its password (Django's reset token)."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": token}
    )


def invitation_send(*, user_id, reason: str) -> int:
    """E-mail a new person a link to set their password; `reason` says why they have an account.

    Sent once per account (a second run of the task sends nothing), and not at all to someone
    who has meanwhile set a password or been deactivated. Returns how many e-mails were sent.
    """
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    from .side_effects import emails_send_once

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return 0
    body = render_to_string(
        "accounts/email/invitation.txt",
        {"user": user, "link": invitation_link(user), "reason": reason,
         "SITE_NAME": settings.SITE_NAME, "CENTRE_NAME": settings.CENTRE_NAME},
    )  # fmt: skip
    message = EmailMessage(
        f"Your account at {settings.SITE_NAME}", body, settings.DEFAULT_FROM_EMAIL, [user.email]
    )
    return emails_send_once([(f"accounts.invitation:{user.pk}", message)])


@transaction.atomic
def learner_get_or_invite(*, email: str, full_name: str = "", reason: str) -> tuple[User, bool]:
    """The person with this e-mail; a new learner account, invited by e-mail after commit, if
    there is none. Returns (user, created)."""
    existing = User.objects.filter(email__iexact=email.strip()).first()
    if existing:
        return existing, False
    from .side_effects import enqueue_on_commit
    from .tasks import send_invitation

    user = user_create(email=email, full_name=full_name or email.split("@")[0], is_learner=True)
    enqueue_on_commit(send_invitation, user.pk, reason)
    return user, True
