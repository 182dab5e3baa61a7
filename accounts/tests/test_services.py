import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from accounts.services import unit_set_dean, user_create

from .factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_stored_lower_case_and_unique_whatever_its_case():
    user = user_create(email="Zainab.Qureshi@Example.ORG", full_name="Zainab Qureshi")
    assert user.email == "zainab.qureshi@example.org"
    with pytest.raises(ValidationError) as excinfo:
        user_create(email="zainab.QURESHI@example.org", full_name="Someone Else")
    assert "email" in excinfo.value.message_dict


def test_a_person_without_a_password_cannot_sign_in_until_they_set_one():
    user = user_create(email="new@example.org", full_name="New Learner")
    assert not user.has_usable_password()


def test_roles_follow_flags_and_the_units_a_person_is_dean_or_designate_of():
    unit = UnitFactory()
    dean = UserFactory(is_course_leader=True, is_learner=False)
    designate = UserFactory(is_learner=False)
    unit_set_dean(unit=unit, dean=dean, designates=[designate], acting_user=None)

    assert dean.roles == [Role.COURSE_LEADER, Role.DEAN]
    assert designate.roles == [Role.DEAN]
    assert designate.dean_units == [unit]
    assert UserFactory(is_learner=True).roles == [Role.LEARNER]
