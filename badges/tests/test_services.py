import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from accounts.tests.factories import UserFactory
from assessments.services import record_result
from assessments.tests.factories import assessment_plan
from badges.models import Assertion
from badges.openbadges.ob2 import hash_recipient
from badges.services import (
    IssueRefused,
    assertion_issue,
    assertion_revoke,
    assertions_issue_bulk,
    badge_class_create,
)
from courses.services import enrollments_confirm_completion
from courses.tests.factories import (
    enrolled_learners,
    leads_admin,
    published_course,
    running_offering,
)

pytestmark = pytest.mark.django_db


def cohort(n=2, *, issue_mode="automatic", design=True, **course_fields):
    admin = leads_admin()
    instructor = UserFactory(is_instructor=True, is_learner=False)
    course = published_course(
        outcomes=2, badge_issue_mode=issue_mode, badge_expiry_months=24, **course_fields
    )
    plan = assessment_plan(course)
    offering = running_offering(course=course, instructors=[instructor])
    badge = badge_class_create(course=course, acting_user=admin) if design else None
    return admin, instructor, plan, offering, badge, enrolled_learners(offering, n)


def complete(enrollment, plan, instructor):
    for assessment in plan:
        record_result(
            enrollment=enrollment, assessment=assessment, result="pass", acting_user=instructor,
            evidence_url="https://vle.example/s/1",
        )  # fmt: skip
    enrollment.refresh_from_db()


def test_the_badge_class_is_prefilled_from_the_approved_template():
    admin, _, _, offering, badge, _ = cohort()
    course = offering.course
    assert badge.name == course.title
    assert badge.ects_credits == course.credits
    assert [a["target_code"] for a in badge.alignments] == ["LO1", "LO2"]
    assert "Apply skill 1." in badge.criteria_narrative
    assert badge.image.read(8) == b"\x89PNG\r\n\x1a\n"
    assert badge_class_create(course=course, acting_user=admin) == badge


def test_completion_issues_the_badge_automatically_and_emails_the_learner(
    django_capture_on_commit_callbacks,
):
    _, instructor, plan, _, badge, (enrollment, _) = cohort()
    with django_capture_on_commit_callbacks(execute=True):
        complete(enrollment, plan, instructor)
    assertion = Assertion.objects.get(enrollment=enrollment)
    assert assertion.automatic and assertion.issued_by is None
    assert assertion.recipient_hash == hash_recipient(enrollment.learner.email, assertion.salt)
    assert assertion.expires_on is not None
    assert [e["name"] for e in assertion.evidence] == ["Task 1", "Task 2"]
    assert mail.outbox[-1].to == [enrollment.learner.email]
    assert badge.message in mail.outbox[-1].body
    # Greeted by name, never by a title alone ("Hello Dr,").
    assert mail.outbox[-1].body.startswith(f"Dear {enrollment.learner.full_name},")


def test_a_cohorts_badge_emails_name_each_learner_and_issuer_in_a_fixed_number_of_reads():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from badges.notifications import badge_issued_notify

    admin, instructor, plan, offering, badge, enrollments = cohort(6, issue_mode="manual")
    for enrollment in enrollments:
        complete(enrollment, plan, instructor)
    ids = [e.pk for e in enrollments]
    enrollments_confirm_completion(offering=offering, enrollment_ids=ids, acting_user=admin)
    assertions_issue_bulk(enrollment_ids=ids, acting_user=admin)
    mail.outbox.clear()
    assertion_ids = list(Assertion.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        assert badge_issued_notify(assertion_ids=assertion_ids) == 6
    # Reads: the same for 6 learners as for 1,000 (the badges, and which were e-mailed already).
    # Writes: each e-mail's delivery record, in the transaction that sends it, so that a retry
    # after a mail-server failure sends nothing twice (accounts.side_effects.emails_send_once).
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 2, reads
    assert len(queries) - len(reads) <= 3 * 6  # per e-mail: savepoint, insert, release
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.learner.email for e in enrollments)
    assert all(badge.issuer.name in m.body for m in mail.outbox)


def test_feedback_pasted_with_a_control_character_still_gets_a_signed_badge(
    django_capture_on_commit_callbacks,
):
    admin, instructor, plan, _, _, (enrollment, _) = cohort()
    with django_capture_on_commit_callbacks(execute=True):
        for assessment in plan:
            record_result(
                enrollment=enrollment, assessment=assessment, result="pass",
                acting_user=instructor, feedback="Clear analysis.\x0bWell referenced.",
            )  # fmt: skip
    assertion = Assertion.objects.get(enrollment=enrollment)
    assert assertion.credential_json and "\\u000b" not in assertion.credential_json
    assert "Clear analysis. Well referenced." in assertion.evidence[0]["narrative"]


def test_a_credential_that_cannot_be_signed_holds_back_only_its_own_learner(monkeypatch):
    from badges import signing

    admin, instructor, plan, offering, _, enrollments = cohort(3, issue_mode="manual")
    for enrollment in enrollments:
        complete(enrollment, plan, instructor)
    ids = [e.pk for e in enrollments]
    enrollments_confirm_completion(offering=offering, enrollment_ids=ids, acting_user=admin)
    sign, calls = signing.Signer.sign, []

    def the_second_does_not_verify(self, document, **kwargs):
        calls.append(document["id"])
        if len(calls) == 2:
            raise signing.CredentialNotVerified("it does not verify")
        return sign(self, document, **kwargs)

    monkeypatch.setattr(signing.Signer, "sign", the_second_does_not_verify)
    result = assertions_issue_bulk(enrollment_ids=ids, acting_user=admin)
    assert result["issued"] == 2
    ((held_back, reason),) = result["skipped"]
    assert "could not be signed" in reason
    assert not Assertion.objects.filter(enrollment_id=held_back).exists()
    assert Assertion.objects.exclude(credential_json="").count() == 2


def test_issuing_twice_returns_the_same_badge():
    admin, instructor, plan, _, _, (enrollment, _) = cohort(issue_mode="manual")
    complete(enrollment, plan, instructor)
    first, created = assertion_issue(
        enrollment=enrollment, acting_user=admin, override_reason="Leader away; confirmed by phone"
    )
    again, created_again = assertion_issue(enrollment=enrollment, acting_user=admin)
    assert (created, created_again) == (True, False)
    assert first == again
    assert Assertion.objects.count() == 1


def test_manual_badges_need_the_leaders_confirmation_or_a_recorded_override():
    admin, instructor, plan, offering, _, (done, not_done) = cohort(issue_mode="manual")
    complete(done, plan, instructor)
    with pytest.raises(IssueRefused, match="has not confirmed"):
        assertion_issue(enrollment=done, acting_user=admin)
    with pytest.raises(IssueRefused, match="has not completed"):
        assertion_issue(enrollment=not_done, acting_user=admin)
    enrollments_confirm_completion(
        offering=offering, enrollment_ids=[done.pk], acting_user=offering.course.leader
    )
    assertion, _ = assertion_issue(enrollment=done, acting_user=admin)
    overridden, _ = assertion_issue(
        enrollment=not_done, acting_user=admin, override_reason="Assessed outside the VLE"
    )
    assert overridden.override_reason == "Assessed outside the VLE"
    assert Assertion.objects.count() == 2


def test_only_the_leads_team_issues_and_revokes_by_hand():
    _, instructor, plan, _, _, (enrollment, _) = cohort(issue_mode="manual")
    complete(enrollment, plan, instructor)
    with pytest.raises(PermissionDenied):
        assertion_issue(enrollment=enrollment, acting_user=instructor, override_reason="x")


def test_revoking_needs_a_reason_and_keeps_the_record():
    admin, instructor, plan, _, _, (enrollment, _) = cohort()
    complete(enrollment, plan, instructor)
    assertion, _ = assertion_issue(enrollment=enrollment)
    with pytest.raises(IssueRefused, match="reason"):
        assertion_revoke(assertion=assertion, acting_user=admin, reason=" ")
    assertion.refresh_from_db()
    assert assertion.revoked_at is None
    assertion_revoke(assertion=assertion, acting_user=admin, reason="Plagiarised project")
    assertion.refresh_from_db()
    assert assertion.revocation_reason == "Plagiarised project"
    assert Assertion.objects.count() == 1


def test_bulk_issuance_issues_each_eligible_learner_once():
    admin, instructor, plan, offering, _, enrollments = cohort(n=5, issue_mode="manual")
    for enrollment in enrollments[:4]:
        complete(enrollment, plan, instructor)
    enrollments_confirm_completion(
        offering=offering, enrollment_ids=[e.pk for e in enrollments[:3]],
        acting_user=offering.course.leader,
    )  # fmt: skip
    ids = [e.pk for e in enrollments]
    result = assertions_issue_bulk(enrollment_ids=ids, acting_user=admin)
    assert result["issued"] == 3 and len(result["skipped"]) == 2
    again = assertions_issue_bulk(enrollment_ids=ids, acting_user=admin)
    assert again["issued"] == 0 and again["already"] == 3
    assert Assertion.objects.count() == 3


def test_a_course_without_a_badge_design_issues_nothing_until_it_has_one():
    _, instructor, plan, offering, _, (enrollment, _) = cohort(design=False)
    complete(enrollment, plan, instructor)
    assert not Assertion.objects.exists()
    from badges.tasks import sweep_unissued_badges

    badge_class_create(course=offering.course, acting_user=leads_admin())
    assert sweep_unissued_badges() == 1
    assert sweep_unissued_badges() == 0


@pytest.mark.django_db(transaction=True)
def test_a_manual_badge_is_never_issued_on_completion_alone():
    _, instructor, plan, _, _, (enrollment, _) = cohort(issue_mode="manual")
    from badges.tests.test_tasks import complete_committed

    complete_committed(enrollment, plan, instructor)  # commits: the signal and task do run
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert not Assertion.objects.exists()
