"""The bad-input catalogue: every case is refused with a clear message or status, and leaves every
row of every table as it was.

One table (CASES), one test. Each case names where the input goes (a form, a CSV import, the
API, an upload, a public URL), what kind of bad it is, who sends it, the status and the words the
sender must see. Before and after each request the test takes a fingerprint of the database: the
row count and a SHA-256 of `SELECT * … ORDER BY pk` of every model's table. README ("Security",
"Bad input") lists the same cases; a test keeps the two in step.
"""

import hashlib
import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from badges.tests.admin_factories import bomb_png, png_bytes, svg_bytes
from courses.models import Course

from .test_permission_matrix import BROWSER_ACCEPT, centre_in_a_transaction

README = Path(__file__).resolve().parents[2] / "README.md"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def centre(django_db_setup, django_db_blocker):
    yield from centre_in_a_transaction(django_db_blocker)


# --- The database's fingerprint -------------------------------------------------------------------


def _plain(value):
    """A column value as something whose repr is stable (bytea comes back as a memoryview)."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def database_fingerprint() -> dict[str, tuple[int, str]]:
    """{table: (row count, SHA-256 of its rows in primary-key order)} for every model's table,
    the many-to-many tables included."""
    fingerprint = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or meta.db_table in fingerprint:
                continue
            # Table and column names come from the models, never from input.
            sql = f"SELECT * FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)}"  # noqa: S608  # nosec B608
            cursor.execute(sql)
            rows = [tuple(_plain(v) for v in row) for row in cursor.fetchall()]
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()
            fingerprint[meta.db_table] = (len(rows), digest)
    return fingerprint


def changed_tables(before, after) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


# --- Sending ------------------------------------------------------------------------------------


class Sender:
    """What a case's `send` gets: a client signed in as the case's role, and the centre."""

    def __init__(self, client, centre):
        self.client, self.centre = client, centre

    def get(self, path, data=None, **extra):
        return self.client.get(path, data, **extra)

    def post(self, path, data=None, **extra):
        return self.client.post(path, data or {}, **extra)

    def api(self, method, path, body, content_type="application/json", token=True):
        headers = {}
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Token {self.centre.api_key}"
        if not isinstance(body, bytes | str):
            body = json.dumps(body)
        return getattr(self.client, method)(path, body, content_type=content_type, **headers)


def url(name, **kwargs):
    return reverse(name, kwargs=kwargs)


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- Forms: the course template, the checklist, decisions -----------------------------------------


def section(s, name, data):
    return s.post(url("leads:course_section", pk=s.centre.draft.pk, section=name), data)


HOURS_OK = {"credits": "2", "teaching_hours": "16", "self_study_hours": "32", "other_hours": "8"}


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def checklist(s, **data):
    return s.post(url("leads:course_checklist", pk=s.centre.draft.pk), data)


def decide(s, **data):
    return s.post(url("leads:submission_decide", pk=s.centre.submission.pk), data)


# --- Forms: offerings, enrolment, retiring, results -----------------------------------------------


def offering_form(s, **changes):
    today = date.today()
    data = {
        "title": "Autumn cohort",
        "starts_on": (today + timedelta(days=10)).isoformat(),
        "ends_on": (today + timedelta(days=40)).isoformat(),
        "capacity": "30",
        **management("sessions", 0),
        **changes,
    }
    return s.post(url("courses:offering_create", pk=s.centre.published.pk), data)


def enrol(s, **changes):
    data = {"enrol": "1", "email": "new.learner@example.org", "full_name": "New Learner"}
    return s.post(url("courses:offering_detail", pk=s.centre.offering.pk), {**data, **changes})


def record(s, **changes):
    centre = s.centre
    data = {
        "assessment": str(centre.published.assessments.first().pk),
        "result": "fail",
        "assessed_on": date.today().isoformat(),
        "feedback": "Needs another try.",
        **changes,
    }
    path = url(
        "assessments:learner_record", pk=centre.offering.pk, enrollment_pk=centre.enrollment.pk
    )
    return s.post(path, data)


def grid(s, value):
    centre = s.centre
    cell = f"r_{centre.enrollment.pk}_{centre.published.assessments.first().pk}"
    return s.post(url("assessments:grid", pk=centre.offering.pk), {cell: value})


# --- CSV imports ----------------------------------------------------------------------------------


def import_csv(s, data, name="learners.csv", kind="enrolments"):
    path = url(f"imports:{kind}", offering_pk=s.centre.offering.pk)
    return s.post(path, {"file": upload(name, data, "text/csv")})


def many_rows(n):
    return b"email,name\n" + b"".join(b"p%d@example.org,P %d\n" % (i, i) for i in range(n))


# --- Learners' evidence: handing in, judging, moderation ----------------------------------------


def hand_in(s, **data):
    """A hand-in by the offering's other learner (`hidden_owner`), who has no work waiting (the
    matrix's learner has: a second hand-in is refused for that before any file is looked at)."""
    centre = s.centre
    enrollment = centre.offering.enrollments.get(learner=centre.hidden_owner)
    assessment = centre.evidence_submission.assessment
    path = url("evidence:hand_in", enrollment_pk=enrollment.pk, assessment_pk=assessment.pk)
    return s.post(path, {"statement": "My lesson plans.", **data})


def judge(s, met="met", **changes):
    submission = s.centre.evidence_submission
    submission.refresh_from_db()
    data = {"revision": str(submission.revision), "result": "pass", "feedback": "Fine."}
    for criterion in submission.assessment.criteria.all():
        data[f"met_{criterion.pk}"] = met
        data[f"comment_{criterion.pk}"] = ""
    return s.post(url("evidence:judge", pk=submission.pk), {**data, **changes})


def moderation_policy(s, **changes):
    return s.post(url("evidence:policy"), {"sample_percent": "10", "every_not_yet": "on",
                                          **changes})  # fmt: skip


# --- Badge image uploads (the LEADS team's badge edit page) --------------------------------------


def badge_edit(s, image=None, **changes):
    badge = s.centre.badge_class
    data = {
        "name": badge.name,
        "description": badge.description,
        "criteria_narrative": badge.criteria_narrative,
        "level": badge.level,
        "tags": ", ".join(badge.tags),
        "expires_after_months": badge.expires_after_months or "",
        "expires_on": badge.expires_on or "",
        "message": badge.message,
        **changes,
    }
    if image is not None:
        data["image"] = image
    return s.post(url("badge_admin:edit", pk=badge.pk), data)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><text>&lol3;</text></svg>"""


def damaged_png():
    data = bytearray(png_bytes(256))
    data[30] ^= 0xFF  # a byte of IHDR: its checksum no longer matches
    return bytes(data)


# --- API ------------------------------------------------------------------------------------------


def enrolments_api(s, body, **kwargs):
    path = url("api-offering-enrolments", offering_id=s.centre.offering.pk)
    return s.api("post", path, body, **kwargs)


def result_body(s, **changes):
    centre = s.centre
    return {
        "offering": centre.offering.pk,
        "email": centre.learner.email,
        "assessment": str(centre.published.assessments.first().pk),
        "result": "fail",
        **changes,
    }


def results_api(s, **changes):
    return s.api("post", url("api-results"), result_body(s, **changes))


# --- The catalogue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    area: str  # form, csv, api, upload, public
    kind: str  # oversize, wrong type, malformed, hostile
    role: str  # who sends it (a role of the permission matrix)
    what: str  # the input, in words (README lists it)
    send: Callable[[Sender], object]
    status: int
    says: str  # words the sender must see (HTML unescaped), or "" for a bare status

    def __str__(self):
        return self.id


UNICODE_201 = "é" * 100 + "🎓" * 101  # 201 characters, 605 bytes
SCRIPT = "<script>alert(document.cookie)</script>"
SQL = "1; DROP TABLE courses_course; --"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
RANDOM_UUID = "6f1c1b0e-9a77-4f5e-8f55-3f8c1c7d2a10"

CASES = [
    # --- Forms: the course template, section by section (course leader, draft course) ---------
    Case("section-title-overlong-unicode", "form", "oversize", "course_leader",
         "Course name of 201 characters of accented letters and emoji",
         lambda s: section(s, "basic", {"title": UNICODE_201, "aim": "An aim."}),
         200, "Ensure this value has at most 200 characters (it has 201)."),
    Case("section-title-blank", "form", "malformed", "course_leader",
         "Course name of spaces only",
         lambda s: section(s, "basic", {"title": "   ", "aim": "An aim."}),
         200, "This field is required."),
    Case("section-credits-negative", "form", "negative number", "course_leader",
         "Credits −3",
         lambda s: section(s, "hours", {**HOURS_OK, "credits": "-3"}),
         200, "A course has at least 1 credit."),
    Case("section-credits-huge", "form", "huge number", "course_leader",
         "Credits 10^20",
         lambda s: section(s, "hours", {**HOURS_OK, "credits": "1" + "0" * 20}),
         200, "A micro-credential has at most 6 credits"),
    Case("section-hours-nan", "form", "malformed", "course_leader",
         "Teaching hours “NaN”",
         lambda s: section(s, "hours", {**HOURS_OK, "teaching_hours": "NaN"}),
         200, "Enter a number."),
    Case("section-hours-sql", "form", "hostile", "course_leader",
         "Teaching hours “1; DROP TABLE courses_course; --”",
         lambda s: section(s, "hours", {**HOURS_OK, "teaching_hours": SQL}),
         200, "Enter a number."),
    Case("section-modality-script", "form", "hostile", "course_leader",
         "Modality set to a <script> element",
         lambda s: section(s, "modality", {"modality": SCRIPT, "in_person_hours": ""}),
         200, "Select a valid choice."),
    Case("section-outcomes-formset-flood", "form", "oversize", "course_leader",
         "Outcomes formset claiming 100,000 forms",
         lambda s: section(s, "outcomes", management("outcomes", 100_000)),
         200, "Please submit at most 5 forms."),
    Case("section-outcomes-no-management-form", "form", "malformed", "course_leader",
         "Outcomes formset without its management form",
         lambda s: section(s, "outcomes", {"outcomes-0-text": "Analyse data."}),
         200, "(Hidden field TOTAL_FORMS) This field is required."),
    Case("section-content-session-no-place", "form", "malformed", "course_leader",
         "In-person session with no place",
         lambda s: section(s, "content", {
             "planned_start": "2027-02-01", "planned_end": "2027-03-31",
             **management("units", 1), "units-0-title": "Workshop",
             "units-0-is_in_person": "on", "units-0-place": "", "units-0-timing": "Week 2",
         }),
         200, "An in-person session must name its place"),
    Case("section-content-ends-before-start", "form", "malformed", "course_leader",
         "Planned end before the planned start",
         lambda s: section(s, "content", {
             "planned_start": "2027-03-31", "planned_end": "2027-02-01", **management("units", 0),
         }),
         200, "The course cannot end before it starts."),
    Case("section-badge-expiry-huge", "form", "huge number", "course_leader",
         "Badge expiry of 99,999 months",
         lambda s: section(s, "badge", {
             "badge_name": "Badge", "badge_level": "intermediate", "expiry": "months",
             "badge_expiry_months": "99999", "badge_issue_mode": "automatic",
         }),
         200, "Ensure this value is less than or equal to 240."),
    Case("section-eqf-out-of-range", "form", "wrong type", "course_leader",
         "EQF level 9",
         lambda s: section(s, "eu", {"eqf_level": "9", "eu_assessment_type": "Project"}),
         200, "Select a valid choice. 9 is not one of the available choices."),
    Case("section-traversal-in-url", "public", "hostile", "course_leader",
         "Section name “..%2F..%2Fsettings” in the URL",
         lambda s: s.get(url("leads:course_detail", pk=s.centre.draft.pk) + "edit/..%2F..%2Fsettings/"),  # noqa: E501
         404, "Page not found"),
    Case("checklist-signature-overlong", "form", "oversize", "course_leader",
         "Checklist signed with 201 characters",
         lambda s: checklist(s, signed_name=UNICODE_201, submit="1"),
         200, "Ensure this value has at most 200 characters (it has 201)."),
    Case("checklist-submit-unsigned", "form", "malformed", "course_leader",
         "Submission without a signature (ticks posted too)",
         lambda s: checklist(s, submit="1", signed_name=" ", affirms_aim="on"),
         400, "Sign the submission with your full name."),
    Case("course-create-unit-sql", "form", "hostile", "course_leader",
         "New course whose unit is “1 OR 1=1”",
         lambda s: s.post(url("leads:course_create"), {"title": "X", "unit": "1 OR 1=1"}),
         200, "Select a valid choice."),
    # --- Forms: the Dean's decision ----------------------------------------------------------
    Case("decision-unknown", "form", "hostile", "dean",
         "Decision “approved'; --”",
         lambda s: decide(s, decision="approved'; --", comment=""),
         200, "Select a valid choice."),
    Case("decision-changes-without-comment", "form", "malformed", "dean",
         "Request changes with a blank comment",
         lambda s: decide(s, decision="changes_requested", comment="   "),
         200, "Say what needs to change: a comment is required."),
    Case("decision-comment-overlong", "form", "oversize", "dean",
         "Rejection with a 5,001-character comment",
         lambda s: decide(s, decision="rejected", comment="x" * 5001),
         200, "Ensure this value has at most 5000 characters (it has 5001)."),
    Case("decision-other-unit", "form", "hostile", "other_dean",
         "Approval posted by the dean of another unit",
         lambda s: decide(s, decision="approved", comment=""),
         404, "Page not found"),
    # --- Forms: offerings, enrolment, retiring --------------------------------------------------
    Case("offering-ends-before-start", "form", "malformed", "leads_admin",
         "Offering that ends before it starts",
         lambda s: offering_form(s, starts_on="2027-05-01", ends_on="2027-04-01"),
         200, "The offering cannot end before it starts."),
    Case("offering-capacity-negative", "form", "negative number", "leads_admin",
         "Capacity −5",
         lambda s: offering_form(s, capacity="-5"),
         200, "Ensure this value is greater than or equal to 1."),
    Case("offering-capacity-huge", "form", "huge number", "leads_admin",
         "Capacity 10^12",
         lambda s: offering_form(s, capacity=str(10**12)),
         200, "Ensure this value is less than or equal to 100000."),
    Case("offering-date-impossible", "form", "malformed", "leads_admin",
         "Start date 30 February",
         lambda s: offering_form(s, starts_on="2027-02-30"),
         200, "Enter a valid date."),
    # Refused, but offering_form.html does not show the formset's own error (only a tampered
    # form can send this): the status and the unchanged rows are what the case can assert.
    Case("offering-sessions-flood", "form", "oversize", "leads_admin",
         "Sessions formset claiming 1,000,000 forms",
         lambda s: offering_form(s, **management("sessions", 1_000_000)),
         200, ""),
    Case("offering-session-ends-first", "form", "malformed", "leads_admin",
         "In-person session that ends before it starts",
         lambda s: offering_form(s, **management("sessions", 1), **{
             "sessions-0-title": "Workshop", "sessions-0-place": "Karachi",
             "sessions-0-starts_at": "2027-05-02T10:00", "sessions-0-ends_at": "2027-05-02T09:00",
         }),
         200, "The session must end after it starts."),
    Case("enrol-email-script", "form", "hostile", "leads_admin",
         "Enrol an e-mail address that is a <script> element",
         lambda s: enrol(s, email=SCRIPT + "@example.org"),
         200, "Enter a valid email address."),
    Case("enrol-email-sql", "form", "hostile", "leads_admin",
         "Enrol “x' OR '1'='1”",
         lambda s: enrol(s, email="x' OR '1'='1"),
         200, "Enter a valid email address."),
    Case("enrol-student-id-overlong", "form", "oversize", "leads_admin",
         "Student ID of 51 characters",
         lambda s: enrol(s, student_id="9" * 51),
         200, "Ensure this value has at most 50 characters (it has 51)."),
    Case("retire-comment-overlong", "form", "oversize", "leads_admin",
         "Retirement reason of 2,001 characters",
         lambda s: s.post(url("courses:course_retire", pk=s.centre.published.pk), {"comment": "x" * 2001}),  # noqa: E501
         200, "Ensure this value has at most 2000 characters (it has 2001)."),
    # --- Forms: results (the instructor's record form and grid) ----------------------------------
    Case("record-score-negative", "form", "negative number", "instructor",
         "Score −1",
         lambda s: record(s, score="-1"),
         200, "Ensure this value is greater than or equal to 0."),
    Case("record-score-huge", "form", "huge number", "instructor",
         "Score 1e400",
         lambda s: record(s, score="1e400"),
         200, "Ensure this value is less than or equal to 10000."),
    Case("record-evidence-javascript-url", "form", "hostile", "instructor",
         "Evidence link “javascript:alert(document.cookie)”",
         lambda s: record(s, evidence_url="javascript:alert(document.cookie)"),
         200, "Enter a valid URL."),
    Case("record-evidence-traversal-name", "upload", "hostile", "instructor",
         "Evidence file named “../../../etc/passwd”",
         lambda s: record(s, evidence_file=upload("../../../etc/passwd", b"root:x:0:0")),
         200, "That kind of file is not accepted as evidence"),
    Case("record-evidence-double-extension", "upload", "wrong type", "instructor",
         "Evidence file “report.pdf.exe”",
         lambda s: record(s, evidence_file=upload("report.pdf.exe", b"MZ\x90\x00")),
         200, "That kind of file is not accepted as evidence"),
    Case("record-evidence-oversize", "upload", "oversize", "instructor",
         "Evidence file of 10 MB + 1 byte",
         lambda s: record(s, evidence_file=upload("evidence.pdf", b"%PDF" + b"0" * (10 * MB - 3))),
         200, "The evidence file is larger than 10 MB."),
    Case("record-date-future", "form", "malformed", "instructor",
         "Assessed tomorrow",
         lambda s: record(s, assessed_on=(date.today() + timedelta(days=1)).isoformat()),
         200, "The assessment date cannot be in the future."),
    Case("record-assessment-of-another-course", "form", "hostile", "instructor",
         "Result for the draft course's assessment",
         lambda s: record(s, assessment=str(s.centre.draft_assessment.pk)),
         200, "Select a valid choice."),
    # Refused without a word: grid.html shows no field errors (a select cannot send this).
    Case("grid-cell-unknown-result", "form", "hostile", "instructor",
         "Grid cell “distinction'--”",
         lambda s: grid(s, "distinction'--"),
         200, ""),
    # --- CSV imports ----------------------------------------------------------------------------
    Case("csv-oversize", "csv", "oversize", "leads_admin",
         "Enrolment CSV of 5 MB + 1 byte",
         lambda s: import_csv(s, many_rows(1) + b"#" * (5 * MB + 1 - len(many_rows(1)))),
         400, "the limit is 5 MB"),
    Case("csv-too-many-rows", "csv", "oversize", "leads_admin",
         "Enrolment CSV of 20,001 rows",
         lambda s: import_csv(s, many_rows(20_001)),
         400, "at most 20,000 can be imported at once"),
    Case("csv-workbook", "csv", "wrong type", "leads_admin",
         "An .xlsx workbook named learners.csv",
         lambda s: import_csv(s, b"PK\x03\x04" + b"\x00" * 200),
         400, "This is a spreadsheet workbook, not a CSV file."),
    Case("csv-utf16", "csv", "wrong type", "leads_admin",
         "CSV saved as UTF-16",
         lambda s: import_csv(s, "email,name\na@example.org,A\n".encode("utf-16")),
         400, "The file is encoded as UTF-16"),
    Case("csv-overlong-utf8", "csv", "hostile", "leads_admin",
         "Overlong UTF-8 (0xC0 0xAF for “/”) in a name",
         lambda s: import_csv(s, b"email,name\na@example.org,A\xc0\xaf\xc0\xafB\n"),
         400, "The file is not encoded as UTF-8"),
    Case("csv-nul-bytes", "csv", "wrong type", "leads_admin",
         "Binary file with NUL bytes",
         lambda s: import_csv(s, b"email,name\n\x00\x00\x00\x7fELF"),
         400, "This is not a text file, so not a CSV file."),
    Case("csv-traversal-name", "csv", "hostile", "leads_admin",
         "CSV named “../../../etc/passwd”",
         lambda s: import_csv(s, b"email,name\na@example.org,A\n", name="../../../etc/passwd"),
         400, "Choose a CSV file (a name ending in .csv)."),
    Case("csv-script-header", "csv", "hostile", "leads_admin",
         "Header row of <script> elements",
         lambda s: import_csv(s, (SCRIPT + "," + SCRIPT + "\na@example.org,A\n").encode()),
         400, "The first line must be a header row naming the columns"),
    Case("csv-unclosed-quote", "csv", "malformed", "leads_admin",
         "Unbalanced quotation marks",
         lambda s: import_csv(s, b'email,name\n"a@example.org,A\nb@example.org,"B""x\n'),
         400, "could not be read as CSV"),
    Case("csv-header-only", "csv", "malformed", "leads_admin",
         "Header row and nothing else",
         lambda s: import_csv(s, b"email,name\n"),
         400, "The file has no rows to import below its header row."),
    Case("csv-empty", "csv", "malformed", "leads_admin",
         "Empty file",
         lambda s: import_csv(s, b""),
         400, "The file is empty."),
    Case("csv-results-by-learner", "csv", "hostile", "learner",
         "Results CSV uploaded by a learner",
         lambda s: import_csv(s, b"email,assessment,result\na@example.org,1,pass\n", name="r.csv", kind="results"),  # noqa: E501
         403, "Not allowed"),
    # --- API (/api/v1/, a LEADS admin's token) --------------------------------------------------
    Case("api-malformed-json", "api", "malformed", "anonymous",
         "Enrolment body “{\"email\": ” (cut short)",
         lambda s: enrolments_api(s, '{"email": '),
         400, "JSON parse error"),
    Case("api-xml-bomb", "api", "hostile", "anonymous",
         "Billion-laughs XML body as application/xml",
         lambda s: enrolments_api(s, BILLION_LAUGHS, content_type="application/xml"),
         415, "Unsupported media type"),
    Case("api-array-body", "api", "wrong type", "anonymous",
         "A JSON array instead of an object",
         lambda s: enrolments_api(s, [{"email": "a@example.org", "name": "A"}]),
         400, "Invalid data. Expected a dictionary"),
    Case("api-email-script", "api", "hostile", "anonymous",
         "Enrol an e-mail address that is a <script> element",
         lambda s: enrolments_api(s, {"email": SCRIPT, "name": "A"}),
         400, "Enter a valid email address."),
    Case("api-name-overlong-unicode", "api", "oversize", "anonymous",
         "Learner name of 201 characters of emoji and accents",
         lambda s: enrolments_api(s, {"email": "a@example.org", "name": UNICODE_201}),
         400, "Ensure this field has no more than 200 characters."),
    Case("api-body-too-large", "api", "oversize", "anonymous",
         "Enrolment body of 3 MB",
         lambda s: enrolments_api(s, {"email": "a@example.org", "name": "A" * (3 * MB)}),
         400, "Bad request"),
    Case("api-offering-negative", "api", "negative number", "anonymous",
         "Result for offering −1",
         lambda s: results_api(s, offering=-1),
         400, "Ensure this value is greater than or equal to 1."),
    Case("api-offering-huge", "api", "huge number", "anonymous",
         "Result for offering 10^30",
         lambda s: results_api(s, offering=10**30),
         400, "There is no offering 1000000000000000000000000000000."),
    Case("api-offering-huge-in-url", "api", "huge number", "anonymous",
         "Enrolment in offering 10^30 (in the URL)",
         lambda s: s.api("post", f"/api/v1/offerings/{10**30}/enrolments", {"email": "a@example.org", "name": "A"}),  # noqa: E501
         404, "No Offering matches the given query."),
    Case("api-score-negative", "api", "negative number", "anonymous",
         "Score −5",
         lambda s: results_api(s, score="-5"),
         400, "Ensure this value is greater than or equal to 0."),
    Case("api-score-huge", "api", "huge number", "anonymous",
         "Score 1e12",
         lambda s: results_api(s, score="1e12"),
         400, "Ensure that there are no more than 6 digits in total."),
    Case("api-result-script", "api", "hostile", "anonymous",
         "Result that is a <script> element",
         lambda s: results_api(s, result=SCRIPT),
         400, "is not a valid choice."),
    Case("api-evidence-file-url", "api", "hostile", "anonymous",
         "Evidence link “file:///etc/passwd”",
         lambda s: results_api(s, evidence_url="file:///etc/passwd"),
         400, "Enter a valid URL."),
    Case("api-verify-malformed-json", "api", "malformed", "anonymous",
         "Public verification API body “{\"credential\": {” (cut short)",
         lambda s: s.api("post", url("api-verify"), '{"credential": {', token=False),
         400, "JSON parse error"),
    Case("api-verify-xml-bomb", "api", "hostile", "anonymous",
         "Billion-laughs XML sent to the public verification API",
         lambda s: s.api("post", url("api-verify"), BILLION_LAUGHS, "application/xml", token=False),  # noqa: E501
         415, "Unsupported media type"),
    Case("api-wrong-token", "api", "hostile", "anonymous",
         "A made-up token",
         lambda s: s.client.post(url("api-results"), {}, content_type="application/json", HTTP_AUTHORIZATION="Token " + "0" * 40),  # noqa: E501
         401, "Invalid token."),
    # --- Badge image uploads (the LEADS team's badge page) ---------------------------------------
    Case("image-png-bomb", "upload", "hostile", "leads_admin",
         "PNG declaring 100,000 × 100,000 pixels (decompression bomb)",
         lambda s: badge_edit(s, upload("badge.png", bomb_png(), "image/png")),
         400, "possible decompression bomb"),
    Case("image-svg-xml-bomb", "upload", "hostile", "leads_admin",
         "SVG with a billion-laughs DOCTYPE (XML bomb)",
         lambda s: badge_edit(s, upload("badge.svg", BILLION_LAUGHS, "image/svg+xml")),
         400, "The SVG has a DOCTYPE declaration, which is not allowed"),
    Case("image-svg-script", "upload", "hostile", "leads_admin",
         "SVG containing a <script> element",
         lambda s: badge_edit(s, upload("badge.svg", svg_bytes("<script>alert(1)</script>"), "image/svg+xml")),  # noqa: E501
         400, "it contains a <script> element"),
    Case("image-svg-event-handler", "upload", "hostile", "leads_admin",
         "SVG with an onload handler",
         lambda s: badge_edit(s, upload("badge.svg", svg_bytes(attrs='viewBox="0 0 100 100" onload="alert(1)"'), "image/svg+xml")),  # noqa: E501
         400, "has an event handler (onload)"),
    Case("image-svg-external-reference", "upload", "hostile", "leads_admin",
         "SVG that loads an image from another site",
         lambda s: badge_edit(s, upload("badge.svg", svg_bytes("<image href='https://evil.example/x.png' width='10' height='10'/>"), "image/svg+xml")),  # noqa: E501
         400, "outside the image"),
    Case("image-not-an-image", "upload", "wrong type", "leads_admin",
         "A text file named badge.png",
         lambda s: badge_edit(s, upload("badge.png", b"just some text", "image/png")),
         400, "This file is not a PNG or SVG image."),
    Case("image-oversize", "upload", "oversize", "leads_admin",
         "Image of 2 MB + 1 byte",
         lambda s: badge_edit(s, upload("badge.png", b"\x89PNG" + b"\x00" * (2 * MB - 3), "image/png")),  # noqa: E501
         400, "a badge image can be at most 2.0 MB"),
    Case("image-not-square", "upload", "malformed", "leads_admin",
         "PNG of 300 × 200 pixels",
         lambda s: badge_edit(s, upload("badge.png", png_bytes(300, 200), "image/png")),
         400, "a badge image must be square"),
    Case("image-damaged-png", "upload", "malformed", "leads_admin",
         "PNG whose header fails its checksum",
         lambda s: badge_edit(s, upload("badge.png", damaged_png(), "image/png")),
         400, "The PNG file is damaged"),
    Case("image-traversal-name", "upload", "hostile", "leads_admin",
         "Image named “../../../../etc/cron.d/badge.png” (not an image)",
         lambda s: badge_edit(s, upload("../../../../etc/cron.d/badge.png", b"* * * * * root sh", "image/png")),  # noqa: E501
         400, "This file is not a PNG or SVG image."),
    Case("badge-tags-flood", "form", "oversize", "leads_admin",
         "13 tags on a badge",
         lambda s: badge_edit(s, tags=", ".join(f"tag{i}" for i in range(13))),
         400, "Give at most 12 tags."),
    # --- Public URLs ----------------------------------------------------------------------------
    Case("public-id-not-uuid", "public", "wrong type", "anonymous",
         "Verification page for id “123”",
         lambda s: s.get("/public/assertions/123"),
         404, "Page not found"),
    Case("public-id-uppercase-uuid", "public", "malformed", "anonymous",
         "Verification page for an upper-case UUID",
         lambda s: s.get(f"/public/assertions/{str(s.centre.assertion.pk).upper()}"),
         404, "Page not found"),
    Case("public-id-unknown", "public", "malformed", "anonymous",
         "Verification page for a UUID that was never issued",
         lambda s: s.get(f"/public/assertions/{RANDOM_UUID}"),
         404, "Page not found"),
    Case("public-id-sql", "public", "hostile", "anonymous",
         "Verification page for “' OR '1'='1”",
         lambda s: s.get("/public/assertions/'%20OR%20'1'='1"),
         404, "Page not found"),
    Case("public-wrong-suffix", "public", "wrong type", "anonymous",
         "Badge as .xml",
         lambda s: s.get(f"/public/assertions/{s.centre.assertion.pk}.xml"),
         404, "Page not found"),
    Case("public-path-traversal", "public", "hostile", "anonymous",
         "“/public/assertions/..%2F..%2Fconfig%2Fsettings%2Fbase.py”",
         lambda s: s.get("/public/assertions/..%2F..%2Fconfig%2Fsettings%2Fbase.py"),
         404, "Page not found"),
    Case("public-media-traversal", "public", "hostile", "anonymous",
         "“/media/../.secret_key”",
         lambda s: s.get("/media/%2E%2E/.secret_key"),
         404, "Page not found"),
    Case("public-overlong-url", "public", "oversize", "anonymous",
         "Verification URL of 8,000 characters",
         lambda s: s.get("/public/assertions/" + "a" * 8000),
         404, "Page not found"),
    Case("public-profile-unknown", "public", "malformed", "anonymous",
         "Profile of a UUID that is nobody",
         lambda s: s.get(f"/public/learners/{RANDOM_UUID}"),
         404, "Page not found"),
    Case("public-course-numeric-id", "public", "wrong type", "anonymous",
         "Course page by numeric id",
         lambda s: s.get(f"/courses/{s.centre.published.pk}/"),
         404, "Page not found"),
    Case("public-search-script", "public", "hostile", "anonymous",
         "Catalogue search for a <script> element (shown escaped)",
         lambda s: s.get("/", {"q": SCRIPT}),
         200, SCRIPT),
    Case("public-page-huge", "public", "huge number", "anonymous",
         "Catalogue page 10^20",
         lambda s: s.get("/", {"page": "1" + "0" * 20}),
         200, ""),
    Case("sign-in-email-sql", "form", "hostile", "anonymous",
         "Sign in as “' OR 1=1 --”",
         lambda s: s.post(url("login"), {"username": "' OR 1=1 --", "password": "x"}),
         200, "Enter a valid email address."),
    Case("visibility-of-anothers-badge", "form", "hostile", "learner",
         "Show another learner's hidden badge",
         lambda s: s.post(url("badges:set_visibility", pk=s.centre.hidden.pk), {"hidden": "0"}),
         404, "Page not found"),
    # --- Badges from other issuers (the learner's backpack) --------------------------------------
    Case("imported-badge-not-a-badge", "form", "malformed", "learner",
         "A letter pasted as a badge from another issuer",
         lambda s: s.post(url("imported:list"), {"text": "Dear committee, I hold a badge."}),
         400, "This is not a badge"),
    Case("imported-badge-oversize", "upload", "oversize", "learner",
         "Badge file of 3 MB imported from another issuer",
         lambda s: s.post(url("imported:list"), {"file": upload("badge.png", b"\x89PNG" + b"\x00" * (3 * MB), "image/png")}),  # noqa: E501
         400, "The file is larger than 2 MB."),
    # --- Learners' evidence: handing in (learner), judging (instructor), the sample (admin) ----
    Case("evidence-file-not-what-its-name-says", "upload", "wrong type", "hidden_owner",
         "A PNG image named report.pdf handed in as evidence",
         lambda s: hand_in(s, file_1=upload("report.pdf", png_bytes())),
         200, "does not contain what its name says"),
    Case("evidence-file-web-page", "upload", "hostile", "hidden_owner",
         "A web page with a <script> element named lesson.html handed in as evidence",
         lambda s: hand_in(s, file_1=upload("lesson.html", SCRIPT.encode())),
         200, "is not a kind of file this assessment accepts"),
    Case("evidence-file-over-the-limit", "upload", "oversize", "hidden_owner",
         "A 21 MB PDF where the assessment accepts files up to 20 MB",
         lambda s: hand_in(s, file_1=upload("big.pdf", PDF + b"0" * (21 * MB))),
         200, "files for this assessment may be up to 20 MB"),
    Case("evidence-link-javascript", "form", "hostile", "hidden_owner",
         "An evidence link “javascript:alert(1)”",
         lambda s: hand_in(s, link_1_url="javascript:alert(1)", link_1_title="Video"),
         200, "Enter a valid URL."),
    Case("evidence-judge-by-a-learner", "form", "hostile", "learner",
         "A learner posting a pass to the assessor's judgement page",
         lambda s: judge(s), 404, ""),
    Case("evidence-judge-pass-unmet", "form", "malformed", "instructor",
         "A pass with a rubric criterion marked not yet met",
         lambda s: judge(s, met="not_met"),
         200, "A pass needs every criterion met; return it for rework"),
    Case("evidence-judge-stale", "form", "malformed", "instructor",
         "A judgement made on a version of the submission that has since changed",
         lambda s: judge(s, revision="999"), 200,
         "changed this submission while you were reading it"),
    Case("evidence-sample-huge", "form", "huge number", "leads_admin",
         "Moderation sample of 10^20 %",
         lambda s: moderation_policy(s, sample_percent="1" + "0" * 20),
         200, "Ensure this value is less than or equal to 100."),
    Case("evidence-sample-negative", "form", "negative number", "leads_admin",
         "Moderation sample of −5 %",
         lambda s: moderation_policy(s, sample_percent="-5"),
         200, "Ensure this value is greater than or equal to 0."),
    Case("evidence-public-item-not-shared", "public", "malformed", "anonymous",
         "The public link of a handed-in file its learner did not share",
         lambda s: s.get(url("evidence:public_item", pk=s.centre.evidence_file.pk)), 404, ""),
]  # fmt: skip


# --- The test -------------------------------------------------------------------------------------


@pytest.fixture
def sender(centre):
    def make(role):
        client = Client(HTTP_ACCEPT=BROWSER_ACCEPT)
        # A role of the permission matrix, or another person of the centre (`hidden_owner`).
        user = centre.users[role] if role in centre.users else getattr(centre, role)
        if user is not None:
            client.force_login(user)
        return Sender(client, centre)

    admin = centre.users["leads_admin"]
    centre.api_key = Token.objects.get_or_create(user=admin)[0].key
    return make


def response_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return html.unescape(content.decode("utf-8", errors="replace"))


def test_the_catalogue_has_at_least_40_cases_of_every_kind():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"
    assert {c.area for c in CASES} == {"form", "csv", "api", "upload", "public"}
    assert {"oversize", "wrong type", "malformed", "hostile", "negative number", "huge number"} <= {
        c.kind for c in CASES
    }


def test_readme_lists_every_case():
    readme = README.read_text()
    missing = [c.id for c in CASES if f"| `{c.id}` |" not in readme]
    assert not missing, f"README's Security section does not list: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_is_refused_and_changes_no_row(case, sender):
    send = sender(case.role)
    before = database_fingerprint()
    response = case.send(send)
    after = database_fingerprint()
    text = response_text(response)
    assert response.status_code == case.status, (
        f"{case.id}: expected {case.status}, got {response.status_code}: {text[:500]}"
    )
    if case.says:
        assert case.says in text, f"{case.id}: the answer does not say {case.says!r}"
    if case.id == "public-search-script":  # shown, but as text
        assert SCRIPT not in response.content.decode()
    assert not changed_tables(before, after), (
        f"{case.id} changed rows in {changed_tables(before, after)}"
    )


@pytest.mark.django_db
def test_the_fingerprint_sees_a_change_of_one_field(centre):
    """The check above would catch a write: one changed field changes the fingerprint."""
    before = database_fingerprint()
    Course.objects.filter(pk=centre.draft.pk).update(aim="Changed.")
    assert changed_tables(before, database_fingerprint()) == ["courses_course"]
