"""Writes to users and units."""

from django.db import transaction

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
def unit_set_dean(*, unit: Unit, dean: User | None, designates: list[User] = ()) -> Unit:
    """Name the unit's dean and the designates who may decide for them."""
    unit.dean = dean
    unit.save(update_fields=["dean"])
    unit.designates.set(designates)
    return unit
