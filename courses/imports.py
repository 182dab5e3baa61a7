"""CSV imports into an offering: read the file, check every row, then apply it as a job.

An import runs in three steps. `import_job_create` reads the upload in the request (size,
encoding, header) and stores its rows on an `ImportJob`; a Celery task then runs
`import_job_run`, which checks every row of the whole file and, only when none is bad, applies
them all in one transaction. A job therefore ends either done (everything written) or failed
(nothing written, with every bad row's line number and reason).

Kinds of import are registered here by the app that owns what they write: enrolment is
defined below; the results import lives in `assessments/imports.py` and registers itself, found
by `autodiscover_modules("imports")` like the admin's `admin.py`. That keeps `courses` from
importing `assessments` (DESIGN.md, "Dependencies point one way").
"""

import csv
import functools
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from accounts.services import invitation_link, user_create
from accounts.side_effects import enqueue_on_commit

from .models import Enrollment, ImportJob, Offering
from .notifications import enrollments_announce, may_be_told_of_enrolment
from .services import completions_announced_together

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# One job is one transaction; this keeps it well inside a task's time limit (results go in at
# about 150 rows a second, enrolments faster) and the offering's rows locked for minutes at most.
MAX_ROWS = 20_000
# Rows applied between two progress reports. Reports go to the cache, not to the job row: the
# apply step is one transaction, so the row would not show them until the end anyway.
PROGRESS_EVERY = 250
# How many errors the progress page and its JSON show; the errors CSV has them all.
ERRORS_SHOWN = 500
INVITATIONS_PER_BATCH = 100
# Lookups by e-mail are chunked to stay under the database's limit on query parameters.
LOOKUP_CHUNK = 900

FINISHED = (ImportJob.Status.DONE, ImportJob.Status.FAILED)
UNFINISHED = (ImportJob.Status.PENDING, ImportJob.Status.VALIDATING, ImportJob.Status.RUNNING)


class ImportFileRefused(Exception):
    """The upload as a whole cannot be read: too big, not a CSV, not UTF-8, a bad header row."""

    def __init__(self, message, *, code):
        super().__init__(message)
        self.message = message
        self.code = code


class ImportRowsRefused(Exception):
    """Rows that cannot be imported, each as {line, message}; nothing has been written."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} row(s) refused")
        self.errors = errors


def row_error(line, message) -> dict:
    return {"line": line, "message": message}


# --- Kinds of import ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str
    example: str = ""


@dataclass(frozen=True)
class Importer:
    """What one kind of import needs: its columns, who may run it, and how to check and apply.

    `validate(*, job, rows)` returns a list of {line, message}; `apply(*, job, rows, progress)`
    runs inside the job's transaction, calls `progress(rows_done)` now and then, raises
    `ImportRowsRefused` if the world changed since validation, and returns the summary counts.
    """

    kind: str
    title: str
    columns: tuple[Column, ...]
    may_import: Callable[..., bool]
    refusal: str
    validate: Callable[..., list]
    apply: Callable[..., dict]
    summary_labels: dict[str, str]
    example_rows: Callable[..., list] = field(default=lambda *, offering: [])

    @property
    def column_names(self):
        return [column.name for column in self.columns]


_IMPORTERS: dict[str, Importer] = {}


def importer_register(importer: Importer) -> Importer:
    _IMPORTERS[importer.kind] = importer
    return importer


@functools.cache
def _discover():
    autodiscover_modules("imports")


def importer_get(kind) -> Importer:
    _discover()
    try:
        return _IMPORTERS[kind]
    except KeyError:
        raise LookupError(f"No import of kind {kind!r} is registered.")


# --- Reading the file -----------------------------------------------------------------------


def _header_key(name):
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def csv_read(*, upload, columns) -> list[dict]:
    """The rows of an uploaded CSV as dicts of the named columns, each with its `line`.

    The size is checked before anything is read, so a huge upload is refused without loading
    it. Accepts UTF-8 with or without a byte-order mark and column names in any case.
    """
    size = upload.size
    limit_mb = MAX_UPLOAD_BYTES // (1024 * 1024)
    if size is None or size > MAX_UPLOAD_BYTES:
        shown = f"{size / (1024 * 1024):.1f} MB" if size else "too large"
        raise ImportFileRefused(
            f"The file is {shown}; the limit is {limit_mb} MB. Split it into smaller files "
            "and import them one after another.",
            code="too_large",
        )
    if size == 0:
        raise ImportFileRefused("The file is empty.", code="empty")
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    _refuse_binary(raw)
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in {".csv", ".txt"}:
        raise ImportFileRefused("Choose a CSV file (a name ending in .csv).", code="not_csv")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFileRefused(
            f"The file is not encoded as UTF-8 (the first character that is not is on line "
            f"{line}). In Excel choose File › Save as › “CSV UTF-8 (comma delimited)”; in "
            "LibreOffice tick “Edit filter settings” and choose Unicode (UTF-8).",
            code="encoding",
        )
    return _parse(text, columns)


def _refuse_binary(raw):
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileRefused(
            "This is a spreadsheet workbook, not a CSV file. In Excel choose File › Save as › "
            "“CSV UTF-8 (comma delimited)” and upload that file.",
            code="not_csv",
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileRefused(
            "The file is encoded as UTF-16 (“Unicode text”). Save it as “CSV UTF-8” instead.",
            code="encoding",
        )
    if b"\x00" in raw[:65536]:
        raise ImportFileRefused("This is not a text file, so not a CSV file.", code="not_csv")


def _parse(text, columns) -> list[dict]:
    if not text.strip():
        raise ImportFileRefused("The file is empty.", code="empty")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    # Excel writes semicolons instead of commas in locales with a decimal comma.
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header, rows = None, []
    try:
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = _read_header(record, columns)
                continue
            rows.append(_read_row(record, header, start))
    except csv.Error as exc:
        raise ImportFileRefused(
            f"Line {reader.line_num} could not be read as CSV ({exc}). Check its quotation marks.",
            code="not_csv",
        )
    if not rows:
        raise ImportFileRefused(
            "The file has no rows to import below its header row.", code="empty"
        )
    if len(rows) > MAX_ROWS:
        raise ImportFileRefused(
            f"The file has {len(rows):,} rows; at most {MAX_ROWS:,} can be imported at once. "
            "Split it into smaller files and import them one after another.",
            code="too_many_rows",
        )
    return rows


def _read_header(record, columns) -> list:
    known = {column.name for column in columns}
    expected = ", ".join(
        column.name if column.required else f"{column.name} (optional)" for column in columns
    )
    names = [_header_key(cell) for cell in record]
    while names and not names[-1]:
        names.pop()
    if not known & set(names):
        raise ImportFileRefused(
            f"The first line must be a header row naming the columns: {expected}. It reads "
            f"“{','.join(record)[:100]}”.",
            code="header",
        )
    problems = []
    unknown = [n for n in names if n and n not in known]
    if unknown:
        problems.append("unknown column" + ("s " if len(unknown) > 1 else " ") + _quoted(unknown))
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        problems.append("more than one column called " + _quoted(duplicated))
    if "" in names:
        problems.append(f"column {names.index('') + 1} has no name")
    missing = [c.name for c in columns if c.required and c.name not in names]
    if missing:
        problems.append("no " + _quoted(missing) + " column")
    if problems:
        raise ImportFileRefused(
            f"The header row has {'; '.join(problems)}. The columns are: {expected}.",
            code="header",
        )
    return names


def _quoted(names):
    return ", ".join(f"“{n}”" for n in names)


def _read_row(record, header, line) -> dict:
    row = {"line": line}
    for name, value in zip(header, record, strict=False):
        row[name] = value.strip()
    if len(record) < len(header):
        row["_missing"] = header[len(record) :]
    elif any(value.strip() for value in record[len(header) :]):
        row["_extra"] = len(record) - len(header)
    return row


def shape_problems(row) -> list[str]:
    """Problems with a row's number of values, which every kind of import reports first."""
    if row.get("_missing"):
        names = row["_missing"]
        return [f"missing column{'s' if len(names) > 1 else ''}: {', '.join(names)}"]
    if row.get("_extra"):
        n = row["_extra"]
        return [f"{n} more value{'s' if n > 1 else ''} than the header row has columns"]
    return []


def too_long(value, limit, label) -> list[str]:
    if len(value) > limit:
        return [f"the {label} is {len(value)} characters long; at most {limit} are allowed"]
    return []


def email_problems(email) -> list[str]:
    if not email:
        return ["the e-mail address is missing"]
    if len(email) > 254:
        return ["the e-mail address is longer than 254 characters"]
    try:
        validate_email(email)
    except ValidationError:
        return [f"“{email[:100]}” is not a valid e-mail address"]
    return []


def join_problems(problems) -> str:
    message = "; ".join(problems)
    return message[:1].upper() + message[1:] + "."


def chunked(items, size=LOOKUP_CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- Jobs -----------------------------------------------------------------------------------


def import_job_create(*, kind, offering, acting_user, upload) -> ImportJob:
    """Read an upload into a new job and start it once the job is saved.

    Raises PermissionDenied, or ImportFileRefused when the file cannot be read; row-by-row
    checks happen in the job, which reports every bad row at once.
    """
    importer = importer_get(kind)
    if not importer.may_import(user=acting_user, offering=offering):
        raise PermissionDenied(importer.refusal)
    rows = csv_read(upload=upload, columns=importer.columns)
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            offering=offering,
            created_by=acting_user,
            file_name=PurePath(upload.name or "").name[:255],
            total=len(rows),
            rows=rows,
        )
        from .tasks import run_import

        enqueue_on_commit(run_import, str(job.pk))
    return job


def import_job_enqueue(*, job_id) -> None:
    """Hand the job to a worker. A broker that is down must not fail the upload: the job is
    saved as pending and `import_jobs_sweep` enqueues it again."""
    from .tasks import run_import

    try:
        run_import.delay(str(job_id))
    except Exception:
        logger.exception("Could not enqueue import job %s; the sweep will retry it", job_id)


def _job_move(job_id, **fields) -> bool:
    """Update an unfinished job; False when it has finished meanwhile (another run did it)."""
    return bool(ImportJob.objects.filter(pk=job_id, status__in=UNFINISHED).update(**fields))


def _job_fail(job_id, errors) -> None:
    errors = sorted(errors, key=lambda e: (e["line"] is not None, e["line"] or 0))
    _job_move(
        job_id,
        status=ImportJob.Status.FAILED,
        errors=errors,
        rows=[],
        processed=0,
        finished_at=timezone.now(),
    )


def _progress_key(job_id):
    return f"import-job:{job_id}:processed"


def _progress_publish(job_id, done):
    cache.set(_progress_key(job_id), done, timeout=60 * 60)


def import_job_run(*, job_id) -> str:
    """Check the whole file, then apply it in one transaction. Returns the job's final status.

    Safe to run twice, even at once: a finished job is left alone, and the apply step locks the
    job row and re-checks its status, so a second run waits and then finds it done.
    """
    job = (
        ImportJob.objects.select_related("offering__course", "created_by").filter(pk=job_id).first()
    )
    if job is None:
        return "gone"
    if job.is_finished:
        return job.status
    importer = importer_get(job.kind)
    if not _job_move(job.pk, status=ImportJob.Status.VALIDATING, started_at=timezone.now()):
        return ImportJob.objects.get(pk=job.pk).status
    if not importer.may_import(user=job.created_by, offering=job.offering):
        _job_fail(job.pk, [row_error(None, importer.refusal)])
        return ImportJob.Status.FAILED
    try:
        errors = importer.validate(job=job, rows=job.rows)
        if errors:
            _job_fail(job.pk, errors)
            return ImportJob.Status.FAILED
        if not _job_move(job.pk, status=ImportJob.Status.RUNNING):
            return ImportJob.objects.get(pk=job.pk).status
        # A results import can complete a whole cohort: one announcement for all of it.
        with completions_announced_together(), transaction.atomic():
            locked = (
                ImportJob.objects.select_for_update()
                .select_related("offering__course", "created_by")
                .get(pk=job.pk)
            )
            if locked.status != ImportJob.Status.RUNNING:
                return locked.status
            summary = importer.apply(
                job=locked,
                rows=locked.rows,
                progress=lambda done: _progress_publish(locked.pk, done),
            )
            locked.status = ImportJob.Status.DONE
            locked.summary = summary
            locked.processed = locked.total
            locked.rows = []
            locked.finished_at = timezone.now()
            locked.save(
                update_fields=[
                    "status",
                    "summary",
                    "processed",
                    "rows",
                    "finished_at",
                    "pending_invitations",
                ]
            )
    except ImportRowsRefused as exc:
        _job_fail(job.pk, exc.errors)
        return ImportJob.Status.FAILED
    except Exception:
        # Whatever went wrong, the transaction rolled back: say so rather than leave the page
        # spinning. The traceback goes to the log for us.
        logger.exception("Import job %s stopped", job.pk)
        _job_fail(
            job.pk,
            [
                row_error(
                    None,
                    "The import stopped because of a problem on our side; nothing was changed. "
                    "Try again, and tell the LEADS team if it happens again.",
                )
            ],
        )
        return ImportJob.Status.FAILED
    finally:
        cache.delete(_progress_key(job.pk))
    return ImportJob.Status.DONE


def import_job_progress(*, job) -> dict:
    """What the progress page and its JSON endpoint show."""
    importer = importer_get(job.kind)
    processed = job.processed
    if job.status == ImportJob.Status.RUNNING:
        processed = max(processed, cache.get(_progress_key(job.pk)) or 0)
    processed = min(processed, job.total)
    labels = importer.summary_labels
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.is_finished,
        "total": job.total,
        "processed": processed,
        "percent": round(100 * processed / job.total) if job.total else 0,
        "summary": [
            {"key": key, "label": label, "value": job.summary[key]}
            for key, label in labels.items()
            if key in job.summary
        ],
        "errors": job.errors[:ERRORS_SHOWN],
        "error_count": len(job.errors),
    }


def import_jobs_sweep(*, now=None) -> dict:
    """Restart what a broker outage or a lost worker left behind; give up on the hopeless.

    Jobs waiting or half-run for longer than a task may take are enqueued again (running a job
    twice is safe); after a day they are failed and their rows dropped, so no file is kept.
    """
    now = now or timezone.now()
    # Longer than run_import's hard time limit, so a job still running is never restarted.
    stale = now - timedelta(minutes=15)
    hopeless = now - timedelta(days=1)
    failed = 0
    for job_id in ImportJob.objects.filter(
        status__in=UNFINISHED, created_at__lt=hopeless
    ).values_list("pk", flat=True):
        _job_fail(job_id, [row_error(None, "The import never finished; nothing was changed.")])
        failed += 1
    restarted = list(
        ImportJob.objects.filter(status__in=UNFINISHED, created_at__lt=stale).values_list(
            "pk", flat=True
        )
    )
    for job_id in restarted:
        import_job_enqueue(job_id=job_id)
    invitations = list(
        ImportJob.objects.filter(finished_at__lt=stale)
        .exclude(pending_invitations=[])
        .values_list("pk", flat=True)
    )
    for job_id in invitations:
        _invitations_enqueue(job_id)
    return {"failed": failed, "restarted": len(restarted), "invitations": len(invitations)}


# --- Enrolment ------------------------------------------------------------------------------

ENROLMENT_COLUMNS = (
    Column(
        "email",
        True,
        "The learner's e-mail address. It is how they sign in, so it must be their own.",
        "amina.khan@example.org",
    ),
    Column(
        "name",
        True,
        "Full name, up to 200 characters. Needed for people who have no account yet; for "
        "existing accounts it is not changed.",
        "Amina Khan",
    ),
    Column(
        "student_id",
        False,
        "The institution's student ID, up to 50 characters. May be left empty.",
        "S1234567",
    ),
)


@dataclass(frozen=True)
class _EnrolmentRow:
    line: int
    email: str
    name: str
    student_id: str


def _enrolment_rows(rows) -> tuple[list[_EnrolmentRow], list[dict]]:
    """The well-formed rows, and an error for each row that is not, duplicates included."""
    good, errors, seen = [], [], {}
    for row in rows:
        line = row["line"]
        email = row.get("email", "").strip().lower()
        name = " ".join(row.get("name", "").split())
        student_id = row.get("student_id", "").strip()
        problems = shape_problems(row)
        if problems:
            errors.append(row_error(line, join_problems(problems)))
            continue
        found = email_problems(email)
        if not found and email in seen:
            found = [f"the e-mail address {email} is already on line {seen[email]}"]
        elif not found:
            seen[email] = line
        problems += found
        problems += too_long(name, 200, "name")
        problems += too_long(student_id, 50, "student ID")
        if problems:
            errors.append(row_error(line, join_problems(problems)))
        else:
            good.append(_EnrolmentRow(line, email, name, student_id))
    return good, errors


def _users_by_email(emails) -> dict:
    User = get_user_model()
    found = {}
    for chunk in chunked(emails):
        for user in User.objects.filter(email__in=chunk):
            found[user.email] = user
    return found


def _capacity_error(offering, taken, adding):
    if offering.capacity is None or taken + adding <= offering.capacity:
        return None
    free = max(offering.capacity - taken, 0)
    return row_error(
        None,
        f"The offering has {free} place{'s' if free != 1 else ''} left and this file would "
        f"enrol {adding} more learner{'s' if adding != 1 else ''}. Raise the offering's "
        "capacity (“Edit the offering” on its page), withdraw learners who left, or remove "
        "rows; nobody was enrolled.",
    )


def _enrolled_and_withdrawn(offering_id):
    """(learner ids enrolled and active, learner ids withdrawn) in the offering."""
    enrolled, withdrawn = set(), set()
    for learner_id, withdrawn_at in Enrollment.objects.filter(offering_id=offering_id).values_list(
        "learner_id", "withdrawn_at"
    ):
        (withdrawn if withdrawn_at else enrolled).add(learner_id)
    return enrolled, withdrawn


def _withdrawn_error(line, email):
    return row_error(
        line,
        f"{email} was withdrawn from this offering; enrol them again with “Enrol a learner” on "
        "the offering's page, or remove the row.",
    )


def enrolment_validate(*, job, rows) -> list[dict]:
    good, errors = _enrolment_rows(rows)
    users = _users_by_email(row.email for row in good)
    enrolled, withdrawn = _enrolled_and_withdrawn(job.offering_id)
    adding = 0
    for row in good:
        user = users.get(row.email)
        if user is None:
            if not row.name:
                errors.append(
                    row_error(
                        row.line,
                        f"{row.email} has no account yet, so the name is needed to create one.",
                    )
                )
            adding += 1
        elif not user.is_active:
            errors.append(
                row_error(
                    row.line,
                    f"The account of {row.email} is deactivated; ask the LEADS team to "
                    "reactivate it, or remove the row.",
                )
            )
        elif user.pk in withdrawn:
            errors.append(_withdrawn_error(row.line, row.email))
        elif user.pk not in enrolled:
            adding += 1
    capacity = _capacity_error(job.offering, len(enrolled), adding)
    if capacity:
        errors.append(capacity)
    return errors


def enrolment_apply(*, job, rows, progress) -> dict:
    """Create the missing accounts, enrol everyone not yet enrolled, and invite the new people.

    Accounts are made one by one through `user_create` (it validates and normalises them), but
    everything else is read and written in bulk: one lookup per chunk of e-mails and one
    INSERT per batch of enrollments, which is what lets thousands of rows go in seconds.
    """
    good, errors = _enrolment_rows(rows)
    if errors:
        raise ImportRowsRefused(errors)
    offering = Offering.objects.select_for_update().get(pk=job.offering_id)
    users = _users_by_email(row.email for row in good)
    enrolled, withdrawn = _enrolled_and_withdrawn(offering.pk)
    refused = [
        _withdrawn_error(r.line, r.email)
        for r in good
        if users.get(r.email) and users[r.email].pk in withdrawn
    ]
    if refused:
        raise ImportRowsRefused(refused)
    adding = sum(1 for r in good if r.email not in users or users[r.email].pk not in enrolled)
    capacity = _capacity_error(offering, len(enrolled), adding)
    if capacity:
        raise ImportRowsRefused([capacity])

    created, enrolled_now, already, told = [], 0, 0, []
    for start in range(0, len(good), PROGRESS_EVERY):
        batch = good[start : start + PROGRESS_EVERY]
        new_enrollments = []
        for row in batch:
            user = users.get(row.email)
            if user is None:
                if not row.name:
                    raise ImportRowsRefused(
                        [row_error(row.line, f"{row.email} has no account yet; add the name.")]
                    )
                try:
                    user = user_create(email=row.email, full_name=row.name)
                except ValidationError as exc:
                    raise ImportRowsRefused([row_error(row.line, " ".join(exc.messages))])
                except IntegrityError:
                    # Another import created the same account a moment ago.
                    raise ImportRowsRefused(
                        [
                            row_error(
                                row.line,
                                f"An account for {row.email} was created while this file was "
                                "being imported; nothing was changed. Upload the file again.",
                            )
                        ]
                    )
                users[row.email] = user
                created.append(user.pk)
            if user.pk in enrolled:
                already += 1
                continue
            enrolled.add(user.pk)
            new_enrollments.append(
                Enrollment(
                    offering=offering,
                    learner=user,
                    student_id=row.student_id,
                    enrolled_by=job.created_by,
                )
            )
        Enrollment.objects.bulk_create(new_enrollments)
        # Accounts made by this import cannot sign in yet: they are invited instead.
        told += [e.pk for e in new_enrollments if may_be_told_of_enrolment(e.learner)]
        enrolled_now += len(new_enrollments)
        progress(start + len(batch))

    job.pending_invitations = created
    if created:
        from .tasks import send_import_invitations

        enqueue_on_commit(send_import_invitations, str(job.pk))
    # People who could sign in already are told they are enrolled; new accounts are invited.
    enrollments_announce(enrollment_ids=told)
    return {
        "rows": len(good),
        "created": len(created),
        "enrolled": enrolled_now,
        "already_enrolled": already,
        "invited": len(created),
    }


def _invitations_enqueue(job_id):
    from .tasks import send_import_invitations

    try:
        send_import_invitations.delay(str(job_id))
    except Exception:
        logger.exception("Could not enqueue invitations of import %s; the sweep will retry", job_id)


def invitation_message(*, user, offering, invited_by) -> EmailMessage:
    """An e-mail telling a new person they are enrolled, with a link to choose a password.

    The link is Django's password-reset link (same token, same page), built by accounts from
    SITE_URL and never from a request's Host header.
    """
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    body = render_to_string(
        "courses/imports/invitation_email.txt",
        {
            "user": user,
            "course_title": offering.course.title,
            "offering_label": offering.label,
            "invited_by": invited_by,
            "link": invitation_link(user),
            "valid_for": f"{hours} hours" if hours % 24 else f"{hours // 24} day(s)",
            "login_link": settings.SITE_URL + reverse("login"),
            "SITE_NAME": settings.SITE_NAME,
            "CENTRE_NAME": settings.CENTRE_NAME,
        },
    )
    subject = f"You are enrolled in {offering.course.title}: choose your password"
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def import_invitations_send(*, job_id) -> int:
    """Send the invitations an enrolment import still owes, a batch at a time.

    Each batch is taken off the job's list in the same transaction as it is sent, so a retry
    after a mail-server failure sends only what was not sent. People who have set a password
    meanwhile are not invited again.
    """
    User = get_user_model()
    sent = 0
    while True:
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update()
                .select_related("offering__course", "created_by")
                .filter(pk=job_id)
                .first()
            )
            if job is None or not job.pending_invitations:
                return sent
            batch = job.pending_invitations[:INVITATIONS_PER_BATCH]
            messages = [
                invitation_message(user=user, offering=job.offering, invited_by=job.created_by)
                for user in User.objects.filter(pk__in=batch, is_active=True)
                if not user.has_usable_password()
            ]
            if messages:
                with get_connection() as connection:
                    connection.send_messages(messages)
            job.pending_invitations = job.pending_invitations[INVITATIONS_PER_BATCH:]
            job.save(update_fields=["pending_invitations"])
            sent += len(messages)


def _may_enrol(*, user, offering) -> bool:
    return user.is_leads_admin


importer_register(
    Importer(
        kind=ImportJob.Kind.ENROLMENT.value,
        title="Enrol learners from a CSV file",
        columns=ENROLMENT_COLUMNS,
        may_import=_may_enrol,
        refusal="Only the LEADS team enrols learners.",
        validate=enrolment_validate,
        apply=enrolment_apply,
        summary_labels={
            "rows": "Rows in the file",
            "created": "Accounts created",
            "enrolled": "Newly enrolled",
            "already_enrolled": "Already enrolled",
            "invited": "Invited by e-mail to choose a password",
        },
        example_rows=lambda *, offering: [[c.example for c in ENROLMENT_COLUMNS]],
    )
)
