"""Enrolment by CSV: the whole file is checked first, bad files change nothing, re-uploads are
safe, and new people are invited with a link to choose their password."""

import html
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from accounts.models import User
from accounts.tests.factories import UserFactory
from courses.imports import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    ImportFileRefused,
    csv_read,
    enrolment_apply,
    import_job_create,
    import_job_run,
    import_jobs_sweep,
)
from courses.models import Enrollment, ImportJob
from courses.services import enrollment_create
from courses.views_imports import _cell

from .factories import leads_admin, running_offering

pytestmark = pytest.mark.django_db

GOOD = (
    "email,name,student_id\n"
    "amina.khan@example.org,Amina Khan,S001\n"
    "Bilal.Ahmed@Example.org,Bilal Ahmed,\n"
    "existing@example.org,,S003\n"
)


@pytest.fixture
def admin():
    return leads_admin()


@pytest.fixture
def offering():
    return running_offering()


@pytest.fixture
def existing():
    return UserFactory(email="existing@example.org", full_name="Existing Person")


def url(offering):
    return reverse("imports:enrolments", kwargs={"offering_pk": offering.pk})


def csv_file(content, name="learners.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def upload(client, admin, django_capture_on_commit_callbacks):
    """Post a file as the LEADS admin, running what is enqueued on commit (Celery is eager)."""

    def post(offering, content, name="learners.csv", user=admin):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url(offering), {"file": csv_file(content, name)})

    return post


def counts():
    return User.objects.count(), Enrollment.objects.count()


def last_job():
    return ImportJob.objects.latest("created_at")


# --- The happy path ----------------------------------------------------------------------------


def test_a_file_enrols_everyone_creates_accounts_and_invites_new_people(
    upload, offering, existing, admin
):
    response = upload(offering, GOOD)
    job = last_job()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", kwargs={"job_id": job.pk})
    assert job.status == ImportJob.Status.DONE
    assert job.summary == {
        "rows": 3,
        "created": 2,
        "enrolled": 3,
        "already_enrolled": 0,
        "invited": 2,
    }
    assert job.rows == [] and job.pending_invitations == []  # nothing of the file is kept
    enrollments = {e.learner.email: e for e in Enrollment.objects.filter(offering=offering)}
    assert set(enrollments) == {
        "amina.khan@example.org",
        "bilal.ahmed@example.org",
        "existing@example.org",
    }
    assert enrollments["amina.khan@example.org"].student_id == "S001"
    assert enrollments["existing@example.org"].enrolled_by == admin
    amina = User.objects.get(email="amina.khan@example.org")
    assert amina.full_name == "Amina Khan" and not amina.has_usable_password()
    existing.refresh_from_db()
    assert existing.full_name == "Existing Person"  # an existing account is not changed

    # New people are invited to choose a password; the person who could sign in already is told
    # of the enrolment, with a link to the course.
    invitations = [m for m in mail.outbox if "choose your password" in m.subject]
    assert sorted(m.to[0] for m in invitations) == [
        "amina.khan@example.org",
        "bilal.ahmed@example.org",
    ]
    (told,) = [m for m in mail.outbox if m not in invitations]
    enrolment = enrollments["existing@example.org"]
    assert told.to == ["existing@example.org"] and told.body.startswith("Dear Existing Person,")
    assert settings.SITE_URL + f"/learn/enrolments/{enrolment.pk}/" in told.body
    message = next(m for m in mail.outbox if m.to == ["amina.khan@example.org"])
    assert offering.course.title in message.subject
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)
    assert link.startswith(settings.SITE_URL + "/accounts/reset/")
    uidb64, token = link.rstrip("/").split("/")[-2:]
    assert force_str(urlsafe_base64_decode(uidb64)) == str(amina.pk)
    assert default_token_generator.check_token(amina, token)


def test_the_invitation_link_opens_the_set_password_page(upload, offering, existing, client):
    upload(offering, GOOD)
    message = next(m for m in mail.outbox if m.to == ["amina.khan@example.org"])
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)
    client.logout()
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert "new_password1" in response.content.decode()


def test_uploading_the_same_file_again_enrols_nobody_twice(upload, offering, existing, client):
    upload(offering, GOOD)
    before = counts()
    mail.outbox.clear()
    upload(offering, GOOD)
    job = last_job()
    assert job.status == ImportJob.Status.DONE
    assert job.summary["already_enrolled"] == 3
    assert job.summary["enrolled"] == job.summary["created"] == job.summary["invited"] == 0
    assert counts() == before
    assert mail.outbox == []
    page = client.get(reverse("imports:job", kwargs={"job_id": job.pk})).content.decode()
    assert "Already enrolled" in page and 'data-key="already_enrolled">3<' in page


def test_a_byte_order_mark_and_any_case_of_column_names_are_accepted(upload, offering):
    content = "\ufeffEMAIL,Name,Student ID\r\nnew@example.org,New Person,X1\r\n"
    upload(offering, content.encode("utf-8"))
    assert last_job().status == ImportJob.Status.DONE
    assert Enrollment.objects.get(offering=offering).student_id == "X1"


def test_excel_semicolons_and_blank_lines_are_read(upload, offering):
    upload(offering, "email;name\n\nnew@example.org;New Person\n;\n")
    assert last_job().summary["enrolled"] == 1


def test_people_already_enrolled_need_no_place_but_new_ones_do(upload, existing):
    offering = running_offering(capacity=2)
    enrollment_create(offering=offering, learner=existing)
    upload(offering, "email,name\nexisting@example.org,\nnew@example.org,New Person\n")
    job = last_job()
    assert job.status == ImportJob.Status.DONE
    assert job.summary["enrolled"] == 1 and job.summary["already_enrolled"] == 1


# --- Bad rows: every one reported, nothing changed ----------------------------------------


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("email,name\nok@example.org,Ok\nshort@example.org\n", 3, "Missing column: name."),
        ("email,name\nok@example.org,Ok\nnot-an-email,Someone\n", 3, "not a valid e-mail"),
        ("email,name\nok@example.org,Ok\n,Nobody\n", 3, "The e-mail address is missing"),
        (
            "email,name\nok@example.org,Ok\nOK@example.org,Ok again\n",
            3,
            "The e-mail address ok@example.org is already on line 2",
        ),
        ("email,name\nok@example.org,Ok\nnew@example.org,\n", 3, "the name is needed"),
        (
            "email,name\nok@example.org,Ok\nlong@example.org," + "n" * 201 + "\n",
            3,
            "The name is 201 characters long; at most 200",
        ),
        (
            "email,name,student_id\nok@example.org,Ok,\nid@example.org,Id," + "9" * 51 + "\n",
            3,
            "The student ID is 51 characters long; at most 50",
        ),
        (
            "email,name\nok@example.org,Ok\n" + "x" * 250 + "@example.org,Long\n",
            3,
            "longer than 254 characters",
        ),
        ("email,name\nok@example.org,Ok\nx@example.org,X,extra\n", 3, "1 more value than"),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_nothing_changes(
    upload, offering, content, line, message
):
    before = counts()
    upload(offering, content)
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    assert [e["line"] for e in job.errors] == [line]
    assert message in job.errors[0]["message"]
    assert counts() == before
    assert mail.outbox == []


def test_every_bad_row_is_reported_at_once(upload, offering, client):
    content = (
        "email,name\n"
        "bad-one,A\n"  # line 2
        "good@example.org,Good\n"
        "new@example.org,\n"  # line 4
        "good@example.org,Again\n"  # line 5
    )
    before = counts()
    upload(offering, content)
    job = last_job()
    assert [e["line"] for e in job.errors] == [2, 4, 5]
    assert counts() == before
    page = client.get(reverse("imports:job", kwargs={"job_id": job.pk})).content.decode()
    assert "Not imported: nothing was changed. 3 problems to correct" in page
    assert "<td>5</td>" in page
    errors_csv = client.get(reverse("imports:job_errors", kwargs={"job_id": job.pk}))
    assert errors_csv.content.decode("utf-8-sig").splitlines()[1].startswith("2,")


def test_a_file_that_would_overfill_the_offering_changes_nothing(upload):
    offering = running_offering(capacity=2)
    before = counts()
    upload(offering, "email,name\na@example.org,A\nb@example.org,B\nc@example.org,C\n")
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [
        {
            "line": None,
            "message": "The offering has 2 places left and this file would enrol 3 more "
            "learners. Raise the offering's capacity (“Edit the offering” on its page), "
            "withdraw learners who left, or remove rows; nobody was enrolled.",
        }
    ]
    assert counts() == before


def test_a_deactivated_account_is_refused(upload, offering, existing):
    existing.is_active = False
    existing.save()
    upload(offering, "email,name\nexisting@example.org,\n")
    assert "deactivated" in last_job().errors[0]["message"]
    assert Enrollment.objects.count() == 0


# --- Bad files: refused on the form, no job made ---------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("email,name\nJosé@example.org,José\n".encode("latin-1"), "l.csv", "not encoded as UTF-8"),
        (b"", "empty.csv", "The file is empty."),
        (b"\n\n  \n", "blank.csv", "The file is empty."),
        (b"email,name\n", "header.csv", "no rows to import"),
        (b"PK\x03\x04\x14\x00\x06\x00", "learners.xlsx", "spreadsheet workbook"),
        (b"\xff\xfee\x00m\x00", "utf16.csv", "UTF-16"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image.csv", "not a text file"),
        (b"email,name\na@example.org,A\n", "learners.pdf", "Choose a CSV file"),
        (b"a@example.org,Amina\n", "noheader.csv", "must be a header row"),
        (b"email,full name\na@example.org,A\n", "h.csv", "unknown column “full_name”"),
        (b"email,studentid\na@example.org,1\n", "h.csv", "no “name” column"),
        (b'email,name\n"a@example.org,A\n', "q.csv", "could not be read as CSV"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_message(
    upload, offering, content, name, message
):
    before = counts()
    response = upload(offering, content, name=name)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert counts() == before
    assert not ImportJob.objects.exists()


def test_a_file_over_the_size_limit_is_refused(upload, offering):
    content = b"email,name\n" + b"a" * MAX_UPLOAD_BYTES
    response = upload(offering, content)
    assert response.status_code == 400
    assert "the limit is 5 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_50_mb_upload_is_refused_by_its_size(upload, offering):
    response = upload(offering, b"email,name\n" + b"x" * (50 * 1024 * 1024))
    assert response.status_code == 400
    assert "The file is 50.0 MB; the limit is 5 MB" in response.content.decode()
    assert counts()[1] == 0 and not ImportJob.objects.exists()


def test_the_size_is_checked_before_the_file_is_read():
    upload = mock.Mock(size=50 * 1024 * 1024, read=mock.Mock(side_effect=AssertionError("read")))
    upload.name = "big.csv"
    with pytest.raises(ImportFileRefused) as refused:
        csv_read(upload=upload, columns=())
    assert refused.value.code == "too_large"
    upload.read.assert_not_called()


# --- Jobs: safe to run twice, progress in batches, broker outages ------------------------------


def test_running_a_job_twice_or_applying_its_rows_again_duplicates_nothing(
    admin, offering, existing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(
            kind="enrolment", offering=offering, acting_user=admin, upload=csv_file(GOOD)
        )
    rows = job.rows
    with django_capture_on_commit_callbacks(execute=True):
        assert import_job_run(job_id=job.pk) == ImportJob.Status.DONE
        assert import_job_run(job_id=job.pk) == ImportJob.Status.DONE
    # Two invitations (the new accounts) and one enrolment e-mail (the existing account).
    assert Enrollment.objects.count() == 3 and len(mail.outbox) == 3
    # Even the apply step itself, given the same rows again, adds nobody.
    job.refresh_from_db()
    summary = enrolment_apply(job=job, rows=rows, progress=lambda n: None)
    assert summary["enrolled"] == summary["created"] == 0
    assert summary["already_enrolled"] == 3
    assert Enrollment.objects.count() == 3


def test_progress_is_reported_in_batches_not_per_row(upload, offering):
    content = "email,name\n" + "".join(f"p{i}@example.org,Person {i}\n" for i in range(600))
    with mock.patch("courses.imports._progress_publish") as publish:
        upload(offering, content)
    assert last_job().summary["enrolled"] == 600
    assert [c.args[1] for c in publish.call_args_list] == [250, 500, 600]


def test_existing_people_are_enrolled_in_bulk(
    admin, offering, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    people = [UserFactory() for _ in range(300)]
    content = "email,name\n" + "".join(f"{p.email},\n" for p in people)
    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(
            kind="enrolment", offering=offering, acting_user=admin, upload=csv_file(content)
        )
    with django_assert_max_num_queries(30):
        assert import_job_run(job_id=job.pk) == ImportJob.Status.DONE
    assert Enrollment.objects.filter(offering=offering).count() == 300


def test_a_broker_outage_does_not_fail_the_upload_and_the_sweep_retries(upload, offering):
    with mock.patch("courses.tasks.run_import.apply_async", side_effect=OSError("no broker")):
        response = upload(offering, GOOD)
    job = last_job()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.PENDING and Enrollment.objects.count() == 0
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at.replace(year=2000))
    assert import_jobs_sweep()["failed"] == 1  # a day later it is given up, rows dropped
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.rows == []


def test_the_sweep_restarts_a_job_left_pending(
    upload, offering, existing, django_capture_on_commit_callbacks
):
    with mock.patch("courses.tasks.run_import.apply_async", side_effect=OSError("no broker")):
        upload(offering, GOOD)
    job = last_job()
    with django_capture_on_commit_callbacks(execute=True):
        result = import_jobs_sweep(now=timezone.now() + timedelta(minutes=16))
    assert result["restarted"] == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Enrollment.objects.count() == 3


# --- Pages and permissions -------------------------------------------------------------------


def test_the_upload_page_explains_the_columns_and_offers_a_template(client, admin, offering):
    client.force_login(admin)
    page = client.get(url(offering)).content.decode()
    assert "<code>student_id</code>" in page and 'enctype="multipart/form-data"' in page
    template = client.get(
        reverse("imports:enrolments_template", kwargs={"offering_pk": offering.pk})
    )
    assert template["Content-Type"].startswith("text/csv")
    lines = template.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "email,name,student_id"


def test_the_progress_page_polls_a_status_endpoint(upload, offering, existing, client):
    upload(offering, GOOD)
    job = last_job()
    page = client.get(reverse("imports:job", kwargs={"job_id": job.pk})).content.decode()
    assert "<progress" in page and 'aria-live="polite"' in page
    assert "js/import-progress.js" in page and "<script>" not in page
    status = client.get(reverse("imports:job_status", kwargs={"job_id": job.pk})).json()
    assert status["status"] == "done" and status["finished"] is True
    assert status["processed"] == status["total"] == 3
    assert {"key": "created", "label": "Accounts created", "value": 2} in status["summary"]


def test_only_the_leads_team_may_enrol_by_csv(client, offering, upload):
    target = url(offering)
    response = client.get(target)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    instructor = UserFactory(is_instructor=True)
    offering.instructors.add(instructor)
    for person in (UserFactory(), instructor):
        client.force_login(person)
        assert client.get(target).status_code == 403
        assert client.post(target, {"file": csv_file(GOOD)}).status_code == 403
    assert not ImportJob.objects.exists()
    upload(offering, GOOD)
    job = last_job()
    client.force_login(UserFactory())
    assert client.get(reverse("imports:job", kwargs={"job_id": job.pk})).status_code == 403
    assert client.get(reverse("imports:job_status", kwargs={"job_id": job.pk})).status_code == 403


def test_the_errors_csv_neutralises_formulas():
    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("@SUM(1)") == "'@SUM(1)"
    assert _cell(None) == "" and _cell(3) == "3" and _cell("Fine") == "Fine"


def test_a_file_with_too_many_rows_is_refused(upload, offering):
    content = "email,name\n" + "a@example.org,A\n" * (MAX_ROWS + 1)
    response = upload(offering, content)
    assert response.status_code == 400
    assert f"at most {MAX_ROWS:,} can be imported at once" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_progress_page_follows_the_job_until_it_ends(browser_page):
    from playwright.sync_api import expect

    from accounts.tests.factories import PASSWORD
    from courses.imports import _progress_publish

    page = browser_page
    problems = []
    # Script errors and anything the Content Security Policy blocks (no inline scripts).
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda msg: "Content Security Policy" in msg.text and problems.append(msg))
    admin = leads_admin()
    offering = running_offering()
    job = ImportJob.objects.create(
        kind="enrolment", offering=offering, created_by=admin, total=600, status="running"
    )
    page.goto(page.base_url + reverse("login"))
    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(page.base_url + reverse("imports:job", kwargs={"job_id": job.pk}))
    expect(page.get_by_role("status")).to_contain_text("Importing")

    _progress_publish(job.pk, 250)
    expect(page.locator("#import-counts")).to_have_text("250 of 600 rows imported.")
    assert page.locator("#import-progress").get_attribute("value") == "250"

    summary = {"rows": 600, "created": 10, "enrolled": 600, "already_enrolled": 0, "invited": 10}
    ImportJob.objects.filter(pk=job.pk).update(status="done", processed=600, summary=summary)
    expect(page.get_by_role("status")).to_have_text("Done: the file was imported.")
    expect(page.locator('dd[data-key="enrolled"]')).to_have_text("600")
    expect(page.locator("#import-errors")).to_be_hidden()

    failed = ImportJob.objects.create(
        kind="enrolment", offering=offering, created_by=admin, total=2, status="validating"
    )
    page.goto(page.base_url + reverse("imports:job", kwargs={"job_id": failed.pk}))
    expect(page.get_by_role("status")).to_contain_text("Checking the file")
    ImportJob.objects.filter(pk=failed.pk).update(
        status="failed", errors=[{"line": 3, "message": "The name is needed."}]
    )
    expect(page.get_by_role("status")).to_contain_text("1 problem to correct")
    expect(page.locator("#import-errors-body tr")).to_have_text("3The name is needed.")
    assert problems == []
