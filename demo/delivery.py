"""Demo delivery: published courses, offerings past, running and upcoming, learners at every
stage, with the evidence and feedback an instructor would record."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from assessments.models import Assessment
from assessments.services import record_result
from courses.models import CourseStatus, Enrollment, Offering
from courses.services import (
    course_publish,
    enrollment_create,
    enrollment_move,
    enrollment_withdraw,
    enrollments_confirm_completion,
    offering_create,
    offering_update,
)

from .people import DEMO_PASSWORD

FIRST_COHORT = "First cohort"

EXTRA_LEARNERS = [
    ("hina.baig@learners.example", "Hina Baig"),
    ("david.otieno@learners.example", "David Otieno"),
    ("maryam.jaffer@learners.example", "Maryam Jaffer"),
    ("samuel.kiprop@learners.example", "Samuel Kiprop"),
    ("fatima.noor@learners.example", "Fatima Noor"),
    ("yusuf.karimi@learners.example", "Yusuf Karimi"),
]

FEEDBACK = {
    "pass": "Meets every point of the rubric. The reasoning is clear and the evidence is your own.",
    "fail": "Not yet: the analysis stops before answering the question. Resubmit after the "
    "feedback session.",
}


def _learners(people):
    found = [people["learner@leads.example"], people["learner2@leads.example"],
             people["learner3@leads.example"]]  # fmt: skip
    for email, name in EXTRA_LEARNERS:
        user = User.objects.filter(email=email).first() or user_create(
            email=email, full_name=name, password=DEMO_PASSWORD
        )
        found.append(user)
    return found


def _offering(course, admin, title, start, end, instructors, capacity=None, sessions=()):
    existing = Offering.objects.filter(course=course, title=title).first()
    if existing:
        return existing, False
    offering = offering_create(
        course=course, acting_user=admin, title=title, starts_on=start, ends_on=end,
        capacity=capacity, instructors=instructors, sessions=sessions,
    )  # fmt: skip
    return offering, True


def _record(enrollment, assessments, passes, instructor, day, fail_last=False):
    """Record `passes` passed assessments (in plan order), then optionally one fail."""
    for i, assessment in enumerate(assessments[:passes]):
        record_result(
            enrollment=enrollment, assessment=assessment, result="pass",
            acting_user=instructor, assessed_on=day + timedelta(days=7 * i),
            evidence_url=f"https://vle.example.edu/submissions/{enrollment.pk}-{assessment.pk}",
            feedback=FEEDBACK["pass"],
        )  # fmt: skip
    if fail_last and passes < len(assessments):
        record_result(
            enrollment=enrollment, assessment=assessments[passes], result="fail",
            acting_user=instructor, assessed_on=day + timedelta(days=7 * passes),
            evidence_text="Draft dashboard submitted on the VLE.", feedback=FEEDBACK["fail"],
        )  # fmt: skip


def seed_delivery(people, courses):
    admin = people["admin@leads.example"]
    for course in courses.values():
        course.refresh_from_db()
    for title in ["Data Analytics with Python", "SQL for Data Analysis",
                  "Inclusive Learning in Primary Classrooms"]:  # fmt: skip
        course = courses[title]
        if course.revision_of_id:  # the revision draft: publish the approved version it revises
            course = course.revision_of
        if course.status == CourseStatus.APPROVED:
            course_publish(course=course, acting_user=admin)
            course.refresh_from_db()
    today = timezone.localdate()
    learners = _learners(people)
    data_leader = people["leader.data@leads.example"]
    instructor = people["instructor@leads.example"]

    analytics = courses["Data Analytics with Python"]
    plan = list(Assessment.objects.filter(course=analytics, purpose="summative"))
    past, new = _offering(analytics, admin, "Autumn 2026 cohort", today - timedelta(days=90),
                          today - timedelta(days=35), [data_leader])  # fmt: skip
    if new:
        for learner, passes in zip(learners[:4], [3, 3, 2, 3], strict=True):
            enrollment = enrollment_create(offering=past, learner=learner, acting_user=admin)
            _record(enrollment, plan, passes, data_leader, today - timedelta(days=80),
                    fail_last=passes < 3)  # fmt: skip
    # The next cohort, already edited once by the LEADS team (its history shows it): more
    # places than first planned.
    spring, new = _offering(analytics, admin, "Spring 2027 cohort", today + timedelta(days=60),
                            today + timedelta(days=115), [data_leader], capacity=60)  # fmt: skip
    if new:
        offering_update(offering=spring, acting_user=admin, capacity=80)
    running, new = _offering(analytics, admin, "Winter 2026–27 cohort",
                             today - timedelta(days=14), today + timedelta(days=42),
                             [data_leader], capacity=40)  # fmt: skip
    if new:
        enrolled = []
        for learner, passes in zip(learners[4:], [0, 1, 2, 1], strict=False):
            enrollment = enrollment_create(offering=running, learner=learner, acting_user=admin)
            _record(enrollment, plan, passes, data_leader, today - timedelta(days=10))
            enrolled.append(enrollment)
        enrollment_create(offering=running, learner=learners[1], acting_user=admin)
        # One learner left (their record and result stay, their place is free), and one who
        # had not started moved to the spring cohort.
        enrollment_withdraw(
            enrollment=enrolled[3], acting_user=admin,
            reason="Took up a new post abroad; may join a later cohort.",
        )  # fmt: skip
        enrollment_move(
            enrollment=enrolled[0], to_offering=spring, acting_user=admin,
            reason="Asked to start in the spring, after a work project.",
        )  # fmt: skip
    # The course's first cohort, two and a half years ago: its badge (issued when the cohort
    # ended, valid for two years, demo/badges.py) has expired.
    first, new = _offering(analytics, admin, FIRST_COHORT, today - timedelta(days=1000),
                           today - timedelta(days=945), [data_leader])  # fmt: skip
    if new:
        enrollment = enrollment_create(offering=first, learner=learners[8], acting_user=admin)
        _record(enrollment, plan, 3, data_leader, today - timedelta(days=990))

    sql = courses["SQL for Data Analysis"]
    sql = sql.revision_of if sql.revision_of_id else sql
    sql_plan = list(Assessment.objects.filter(course=sql, purpose="summative"))
    offering, new = _offering(sql, admin, "Self-paced, November 2026", today - timedelta(days=20),
                              today + timedelta(days=40), [data_leader])  # fmt: skip
    if new:
        enrollment = enrollment_create(offering=offering, learner=learners[0], acting_user=admin)
        _record(enrollment, sql_plan, 1, data_leader, today - timedelta(days=12))

    inclusive = courses["Inclusive Learning in Primary Classrooms"]
    inclusive_plan = list(Assessment.objects.filter(course=inclusive, purpose="summative"))
    start = today - timedelta(days=70)
    workshop = timezone.make_aware(datetime.combine(start + timedelta(days=7), time(9)))
    offering, new = _offering(
        inclusive, admin, "Karachi, autumn 2026", start, today - timedelta(days=28), [instructor],
        sessions=[{"title": "Opening workshop", "place": "AKU Karachi campus, IED room 3",
                   "starts_at": workshop, "ends_at": workshop + timedelta(hours=4)}],
    )  # fmt: skip
    if new:
        done = []
        for learner in [learners[0], learners[2], learners[5]]:
            enrollment = enrollment_create(offering=offering, learner=learner, acting_user=admin)
            _record(enrollment, inclusive_plan, 1, instructor, start + timedelta(days=20))
            done.append(enrollment)
        # The course leader has confirmed two of the three completed learners so far.
        enrollments_confirm_completion(
            offering=offering, enrollment_ids=[e.pk for e in done[:2]],
            acting_user=inclusive.leader,
        )  # fmt: skip
    return {
        "running": running,
        "completed": Enrollment.objects.filter(learner=learners[0], completed_at__isnull=False)
        .select_related("offering")
        .first(),
    }
