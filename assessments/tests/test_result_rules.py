"""Results and badges only within the offering's dates, for learners still in it, recorded by
people the service itself lets act (issue 13; STYLE.md rule 13: no flag turns the check off)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.api_tokens import vle_token_create
from accounts.tests.factories import UserFactory
from assessments.models import AssessmentRecord
from assessments.services import RecordRefused, ResultEntry, record_result, results_record
from badges.services import IssueRefused, assertion_issue, assertions_issue_bulk
from badges.tests.factories import badge_course, complete
from courses.models import Enrollment
from courses.services import (
    EnrollmentRefused,
    enrollment_move,
    enrollment_withdraw,
    offering_create,
)
from courses.tests.factories import enrolled_learners, leads_admin, running_offering

pytestmark = pytest.mark.django_db

TODAY = date.today()


@pytest.fixture
def cohort():
    course, plan, offering, instructor, badge = badge_course()
    (enrollment,) = enrolled_learners(offering, 1)
    return instructor, plan, offering, enrollment


@pytest.fixture
def upcoming(cohort):
    instructor, plan, offering, _ = cohort
    later = offering_create(
        course=offering.course, acting_user=leads_admin(), title="Spring 2027 cohort",
        starts_on=TODAY + timedelta(days=30), ends_on=TODAY + timedelta(days=90),
        instructors=[instructor],
    )  # fmt: skip
    (enrollment,) = enrolled_learners(later, 1)
    return later, enrollment


def recorded():
    return list(AssessmentRecord.objects.values_list("pk", "is_current").order_by("pk"))


def states():
    return recorded(), list(Enrollment.objects.values_list("pk", "completed_at").order_by("pk"))


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (TODAY - timedelta(days=8), "before this cohort started"),
        (TODAY + timedelta(days=1), "cannot be in the future"),
    ],
)
def test_a_result_dated_outside_the_offering_is_refused_and_changes_nothing(cohort, day, message):
    instructor, plan, _, enrollment = cohort
    before = states()
    with pytest.raises(RecordRefused, match=message):
        record_result(enrollment=enrollment, assessment=plan[0], result="pass",
                      acting_user=instructor, assessed_on=day)  # fmt: skip
    assert states() == before


def test_results_from_the_first_day_to_today_are_accepted(cohort):
    instructor, plan, offering, enrollment = cohort
    record_result(enrollment=enrollment, assessment=plan[0], result="pass",
                  acting_user=instructor, assessed_on=offering.starts_on)  # fmt: skip
    record_result(enrollment=enrollment, assessment=plan[1], result="pass", acting_user=instructor)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None


def test_no_result_is_recorded_for_a_cohort_that_has_not_started(cohort, upcoming):
    instructor, plan, _, _ = cohort
    later, enrollment = upcoming
    before = states()
    with pytest.raises(RecordRefused, match="This cohort starts on .*from that day"):
        record_result(enrollment=enrollment, assessment=plan[0], result="pass",
                      acting_user=instructor)  # fmt: skip
    assert states() == before


def test_a_withdrawn_learner_gets_no_results(cohort):
    instructor, plan, _, enrollment = cohort
    enrollment_withdraw(enrollment=enrollment, acting_user=leads_admin(), reason="Left.")
    with pytest.raises(RecordRefused, match="was withdrawn"):
        record_result(enrollment=enrollment, assessment=plan[0], result="pass",
                      acting_user=instructor)  # fmt: skip
    assert not recorded()


@pytest.mark.parametrize(
    "who", ["another instructor", "another course's leader", "learner", "unit token"]
)
def test_the_service_checks_who_may_record(cohort, who):
    instructor, plan, offering, enrollment = cohort
    person = {
        "another instructor": lambda: UserFactory(is_instructor=True),
        "another course's leader": lambda: UserFactory(is_course_leader=True),
        "learner": lambda: enrollment.learner,
        # A VLE account of another unit: its token's scope does not reach this course.
        "unit token": lambda: vle_token_create(email="vle@other.example", unit=_other_unit())[0],
    }[who]()
    with pytest.raises(PermissionDenied):
        record_result(enrollment=enrollment, assessment=plan[0], result="pass", acting_user=person)
    assert not recorded()


def _other_unit():
    from accounts.tests.factories import UnitFactory

    return UnitFactory()


def test_the_vle_account_of_the_courses_unit_and_the_leads_team_may_record(cohort):
    _, plan, offering, enrollment = cohort
    vle, _, _ = vle_token_create(email="vle@unit.example", unit=offering.course.unit)
    record_result(enrollment=enrollment, assessment=plan[0], result="pass", acting_user=vle)
    record_result(enrollment=enrollment, assessment=plan[1], result="pass",
                  acting_user=leads_admin())  # fmt: skip
    assert len(recorded()) == 2


def test_a_batch_asks_who_may_act_once_whatever_its_size(cohort):
    instructor, plan, offering, _ = cohort
    small = running_offering(course=offering.course, instructors=[instructor])
    few, many = enrolled_learners(small, 2), enrolled_learners(offering, 8)

    def cost(target, enrollments):
        entries = [
            ResultEntry(enrollment=e, assessment=plan[0], result="fail") for e in enrollments
        ]
        with CaptureQueriesContext(connection) as queries:
            results_record(offering=target, acting_user=instructor, entries=entries)
        return len(queries), sum("auth_token" in q["sql"] or "offering_instructors" in q["sql"]
                                 for q in queries.captured_queries)  # fmt: skip

    (few_cost, few_checks), (many_cost, many_checks) = cost(small, few), cost(offering, many)
    assert few_checks == many_checks == 1  # who may act: asked once per call, not per entry
    assert many_cost > few_cost  # (the writes themselves are per entry)


def test_a_refused_entry_in_a_batch_writes_nothing_and_names_the_entry(cohort):
    instructor, plan, offering, enrollment = cohort
    (other,) = enrolled_learners(offering, 1)
    enrollment_withdraw(enrollment=other, acting_user=leads_admin(), reason="Left.")
    entries = [ResultEntry(enrollment=enrollment, assessment=plan[0], result="pass"),
               ResultEntry(enrollment=other, assessment=plan[0], result="pass")]  # fmt: skip
    with pytest.raises(RecordRefused) as refused:
        results_record(offering=offering, acting_user=instructor, entries=entries)
    assert refused.value.index == 1
    assert not recorded()


# --- Badges --------------------------------------------------------------------------------------


def test_no_badge_for_a_cohort_that_has_not_started_even_with_a_reason(cohort, upcoming):
    _, enrollment = upcoming
    with pytest.raises(IssueRefused, match="starts on .*no badge is issued") as refused:
        assertion_issue(enrollment=enrollment, acting_user=leads_admin(), override_reason="VIP")
    assert "Give a reason" not in str(refused.value)
    result = assertions_issue_bulk(enrollment_ids=[enrollment.pk], acting_user=leads_admin())
    assert not Enrollment.objects.filter(assertion__isnull=False).exists(), result


def test_no_badge_for_a_withdrawn_learner(cohort):
    instructor, plan, _, enrollment = cohort
    complete(enrollment, plan, instructor)
    enrollment_withdraw(enrollment=enrollment, acting_user=leads_admin(), reason="Left.")
    with pytest.raises(IssueRefused, match="was withdrawn"):
        assertion_issue(enrollment=enrollment, acting_user=leads_admin(), override_reason="x")
    assertions_issue_bulk(enrollment_ids=[enrollment.pk])
    assert not Enrollment.objects.filter(assertion__isnull=False).exists()


def test_a_withdrawal_keeps_an_issued_badge_and_a_move_is_refused(cohort):
    instructor, plan, offering, enrollment = cohort
    complete(enrollment, plan, instructor)
    assertion, _ = assertion_issue(enrollment=enrollment, acting_user=leads_admin())
    later = running_offering(course=offering.course)
    with pytest.raises(EnrollmentRefused, match="holds this offering's badge"):
        enrollment_move(enrollment=enrollment, to_offering=later, acting_user=leads_admin())
    assert not Enrollment.objects.filter(offering=later).exists()
    enrollment_withdraw(enrollment=enrollment, acting_user=leads_admin(), reason="Left.")
    assertion.refresh_from_db()
    assert assertion.revoked_at is None and assertion.enrollment_id == enrollment.pk


# --- The pages ---------------------------------------------------------------------------------


def test_the_grid_and_the_form_say_the_cohort_has_not_started(client, cohort, upcoming):
    instructor, plan, _, _ = cohort
    later, enrollment = upcoming
    client.force_login(instructor)
    grid = reverse("assessments:grid", args=[later.pk])
    assert "results are recorded from that day" in client.get(grid).content.decode()
    page = client.post(grid, {f"r_{enrollment.pk}_{plan[0].pk}": "pass"}).content.decode()
    assert "Nothing was recorded. This cohort starts on" in page
    form = reverse("assessments:learner_record", args=[later.pk, enrollment.pk])
    page = client.post(
        form, {"assessment": plan[0].pk, "result": "pass", "assessed_on": TODAY.isoformat()}
    ).content.decode()
    assert "before this cohort started" in page
    assert not recorded()


def test_the_per_learner_form_shows_todays_date_within_the_offering(client, cohort):
    instructor, _, offering, enrollment = cohort
    client.force_login(instructor)
    page = client.get(
        reverse("assessments:learner_record", args=[offering.pk, enrollment.pk])
    ).content.decode()
    assert f'value="{TODAY.isoformat()}"' in page
    assert f'min="{offering.starts_on.isoformat()}"' in page


def test_withdrawn_learners_leave_the_grid(client, cohort):
    instructor, _, offering, enrollment = cohort
    enrollment_withdraw(enrollment=enrollment, acting_user=leads_admin(), reason="Left.")
    client.force_login(instructor)
    page = client.get(reverse("assessments:grid", args=[offering.pk])).content.decode()
    assert enrollment.learner.full_name not in page


def test_a_results_file_for_a_cohort_not_started_is_refused(cohort, upcoming):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from courses.imports import import_job_create, import_job_run
    from courses.models import ImportJob

    instructor, _, _, _ = cohort
    later, enrollment = upcoming
    content = f"email,assessment,result\n{enrollment.learner.email},Task 1,pass\n".encode()
    job = import_job_create(
        kind=ImportJob.Kind.RESULTS.value, offering=later, acting_user=instructor,
        upload=SimpleUploadedFile("r.csv", content),
    )  # fmt: skip
    assert import_job_run(job_id=job.pk) == ImportJob.Status.FAILED
    job.refresh_from_db()
    assert "This cohort starts on" in job.errors[0]["message"]
    assert not recorded()
