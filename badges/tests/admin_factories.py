"""Data for the tests of the LEADS team's badge pages and the Django admin, made by calling the
real services (STYLE.md, rule 8), and images (good, bad and hostile) for the upload checks."""

import io
import struct
import zlib
from dataclasses import dataclass

from PIL import Image

from accounts.tests.factories import UserFactory
from assessments.services import record_result
from assessments.tests.factories import assessment_plan
from badges.services import assertion_issue, badge_class_create
from courses.services import enrollments_confirm_completion
from courses.tests.factories import (
    enrolled_learners,
    leads_admin,
    published_course,
    running_offering,
)


@dataclass
class Cohort:
    admin: object
    instructor: object
    plan: list
    offering: object
    badge: object
    enrollments: list

    @property
    def course(self):
        return self.offering.course


def cohort(n=3, *, issue_mode="manual", design=True, title="Data Analytics with Python", **fields):
    """A published course with an offering of ``n`` learners, its badge designed (or not)."""
    fields.setdefault("aim", "Clean, analyse and chart data with Python.")
    admin = leads_admin()
    instructor = UserFactory(is_instructor=True, is_learner=False)
    course = published_course(
        title=title, outcomes=2, badge_issue_mode=issue_mode, badge_expiry_months=24, **fields
    )
    plan = assessment_plan(course)
    offering = running_offering(course=course, instructors=[instructor])
    badge = badge_class_create(course=course, acting_user=admin) if design else None
    return Cohort(admin, instructor, plan, offering, badge, enrolled_learners(offering, n))


def complete(group: Cohort, *enrollments):
    for enrollment in enrollments:
        for assessment in group.plan:
            record_result(
                enrollment=enrollment,
                assessment=assessment,
                result="pass",
                acting_user=group.instructor,
            )
        enrollment.refresh_from_db()


def confirm(group: Cohort, *enrollments):
    enrollments_confirm_completion(
        offering=group.offering,
        enrollment_ids=[e.pk for e in enrollments],
        acting_user=group.course.leader,
    )
    for enrollment in enrollments:
        enrollment.refresh_from_db()


def add_learners(group: Cohort, n):
    added = enrolled_learners(group.offering, n)
    group.enrollments += added
    return added


def issue_by_override(group: Cohort, enrollments, reason="Assessed outside the VLE"):
    """Badges issued quickly (no results to record), as the LEADS team may with a reason."""
    return [
        assertion_issue(enrollment=e, acting_user=group.admin, override_reason=reason)[0]
        for e in enrollments
    ]


# --- Images ---------------------------------------------------------------------------------------


def png_bytes(width=256, height=None, colour="#0b5c46"):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height or width), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width=100_000, height=100_000) -> bytes:
    """A few hundred bytes declaring a huge image: its IDAT inflates to almost nothing."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + png_chunk(b"IEND", b"")
    )


def svg_bytes(
    body="<circle cx='50' cy='50' r='40' fill='#0b5c46'/>", *, attrs='viewBox="0 0 100 100"'
):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f"{attrs}>{body}</svg>"
    ).encode()


class SizedStream(io.BytesIO):
    """An upload that says it is ``size`` bytes and records how much of it was read."""

    def __init__(self, data=b"", *, size=None, name="badge.png"):
        super().__init__(data)
        self.size = len(data) if size is None else size
        self.name = name
        self.bytes_read = 0

    def read(self, n=-1):
        chunk = super().read(n)
        self.bytes_read += len(chunk)
        return chunk
