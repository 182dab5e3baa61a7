"""Learners' evidence pages: handing in, sharing, downloads, the public link a badge names, and
applying by recognition of prior learning (evidence.views_learner)."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from badges.models import Assertion
from courses.models import Enrollment, OfferingKind
from courses.services import offering_create
from courses.tests.factories import leads_admin
from evidence.models import EvidenceItem, EvidenceSubmission
from evidence.services import (
    HandInFile,
    hand_in_rules_set,
    submission_judge,
)

from .factories import all_met, docx, enrolled, handed_in, offering_with_assessors, pdf, png

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def hand_in_url(enrollment, assessment=None):
    assessment = assessment or enrollment.offering.course.assessments.first()
    return reverse("evidence:hand_in", args=[enrollment.pk, assessment.pk])


def test_a_learner_hands_in_files_a_link_and_a_statement_and_sees_the_attempt():
    offering, *_ = offering_with_assessors()
    enrollment = enrolled(offering)
    client = signed_in(enrollment.learner)
    page = client.get(hand_in_url(enrollment))
    assert page.status_code == 200
    body = page.content.decode()
    assert "LO1" in body and 'enctype="multipart/form-data"' in body
    assert 'accept=".docx,.gif,.jpeg,.jpg' in body

    response = client.post(
        hand_in_url(enrollment),
        {
            "statement": "Five lesson plans with the feedback I received.",
            "file_1": png(),
            "file_1_title": "Lesson plan",
            "file_1_public": "on",
            "file_2": docx(),
            "link_1_url": "https://video.example.org/lesson",
            "link_1_title": "Recording of the lesson",
        },
    )
    assert response.status_code == 302 and response["Location"] == hand_in_url(enrollment)
    submission = EvidenceSubmission.objects.get()
    items = list(submission.items.all())
    assert [i.kind for i in items] == ["file", "file", "link", "text"]
    assert items[0].title == "Lesson plan" and items[0].public
    assert not items[1].public and items[2].url == "https://video.example.org/lesson"

    page = client.get(hand_in_url(enrollment)).content.decode()
    assert "Handed in: attempt 1" in page
    assert "Attempt 1: Submitted" in page
    assert reverse("evidence:item_file", args=[items[0].pk]) in page
    assert "Recording of the lesson" in page and "Five lesson plans" in page
    # One attempt at a time: no form while it is being judged.
    assert "is being judged" in page and 'name="file_1"' not in page


def test_a_wrong_type_of_file_is_refused_with_the_reason_and_nothing_is_stored():
    offering, *_ = offering_with_assessors()
    enrollment = enrolled(offering)
    client = signed_in(enrollment.learner)
    response = client.post(
        hand_in_url(enrollment),
        {
            "statement": "My reflection, typed carefully.",
            "file_1": pdf(name="essay.png"),
            "link_1_url": "https://example.org/portfolio",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body and 'id="error-summary"' in body
    assert "does not contain what its name says" in body
    assert "My reflection, typed carefully." in body
    assert 'value="https://example.org/portfolio"' in body
    assert "choose them again" in body
    assert not EvidenceSubmission.objects.exists() and not EvidenceItem.objects.exists()


def test_a_body_larger_than_the_assessment_allows_is_stopped_and_nothing_is_stored():
    offering, first, _ = offering_with_assessors()
    assessment = offering.course.assessments.first()
    hand_in_rules_set(
        offering=offering, assessment=assessment, acting_user=first,
        due_at=timezone.now() + timedelta(days=3), max_file_mb=1, file_kinds=["pdf"],
        anonymous_marking=False,
    )  # fmt: skip
    enrollment = enrolled(offering)
    client = signed_in(enrollment.learner)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (7 * 1024 * 1024))
    response = client.post(
        hand_in_url(enrollment), {"statement": "Kept when refused.", "file_1": big}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "larger than this assessment allows" in body and "Kept when refused." in body
    assert not EvidenceSubmission.objects.exists()


def test_another_learner_gets_404_on_the_page_the_file_and_the_share_toggle():
    offering, *_ = offering_with_assessors()
    enrollment = enrolled(offering)
    submission = handed_in(enrollment)
    item = submission.items.get()
    other = signed_in(enrolled(offering).learner)
    assert other.get(hand_in_url(enrollment)).status_code == 404
    assert other.post(hand_in_url(enrollment), {"statement": "Mine now"}).status_code == 404
    assert other.get(reverse("evidence:item_file", args=[item.pk])).status_code == 404
    share = other.post(reverse("evidence:item_share", args=[item.pk]), {"public": "1"})
    assert share.status_code == 404
    item.refresh_from_db()
    assert not item.public and EvidenceSubmission.objects.count() == 1
    # An assessment of another course is not handed in from this enrolment.
    elsewhere, *_ = offering_with_assessors()
    own = signed_in(enrollment.learner)
    assert own.get(hand_in_url(enrollment, elsewhere.course.assessments.first())).status_code == 404


def test_a_download_is_an_attachment_that_no_browser_runs():
    offering, first, _ = offering_with_assessors()
    enrollment = enrolled(offering)
    item = handed_in(enrollment).items.get()
    url = reverse("evidence:item_file", args=[item.pk])
    for person in (enrollment.learner, first):
        response = signed_in(person).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="lesson-plan.png"'
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    EvidenceItem.objects.filter(pk=item.pk).update(removed_at=timezone.now(), file="")
    assert signed_in(enrollment.learner).get(url).status_code == 410


def test_the_learner_toggles_sharing_and_is_told_an_issued_badge_keeps_what_it_said():
    offering, *_ = offering_with_assessors()
    enrollment = enrolled(offering)
    submission = handed_in(enrollment, statement="My reflection")
    item = submission.items.get(kind="file")
    client = signed_in(enrollment.learner)
    response = client.post(reverse("evidence:item_share", args=[item.pk]), {"public": "1"})
    assert response.status_code == 302
    assert response["Location"] == hand_in_url(enrollment) + "#attempt-1"
    item.refresh_from_db()
    assert item.public
    page = client.get(response["Location"]).content.decode()
    assert "A badge already issued keeps what it said." in page
    client.post(reverse("evidence:item_share", args=[item.pk]), {"public": "0"})
    item.refresh_from_db()
    assert not item.public
    assert client.get(reverse("evidence:item_share", args=[item.pk])).status_code == 405


def test_a_first_judgement_waiting_for_moderation_is_not_shown(sample_all):
    offering, first, _ = offering_with_assessors()
    enrollment = enrolled(offering)
    submission = handed_in(enrollment)
    submission_judge(submission=submission, acting_user=first, criteria=all_met(submission),
                     result="pass", feedback="Excellent planning throughout.")  # fmt: skip
    page = signed_in(enrollment.learner).get(hand_in_url(enrollment)).content.decode()
    assert "Attempt 1: In review" in page
    assert "Excellent planning" not in page and "Met</span>" not in page


def test_returned_work_shows_the_judgement_and_the_form_again(no_sample):
    offering, first, _ = offering_with_assessors()
    enrollment = enrolled(offering)
    submission = handed_in(enrollment)
    criteria = dict.fromkeys(all_met(submission), (False, "Add the learners' feedback."))
    submission_judge(submission=submission, acting_user=first, criteria=criteria,
                     result="rework", feedback="Nearly there.")  # fmt: skip
    page = signed_in(enrollment.learner).get(hand_in_url(enrollment)).content.decode()
    assert "Attempt 1: Returned for rework" in page
    assert "Nearly there." in page and "Add the learners&#x27; feedback." in page
    assert "Not yet</span>" in page and 'name="file_1"' in page


def test_a_public_item_opens_only_once_the_badge_is_issued_and_while_it_is_shared(
    no_sample, django_capture_on_commit_callbacks
):
    offering, first, _ = offering_with_assessors()
    enrollment = enrolled(offering)
    submission = handed_in(
        enrollment,
        files=[
            HandInFile(upload=pdf(), title="Shared plan", public=True),
            HandInFile(upload=png(), title="Private photo"),
        ],
    )
    shared, private = submission.items.all()
    anyone = Client()
    url = reverse("evidence:public_item", args=[shared.pk])
    assert anyone.get(url).status_code == 404  # no badge yet

    with django_capture_on_commit_callbacks(execute=True):
        submission_judge(submission=submission, acting_user=first,
                         criteria=all_met(submission), result="pass")  # fmt: skip
    assert Assertion.objects.filter(enrollment=enrollment, revoked_at=None).exists()
    response = anyone.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Type"] == "application/pdf"
    assert anyone.get(reverse("evidence:public_item", args=[private.pk])).status_code == 404
    assert anyone.get(reverse("evidence:public_item", args=[uuid.uuid4()])).status_code == 404
    assert anyone.get("/public/evidence/not-a-uuid").status_code == 404

    signed_in(enrollment.learner).post(
        reverse("evidence:item_share", args=[shared.pk]), {"public": "0"}
    )
    gone = anyone.get(url)
    assert gone.status_code == 410
    assert "The learner no longer shares this item" in gone.content.decode()
    # Shared only after issue: the badge does not link it, so neither does the site.
    signed_in(enrollment.learner).post(
        reverse("evidence:item_share", args=[private.pk]), {"public": "1"}
    )
    private.refresh_from_db()
    assert private.public
    assert anyone.get(reverse("evidence:public_item", args=[private.pk])).status_code == 404


def _prior_learning_window(offering, *, starts_on, ends_on):
    return offering_create(
        course=offering.course, acting_user=leads_admin(), kind=OfferingKind.PRIOR_LEARNING,
        title="Recognition of prior learning", starts_on=starts_on, ends_on=ends_on,
    )  # fmt: skip


def test_a_person_applies_for_recognition_of_prior_learning_from_the_course_page():
    offering, *_ = offering_with_assessors()
    window = _prior_learning_window(
        offering, starts_on=date.today() - timedelta(days=1),
        ends_on=date.today() + timedelta(days=60),
    )  # fmt: skip
    course = offering.course
    url = reverse("evidence:prior_learning_apply", args=[course.lineage])
    course_page = Client().get(reverse("catalogue:course", args=[course.lineage]))
    assert "Apply for recognition of prior learning" in course_page.content.decode()
    assert url in course_page.content.decode()

    anonymous = Client().get(url).content.decode()
    assert "Sign in to apply" in anonymous and f"?next={url}" in anonymous
    assert "LO1" in anonymous and "Task 1" in anonymous
    posted = Client().post(url)
    assert posted.status_code == 302 and posted["Location"].startswith(reverse("login"))

    applicant = UserFactory(is_learner=True)
    client = signed_in(applicant)
    assert ">Apply</button>" in client.get(url).content.decode()
    response = client.post(url)
    enrollment = Enrollment.objects.get(learner=applicant)
    assert enrollment.offering == window
    assert response["Location"] == reverse("assessments:my_enrollment", args=[enrollment.pk])
    page = client.get(response["Location"]).content.decode()
    assert "hand in evidence for each assessment" in page
    assert hand_in_url(enrollment) in page


def test_applying_outside_the_window_is_refused_and_nothing_changes():
    offering, *_ = offering_with_assessors()
    _prior_learning_window(
        offering, starts_on=date.today() + timedelta(days=10),
        ends_on=date.today() + timedelta(days=60),
    )  # fmt: skip
    course = offering.course
    assert "Apply for recognition" not in (
        Client().get(reverse("catalogue:course", args=[course.lineage])).content.decode()
    )
    applicant = UserFactory(is_learner=True)
    response = signed_in(applicant).post(
        reverse("evidence:prior_learning_apply", args=[course.lineage])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Applications are open from" in body and 'role="alert"' in body
    assert not Enrollment.objects.filter(learner=applicant).exists()


def test_my_enrolment_links_each_assessment_to_its_hand_in_page_with_its_state():
    offering, *_ = offering_with_assessors(outcomes=2)
    enrollment = enrolled(offering)
    first, second = offering.course.assessments.all()
    handed_in(enrollment, first)
    page = (
        signed_in(enrollment.learner)
        .get(reverse("assessments:my_enrollment", args=[enrollment.pk]))
        .content.decode()
    )
    assert hand_in_url(enrollment, first) in page and hand_in_url(enrollment, second) in page
    assert "Attempt 1: Submitted" in page and "Not handed in yet" in page


def test_the_hand_in_still_checks_the_csrf_token():
    offering, *_ = offering_with_assessors()
    enrollment = enrolled(offering)
    client = Client(enforce_csrf_checks=True)
    client.force_login(enrollment.learner)
    client.get(hand_in_url(enrollment))
    data = {"statement": "A statement.", "file_1": png()}
    assert client.post(hand_in_url(enrollment), data).status_code == 403
    assert not EvidenceSubmission.objects.exists()
    token = client.cookies["csrftoken"].value
    data = {"statement": "A statement.", "file_1": png(), "csrfmiddlewaretoken": token}
    assert client.post(hand_in_url(enrollment), data).status_code == 302
    assert EvidenceSubmission.objects.count() == 1
