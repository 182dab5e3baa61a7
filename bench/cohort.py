"""Cohorts for the benchmarks: a published course whose badge is issued on completion, and
offerings of any size whose learners have passed every assessment.

The course goes through the real services (submitted, approved by the Dean, published, badge
designed). The learners, enrolments and results of a large cohort are written with bulk inserts,
since how fast a benchmark prepares is not what it measures; the moment they complete goes
through `enrollment_mark_complete`, the product's own path, inside
`completions_announced_together`, as a results import completes a cohort.
"""

import time
from datetime import date, timedelta

BULK = 5000


def published_course():
    """A published course with two outcomes and two summative assessments, its badge issued on
    completion once designed. Returns (course, assessments, the LEADS admin)."""
    from accounts.models import Unit
    from accounts.services import user_create
    from assessments.services import assessment_save
    from courses.models import CourseStatus, LearningOutcome
    from courses.services import course_create, course_publish, course_set_status

    admin = user_create(email="admin@bench.example", full_name="Admin", is_leads_admin=True)
    unit = Unit.objects.create(name="Faculty of Benchmarks")
    leader = user_create(email="leader@bench.example", full_name="Leader", is_course_leader=True)
    course = course_create(leader=leader, unit=unit, title="Evidence-based Teaching")
    course.credits, course.modality, course.badge_issue_mode = 1, "asynchronous", "automatic"
    course.save()
    outcomes = [
        LearningOutcome.objects.create(course=course, position=i, text=f"Apply skill {i + 1}.")
        for i in range(2)
    ]
    course_set_status(course=course, to_status=CourseStatus.SUBMITTED, acting_user=leader)
    course_set_status(course=course, to_status=CourseStatus.APPROVED, acting_user=admin)
    course_publish(course=course, acting_user=admin)
    plan = [
        assessment_save(
            course=course,
            title=f"Task {i + 1}",
            kind="assignment",
            purpose="summative",
            criteria={outcome: "does it"},
        )  # fmt: skip
        for i, outcome in enumerate(outcomes)
    ]
    return course, plan, admin


def course_with_badge():
    """A published course (`published_course`) with its badge designed."""
    from badges.services import badge_class_create

    course, plan, admin = published_course()
    badge_class_create(course=course, acting_user=admin)
    return course, plan, admin


def cohort_passed(course, plan, assessor, size, *, label):
    """A new offering of `size` learners who passed every assessment but have not completed
    yet. Returns (offering, enrollment ids)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from assessments.models import AssessmentRecord
    from courses.models import Enrollment
    from courses.services import offering_create

    offering = offering_create(
        course=course, acting_user=assessor, starts_on=date.today() - timedelta(days=60),
        ends_on=date.today() + timedelta(days=30), title=f"Cohort {label}",
    )  # fmt: skip
    unusable = make_password(None)
    users = [
        User(email=f"{label}.{i}@learners.example", full_name=f"Learner {label} {i}",
             password=unusable)
        for i in range(size)
    ]  # fmt: skip
    User.objects.bulk_create(users, batch_size=BULK)
    users = User.objects.filter(email__startswith=f"{label}.").order_by("pk")
    Enrollment.objects.bulk_create(
        (Enrollment(offering=offering, learner_id=pk) for pk in users.values_list("pk", flat=True)),
        batch_size=BULK,
    )
    ids = list(
        Enrollment.objects.filter(offering=offering).order_by("pk").values_list("pk", flat=True)
    )
    today = date.today()
    AssessmentRecord.objects.bulk_create(
        (
            AssessmentRecord(
                enrollment_id=pk,
                assessment=assessment,
                result="pass",
                assessor=assessor,
                assessed_on=today,
                source="csv",
            )  # fmt: skip
            for pk in ids
            for assessment in plan
        ),
        batch_size=BULK,
    )
    return offering, ids


def complete_together(enrollment_ids):
    """Complete every enrollment in one transaction, as a results import does; the badges app
    hears one `enrollments_completed` when it commits. Returns the `time.perf_counter()` moments
    the transaction committed and the announcement (the batches queued) was done."""
    from django.db import transaction

    from courses.models import Enrollment
    from courses.services import completions_announced_together, enrollment_mark_complete

    committed = [0.0]
    with completions_announced_together(), transaction.atomic():
        for enrollment in Enrollment.objects.select_for_update().filter(pk__in=enrollment_ids):
            enrollment_mark_complete(enrollment=enrollment)
        transaction.on_commit(lambda: committed.__setitem__(0, time.perf_counter()))
    announced = time.perf_counter()
    return committed[0], announced
