"""Courses ready to be delivered, made with the courses services alone (no LEADS process)."""

from datetime import date, timedelta

from accounts.tests.factories import UnitFactory, UserFactory
from courses.models import CourseStatus, LearningOutcome
from courses.services import (
    course_create,
    course_publish,
    course_set_status,
    enrollment_create,
    offering_create,
)


def leads_admin():
    return UserFactory(is_leads_admin=True, is_learner=False, full_name="LEADS Admin")


def approved_course(*, title="Data Analytics with Python", outcomes=2, unit=None, **fields):
    unit = unit or UnitFactory()
    leader = UserFactory(is_course_leader=True, unit=unit)
    course = course_create(leader=leader, unit=unit, title=title)
    for name, value in {"credits": 1, "modality": "asynchronous", **fields}.items():
        setattr(course, name, value)
    course.save()
    for i in range(outcomes):
        LearningOutcome.objects.create(course=course, position=i, text=f"Apply skill {i + 1}.")
    dean = UserFactory(is_learner=False)
    course_set_status(course=course, to_status=CourseStatus.SUBMITTED, acting_user=leader)
    course_set_status(course=course, to_status=CourseStatus.APPROVED, acting_user=dean)
    return course


def published_course(**kwargs):
    course = approved_course(**kwargs)
    return course_publish(course=course, acting_user=leads_admin())


def running_offering(course=None, *, instructors=(), capacity=None, **kwargs):
    course = course or published_course(**kwargs)
    today = date.today()
    return offering_create(
        course=course,
        acting_user=leads_admin(),
        starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=30),
        instructors=instructors,
        capacity=capacity,
    )


def enrolled_learners(offering, n):
    return [
        enrollment_create(offering=offering, learner=UserFactory(is_learner=True)) for _ in range(n)
    ]
