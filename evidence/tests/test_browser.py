"""Evidence, walked in Chromium the way people do it: a learner hands in a file and shares it
from their badge, an assessor returns it for rework, the learner hands in again, the pass is
moderated blind by a second assessor, and the badge issued links to the shared file; a file that
is not what its name says is refused with what was typed kept; a person earns the badge by
recognition of prior learning; and a disagreement between assessors is decided by the course
leader.
"""

import re
import time
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from badges.models import Assertion
from badges.services import badge_class_create
from courses.models import OfferingKind
from courses.services import offering_create
from courses.tests.factories import leads_admin
from evidence.models import EvidenceItem, EvidenceSubmission, Moderation, SubmissionState
from evidence.services import moderation_policy_set, submission_judge

from .factories import all_met, course_with_plan, enrolled, handed_in, offering_with_assessors, png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
COURSE = "Data Analytics with Python"  # courses.tests.factories.approved_course's title


# --- Helpers ----------------------------------------------------------------------------------


def sign_in(page, person):
    """Sign `person` in, in a fresh session (the previous person's cookies are dropped)."""
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out").first).to_be_attached()


def open_site_link(page, link):
    """Open an absolute link of the site (SITE_URL, as e-mails and badges carry) on the live
    server."""
    assert link.startswith(settings.SITE_URL), link
    page.goto(page.base_url + link.removeprefix(settings.SITE_URL))


def mail_to(person, subject, *, timeout=5.0):
    """The one e-mail with `subject` sent to `person`, waiting briefly for it to arrive."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in mail.outbox if m.to == [person.email] and m.subject == subject]
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    sent = [(m.to, m.subject) for m in mail.outbox]
    assert len(found) == 1, f"expected one {subject!r} to {person.email}; the outbox: {sent}"
    return found[0]


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def sample(percent):
    """The centre's moderation sample, set by the LEADS team: `percent` of passes, and every
    "not yet demonstrated"."""
    moderation_policy_set(acting_user=leads_admin(), sample_percent=percent, every_not_yet=True)


def criterion(page, code="LO1"):
    """The fieldset of one rubric criterion on a judging page (its legend starts with the code)."""
    return page.get_by_role("group", name=re.compile(rf"^{code}: "))


def hand_in_file(page, path, *, share):
    """On the hand-in page: choose the file for File 1 and, if asked, link it from the badge."""
    page.get_by_label("File 1", exact=True).set_input_files(path)
    if share:
        page.get_by_label("File 1: link to it from my badge").check()


def attempt(page, n):
    return page.locator(f"#attempt-{n}")


def visible_text(page, text):
    return page.get_by_text(text).filter(visible=True)


# --- Test 1: hand in, rework, hand in again, blind moderation, the badge with the shared PDF -----


def test_hand_in_rework_moderation_and_the_badge_links_the_shared_pdf(browser_page, tmp_path):
    page = browser_page
    offering, first, second = offering_with_assessors()
    enrollment = enrolled(offering, full_name="Amina Yusuf")
    learner = enrollment.learner
    plan = write(tmp_path, "lesson-plan.pdf", PDF)
    revised = write(tmp_path, "lesson-plan-v2.pdf", PDF.replace(b"%%EOF", b"% revised\n%%EOF"))
    sample(0)

    # The learner finds the assessment from My learning and hands in a PDF, shared from the badge.
    sign_in(page, learner)
    page.get_by_role("link", name="My learning").first.click()
    page.get_by_role("link", name=COURSE).click()
    expect(page.get_by_role("heading", name="Hand in your work")).to_be_visible()
    page.get_by_role("link", name="Task 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Task 1")
    hand_in_file(page, plan, share=True)
    page.get_by_role("button", name="Hand in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Handed in: attempt 1 of “Task 1”")
    expect(page.get_by_role("heading", name="Attempt 1: Submitted")).to_be_visible()
    expect(attempt(page, 1)).to_contain_text("Linked from your badge.")
    expect(page.get_by_role("status")).to_contain_text("Your work is being judged")

    # The first assessor opens the offering's queue and returns it for rework.
    sign_in(page, first)
    page.get_by_role("link", name="Offerings").first.click()
    page.get_by_role("link", name=COURSE).click()
    page.get_by_role("link", name="Evidence to judge (1 waiting)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence to judge")
    page.get_by_role("link", name="Judge Amina Yusuf, Task 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Task 1: Amina Yusuf")
    expect(page.get_by_role("link", name="lesson-plan.pdf")).to_be_visible()
    criterion(page).get_by_label("Not yet met").check()
    page.get_by_label("Comment on LO1").fill("Say how the plan meets each learner's needs.")
    page.get_by_label("Return for rework").check()
    page.get_by_label("Feedback to the learner").fill("A good start: add the differentiation.")
    page.get_by_role("button", name="Record the judgement").click()
    expect(page.get_by_role("alert")).to_contain_text("Judgement recorded: returned for rework.")

    # The learner's e-mail takes them to the feedback, and they hand in again.
    message = mail_to(learner, "Returned for rework: Task 1")
    assert "A good start: add the differentiation." in message.body
    link = re.search(r"hand in again here:\s*(\S+)", message.body).group(1)
    assert link == settings.SITE_URL + reverse(
        "evidence:hand_in", args=[enrollment.pk, enrollment.offering.course.assessments.get().pk]
    )
    sign_in(page, learner)
    open_site_link(page, link)
    returned = attempt(page, 1)
    expect(returned.get_by_role("heading", level=3)).to_have_text("Attempt 1: Returned for rework")
    expect(returned).to_contain_text("A good start: add the differentiation.")
    expect(returned).to_contain_text("Say how the plan meets each learner's needs.")
    expect(returned).to_contain_text("Not yet")
    hand_in_file(page, revised, share=True)
    page.get_by_label("Written statement").fill("Differentiation is on page 2.")
    page.get_by_role("button", name="Hand in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Handed in: attempt 2 of “Task 1”")
    expect(page.get_by_role("heading", name="Attempt 2: Submitted")).to_be_visible()
    expect(page.get_by_role("heading", name="Attempt 1: Returned for rework")).to_be_visible()

    # Every pass is moderated from now on: the first assessor's pass waits for a second assessor.
    sample(100)
    sign_in(page, first)
    page.goto(page.base_url + reverse("evidence:queue", args=[offering.pk]))
    row = page.get_by_role("row", name=re.compile("Amina Yusuf"))
    expect(row).to_have_count(1)  # only the open attempt waits
    expect(row).to_contain_text("2")
    row.get_by_role("link", name="Judge Amina Yusuf, Task 1").click()
    expect(page.get_by_text("Earlier attempts")).to_be_visible()
    criterion(page).get_by_label("Met", exact=True).check()
    page.get_by_label("Pass: every criterion met").check()
    page.get_by_label("Feedback to the learner").fill("Well done: every learner is planned for.")
    page.get_by_role("button", name="Record the judgement").click()
    expect(page.get_by_role("alert")).to_contain_text("is in the moderation sample")

    # The learner sees it still in review, with nothing of the judgement yet.
    sign_in(page, learner)
    open_site_link(page, link)
    expect(attempt(page, 2).get_by_role("heading", level=3)).to_have_text("Attempt 2: In review")
    expect(page.get_by_text("Well done: every learner is planned for.")).to_have_count(0)
    assert not [m for m in mail.outbox if m.subject == "Passed: Task 1"]

    # The second assessor moderates blind: nothing of the first judgement or its assessor shows.
    sign_in(page, second)
    page.get_by_role("link", name="Moderation", exact=True).first.click()
    page.get_by_role("link", name=re.compile(r"^Moderate C-")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Moderate: Task 1")
    expect(page.get_by_role("heading", name="Your judgement")).to_be_visible()
    expect(page.get_by_role("link", name="lesson-plan-v2.pdf")).to_be_visible()
    expect(visible_text(page, "Imran Shah")).to_have_count(0)
    expect(visible_text(page, "Well done: every learner is planned for.")).to_have_count(0)
    expect(visible_text(page, "Pass: every criterion met ·")).to_have_count(0)
    criterion(page).get_by_label("Met", exact=True).check()
    page.get_by_label("Pass: every criterion met").check()
    page.get_by_label("Note for the record and the course leader").fill(
        "Agreed: clear differentiation."
    )
    page.get_by_role("button", name="Record my judgement").click()
    expect(page.get_by_role("alert")).to_contain_text("You agree with the first assessor")
    expect(page.get_by_role("heading", name="Both judgements")).to_be_visible()
    expect(page.get_by_role("heading", name="First assessor: Imran Shah")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Second assessor (moderation): Sara Malik")
    ).to_be_visible()
    expect(page.get_by_text("Well done: every learner is planned for.")).to_be_visible()

    # Passed: the enrolment completes and the badge is issued on its own (Celery is eager here).
    passed = mail_to(learner, "Passed: Task 1")
    assert f"See the judgement on each criterion here:\n{link}" in passed.body
    # The learner is given the first assessor's feedback, as on the page: not the moderator's note.
    assert "Well done: every learner is planned for." in passed.body
    assert "Agreed: clear differentiation." not in passed.body
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert Assertion.objects.filter(enrollment=enrollment, revoked_at=None).exists()
    submission = EvidenceSubmission.objects.get(enrollment=enrollment, attempt=2)
    assert (submission.state, submission.moderation) == (SubmissionState.PASSED, Moderation.AGREED)

    # The e-mail's link shows the pass, with the first assessor's feedback.
    sign_in(page, learner)
    open_site_link(page, link)
    settled = attempt(page, 2)
    expect(settled.get_by_role("heading", level=3)).to_have_text("Attempt 2: Passed")
    expect(settled).to_contain_text("Well done: every learner is planned for.")
    expect(page.get_by_role("status")).to_contain_text("You have passed this assessment")

    # The learner opens the badge's verification page from My badges: the shared PDF downloads.
    page.get_by_role("link", name="My badges").first.click()
    verification = page.get_by_role("link", name="Open the verification page").get_attribute("href")
    open_site_link(page, verification)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Valid")
    shared = page.get_by_role("link", name="Open what the learner shared: lesson-plan-v2.pdf")
    expect(shared).to_be_visible()
    href = shared.get_attribute("href")
    item = EvidenceItem.objects.get(submission=submission, kind=EvidenceItem.Kind.FILE)
    assert re.fullmatch(re.escape(settings.SITE_URL) + r"/public/evidence/[0-9a-f-]{36}", href)
    assert href.endswith(f"/public/evidence/{item.pk}")
    page.context.clear_cookies()  # anyone checking the badge, signed in or not
    response = page.request.get(page.base_url + href.removeprefix(settings.SITE_URL))
    assert response.status == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert "lesson-plan-v2.pdf" in response.headers["content-disposition"]
    assert response.body() == revised.read_bytes()


# --- Test 2: a file that is not what its name says -------------------------------------------


def test_a_png_named_pdf_is_refused_and_the_statement_is_kept(browser_page, tmp_path):
    page = browser_page
    offering, *_ = offering_with_assessors()
    enrollment = enrolled(offering)
    fake = write(tmp_path, "report.pdf", png().read())

    sign_in(page, enrollment.learner)
    assessment = offering.course.assessments.get()
    page.goto(page.base_url + reverse("evidence:hand_in", args=[enrollment.pk, assessment.pk]))
    page.get_by_label("Written statement").fill("My reflection on the lesson.")
    hand_in_file(page, fake, share=False)
    page.get_by_role("button", name="Hand in", exact=True).click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Nothing was saved")
    expect(summary).to_contain_text(
        "“report.pdf” does not contain what its name says (a PDF file)."
    )
    expect(summary).to_be_focused()
    expect(page.get_by_label("Written statement")).to_have_value("My reflection on the lesson.")
    expect(page.get_by_text("choose them again")).to_be_visible()
    expect(page.get_by_text("Nothing handed in yet.")).to_be_visible()
    assert EvidenceSubmission.objects.count() == 0
    assert EvidenceItem.objects.count() == 0


# --- Test 3: recognition of prior learning ---------------------------------------------------


def test_a_person_earns_the_badge_by_recognition_of_prior_learning(browser_page, tmp_path):
    page = browser_page
    admin = leads_admin()
    assessor = UserFactory(is_instructor=True, is_learner=False, full_name="Imran Shah")
    course = course_with_plan()
    badge_class_create(course=course, acting_user=admin)
    window = offering_create(
        course=course, acting_user=admin, kind=OfferingKind.PRIOR_LEARNING,
        title="Recognition of prior learning", starts_on=date.today(),
        ends_on=date.today() + timedelta(days=30), instructors=[assessor],
    )  # fmt: skip
    applicant = UserFactory(is_learner=True, full_name="Tariq Aziz")
    portfolio = write(tmp_path, "portfolio.pdf", PDF)
    sample(0)

    sign_in(page, applicant)
    page.goto(page.base_url + reverse("catalogue:course", args=[course.lineage]))
    page.get_by_role("link", name="Apply for recognition of prior learning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Apply for recognition of prior learning"
    )
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("alert")).to_contain_text("by recognition of prior learning")
    page.get_by_role("link", name="Task 1").click()
    page.get_by_label("Written statement").fill("I have taught this for five years.")
    hand_in_file(page, portfolio, share=False)
    page.get_by_role("button", name="Hand in", exact=True).click()
    expect(page.get_by_role("heading", name="Attempt 1: Submitted")).to_be_visible()

    sign_in(page, assessor)
    page.goto(page.base_url + reverse("evidence:queue", args=[window.pk]))
    page.get_by_role("link", name="Judge Tariq Aziz, Task 1").click()
    expect(page.get_by_text("I have taught this for five years.")).to_be_visible()
    criterion(page).get_by_label("Met", exact=True).check()
    page.get_by_label("Pass: every criterion met").check()
    page.get_by_role("button", name="Record the judgement").click()
    expect(page.get_by_role("alert")).to_contain_text("Judgement recorded: passed.")

    sign_in(page, applicant)
    page.get_by_role("link", name="My badges").first.click()
    verification = page.get_by_role("link", name="Open the verification page").get_attribute("href")
    open_site_link(page, verification)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Valid")
    expect(page.get_by_text("Awarded by recognition of prior learning")).to_be_visible()


# --- Test 4: the assessors disagree, the course leader decides ---------------------------------


def test_a_disagreement_goes_to_the_course_leader_who_decides(browser_page):
    page = browser_page
    offering, first, second = offering_with_assessors()
    leader = offering.course.leader
    enrollment = enrolled(offering, full_name="Amina Yusuf")
    sample(100)
    submission = handed_in(enrollment)
    submission_judge(submission=submission, acting_user=first, criteria=all_met(submission),
                     result="pass", feedback="Meets the criterion.")  # fmt: skip

    sign_in(page, second)
    page.get_by_role("link", name="Moderation", exact=True).first.click()
    page.get_by_role("link", name=f"Moderate {submission.code}").click()
    criterion(page).get_by_label("Not yet met").check()
    page.get_by_label("Comment on LO1").fill("The photo does not show the plan in use.")
    page.get_by_label("Not yet demonstrated").check()
    page.get_by_role("button", name="Record my judgement").click()
    expect(page.get_by_role("alert")).to_contain_text("the course leader decides")
    expect(page.get_by_role("heading", name="Both judgements")).to_be_visible()
    mail_to(leader, f"Assessors disagree: Task 1 ({submission.code})")

    sign_in(page, leader)
    page.get_by_role("link", name="Referrals").first.click()
    page.get_by_role("link", name=f"Decide {submission.code}").click()
    expect(page.get_by_role("heading", name="First assessor: Imran Shah")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Second assessor (moderation): Sara Malik")
    ).to_be_visible()
    page.get_by_label("Not yet demonstrated").check()
    page.get_by_label("Reason").fill("The evidence does not show the plan used with learners.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("alert")).to_contain_text("Decision recorded. The learner is told.")
    expect(page.get_by_text("No disagreement waits for you.")).to_be_visible()

    mail_to(enrollment.learner, "Not yet demonstrated: Task 1")
    sign_in(page, enrollment.learner)
    page.get_by_role("link", name="My learning").first.click()
    page.get_by_role("link", name=COURSE).click()
    expect(page.get_by_text("Attempt 1: Not yet demonstrated")).to_be_visible()
    page.get_by_role("link", name="Task 1").click()
    settled = attempt(page, 1)
    expect(settled.get_by_role("heading", level=3)).to_have_text("Attempt 1: Not yet demonstrated")
    expect(settled).to_contain_text("The evidence does not show the plan used with learners.")
    expect(settled).to_contain_text("The photo does not show the plan in use.")
