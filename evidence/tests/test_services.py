"""Handing in, judging against the rubric, moderation and retention (evidence.services)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.tests.factories import UserFactory
from assessments.models import AssessmentRecord
from badges.models import Assertion
from evidence.models import (
    EvidenceItem,
    EvidenceSubmission,
    Judgement,
    Moderation,
    SubmissionState,
)
from evidence.services import (
    HandInFile,
    HandInLink,
    HandInRefused,
    JudgementRefused,
    evidence_retention_sweep,
    extension_grant,
    hand_in_rules_set,
    submission_decide,
    submission_hand_in,
    submission_judge,
    submission_moderate,
)

from .factories import all_met, docx, enrolled, handed_in, offering_with_assessors, pdf, png

pytestmark = pytest.mark.django_db


def test_a_hand_in_stores_each_item_privately_with_its_fingerprint():
    offering, *_ = offering_with_assessors()
    enrollment = enrolled(offering)
    submission = handed_in(
        enrollment,
        files=[HandInFile(upload=png(), title="Lesson plan"), HandInFile(upload=docx())],
        statement="Five lesson plans with feedback incorporated.",
    )
    items = list(submission.items.all())
    assert [i.kind for i in items] == ["file", "file", "text"]
    assert items[0].title == "Lesson plan" and items[0].content_type == "image/png"
    assert items[1].file_kind == "office" and items[1].file_name == "reflection.docx"
    assert all(len(i.sha256) == 64 for i in items)
    # Stored under a random name in the private storage, never under the learner's name.
    assert "lesson-plan" not in items[0].file.name
    assert items[0].file.storage.exists(items[0].file.name)
    assert submission.state == SubmissionState.SUBMITTED and submission.attempt == 1


@pytest.mark.parametrize(
    "upload, message",
    [
        (pdf(name="essay.png"), "does not contain what its name says"),
        (png(name="photo.pdf"), "does not contain what its name says"),
        (pdf(name="page.html"), "not a kind of file this assessment accepts"),
        (pdf(name="notes.svg"), "not a kind of file this assessment accepts"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_stored(upload, message):
    offering, *_ = offering_with_assessors()
    enrollment = enrolled(offering)
    with pytest.raises(HandInRefused, match=message):
        handed_in(enrollment, files=[HandInFile(upload=png()), HandInFile(upload=upload)])
    assert not EvidenceSubmission.objects.exists() and not EvidenceItem.objects.exists()


def test_a_file_over_the_assessments_limit_and_over_the_quota_are_refused(settings):
    offering, first, _ = offering_with_assessors()
    assessment = offering.course.assessments.get()
    enrollment = enrolled(offering)
    hand_in_rules_set(
        offering=offering, assessment=assessment, acting_user=first,
        due_at=timezone.now() + timedelta(days=3), max_file_mb=1, file_kinds=["pdf"],
        anonymous_marking=False,
    )  # fmt: skip
    big = pdf(body=b"x" * (1024 * 1024 + 10))
    with pytest.raises(HandInRefused, match="up to 1 MB"):
        handed_in(enrollment, files=[HandInFile(upload=big)])
    with pytest.raises(HandInRefused, match="not a kind of file"):
        handed_in(enrollment, files=[HandInFile(upload=png())])
    settings.EVIDENCE_QUOTA_MB = 0
    with pytest.raises(HandInRefused, match="past your 0 MB limit"):
        handed_in(enrollment, files=[HandInFile(upload=pdf())])
    assert not EvidenceSubmission.objects.exists()


def test_after_the_deadline_only_an_extension_lets_a_learner_hand_in():
    offering, first, _ = offering_with_assessors()
    assessment = offering.course.assessments.get()
    enrollment = enrolled(offering)
    hand_in_rules_set(
        offering=offering, assessment=assessment, acting_user=first,
        due_at=timezone.now() - timedelta(hours=1), max_file_mb=20, file_kinds=["image"],
        anonymous_marking=False,
    )  # fmt: skip
    with pytest.raises(HandInRefused, match="Hand-in closed"):
        handed_in(enrollment)
    extension_grant(enrollment=enrollment, assessment=assessment, acting_user=first,
                    until=timezone.now() + timedelta(days=2), reason="Illness")  # fmt: skip
    submission = handed_in(enrollment)
    assert submission.late
    assert AuditEntry.objects.filter(action="evidence.extension").exists()


def test_only_the_learner_hands_in_and_only_once_at_a_time():
    offering, first, _ = offering_with_assessors()
    enrollment = enrolled(offering)
    with pytest.raises(PermissionDenied):
        submission_hand_in(enrollment=enrollment, assessment=offering.course.assessments.get(),
                           acting_user=first, statement="Not mine")  # fmt: skip
    handed_in(enrollment)
    with pytest.raises(HandInRefused, match="is being judged"):
        handed_in(enrollment)


def test_rework_keeps_every_attempt_and_a_pass_records_the_result_and_issues_the_badge(
    no_sample, django_capture_on_commit_callbacks
):
    offering, first, _ = offering_with_assessors()
    enrollment = enrolled(offering, full_name="Amina Yusuf")
    one = handed_in(enrollment, files=[HandInFile(upload=png(), public=True)])
    criteria = all_met(one, met=False)
    with django_capture_on_commit_callbacks(execute=True):
        submission_judge(submission=one, acting_user=first, criteria=criteria, result="rework",
                         feedback="Add the feedback you received.")  # fmt: skip
    one.refresh_from_db()
    assert one.state == SubmissionState.RETURNED and one.record is None
    (returned,) = [m for m in mail.outbox if m.subject.startswith("Returned for rework")]
    assert returned.to == [enrollment.learner.email] and "Dear Amina Yusuf" in returned.body

    two = handed_in(enrollment, files=[HandInFile(upload=pdf(), title="Revised plan",
                                                  public=True)])  # fmt: skip
    assert two.attempt == 2 and EvidenceSubmission.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        submission_judge(submission=two, acting_user=first, criteria=all_met(two), result="pass",
                         feedback="Well done.")  # fmt: skip
    two.refresh_from_db()
    assert two.state == SubmissionState.PASSED
    assert two.record.result == "pass" and two.record.source == AssessmentRecord.Source.SUBMISSION
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assertion = Assertion.objects.get(enrollment=enrollment)
    shared = [e for e in assertion.evidence if e.get("name") == "Revised plan"]
    assert shared and shared[0]["id"].endswith(f"/public/evidence/{two.items.get().pk}")
    assert two.items.get().sha256 in shared[0]["narrative"]
    # The first attempt is not what the badge rests on.
    assert not [e for e in assertion.evidence if e.get("name") == "lesson-plan.png"]


def test_an_item_the_learner_kept_private_is_named_with_its_hash_but_not_linked(no_sample):
    offering, first, _ = offering_with_assessors()
    enrollment = enrolled(offering)
    submission = handed_in(enrollment, files=[HandInFile(upload=pdf(), title="Plan")],
                           statement="My reflection")  # fmt: skip
    submission_judge(submission=submission, acting_user=first, criteria=all_met(submission),
                     result="pass")  # fmt: skip
    from badges.services import assertion_issue

    assertion, _ = assertion_issue(enrollment=enrollment)
    plan = next(e for e in assertion.evidence if e.get("name") == "Plan")
    assert "id" not in plan and submission.items.first().sha256 in plan["narrative"]
    assert plan["genre"] == "Document"


def test_a_pass_needs_every_criterion_met_and_every_criterion_judged(no_sample):
    offering, first, _ = offering_with_assessors(outcomes=2)
    submission = handed_in(enrolled(offering))
    criteria = all_met(submission)
    with pytest.raises(JudgementRefused, match="Every criterion is met"):
        submission_judge(submission=submission, acting_user=first, criteria=criteria,
                         result="rework")  # fmt: skip
    with pytest.raises(JudgementRefused, match="has no judgement"):
        submission_judge(submission=submission, acting_user=first, criteria={}, result="pass")
    assert not Judgement.objects.exists()


def test_an_assessor_of_another_offering_may_not_judge(no_sample):
    offering, *_ = offering_with_assessors()
    other, stranger, _ = offering_with_assessors()
    submission = handed_in(enrolled(offering))
    with pytest.raises(PermissionDenied):
        submission_judge(submission=submission, acting_user=stranger,
                         criteria=all_met(submission), result="pass")  # fmt: skip


def test_two_assessors_at_once_one_wins_and_the_other_is_told(no_sample):
    offering, first, second = offering_with_assessors()
    submission = handed_in(enrolled(offering))
    opened = submission.revision
    submission_judge(submission=submission, acting_user=first, criteria=all_met(submission),
                     result="pass", revision=opened)  # fmt: skip
    with pytest.raises(JudgementRefused, match="Imran Shah changed this submission"):
        submission_judge(
            submission=submission, acting_user=second, criteria=all_met(submission),
            result="rework", revision=opened,
        )  # fmt: skip
    assert Judgement.objects.count() == 1


def test_a_sampled_pass_waits_for_a_second_assessor_who_agrees(sample_all):
    offering, first, second = offering_with_assessors()
    enrollment = enrolled(offering)
    submission = handed_in(enrollment)
    submission_judge(submission=submission, acting_user=first, criteria=all_met(submission),
                     result="pass")  # fmt: skip
    submission.refresh_from_db()
    assert submission.state == SubmissionState.IN_REVIEW
    assert submission.moderation == Moderation.AWAITING and submission.record is None
    with pytest.raises(JudgementRefused, match="not the one who judged it first"):
        submission_moderate(submission=submission, acting_user=first,
                            criteria=all_met(submission), result="pass")  # fmt: skip
    submission_moderate(submission=submission, acting_user=second, criteria=all_met(submission),
                        result="pass")  # fmt: skip
    submission.refresh_from_db()
    assert submission.moderation == Moderation.AGREED and submission.state == "passed"
    assert submission.record.assessor == second  # who settled it, by agreeing
    assert AuditEntry.objects.filter(action="evidence.moderated").exists()


def test_a_disagreement_goes_to_the_course_leader_who_settles_it(
    sample_all, django_capture_on_commit_callbacks
):
    offering, first, second = offering_with_assessors()
    leader = offering.course.leader
    submission = handed_in(enrolled(offering))
    submission_judge(submission=submission, acting_user=first, criteria=all_met(submission),
                     result="pass")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        submission_moderate(submission=submission, acting_user=second,
                            criteria=all_met(submission, met=False), result="not_yet",
                            feedback="The plan has no assessment.")  # fmt: skip
    submission.refresh_from_db()
    assert submission.moderation == Moderation.REFERRED and submission.record is None
    (told,) = [m for m in mail.outbox if m.to == [leader.email]]
    assert f"/teach/referrals/{submission.pk}/" in told.body
    with pytest.raises(PermissionDenied):
        submission_decide(submission=submission, acting_user=second, result="pass",
                          reason="I changed my mind")  # fmt: skip
    with pytest.raises(JudgementRefused, match="Give the reason"):
        submission_decide(submission=submission, acting_user=leader, result="pass", reason=" ")
    submission_decide(submission=submission, acting_user=leader, result="not_yet",
                      reason="The rubric asks for an assessment in the plan.")  # fmt: skip
    submission.refresh_from_db()
    assert submission.moderation == Moderation.RESOLVED and submission.state == "not_yet"
    assert submission.record.result == "fail"
    assert AuditEntry.objects.filter(action="evidence.decided").exists()


def test_a_link_is_evidence_too_and_nothing_at_all_is_refused(no_sample):
    offering, *_ = offering_with_assessors()
    enrollment = enrolled(offering)
    with pytest.raises(HandInRefused, match="at least one file, link or written statement"):
        handed_in(enrollment, files=[])
    submission = submission_hand_in(
        enrollment=enrollment, assessment=offering.course.assessments.get(),
        acting_user=enrollment.learner,
        links=[HandInLink(url="https://video.example/lesson", title="Classroom video")],
    )  # fmt: skip
    assert submission.items.get().kind == "link"


def test_retention_removes_old_files_and_keeps_their_fingerprints(no_sample, settings):
    offering, first, _ = offering_with_assessors()
    submission = handed_in(enrolled(offering))
    item = submission.items.get()
    name = item.file.name
    settings.EVIDENCE_RETENTION_DAYS = 0
    later = timezone.now() + timedelta(days=40)
    # Never while it is still being judged, however old.
    assert evidence_retention_sweep(now=later) == 0
    submission_judge(submission=submission, acting_user=first, criteria=all_met(submission),
                     result="pass")  # fmt: skip
    settings.EVIDENCE_RETENTION_DAYS = 730
    assert evidence_retention_sweep() == 0
    settings.EVIDENCE_RETENTION_DAYS = 0
    later = timezone.now() + timedelta(days=40)
    assert evidence_retention_sweep(now=later) == 1
    item.refresh_from_db()
    assert item.removed_at and not item.file and item.sha256
    assert not item.file.storage.exists(name)
    assert evidence_retention_sweep(now=later) == 0


def test_each_assessor_hears_once_a_day_what_waits_for_them(sample_all):
    from evidence.notifications import assessor_digest_notify

    offering, first, second = offering_with_assessors()
    handed_in(enrolled(offering))
    judged = handed_in(enrolled(offering))
    submission_judge(submission=judged, acting_user=first, criteria=all_met(judged),
                     result="pass")  # fmt: skip
    mail.outbox.clear()
    assert assessor_digest_notify() == 2
    to_first = next(m for m in mail.outbox if m.to == [first.email])
    to_second = next(m for m in mail.outbox if m.to == [second.email])
    # Both see the new work; only the second may moderate the first assessor's judgement.
    assert "1 new submission to judge" in to_first.body and "moderate" not in to_first.body
    assert "1 judgement of another assessor to moderate" in to_second.body
    assert "/teach/moderation/" in to_second.body and "/teach/moderation/" not in to_first.body
    assert f"/teach/offerings/{offering.pk}/evidence/" in to_first.body
    assert assessor_digest_notify() == 0  # once a day
    assert assessor_digest_notify(now=timezone.now() + timedelta(days=3)) == 1  # the sample


# --- Rules that hold whoever asks ----------------------------------------------------------------


def test_nobody_judges_their_own_work_and_a_leader_who_judged_does_not_decide(sample_all):
    offering, first, second = offering_with_assessors()
    leader = offering.course.leader
    admin = UserFactory(is_leads_admin=True)
    own = handed_in(enrolled(offering))
    own.enrollment.learner = admin
    own.enrollment.save(update_fields=["learner"])  # a LEADS admin who handed in work
    with pytest.raises(PermissionDenied, match="own work"):
        submission_judge(submission=own, acting_user=admin, criteria=all_met(own), result="pass")
    offering.instructors.add(leader)
    work = handed_in(enrolled(offering))
    submission_judge(submission=work, acting_user=leader, criteria=all_met(work), result="pass")
    submission_moderate(submission=work, acting_user=second, result="not_yet",
                        criteria=all_met(work, met=False))  # fmt: skip
    with pytest.raises(JudgementRefused, match="the LEADS team settles"):
        submission_decide(submission=work, acting_user=leader, result="pass", reason="Mine.")
    submission_decide(submission=work, acting_user=admin, result="pass", reason="Plans meet it.")
    work.refresh_from_db()
    assert work.record.assessor == admin and work.state == "passed"


def test_moderation_settles_even_when_the_first_assessor_has_left_the_offering(sample_all):
    offering, first, second = offering_with_assessors()
    work = handed_in(enrolled(offering))
    submission_judge(submission=work, acting_user=first, criteria=all_met(work), result="pass")
    offering.instructors.remove(first)
    submission_moderate(submission=work, acting_user=second, criteria=all_met(work),
                        result="pass")  # fmt: skip
    work.refresh_from_db()
    assert work.state == "passed" and work.record.assessor == second


def test_a_withdrawn_learners_work_is_refused_by_its_code_and_leaves_the_queue(no_sample):
    from courses.services import enrollment_withdraw
    from courses.tests.factories import leads_admin
    from evidence.selectors import assessor_queue

    offering, first, _ = offering_with_assessors()
    enrollment = enrolled(offering, full_name="Zainab Qureshi")
    work = handed_in(enrollment)
    enrollment_withdraw(enrollment=enrollment, acting_user=leads_admin(), reason="Left.")
    with pytest.raises(JudgementRefused) as refused:
        submission_judge(submission=work, acting_user=first, criteria=all_met(work),
                         result="pass")  # fmt: skip
    assert work.code in str(refused.value) and "Zainab" not in str(refused.value)
    assert not assessor_queue(user=first, offering=offering).exists()


def test_under_anonymous_marking_a_file_is_titled_by_its_place_not_its_name():
    offering, first, _ = offering_with_assessors()
    assessment = offering.course.assessments.get()
    hand_in_rules_set(
        offering=offering, assessment=assessment, acting_user=first,
        due_at=timezone.now() + timedelta(days=3), max_file_mb=20, file_kinds=["image"],
        anonymous_marking=True,
    )  # fmt: skip
    work = handed_in(enrolled(offering), files=[HandInFile(upload=png(name="Zainab_plan.png"))])
    item = work.items.get()
    assert item.title == "File 1" and item.file_name == "Zainab_plan.png"


def test_a_link_that_is_not_a_web_address_is_refused_by_the_service_itself():
    offering, *_ = offering_with_assessors()
    enrollment = enrolled(offering)
    with pytest.raises(HandInRefused, match="not a web address"):
        submission_hand_in(
            enrollment=enrollment, assessment=offering.course.assessments.get(),
            acting_user=enrollment.learner, links=[HandInLink(url="javascript:alert(1)")],
        )  # fmt: skip
    assert not EvidenceSubmission.objects.exists()


def test_a_referral_reaches_the_leads_team_when_the_course_leader_has_left(
    sample_all, django_capture_on_commit_callbacks
):
    offering, first, second = offering_with_assessors()
    leader = offering.course.leader
    leader.is_active = False
    leader.save(update_fields=["is_active"])
    team = UserFactory(is_leads_admin=True)
    work = handed_in(enrolled(offering))
    submission_judge(submission=work, acting_user=first, criteria=all_met(work), result="pass")
    with django_capture_on_commit_callbacks(execute=True):
        submission_moderate(submission=work, acting_user=second, result="not_yet",
                            criteria=all_met(work, met=False))  # fmt: skip
    told = [m.to for m in mail.outbox if m.subject.startswith("Assessors disagree")]
    assert [team.email] in told and [leader.email] not in told


def test_an_extension_is_only_for_an_enrolled_learner_and_an_assessment_of_the_course():
    offering, first, _ = offering_with_assessors()
    other, *_ = offering_with_assessors()
    with pytest.raises(HandInRefused, match="not an assessment of this course"):
        extension_grant(enrollment=enrolled(offering), assessment=other.course.assessments.get(),
                        until=timezone.now() + timedelta(days=2), reason="Ill",
                        acting_user=first)  # fmt: skip
