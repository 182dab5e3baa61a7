"""Every list page of the centre, and a centre with exactly n rows of what each one lists.

A *list page* is a URL whose answer is a list of rows that grows with the centre's data: the
public catalogue, the leaders' and deans' course lists, offerings and their rosters, the grid,
the learner's pages, the LEADS team's badge pages and CSV exports, the API's list endpoint and
the Django admin's changelists of the main models. A page must cost the same number of queries
whatever the number of rows (paginated pages: their first page), so the catalogue below is
requested at two sizes and the counts compared: by `config/tests/test_list_page_queries.py` at 2
and 12 rows, and by `bench/pages_bench.py` at 10 and 1,000.

Each `Page` names the role that opens it (as in `config/tests/permission_matrix.py`; the API is
opened with a VLE token) and the kind of rows it lists (`ROWS`). Each kind of rows knows how to
count what the page lists and how to add more: `populate(centre, n, kinds)` tops every kind up
to exactly n rows. The centre itself (`build_centre`) is made through the services, as the
centre makes it; the rows added on top are bulk-created copies of its realistic rows (courses
with their outcomes and assessment plan, offerings with instructors and sessions, enrolments
with results and badges), so 1,000 of each take seconds.

`URL_KEYS_EXCLUDED` gives, for every other URL pattern, why it is not a list page; the test
fails when a pattern is in neither, so a new list page cannot be forgotten.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from types import SimpleNamespace

from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


# --- The centre -----------------------------------------------------------------------------------


def build_centre() -> SimpleNamespace:
    """A unit with its dean and designate, and a second unit; a course leader with a published
    course (approved by the dean) and one awaiting the dean; an offering of the published course
    with an instructor and a learner who completed it and holds its badge; an import job with an
    error; a VLE token. Everything through the services, as in test_permission_matrix.py."""
    from accounts.api_tokens import vle_token_create
    from accounts.models import User
    from accounts.tests.factories import UnitFactory, UserFactory
    from assessments.services import record_result
    from badges.services import assertion_issue, badge_class_create
    from courses.models import ImportJob
    from courses.services import course_publish, enrollment_create, offering_create
    from leads.tests.factories import decided_course, make_unit_with_dean, submitted_course

    unit, dean, _designate = make_unit_with_dean(name="Institute for Educational Development")
    other_unit = UnitFactory(name="School of Nursing and Midwifery")
    leader = UserFactory(
        is_course_leader=True, is_learner=False, unit=unit, full_name="Course Leader"
    )
    admin = UserFactory(is_leads_admin=True, is_learner=False, full_name="Leads Admin")
    User.objects.filter(pk=admin.pk).update(is_superuser=True)  # also the Django admin
    admin.refresh_from_db()
    instructor = UserFactory(is_instructor=True, is_learner=False, full_name="Instructor Person")

    published, _ = decided_course("approved", comment="", leader=leader, unit=unit)
    published = course_publish(course=published, acting_user=admin)
    submitted, submission = submitted_course(leader=leader, unit=unit, title="Leading Change")

    today = timezone.localdate()
    offering = offering_create(
        course=published,
        acting_user=admin,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
        instructors=[instructor],
    )
    badge_class = badge_class_create(course=published, acting_user=admin)
    learner = UserFactory(full_name="Amina Yusuf")
    enrollment = enrollment_create(offering=offering, learner=learner, acting_user=admin)
    for assessment in published.assessments.all():
        record_result(
            enrollment=enrollment,
            assessment=assessment,
            result="pass",
            acting_user=instructor,
            feedback="Clear and well argued.",
        )
    assertion, _ = assertion_issue(enrollment=enrollment)
    import_job = ImportJob.objects.create(
        kind=ImportJob.Kind.ENROLMENT,
        offering=offering,
        created_by=admin,
        file_name="learners.csv",
        status=ImportJob.Status.FAILED,
        errors=[{"line": 2, "message": "Line 2: “not-an-e-mail” is not an e-mail address."}],
    )
    _, vle_key, _ = vle_token_create(email="vle@example.org", unit=unit)
    centre = SimpleNamespace(
        unit=unit,
        other_unit=other_unit,
        dean=dean,
        users={
            "anonymous": None,
            "learner": learner,
            "instructor": instructor,
            "course_leader": leader,
            "dean": dean,
            "leads_admin": admin,
        },
        vle_key=vle_key,
        leader=leader,
        admin=admin,
        instructor=instructor,
        learner=learner,
        published=published,
        submitted=submitted,
        submission=submission,
        offering=offering,
        enrollment=enrollment,
        badge_class=badge_class,
        issuer=badge_class.issuer,
        assertion=assertion,
        import_job=import_job,
        evidence_assessment=published.assessments.order_by("pk").first(),
    )
    # A published pathway stacking the centre's badge, as the rows below add them.
    from badges.models import Pathway

    _add_pathways(centre, 1)
    centre.pathway = Pathway.objects.get()
    return centre


def clients_for(centre) -> dict[str, Client]:
    """A test client per role, signed in; ``vle`` sends the VLE's API token instead."""
    clients = {}
    for role, user in centre.users.items():
        client = Client(HTTP_ACCEPT=BROWSER_ACCEPT)
        if user is not None:
            client.force_login(user)
        clients[role] = client
    clients["vle"] = Client(
        HTTP_AUTHORIZATION=f"Token {centre.vle_key}", HTTP_ACCEPT="application/json"
    )
    clients["ob3_app"] = Client(
        HTTP_AUTHORIZATION=f"Bearer {_ob3_access_token(centre)}", HTTP_ACCEPT="application/json"
    )
    return clients


def _ob3_applications(k, *, label="Badge displayer"):
    """k applications registered for the Open Badges 3.0 API (their secrets not kept)."""
    from oauth2_provider.models import get_application_model

    Application = get_application_model()
    tag = uuid.uuid4().hex[:8]
    return Application.objects.bulk_create(
        Application(
            name=f"{label} {i + 1:04d}",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=f"https://app-{tag}-{i + 1}.example/callback",
            client_secret="",
            hash_client_secret=False,
        )
        for i in range(k)
    )


def _ob3_tokens(centre, applications, scope):
    """An access token of the centre's learner for each application, valid for an hour."""
    import secrets

    from oauth2_provider.models import get_access_token_model, get_refresh_token_model

    AccessToken = get_access_token_model()
    expires = timezone.now() + timedelta(hours=1)
    tokens = AccessToken.objects.bulk_create(
        AccessToken(
            user=centre.learner,
            application=a,
            token=secrets.token_urlsafe(32),
            expires=expires,
            scope=scope,
        )
        for a in applications
    )
    # Each connection also holds its refresh token, as the authorization code grant gives one.
    get_refresh_token_model().objects.bulk_create(
        get_refresh_token_model()(
            user=centre.learner, application=t.application, token=secrets.token_urlsafe(32),
            access_token=t,
        )
        for t in tokens
    )  # fmt: skip
    return tokens


def _ob3_access_token(centre) -> str:
    """The bearer token an application the learner connected reads the OB 3.0 API with."""
    from django.conf import settings

    if not hasattr(centre, "ob3_token"):
        (application,) = _ob3_applications(1, label="Learner's displayer")
        scope = settings.OB3_SCOPE + "credential.readonly"
        (token,) = _ob3_tokens(centre, [application], scope)
        centre.ob3_token = token.token
    return centre.ob3_token


# --- Rows: bulk-created copies of the centre's own rows -------------------------------------------

UNUSABLE_PASSWORD = make_password(None)


def _values(obj, *, exclude) -> dict:
    """The concrete field values of `obj` (foreign keys by id), but those named in `exclude`."""
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.name not in exclude
    }


def _people(k, label, **fields):
    from accounts.models import User

    tag = uuid.uuid4().hex[:8]
    return User.objects.bulk_create(
        User(
            email=f"{label.lower().replace(' ', '.')}.{tag}.{i + 1}@example.org",
            full_name=f"{label} {i + 1:04d}",
            password=UNUSABLE_PASSWORD,
            **fields,
        )
        for i in range(k)
    )


def _courses(centre, k, statuses, *, label="Course", plan=True):
    """k course versions (each its own lineage) cycling through `statuses`, copied from the
    published course, each with two outcomes, a content unit and a project assessing both."""
    from assessments.models import Assessment, RubricCriterion
    from courses.models import ContentUnit, Course, LearningOutcome

    template = _values(
        centre.published,
        exclude={"lineage", "version", "revision_of", "status", "title", "created_at"},
    )
    courses = Course.objects.bulk_create(
        Course(
            **template,
            lineage=uuid.uuid4(),
            version=1,
            status=statuses[i % len(statuses)],
            title=f"{label} {i + 1:04d}",
        )
        for i in range(k)
    )
    if not plan:
        return courses
    outcomes = LearningOutcome.objects.bulk_create(
        LearningOutcome(course=c, position=p, text=f"Apply skill {p + 1} of {c.title}.")
        for c in courses
        for p in range(2)
    )
    ContentUnit.objects.bulk_create(
        ContentUnit(course=c, position=0, title="Using school data") for c in courses
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(course=c, position=0, title="Improvement plan", kind="project") for c in courses
    )
    by_course = {}
    for outcome in outcomes:
        by_course.setdefault(outcome.course_id, []).append(outcome)
    RubricCriterion.objects.bulk_create(
        RubricCriterion(assessment=a, outcome=o, pass_description=f"Demonstrates: {o.text}")
        for a in assessments
        for o in by_course[a.course_id]
    )
    Assessment.outcomes.through.objects.bulk_create(
        Assessment.outcomes.through(assessment_id=a.pk, learningoutcome_id=o.pk)
        for a in assessments
        for o in by_course[a.course_id]
    )
    return courses


DECISION_OF = {
    "approved": "approved",
    "published": "approved",
    "retired": "approved",
    "changes_requested": "changes_requested",
    "rejected": "rejected",
}


def _submissions(centre, courses):
    """A signed submission of each course; a decision by the dean where its status says one was
    made."""
    from leads.models import Decision, Submission

    base = centre.submission
    today = timezone.localdate()
    submissions = Submission.objects.bulk_create(
        Submission(
            course=c,
            number=1,
            snapshot={**base.snapshot, "title": c.title},
            checklist=base.checklist,
            signed_name=centre.leader.full_name,
            signed_on=today,
            submitted_by=centre.leader,
        )
        for c in courses
    )
    Decision.objects.bulk_create(
        Decision(
            submission=s,
            outcome=DECISION_OF[c.status],
            comment="" if c.status != "changes_requested" else "Say more about the assessment.",
            decided_by=centre.dean,
        )
        for s, c in zip(submissions, courses, strict=True)
        if c.status in DECISION_OF
    )
    return submissions


def _offerings(centre, courses, *, upcoming=False, sessions=1):
    """An offering of each course (past, running or upcoming in turn, or all upcoming), taught
    by the centre's instructor, with in-person sessions."""
    from courses.models import Offering, OfferingSession

    today = timezone.localdate()
    starts = [-120, -10, 20] if not upcoming else [20]
    offerings = Offering.objects.bulk_create(
        Offering(
            course=c,
            title=f"Cohort {i + 1}",
            starts_on=today + timedelta(days=starts[i % len(starts)] + i % 7),
            ends_on=today + timedelta(days=starts[i % len(starts)] + i % 7 + 60),
            capacity=40 if i % 2 else None,
        )
        for i, c in enumerate(courses)
    )
    Offering.instructors.through.objects.bulk_create(
        Offering.instructors.through(offering_id=o.pk, user_id=centre.instructor.pk)
        for o in offerings
    )
    OfferingSession.objects.bulk_create(
        OfferingSession(
            offering=o,
            title=f"Workshop {s + 1}",
            place="AKU Karachi campus",
            starts_at=_at(o.starts_on + timedelta(days=7 * s), hour=9),
            ends_at=_at(o.starts_on + timedelta(days=7 * s), hour=12),
        )
        for o in offerings
        for s in range(sessions)
    )
    return offerings


def _at(day, *, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _enrolments(centre, pairs, *, completed=lambda i: True, confirmed=lambda i: False):
    """Enrolments of (offering, learner) pairs, completed and confirmed as the callables say,
    each with its current result in every assessment of its course (passed when completed)."""
    from assessments.models import Assessment, AssessmentRecord
    from courses.models import Enrollment

    now, today = timezone.now(), timezone.localdate()
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            offering=offering,
            learner=learner,
            student_id=f"S{i + 1:06d}",
            enrolled_by=centre.admin,
            completed_at=now if completed(i) else None,
            completion_confirmed_at=now if completed(i) and confirmed(i) else None,
            completion_confirmed_by=centre.leader if completed(i) and confirmed(i) else None,
        )
        for i, (offering, learner) in enumerate(pairs)
    )
    plans = {}
    for assessment in Assessment.objects.filter(
        course_id__in={o.course_id for o, _ in pairs}
    ).order_by("pk"):
        plans.setdefault(assessment.course_id, []).append(assessment)
    AssessmentRecord.objects.bulk_create(
        AssessmentRecord(
            enrollment=e,
            assessment=a,
            result="pass" if e.completed_at else "fail",
            score=70 if e.completed_at else 40,
            feedback="Clear and well argued.",
            evidence_url="https://vle.example/submissions/1",
            assessor=centre.instructor,
            assessed_on=today,
            source=AssessmentRecord.Source.GRID,
        )
        for e, (offering, _) in zip(enrollments, pairs, strict=True)
        for a in plans.get(offering.course_id, [])
    )
    return enrollments


def _badge_classes(centre, courses):
    from badges.models import BadgeClass

    template = _values(centre.badge_class, exclude={"course", "name", "created_at"})
    return BadgeClass.objects.bulk_create(
        BadgeClass(**template, id=uuid.uuid4(), course=c, name=f"{c.title} badge") for c in courses
    )


def _assertions(centre, enrollments, *, badge_classes=None, revoked=None, hidden=None):
    """Issued badges for these enrolments: copies of the centre's signed badge, each with its own
    recipient and its own entry in the status list. `revoked` and `hidden` pick rows by index."""
    from badges.models import Assertion

    base = centre.assertion
    template = _values(
        base,
        exclude={
            "enrollment", "recipient", "recipient_name", "recipient_email", "status_index",
            "revoked_at", "revocation_reason", "revoked_by", "hidden", "created_at",
        },
    )  # fmt: skip
    used = set(
        Assertion.objects.filter(status_list_id=base.status_list_id).values_list(
            "status_index", flat=True
        )
    )
    free = (i for i in range(131_071, -1, -1) if i not in used)
    now = timezone.now()
    revoked = revoked or (lambda i: False)
    hidden = hidden or (lambda i: False)
    rows = []
    for i, enrollment in enumerate(enrollments):
        learner = enrollment.learner
        row = Assertion(
            **template,
            id=uuid.uuid4(),
            enrollment=enrollment,
            recipient=learner,
            recipient_name=learner.full_name,
            recipient_email=learner.email,
            status_index=next(free) if base.status_list_id else None,
            hidden=hidden(i),
        )
        if badge_classes is not None:
            row.badge_class = badge_classes[i]
        row.issued_on = now - timedelta(days=i % 400)
        if revoked(i):
            row.revoked_at = now
            row.revocation_reason = "Plagiarised final project"
            row.revoked_by = centre.admin
        rows.append(row)
    return Assertion.objects.bulk_create(rows)


# --- Kinds of rows: what a page lists, and how to add more of it ----------------------------------


@dataclass(frozen=True)
class Rows:
    description: str  # what the page lists, in the centre's words
    count: Callable  # (centre) -> how many of them there are now
    add: Callable  # (centre, k) -> adds k more


def _add_published(centre, k):
    courses = _courses(centre, k, ["published"], label="Published course")
    _offerings(centre, courses[::2], upcoming=True)


def _add_leader_courses(centre, k):
    statuses = [
        "draft", "submitted", "changes_requested", "approved", "published", "retired", "rejected",
    ]  # fmt: skip
    courses = _courses(centre, k, statuses, label="Led course")
    _submissions(centre, [c for c in courses if c.status != "draft"])


def _add_awaiting(centre, k):
    _submissions(centre, _courses(centre, k, ["submitted"], label="Awaiting course"))


def _add_submissions(centre, k):
    statuses = ["submitted", "approved", "changes_requested", "rejected"]
    _submissions(centre, _courses(centre, k, statuses, label="Submitted course"))


def _add_decisions(centre, k):
    statuses = ["approved", "changes_requested", "rejected"]
    _submissions(centre, _courses(centre, k, statuses, label="Decided course"))


def _add_centre_courses(centre, k):
    courses = _courses(centre, k, ["approved", "published", "retired"], label="Centre course")
    _offerings(centre, courses)


def _add_offerings(centre, k):
    _offerings(centre, [centre.published] * k, sessions=2)


def _add_upcoming(centre, k):
    _offerings(centre, [centre.published] * k, upcoming=True, sessions=2)


def _add_roster(centre, k):
    """Learners in the centre's offering: two in three completed, half of those confirmed by
    the course leader, and every other completed one already holding the badge."""
    people = _people(k, "Roster learner")
    enrollments = _enrolments(
        centre,
        [(centre.offering, p) for p in people],
        completed=lambda i: i % 3 != 2,
        confirmed=lambda i: i % 2 == 0,
    )
    completed = [e for e in enrollments if e.completed_at]
    _assertions(centre, completed[::2])


def _add_history(centre, k):
    """Earlier results of the centre's learner in the first assessment (corrections keep them)."""
    from assessments.models import AssessmentRecord

    assessment = centre.published.assessments.order_by("pk").first()
    AssessmentRecord.objects.bulk_create(
        AssessmentRecord(
            enrollment=centre.enrollment,
            assessment=assessment,
            result="fail",
            score=30 + i % 30,
            feedback=f"Attempt {i + 1}: the plan needs measurable targets.",
            assessor=centre.instructor,
            assessed_on=timezone.localdate() - timedelta(days=k - i),
            is_current=False,
        )
        for i in range(k)
    )


def _learner_courses(centre, k, label):
    """k published courses, each with an offering the centre's learner is enrolled in."""
    courses = _courses(centre, k, ["published"], label=label)
    offerings = _offerings(centre, courses)
    return courses, offerings


def _add_my_enrolments(centre, k):
    _, offerings = _learner_courses(centre, k, "Learner course")
    _enrolments(centre, [(o, centre.learner) for o in offerings], completed=lambda i: i % 2 == 0)


def _add_my_badges(centre, k):
    courses, offerings = _learner_courses(centre, k, "Badge course")
    badges = _badge_classes(centre, courses)
    enrollments = _enrolments(centre, [(o, centre.learner) for o in offerings])
    _assertions(
        centre,
        enrollments,
        badge_classes=badges,
        revoked=lambda i: i % 5 == 4,
        hidden=lambda i: i % 4 == 3,
    )


def _add_public_badges(centre, k):
    courses, offerings = _learner_courses(centre, k, "Public badge course")
    badges = _badge_classes(centre, courses)
    enrollments = _enrolments(centre, [(o, centre.learner) for o in offerings])
    _assertions(centre, enrollments, badge_classes=badges)


def _add_badge_designs(centre, k):
    courses = _courses(centre, k, ["published"], label="Designed course")
    _badge_classes(centre, courses)
    _offerings(centre, courses)


def _add_pathways(centre, k):
    """Published pathways stacking the centre's badge (which its learner holds), each with its
    own badge design, as pathways.pathway_save makes them."""
    from badges.models import BadgeClass, Pathway, PathwayComponent

    template = _values(centre.badge_class, exclude={"course", "name", "created_at"})
    designs = BadgeClass.objects.bulk_create(
        BadgeClass(**template, id=uuid.uuid4(), course=None, name=f"Pathway {i + 1}")
        for i in range(k)
    )
    now = timezone.now()
    pathways = Pathway.objects.bulk_create(
        Pathway(
            name=design.name, description="A stack of micro-credentials.", badge_class=design,
            published_at=now, created_by=centre.admin,
        )
        for design in designs
    )  # fmt: skip
    PathwayComponent.objects.bulk_create(
        PathwayComponent(pathway=p, badge_class=centre.badge_class) for p in pathways
    )


def _course_badge_count(centre):
    from badges.models import BadgeClass

    return BadgeClass.objects.filter(course__isnull=False).count()


def _add_to_design(centre, k):
    _courses(centre, k, ["approved", "published"], label="Course to design")


def _add_issued(centre, k):
    """Badges issued in the centre's offering: some revoked, some hidden by their learner."""
    people = _people(k, "Badge holder")
    enrollments = _enrolments(centre, [(centre.offering, p) for p in people])
    _assertions(centre, enrollments, revoked=lambda i: i % 7 == 6, hidden=lambda i: i % 5 == 4)


def _add_import_jobs(kind, by):
    def add(centre, k):
        from courses.models import ImportJob

        ImportJob.objects.bulk_create(
            ImportJob(
                kind=kind,
                offering=centre.offering,
                created_by=getattr(centre, by),
                file_name=f"{kind}-{i + 1}.csv",
                status=ImportJob.Status.DONE,
                total=20,
                processed=20,
                summary={"created": 20},
            )
            for i in range(k)
        )

    return add


def _import_jobs(kind):
    def count(centre):
        from courses.models import ImportJob

        return ImportJob.objects.filter(offering=centre.offering, kind=kind).count()

    return count


def _add_import_errors(centre, k):
    job = centre.import_job
    job.refresh_from_db()
    start = len(job.errors)
    job.errors = job.errors + [
        {"line": start + i + 2, "message": f"Line {start + i + 2}: no name given."}
        for i in range(k)
    ]
    job.save(update_fields=["errors"])


def _import_errors(centre):
    from courses.models import ImportJob

    return len(ImportJob.objects.get(pk=centre.import_job.pk).errors)


def _add_members(centre, k):
    _people(k, "Faculty member", unit=centre.other_unit, is_instructor=True, is_learner=False)


def _add_units(centre, k):
    from accounts.models import Unit

    kinds = [kind for kind, _ in Unit.Kind.choices]
    Unit.objects.bulk_create(
        Unit(
            name=f"Department {uuid.uuid4().hex[:8]} {i + 1}",
            kind=kinds[i % len(kinds)],
            parent=centre.unit,
            dean=centre.dean,
        )
        for i in range(k)
    )


def _add_external_identities(centre, k):
    from accounts.tests.factories import UserFactory
    from sso.models import ExternalIdentity

    ExternalIdentity.objects.bulk_create(
        ExternalIdentity(
            user=UserFactory(), provider="university", subject=uuid.uuid4().hex, email=""
        )
        for _ in range(k)
    )


# --- Learners' evidence -----------------------------------------------------------------------


def _evidence_submissions(centre, enrollments, *, state, moderation="", attempts=None):
    """One submission per enrollment (or `attempts` of one enrollment: all but the last
    returned), each with a file item and, once judged, a first judgement by a second instructor
    on every criterion."""
    from assessments.models import RubricCriterion
    from evidence.models import (
        CriterionJudgement,
        EvidenceItem,
        EvidenceSubmission,
        Judgement,
        anonymous_code,
    )

    assessment = centre.published.assessments.order_by("pk").first()
    criteria = list(RubricCriterion.objects.filter(assessment=assessment))
    now = timezone.now()
    if attempts is not None:
        first = EvidenceSubmission.objects.filter(
            enrollment=enrollments[0], assessment=assessment
        ).count()
        rows = [(enrollments[0], first + i + 1, "returned") for i in range(attempts)]
    else:
        rows = [(e, 1, state) for e in enrollments]
    submissions = EvidenceSubmission.objects.bulk_create(
        EvidenceSubmission(
            enrollment=enrollment, assessment=assessment, attempt=attempt, submitted_at=now,
            state_changed_at=now, state=row_state, moderation=moderation, code=anonymous_code(),
            statement="My lesson plans, revised.",
        )
        for enrollment, attempt, row_state in rows
    )  # fmt: skip
    EvidenceItem.objects.bulk_create(
        EvidenceItem(
            submission=s, kind="file", title="Lesson plan", file=f"list-pages/{s.pk}.pdf",
            file_name="plan.pdf", file_kind="pdf", content_type="application/pdf", size=1000,
            sha256="0" * 64,
        )
        for s in submissions
    )  # fmt: skip
    judged = [s for s in submissions if s.state != "submitted"]
    judgements = Judgement.objects.bulk_create(
        Judgement(
            submission=s, stage="first", assessor=centre.second_assessor,
            result="rework" if s.state == "returned" else "pass", feedback="Add the plans.",
            judged_at=now,
        )
        for s in judged
    )  # fmt: skip
    CriterionJudgement.objects.bulk_create(
        CriterionJudgement(judgement=j, criterion=c, met=j.result == "pass", comment="See notes.")
        for j in judgements
        for c in criteria
    )
    return submissions


def _second_assessor(centre):
    from accounts.tests.factories import UserFactory

    if not hasattr(centre, "second_assessor"):
        centre.second_assessor = UserFactory(
            is_instructor=True, is_learner=False, full_name="Second Assessor"
        )
        centre.offering.instructors.add(centre.second_assessor)
    return centre.second_assessor


def _add_evidence_waiting(centre, k):
    _second_assessor(centre)
    people = _people(k, "Hand-in learner")
    enrollments = _enrolments(centre, [(centre.offering, p) for p in people],
                              completed=lambda i: False)  # fmt: skip
    _evidence_submissions(centre, enrollments, state="submitted")


def _add_evidence_awaiting(centre, k):
    _second_assessor(centre)
    people = _people(k, "Sampled learner")
    enrollments = _enrolments(centre, [(centre.offering, p) for p in people],
                              completed=lambda i: False)  # fmt: skip
    _evidence_submissions(centre, enrollments, state="in_review", moderation="awaiting")


def _add_evidence_referred(centre, k):
    _second_assessor(centre)
    people = _people(k, "Referred learner")
    enrollments = _enrolments(centre, [(centre.offering, p) for p in people],
                              completed=lambda i: False)  # fmt: skip
    _evidence_submissions(centre, enrollments, state="in_review", moderation="referred")


def _add_attempts(centre, k):
    _second_assessor(centre)
    _evidence_submissions(centre, [centre.enrollment], state="returned", attempts=k)


def _evidence_count(**filters):
    def count(centre):
        from evidence.models import EvidenceSubmission

        return EvidenceSubmission.objects.filter(
            enrollment__offering=centre.offering, **filters
        ).count()

    return count


def _attempts(centre):
    from evidence.models import EvidenceSubmission

    return EvidenceSubmission.objects.filter(enrollment=centre.enrollment).count()


def _add_assessments(centre, k):
    _courses(centre, k, ["draft"], label="Draft course")  # one assessment each


def _audit_entries(target_attribute, action):
    """Rows of audit entries about one object of the centre ("badge_class", "offering")."""

    def count(centre):
        from accounts.audit import audit_history

        return len(audit_history(getattr(centre, target_attribute), limit=None))

    def add(centre, k):
        from django.contrib.contenttypes.models import ContentType

        from accounts.models import AuditEntry

        target = getattr(centre, target_attribute)
        actors = [centre.admin, None, centre.leader]
        AuditEntry.objects.bulk_create(
            AuditEntry(
                actor=actors[i % len(actors)],
                action=action,
                target_type=ContentType.objects.get_for_model(target),
                target_id=str(target.pk),
                target_label=str(target),
                summary=f"Change {i + 1}.",
                changes={
                    "title": [f"Title {i}", f"Title {i + 1}"],
                    "starts_on": [None, "2027-01-01"],
                },
            )
            for i in range(k)
        )

    return count, add


def _model_count(label):
    def count(centre):
        from django.apps import apps

        return apps.get_model(label).objects.count()

    return count


def _count_courses(**filters):
    def count(centre):
        from courses.models import Course

        return Course.objects.filter(**filters).count()

    return count


def _roster(centre):
    from courses.models import Enrollment

    return Enrollment.objects.filter(offering=centre.offering).count()


def _history(centre):
    from assessments.models import AssessmentRecord

    return AssessmentRecord.objects.filter(enrollment=centre.enrollment).count()


def _my_enrolments(centre):
    from courses.models import Enrollment

    return Enrollment.objects.filter(learner=centre.learner).count()


def _my_badges(centre):
    from badges.models import Assertion

    return Assertion.objects.filter(recipient=centre.learner).count()


def _public_badges(centre):
    from badges.models import Assertion

    return Assertion.objects.filter(
        recipient=centre.learner, hidden=False, revoked_at__isnull=True
    ).count()


def _add_imported(centre, k):
    """Badges from other issuers the learner keeps (hosted elsewhere: "cannot be checked
    offline"), every third hidden from the profile; each its own file (its own SHA-256)."""
    import json

    from badges.models import ImportedBadge

    now = timezone.now()
    rows = []
    for i in range(k):
        text = json.dumps({
            "type": "Assertion", "id": f"https://badges.elsewhere.example/a/{uuid.uuid4()}",
            "badge": {"type": "BadgeClass", "name": f"Badge from elsewhere {i + 1:04d}"},
            "verification": {"type": "hosted"},
        })  # fmt: skip
        rows.append(
            ImportedBadge(
                owner=centre.learner,
                kind="json",
                filename=f"badge-{i + 1}.json",
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                name=f"Badge from elsewhere {i + 1:04d}",
                verdict="unverifiable",
                summary="Cannot be checked offline.",
                format="Open Badges 2.0 (hosted)",
                issuer_identifier="https://badges.elsewhere.example",
                checked_at=now,
                checks=[{"name": "Hosted record", "status": "unknown", "reason": "", "code": ""}],
                hidden_from_profile=i % 3 == 2,
            )  # fmt: skip
        )
    ImportedBadge.objects.bulk_create(rows)


def _imported(centre):
    from badges.models import ImportedBadge

    return ImportedBadge.objects.filter(owner=centre.learner).count()


def _awaiting(centre):
    from leads.selectors import awaiting_decision

    return awaiting_decision().filter(course__unit=centre.unit).count()


def _offering_count(centre):
    from courses.models import Offering

    return Offering.objects.filter(course=centre.published).count()


def _upcoming(centre):
    return centre.published.offerings.filter(starts_on__gt=timezone.localdate()).count()


def _to_design(centre):
    from badges.stats import courses_without_badge

    return courses_without_badge().count()


def _add_connected_apps(centre, k):
    from django.conf import settings

    scope = " ".join(settings.OAUTH2_PROVIDER["SCOPES"])
    _ob3_tokens(centre, _ob3_applications(k), scope)


def _connected_apps(centre):
    from badges.connected_apps import connected_applications

    return len(connected_applications(centre.learner))


def _members(centre):
    from accounts.models import User

    return User.objects.filter(unit=centre.other_unit).count()


ROWS = {
    "published_courses": Rows(
        "published courses", _count_courses(status="published"), _add_published
    ),
    "leader_courses": Rows(
        "courses of every status, all led by the course leader",
        _model_count("courses.Course"),
        _add_leader_courses,
    ),
    "awaiting": Rows("submissions awaiting the dean's decision", _awaiting, _add_awaiting),
    "submissions": Rows(
        "submissions, awaiting or decided", _model_count("leads.Submission"), _add_submissions
    ),
    "decisions": Rows("decisions on submissions", _model_count("leads.Decision"), _add_decisions),
    "centre_courses": Rows(
        "approved, published and retired courses, each with an offering",
        _count_courses(status__in=["approved", "published", "retired"]),
        _add_centre_courses,
    ),
    "offerings": Rows("offerings of the published course", _offering_count, _add_offerings),
    "upcoming_offerings": Rows(
        "upcoming offerings of the course, with their sessions", _upcoming, _add_upcoming
    ),
    "roster": Rows(
        "learners enrolled in the offering (results, confirmations, badges)", _roster, _add_roster
    ),
    "history": Rows("results recorded for one learner, corrections kept", _history, _add_history),
    "my_enrolments": Rows(
        "the learner's enrolments, each in another course", _my_enrolments, _add_my_enrolments
    ),
    "my_badges": Rows("the learner's badges, some revoked or hidden", _my_badges, _add_my_badges),
    "public_badges": Rows("the learner's public badges", _public_badges, _add_public_badges),
    "imported_badges": Rows(
        "the learner's badges from other issuers, some hidden from the profile",
        _imported,
        _add_imported,
    ),
    "badge_designs": Rows("badge designs, one per course", _course_badge_count, _add_badge_designs),
    "pathways": Rows(
        "published pathways, each started by the learner",
        _model_count("badges.Pathway"),
        _add_pathways,
    ),
    "to_design": Rows("approved courses without a badge design", _to_design, _add_to_design),
    "issued": Rows("issued badges, some revoked", _model_count("badges.Assertion"), _add_issued),
    "enrolment_imports": Rows(
        "enrolment imports into the offering",
        _import_jobs("enrolment"),
        _add_import_jobs("enrolment", "admin"),
    ),
    "results_imports": Rows(
        "results imports into the offering",
        _import_jobs("results"),
        _add_import_jobs("results", "instructor"),
    ),
    "import_errors": Rows("errors found in an import file", _import_errors, _add_import_errors),
    "connected_apps": Rows(
        "applications the learner connected to the Open Badges API, each with a token",
        _connected_apps,
        _add_connected_apps,
    ),
    "members": Rows("people of a unit", _members, _add_members),
    "external_identities": Rows(
        "people linked to an identity provider",
        _model_count("sso.ExternalIdentity"),
        _add_external_identities,
    ),
    "units": Rows(
        "units, each with its dean and parent", _model_count("accounts.Unit"), _add_units
    ),
    "assessments": Rows(
        "assessments, one per course", _model_count("assessments.Assessment"), _add_assessments
    ),
    "evidence_waiting": Rows(
        "work handed in and waiting in the offering, each with a file",
        _evidence_count(state="submitted"),
        _add_evidence_waiting,
    ),
    "evidence_awaiting": Rows(
        "judgements in the moderation sample, awaiting a second assessor",
        _evidence_count(moderation="awaiting"),
        _add_evidence_awaiting,
    ),
    "evidence_referred": Rows(
        "disagreements between assessors, referred to the course leader",
        _evidence_count(moderation="referred"),
        _add_evidence_referred,
    ),
    "attempts": Rows(
        "one learner's attempts at an assessment, each judged and returned",
        _attempts,
        _add_attempts,
    ),
    "badge_history": Rows(
        "changes recorded in the audit trail for the badge design",
        *_audit_entries("badge_class", "badge_class.edited"),
    ),
    "offering_history": Rows(
        "changes recorded in the audit trail for the offering",
        *_audit_entries("offering", "offering.changed"),
    ),
}


def populate(centre, n, kinds=None) -> None:
    """Make the centre hold exactly `n` rows of each kind in `kinds` (every kind by default)."""
    for kind in kinds or ROWS:
        rows = ROWS[kind]
        have = rows.count(centre)
        if have > n:
            raise ValueError(f"{kind}: the centre already has {have} rows, more than {n}")
        rows.add(centre, n - have)
        assert rows.count(centre) == n, f"{kind}: {rows.count(centre)} rows, not {n}"


# --- The catalogue of list pages ------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    url_key: str  # the URL pattern, as "namespace:name"
    # who opens it: a role of permission_matrix.ROLES, "vle" (an API token) or "ob3_app" (an
    # application the learner connected to the Open Badges 3.0 API, with its bearer token)
    role: str
    url: Callable  # (centre) -> the URL to request
    rows: str  # a key of ROWS: what the page lists

    @property
    def rows_description(self) -> str:
        return ROWS[self.rows].description


def _to(name, **kwargs):
    """A URL builder: kwargs are attribute paths on the centre ("offering.pk")."""

    def build(centre):
        values = {}
        for key, path in kwargs.items():
            value = centre
            for attribute in path.split("."):
                value = getattr(value, attribute)
            values[key] = str(value)
        return reverse(name, kwargs=values)

    return build


def _admin(model, query=""):
    def build(centre):
        url = reverse(f"admin:{model}_changelist")
        return url + (query.format(centre=centre) if query else "")

    return build


PAGES = [
    Page("Public catalogue", "home", "anonymous", _to("home"), "published_courses"),
    Page(
        "Course page (upcoming offerings)",
        "catalogue:course",
        "anonymous",
        _to("catalogue:course", lineage="published.lineage"),
        "upcoming_offerings",
    ),
    Page("My courses", "leads:my_courses", "course_leader", _to("leads:my_courses"),
         "leader_courses"),
    Page("Dean's review queue", "leads:review_queue", "dean", _to("leads:review_queue"),
         "awaiting"),
    Page("Every submission", "leads:all_submissions", "leads_admin",
         _to("leads:all_submissions"), "submissions"),
    Page("Courses to run", "courses:centre_courses", "leads_admin",
         _to("courses:centre_courses"), "centre_courses"),
    Page("Offerings (LEADS team)", "courses:offering_list", "leads_admin",
         _to("courses:offering_list"), "offerings"),
    Page("Offerings (instructor)", "courses:offering_list", "instructor",
         _to("courses:offering_list"), "offerings"),
    Page("Offering and its learners", "courses:offering_detail", "leads_admin",
         _to("courses:offering_detail", pk="offering.pk"), "roster"),
    Page("Offering (its history)", "courses:offering_detail", "leads_admin",
         _to("courses:offering_detail", pk="offering.pk"), "offering_history"),
    Page("Results grid", "assessments:grid", "instructor",
         _to("assessments:grid", pk="offering.pk"), "roster"),
    Page("Learner's record (instructor)", "assessments:learner_record", "instructor",
         _to("assessments:learner_record", pk="offering.pk", enrollment_pk="enrollment.pk"),
         "history"),
    Page("My learning", "assessments:my_learning", "learner", _to("assessments:my_learning"),
         "my_enrolments"),
    Page("My enrolment", "assessments:my_enrollment", "learner",
         _to("assessments:my_enrollment", pk="enrollment.pk"), "history"),
    Page("Backpack", "badges:backpack", "learner", _to("badges:backpack"), "my_badges"),
    Page("Learner record", "badges:learner_record", "learner", _to("badges:learner_record"),
         "my_badges"),
    Page("Learner record (signed CLR 2.0 download)", "badges:learner_record_clr", "learner",
         _to("badges:learner_record_clr"), "my_badges"),
    Page("Public profile", "badges:profile", "anonymous",
         _to("badges:profile", pk="learner.public_id"), "public_badges"),
    Page("Badges from other issuers", "imported:list", "learner", _to("imported:list"),
         "imported_badges"),
    Page("Public profile (badges from other issuers)", "badges:profile", "anonymous",
         _to("badges:profile", pk="learner.public_id"), "imported_badges"),
    Page("Issuer page (badges it awards)", "badges:issuer", "anonymous",
         _to("badges:issuer", pk="issuer.pk"), "badge_designs"),
    Page("Badge dashboard", "badge_admin:index", "leads_admin", _to("badge_admin:index"),
         "badge_designs"),
    Page("Badge designs", "badge_admin:designs", "leads_admin", _to("badge_admin:designs"),
         "badge_designs"),
    Page("Badge designs (courses to design)", "badge_admin:designs", "leads_admin",
         _to("badge_admin:designs"), "to_design"),
    Page("Badge design (its offerings)", "badge_admin:edit", "leads_admin",
         _to("badge_admin:edit", pk="badge_class.pk"), "offerings"),
    Page("Badge design (its history)", "badge_admin:edit", "leads_admin",
         _to("badge_admin:edit", pk="badge_class.pk"), "badge_history"),
    Page("Pathways (LEADS team)", "badge_admin:pathways", "leads_admin",
         _to("badge_admin:pathways"), "pathways"),
    Page("Pathway catalogue", "badges:pathways", "anonymous", _to("badges:pathways"), "pathways"),
    Page("My pathways", "badges:my_pathways", "learner", _to("badges:my_pathways"), "pathways"),
    Page("New pathway (badges to stack)", "badge_admin:pathway_new", "leads_admin",
         _to("badge_admin:pathway_new"), "badge_designs"),
    Page("Pathway (badges to stack)", "badge_admin:pathway_edit", "leads_admin",
         _to("badge_admin:pathway_edit", pk="pathway.pk"), "badge_designs"),
    Page("Issue badges from an offering", "badge_admin:offering", "leads_admin",
         _to("badge_admin:offering", offering_pk="offering.pk"), "roster"),
    Page("Issued badges", "badge_admin:list", "leads_admin", _to("badge_admin:list"), "issued"),
    Page("Issued badges CSV", "badge_admin:export", "leads_admin", _to("badge_admin:export"),
         "issued"),
    Page("Enrolment import (recent jobs)", "imports:enrolments", "leads_admin",
         _to("imports:enrolments", offering_pk="offering.pk"), "enrolment_imports"),
    Page("Results import (recent jobs)", "imports:results", "instructor",
         _to("imports:results", offering_pk="offering.pk"), "results_imports"),
    Page("Import job (its errors)", "imports:job", "leads_admin",
         _to("imports:job", job_id="import_job.pk"), "import_errors"),
    Page("Import errors CSV", "imports:job_errors", "leads_admin",
         _to("imports:job_errors", job_id="import_job.pk"), "import_errors"),
    Page("Connected applications", "ob3_api:connected_apps", "learner",
         _to("ob3_api:connected_apps"), "connected_apps"),
    Page("OB 3.0 API: the learner's credentials", "ob3_api:credentials", "ob3_app",
         _to("ob3_api:credentials"), "public_badges"),
    Page("API: offering enrolments", "api-offering-enrolments", "vle",
         _to("api-offering-enrolments", offering_id="offering.pk"), "roster"),
    Page("Admin: people (of a unit)", "admin:accounts_user_changelist", "leads_admin",
         _admin("accounts_user", "?unit__id__exact={centre.other_unit.pk}"), "members"),
    Page("Admin: linked identities", "admin:sso_externalidentity_changelist", "leads_admin",
         _admin("sso_externalidentity"), "external_identities"),
    Page("Admin: units", "admin:accounts_unit_changelist", "leads_admin",
         _admin("accounts_unit"), "units"),
    Page("Admin: courses", "admin:courses_course_changelist", "leads_admin",
         _admin("courses_course"), "leader_courses"),
    Page("Admin: offerings", "admin:courses_offering_changelist", "leads_admin",
         _admin("courses_offering"), "offerings"),
    Page("Admin: enrolments", "admin:courses_enrollment_changelist", "leads_admin",
         _admin("courses_enrollment"), "roster"),
    Page("Admin: assessments", "admin:assessments_assessment_changelist", "leads_admin",
         _admin("assessments_assessment"), "assessments"),
    Page("Admin: submissions", "admin:leads_submission_changelist", "leads_admin",
         _admin("leads_submission"), "submissions"),
    Page("Admin: decisions", "admin:leads_decision_changelist", "leads_admin",
         _admin("leads_decision"), "decisions"),
    Page("Admin: badge classes", "admin:badges_badgeclass_changelist", "leads_admin",
         _admin("badges_badgeclass"), "badge_designs"),
    Page("Admin: issued badges", "admin:badges_assertion_changelist", "leads_admin",
         _admin("badges_assertion"), "issued"),
    Page("Evidence to judge", "evidence:queue", "instructor",
         _to("evidence:queue", pk="offering.pk"), "evidence_waiting"),
    Page("Moderation queue", "evidence:moderation_queue", "leads_admin",
         _to("evidence:moderation_queue"), "evidence_awaiting"),
    Page("Referrals", "evidence:referrals", "course_leader", _to("evidence:referrals"),
         "evidence_referred"),
    Page("Hand in (earlier attempts)", "evidence:hand_in", "learner",
         _to("evidence:hand_in", enrollment_pk="enrollment.pk",
             assessment_pk="evidence_assessment.pk"), "attempts"),
    Page("Admin: OAuth applications", "admin:oauth2_provider_application_changelist",
         "leads_admin", _admin("oauth2_provider_application"), "connected_apps"),
    Page("Admin: OAuth access tokens", "admin:oauth2_provider_accesstoken_changelist",
         "leads_admin", _admin("oauth2_provider_accesstoken"), "connected_apps"),
    Page("Admin: OAuth refresh tokens", "admin:oauth2_provider_refreshtoken_changelist",
         "leads_admin", _admin("oauth2_provider_refreshtoken"), "connected_apps"),
    Page("Admin: evidence submissions", "admin:evidence_evidencesubmission_changelist",
         "leads_admin", _admin("evidence_evidencesubmission"), "evidence_waiting"),
    Page("Admin: judgements", "admin:evidence_judgement_changelist", "leads_admin",
         _admin("evidence_judgement"), "evidence_awaiting"),
    Page("Admin: audit trail (of a badge design)", "admin:accounts_auditentry_changelist",
         "leads_admin", _admin("accounts_auditentry", "?target_id={centre.badge_class.pk}"),
         "badge_history"),
]  # fmt: skip

# Every other URL pattern, and why it is not a list page. Keys as in permission_matrix.py.
URL_KEYS_EXCLUDED = {
    "health": "a fixed report on the database and cache",
    "sso:start": "a redirect to the identity provider",
    "sso:oidc_callback": "the provider's answer, then a redirect",
    "sso:saml_acs": "POST only",
    "sso:saml_done": "a redirect after signing in",
    "sso:saml_metadata": "one XML document",
    "sso:signed_out": "a redirect",
    "sso:identities": "one row per configured identity provider (the centre's few, not users')",
    "accounts:dashboard": "one panel per role the person holds; no rows",
    "leads:course_create": "a form",
    "leads:course_detail": "one course; its history grows only with its own resubmissions",
    "leads:course_section": "one section of one course (2 to 5 outcomes, by the guide's rules)",
    "leads:assessment_create": "a form",
    "leads:assessment_edit": "a form for one assessment",
    "leads:assessment_delete": "POST only",
    "leads:course_checklist": "the ten sections of the checklist: a fixed list",
    "leads:course_revise": "a confirmation for one course",
    "leads:submission_review": "one submission",
    "leads:submission_decide": "POST only",
    "leads:submission_pack": "a PDF of one submission",
    "imports:enrolments_template": "a CSV template with example rows, not data",
    "imports:results_template": "a CSV template with example rows, not data",
    "imports:job_status": "one job's progress as JSON",
    "badge_admin:design": "a form for one course's badge",
    "badge_admin:revoke": "a form for one badge",
    "badge_admin:pathway_publish": "a POST that publishes or withdraws one pathway",
    "badges:pathway": "one pathway and its badges (at most pathway_rules.MAX_BADGES, 30)",
    "badge_admin:job": "one batch's progress, kept in the cache (no rows)",
    "badge_admin:job_status": "one batch's progress as JSON, from the cache",
    "courses:course_publish": "a confirmation for one course",
    "courses:course_retire": "a form for one course",
    "courses:offering_create": "a form",
    "courses:offering_confirm": "POST only",
    "courses:offering_edit": "a form for one offering (its sessions: a handful)",
    "courses:enrollment_withdraw": "a form for one learner",
    "courses:enrollment_move": "a form for one learner; the course's offerings that have not ended",
    "badges:badge_class": "one badge; its outcomes come from a JSON field (no query per row)",
    "badges:badge_class_image": "an image",
    "badges:assertion": "one badge's verification page and JSON (not mine to change: the lead's)",
    "badges:assertion_image": "an image",
    "badges:assertion_qr": "an image",
    "badges:certificate": "a PDF of one badge",
    "badges:supplement": "a PDF of one badge",
    "badges:eu_context": "a fixed JSON-LD context",
    "badges:eu_schema": "a fixed JSON schema",
    "badges:verify": "a form",
    "badges:set_visibility": "POST only",
    "imported:download": "one imported badge's file",
    "imported:recheck": "POST only",
    "imported:visibility": "POST only",
    "imported:remove": "POST only",
    "badges:credential": "one signed credential",
    "badges:credential_image": "an image",
    "badges:edc": "one sealed European Digital Credential",
    "badges:edc_uploadable": "one European Digital Credential",
    "badges:issuer_keys": "the issuer's keys: grows only when a key is rotated, a few a year",
    "badges:status_list": "one status list of fixed size",
    "badges:eu_context_ob3": "a fixed JSON-LD context",
    "login": "a form",
    "logout": "POST only",
    "password_reset": "a form",
    "password_reset_done": "a message",
    "password_reset_confirm": "a form",
    "password_reset_complete": "a message",
    "password_change": "a form",
    "password_change_done": "a message",
    "api-results": "POST only",
    "api-verify": "POST only",
    "api-schema": "the OpenAPI schema: fixed",
    "ob3_api:discovery": "the service description document: fixed",
    "ob3_api:register": "POST only",
    "ob3_api:authorize": "a consent form for one application",
    "ob3_api:token": "POST only",
    "ob3_api:revoke": "POST only",
    "ob3_api:profile": "one learner's profile",
    "ob3_api:disconnect": "POST only",
    "api-docs": "the API's documentation page: fixed",
    "admin:auth_group_changelist": "groups are not used: roles are flags on the account",
    "admin:authtoken_tokenproxy_changelist": "one token per VLE service account: a handful",
    "admin:django_celery_beat_periodictask_changelist": "the beat schedule: a few fixed entries",
    "admin:django_celery_beat_clockedschedule_changelist": "the beat schedule: not used",
    "admin:django_celery_beat_crontabschedule_changelist": "the beat schedule: a few entries",
    "admin:django_celery_beat_solarschedule_changelist": "the beat schedule: not used",
    "admin:django_celery_beat_intervalschedule_changelist": "the beat schedule: a few entries",
    "admin:axes_accessattempt_changelist": "django-axes' sign-in log: flat rows, no relations",
    "admin:axes_accesslog_changelist": "django-axes' sign-in log: flat rows, no relations",
    "admin:axes_accessfailurelog_changelist": "django-axes' sign-in log: flat rows, no relations",
    "admin:oauth2_provider_grant_changelist": "authorization codes: each lives a minute, once",
    "admin:oauth2_provider_idtoken_changelist": "OpenID Connect is off: no ID tokens are issued",
    "admin:badges_issuer_changelist": "one issuer, the centre (the admin refuses a second)",
    "admin:evidence_extension_changelist": "extensions granted: flat rows, two relations shown",
    "admin:evidence_handinrules_changelist": "one row per offering and assessment, set by hand",
    "admin:evidence_moderationpolicy_changelist": "one row, the centre's sample",
    "evidence:decide": "one disagreement about one submission",
    "wallet:issuer_metadata": "a fixed JSON document",
    "wallet:authorization_server_metadata": "a fixed JSON document",
    "wallet:token": "POST only",
    "wallet:nonce": "POST only",
    "wallet:credential": "POST only",
    "wallet:add_to_wallet": "one badge's offer to a wallet",
    "wallet:lcw_offer": "POST only",
    "wallet:lcw_exchange": "POST only",
    "evidence:extension": "a form (its choices: the offering's learners, as on the grid)",
    "evidence:item_file": "a file download",
    "evidence:item_share": "POST only",
    "evidence:judge": "one submission; its earlier attempts as on the hand-in page",
    "evidence:moderate": "one submission",
    "evidence:policy": "a form; its figures are one statement per course with recent evidence",
    "evidence:prior_learning_apply": "one course: its outcomes and assessments (a handful)",
    "evidence:public_item": "a file download",
    "evidence:rules": "a form for one assessment of one offering",
}

# The Django admin's other patterns: one object, a form, or the admin's own pages.
ADMIN_NOT_A_LIST = re.compile(r"^admin(:|/)(?!.*_changelist$)")


def url_keys(resolver=None, prefix="", namespace=None):
    """Every URL pattern's key ("namespace:name", or the route for an unnamed pattern)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from url_keys(entry, route, inner)
        else:
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield name or route


# --- Counting -------------------------------------------------------------------------------------


def measure(client, url) -> tuple[int, int]:
    """(status code, number of queries) of one GET, with the cache empty; a streamed answer is
    read to its end inside the count."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    return response.status_code, len(captured)


def query_counts(n, centre=None, pages=None) -> dict[str, tuple[int, int]]:
    """{page name: (status code, queries)} with exactly `n` rows of what each page lists.

    Pages that list the same rows are counted together: the rows are added in a transaction
    (a savepoint inside a test) that is rolled back afterwards, so the centre is left as it was.
    Each page is requested once before its rows are added, so that what a process caches on
    its first request (content types, templates) is not counted at one size and not the other.
    """
    centre = centre or build_centre()
    pages = pages or PAGES
    clients = clients_for(centre)
    by_rows = {}
    for page in pages:
        by_rows.setdefault(page.rows, []).append(page)
    counts = {}
    for rows, group in by_rows.items():
        with transaction.atomic():
            for page in group:
                measure(clients[page.role], page.url(centre))
            populate(centre, n, kinds=[rows])
            for page in group:
                counts[page.name] = measure(clients[page.role], page.url(centre))
            transaction.set_rollback(True)
    return {page.name: counts[page.name] for page in pages}
