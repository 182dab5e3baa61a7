"""Assessment results from a CSV file, for one offering: the instructors' bulk entry.

Registered with the import jobs of `courses.imports` (found there by autodiscovery), which read
the file, run the job and show its progress; this module says which columns a results file
has, what makes a row bad, and how the rows are recorded: `record_result` once per row, in the
job's single transaction, so a file is recorded whole or not at all.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from courses.imports import (
    PROGRESS_EVERY,
    Column,
    Importer,
    ImportRowsRefused,
    chunked,
    email_problems,
    importer_register,
    join_problems,
    row_error,
    shape_problems,
    too_long,
)
from courses.models import Enrollment, ImportJob

from .models import Assessment, AssessmentRecord
from .services import (
    RecordRefused,
    ResultEntry,
    may_record,
    offering_results_problem,
    result_date_problem,
    results_record,
)

RESULTS_COLUMNS = (
    Column("email", True, "The learner's e-mail address, as enrolled in this offering.", ""),
    Column(
        "assessment",
        True,
        "The assessment's title as it appears in the course, in any case.",
        "",
    ),
    Column("result", True, "pass or fail.", "pass"),
    Column("score", False, "A number from 0 to 9999.99, if the assessment is scored.", "78.5"),
    Column(
        "evidence_url",
        False,
        "A link (http or https) to the learner's work, up to 500 characters.",
        "https://vle.example.org/submissions/123",
    ),
    Column("feedback", False, "Feedback to the learner, up to 10,000 characters.", "Well done."),
    Column(
        "assessed_on",
        False,
        "The date of the assessment as YYYY-MM-DD; today if left empty.",
        "",
    ),
)

MAX_FEEDBACK = 10_000
MAX_SCORE = Decimal("9999.99")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_validate_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class _ResultRow:
    line: int
    enrollment_id: int
    assessment: Assessment
    result: str
    score: Decimal | None
    evidence_url: str
    feedback: str
    assessed_on: date | None


def _assessments_by_title(course_id):
    by_title = {}
    for assessment in Assessment.objects.filter(course_id=course_id):
        by_title.setdefault(assessment.title.strip().casefold(), []).append(assessment)
    return by_title


def _enrollments_by_email(offering_id, emails):
    """{email: (enrollment id, whether withdrawn)} for the offering's learners among these."""
    found = {}
    for chunk in chunked(emails):
        for email, pk, withdrawn_at in Enrollment.objects.filter(
            offering_id=offering_id, learner__email__in=chunk
        ).values_list("learner__email", "pk", "withdrawn_at"):
            found[email] = (pk, withdrawn_at is not None)
    return found


def _score(raw, problems):
    if not raw:
        return None
    try:
        score = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        problems.append(f"the score “{raw[:20]}” is not a number")
        return None
    if not score.is_finite() or score < 0 or score > MAX_SCORE:
        problems.append(f"the score must be between 0 and {MAX_SCORE}")
    elif -score.as_tuple().exponent > 2:
        problems.append("the score has more than two decimal places")
    else:
        return score
    return None


def _assessed_on(raw, problems, offering):
    if not raw:
        return None
    try:
        if not _ISO_DATE.match(raw):
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        problems.append(f"the date “{raw[:20]}” is not a date written YYYY-MM-DD")
        return None
    if day > timezone.localdate():
        problems.append(f"the date {raw} is in the future")
        return None
    # The service's rule (results_record), said here per line before anything is written.
    problem = result_date_problem(offering, day)
    if problem:
        problems.append(problem[:1].lower() + problem[1:].rstrip("."))
        return None
    return day


def _result_rows(*, offering, rows) -> tuple[list[_ResultRow], list[dict]]:
    """The rows ready for `results_record`, and an error for every row that is not."""
    assessments = _assessments_by_title(offering.course_id)
    emails = {row.get("email", "").strip().lower() for row in rows}
    enrollments = _enrollments_by_email(offering.pk, emails)
    good, errors, seen = [], [], {}
    not_started = offering_results_problem(offering)
    if not_started:
        return good, [row_error(None, not_started)]
    for row in rows:
        line = row["line"]
        problems = shape_problems(row)
        if problems:
            # A row with too few or too many values is misaligned: its other checks would
            # only repeat the same fault.
            errors.append(row_error(line, join_problems(problems)))
            continue
        email = row.get("email", "").strip().lower()
        found = email_problems(email)
        enrollment_id, withdrawn = enrollments.get(email, (None, False))
        if not found and enrollment_id is None:
            found = [f"the learner {email} is not enrolled in this offering"]
        elif not found and withdrawn:
            found = [f"the learner {email} was withdrawn from this offering"]
        problems += found

        title = " ".join(row.get("assessment", "").split())
        matches = assessments.get(title.casefold(), [])
        assessment = matches[0] if len(matches) == 1 else None
        if not title:
            problems.append("the assessment is missing")
        elif not matches:
            known = ", ".join(f"“{a[0].title}”" for a in list(assessments.values())[:8])
            problems.append(
                f"this course has no assessment called “{title[:100]}”"
                + (f" (its assessments are {known})" if known else "")
            )
        elif len(matches) > 1:
            problems.append(f"more than one assessment of this course is called “{title}”")

        result = row.get("result", "").strip().lower()
        if result not in AssessmentRecord.Result.values:
            problems.append(
                "the result is missing; write pass or fail"
                if not result
                else f"the result must be pass or fail, not “{result[:20]}”"
            )
        score = _score(row.get("score", "").strip(), problems)
        evidence_url = row.get("evidence_url", "").strip()
        if evidence_url:
            url_problems = too_long(evidence_url, 500, "evidence link")
            if not url_problems:
                try:
                    _validate_url(evidence_url)
                except ValidationError:
                    url_problems = [
                        f"the evidence link “{evidence_url[:100]}” is not a web address "
                        "starting with http:// or https://"
                    ]
            problems += url_problems
        feedback = row.get("feedback", "").strip()
        problems += too_long(feedback, MAX_FEEDBACK, "feedback")
        assessed_on = _assessed_on(row.get("assessed_on", "").strip(), problems, offering)

        if enrollment_id is not None and assessment is not None:
            key = (enrollment_id, assessment.pk)
            if key in seen:
                problems.append(
                    f"the result of {email} in “{assessment.title}” is already on line {seen[key]}"
                )
            else:
                seen[key] = line
        if problems:
            errors.append(row_error(line, join_problems(problems)))
        else:
            good.append(
                _ResultRow(
                    line=line,
                    enrollment_id=enrollment_id,
                    assessment=assessment,
                    result=result,
                    score=score,
                    evidence_url=evidence_url,
                    feedback=feedback,
                    assessed_on=assessed_on,
                )
            )
    return good, errors


def results_validate(*, job, rows) -> list[dict]:
    return _result_rows(offering=job.offering, rows=rows)[1]


def results_apply(*, job, rows, progress) -> dict:
    """Record the rows with `results_record` (source CSV), in the job's transaction.

    A row that repeats the learner's current record changes nothing, so importing the same file
    again records nothing twice. The service checks once, for the whole file, that the job's
    creator may still record this offering's results.
    """
    offering = job.offering
    good, errors = _result_rows(offering=offering, rows=rows)
    if errors:
        raise ImportRowsRefused(errors)
    enrollment_ids = {row.enrollment_id for row in good}
    # Lock every learner of the file at once, in id order, so two imports (or an import and the
    # grid) touching the same learners wait for each other instead of deadlocking.
    list(Enrollment.objects.select_for_update().filter(pk__in=enrollment_ids).order_by("pk"))
    current_before = set(
        AssessmentRecord.objects.filter(enrollment__offering=offering, is_current=True).values_list(
            "pk", flat=True
        )
    )
    completed_before = set(
        Enrollment.objects.filter(pk__in=enrollment_ids, completed_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    recorded = unchanged = 0
    for start in range(0, len(good), PROGRESS_EVERY):
        # One call per chunk, so the progress bar moves.
        batch = good[start : start + PROGRESS_EVERY]
        try:
            records = results_record(
                offering=offering,
                acting_user=job.created_by,
                entries=[
                    ResultEntry(
                        enrollment=Enrollment(pk=row.enrollment_id),
                        assessment=row.assessment,
                        result=row.result,
                        assessed_on=row.assessed_on,
                        score=row.score,
                        evidence_url=row.evidence_url,
                        feedback=row.feedback,
                    )
                    for row in batch
                ],
                source=AssessmentRecord.Source.CSV,
            )
        except RecordRefused as exc:
            line = batch[exc.index].line if exc.index is not None else None
            raise ImportRowsRefused([row_error(line, str(exc))])
        for record in records:
            if record.pk in current_before:
                unchanged += 1
            else:
                recorded += 1
        if len(batch) == PROGRESS_EVERY:
            progress(start + len(batch))
    completed = (
        Enrollment.objects.filter(pk__in=enrollment_ids, completed_at__isnull=False)
        .exclude(pk__in=completed_before)
        .count()
    )
    return {"rows": len(good), "recorded": recorded, "unchanged": unchanged, "completed": completed}


def _example_rows(*, offering):
    first = Assessment.objects.filter(course_id=offering.course_id).first()
    title = first.title if first else "Final project"
    return [
        [
            "amina.khan@example.org",
            title,
            "pass",
            "78.5",
            "https://vle.example.org/submissions/123",
            "Clear analysis; well presented.",
            timezone.localdate().isoformat(),
        ]
    ]


def _may_import_results(*, user, offering) -> bool:
    return may_record(user=user, offering=offering)


importer_register(
    Importer(
        kind=ImportJob.Kind.RESULTS.value,
        title="Import assessment results from a CSV file",
        columns=RESULTS_COLUMNS,
        may_import=_may_import_results,
        refusal="Only the offering's instructors and the LEADS team record its results.",
        validate=results_validate,
        apply=results_apply,
        summary_labels={
            "rows": "Rows in the file",
            "recorded": "Results recorded",
            "unchanged": "Already recorded (unchanged)",
            "completed": "Learners who completed the course",
        },
        example_rows=_example_rows,
    )
)
