"""Evidence test data, made with the services: a running offering whose course has a badge
designed (issued automatically), two assessors, and files that are what they say they are."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.tests.factories import UserFactory
from assessments.tests.factories import assessment_plan
from badges.services import badge_class_create
from badges.tests.factories import EU_FIELDS
from courses.services import enrollment_create
from courses.tests.factories import leads_admin, published_course, running_offering
from evidence.services import HandInFile, submission_hand_in


def png(name="lesson-plan.png", size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf(name="lesson-plan.pdf", body=b"A lesson plan."):
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\n" + body + b"\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx(name="reflection.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def course_with_plan(outcomes=1, **kwargs):
    fields = {"badge_issue_mode": "automatic", "badge_expiry_months": 24, **EU_FIELDS, **kwargs}
    course = published_course(outcomes=outcomes, **fields)
    assessment_plan(course)
    return course


def offering_with_assessors(*, outcomes=1, badge=True, **kwargs):
    """(offering, first assessor, second assessor) of a running offering; the course's badge is
    designed (issued automatically on completion) unless `badge` is false."""
    first = UserFactory(is_instructor=True, is_learner=False, full_name="Imran Shah")
    second = UserFactory(is_instructor=True, is_learner=False, full_name="Sara Malik")
    course = course_with_plan(outcomes=outcomes, **kwargs)
    if badge:
        badge_class_create(course=course, acting_user=leads_admin())
    offering = running_offering(course, instructors=[first, second])
    return offering, first, second


def enrolled(offering, **fields):
    return enrollment_create(offering=offering, learner=UserFactory(is_learner=True, **fields))


def handed_in(enrollment, assessment=None, *, files=None, public=False, statement=""):
    assessment = assessment or enrollment.offering.course.assessments.first()
    files = files if files is not None else [HandInFile(upload=png(), public=public)]
    return submission_hand_in(
        enrollment=enrollment, assessment=assessment, acting_user=enrollment.learner,
        files=files, statement=statement,
    )  # fmt: skip


def all_met(submission, met=True):
    return {c.pk: (met, "") for c in submission.assessment.criteria.all()}
