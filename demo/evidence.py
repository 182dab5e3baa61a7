"""Demo evidence: a portfolio cohort of "SQL for Data Analysis" whose learners hand in work at
every stage (handed in, in review, returned for rework and handed in again, passed with the
evidence the learner chose to share in their badge, not yet demonstrated, waiting for a second
assessor, referred to the course leader), and a recognition-of-prior-learning window in which
one applicant's evidence earned the badge and another's waits."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from accounts.services import user_create
from badges.tasks import sweep_unissued_badges
from courses.models import Course, CourseStatus, Offering, OfferingKind
from courses.services import enrollment_create, offering_create, prior_learning_apply
from evidence.services import (
    HandInFile,
    HandInLink,
    hand_in_rules_set,
    moderation_policy_set,
    submission_hand_in,
    submission_judge,
    submission_moderate,
    submission_start_review,
)

from .people import DEMO_PASSWORD

PORTFOLIO = "Portfolio cohort, winter 2026"
PRIOR_LEARNING = "Recognition of prior learning, 2026–27"

PORTFOLIO_LEARNERS = [
    ("nadia.hassan@learners.example", "Nadia Hassan"),
    ("omar.farooq@learners.example", "Omar Farooq"),
    ("lina.haddad@learners.example", "Lina Haddad"),
    ("peter.mwangi@learners.example", "Peter Mwangi"),
    ("zara.iqbal@learners.example", "Zara Iqbal"),
    ("kamran.ali@learners.example", "Kamran Ali"),
    ("sana.qadir@learners.example", "Sana Qadir"),
]
APPLICANTS = [
    ("tariq.mehmood@learners.example", "Tariq Mehmood"),
    ("rukhsana.bibi@learners.example", "Rukhsana Bibi"),
]


def _person(email, name):
    return User.objects.filter(email=email).first() or user_create(
        email=email, full_name=name, password=DEMO_PASSWORD
    )


def _pdf(name, text):
    body = f"%PDF-1.4\n% {text}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".encode()
    return SimpleUploadedFile(name, body)


def _png(name):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), (30, 90, 160)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue())


def _criteria(submission, met=True, comment=""):
    return {c.pk: (met, comment) for c in submission.assessment.criteria.all()}


def _hand_in(enrollment, assessment, *, files=(), links=(), statement=""):
    return submission_hand_in(
        enrollment=enrollment, assessment=assessment, acting_user=enrollment.learner,
        files=list(files), links=list(links), statement=statement,
    )  # fmt: skip


def _published_sql():
    return Course.objects.get(title="SQL for Data Analysis", status=CourseStatus.PUBLISHED)


def seed_evidence(people):
    if Offering.objects.filter(title=PORTFOLIO).exists():
        return _found()
    admin = people["admin@leads.example"]
    first = people["instructor@leads.example"]
    second = people["assessor@leads.example"]
    course = _published_sql()
    exercises, report = list(course.assessments.filter(purpose="summative").order_by("position"))
    today = timezone.localdate()
    offering = offering_create(
        course=course, acting_user=admin, title=PORTFOLIO, starts_on=today - timedelta(days=21),
        ends_on=today + timedelta(days=45), instructors=[first, second], capacity=30,
    )  # fmt: skip
    hand_in_rules_set(
        offering=offering, assessment=report, acting_user=first,
        due_at=timezone.now() + timedelta(days=30), max_file_mb=20,
        file_kinds=["pdf", "office", "image"], anonymous_marking=True,
    )  # fmt: skip
    nadia, omar, lina, peter, zara, kamran, sana = (
        enrollment_create(offering=offering, learner=_person(*p), acting_user=admin)
        for p in PORTFOLIO_LEARNERS
    )
    # Settled at once while the stories are told; the centre's own sample is set at the end.
    moderation_policy_set(acting_user=admin, sample_percent=0, every_not_yet=False)

    # Nadia: returned for rework, handed in again, passed; her report passed with the PDF she
    # chose to link from her badge: the badge was issued on completion and names both.
    one = _hand_in(nadia, exercises, files=[HandInFile(_pdf("queries-week1.pdf", "Week 1"),
                                                       "Query exercises, weeks 1–3")])  # fmt: skip
    submission_judge(
        submission=one, acting_user=first, criteria=_criteria(one, False, "The joins drop rows."),
        result="rework", feedback="Check your joins: three queries lose the unmatched customers.",
    )  # fmt: skip
    two = _hand_in(
        nadia,
        exercises,
        files=[HandInFile(_pdf("queries-v2.pdf", "Revised"), "Query exercises, revised")],
        statement="I changed the inner joins to left joins and checked the counts.",
    )
    submission_judge(submission=two, acting_user=first, criteria=_criteria(two), result="pass",
                     feedback="Every query now answers its question.")  # fmt: skip
    done = _hand_in(
        nadia, report,
        files=[HandInFile(_pdf("churn-analysis.pdf", "Churn report"), "Customer churn analysis",
                          public=True),
               HandInFile(_png("dashboard.png"), "Dashboard screenshot")],
        links=[HandInLink("https://git.example.edu/nadia/churn-sql", "Query repository",
                          public=True)],
    )  # fmt: skip
    submission_judge(submission=done, acting_user=second, criteria=_criteria(done),
                     result="pass", feedback="A clear answer to a real question.")  # fmt: skip

    # Omar: handed in, waiting. Lina: in review.
    _hand_in(omar, exercises, files=[HandInFile(_pdf("omar-queries.pdf", "Queries"))])
    submission_start_review(
        submission=_hand_in(lina, exercises, files=[HandInFile(_pdf("lina.pdf", "Queries"))]),
        acting_user=first,
    )
    # Peter: returned for rework, not yet handed in again.
    peter_work = _hand_in(peter, exercises, statement="SELECT * FROM orders; (see VLE)")
    submission_judge(
        submission=peter_work, acting_user=first,
        criteria=_criteria(peter_work, False, "Only one query, and it filters nothing."),
        result="rework", feedback="Hand in all five exercises, each with its question.",
    )  # fmt: skip

    # Every "not yet" and every pass from here goes to a second assessor.
    moderation_policy_set(acting_user=admin, sample_percent=100, every_not_yet=True)
    # Zara: not yet demonstrated, waiting for the second assessor (blind).
    zara_work = _hand_in(zara, exercises, files=[HandInFile(_pdf("zara.pdf", "Two queries"))])
    submission_judge(
        submission=zara_work, acting_user=first,
        criteria=_criteria(zara_work, False, "Aggregation is missing."), result="not_yet",
        feedback="Aggregation is not yet shown.",
    )  # fmt: skip
    # Kamran: passed by the first assessor, not by the second: with the course leader.
    kamran_work = _hand_in(kamran, exercises, files=[HandInFile(_pdf("kamran.pdf", "Queries"))])
    submission_judge(submission=kamran_work, acting_user=first, criteria=_criteria(kamran_work),
                     result="pass", feedback="Good work.")  # fmt: skip
    submission_moderate(
        submission=kamran_work, acting_user=second,
        criteria=_criteria(kamran_work, False, "Queries 4 and 5 are copied from the notes."),
        result="not_yet", feedback="Two of the five queries are the worked examples.",
    )  # fmt: skip
    # Sana: not yet demonstrated, and the second assessor agreed: settled, she may try again.
    sana_work = _hand_in(sana, exercises, files=[HandInFile(_pdf("sana.pdf", "One query"))])
    for judge, assessor in [(submission_judge, first), (submission_moderate, second)]:
        judge(
            submission=sana_work, acting_user=assessor,
            criteria=_criteria(sana_work, False, "Joins and aggregation are not yet shown."),
            result="not_yet", feedback="Only the filtering exercise is done.",
        )  # fmt: skip

    # Recognition of prior learning: Tariq's evidence earned the badge; Rukhsana's waits.
    moderation_policy_set(acting_user=admin, sample_percent=0, every_not_yet=False)
    window = offering_create(
        course=course, acting_user=admin, kind=OfferingKind.PRIOR_LEARNING, title=PRIOR_LEARNING,
        starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=300),
        instructors=[first, second],
    )  # fmt: skip
    tariq = prior_learning_apply(offering=window, learner=_person(*APPLICANTS[0]))
    for assessment, name in [(exercises, "sql-work-samples.pdf"), (report, "sales-report.pdf")]:
        work = _hand_in(
            tariq, assessment, files=[HandInFile(_pdf(name, "Work sample"))],
            statement="Three years of reporting queries at a retail chain.",
        )  # fmt: skip
        submission_judge(
            submission=work,
            acting_user=second,
            criteria=_criteria(work),
            result="pass",
            feedback="Workplace evidence meets the rubric.",
        )
    rukhsana = prior_learning_apply(offering=window, learner=_person(*APPLICANTS[1]))
    _hand_in(rukhsana, exercises, links=[HandInLink("https://portfolio.example/rukhsana",
                                                    "Online portfolio")])  # fmt: skip

    # The centre's sample from now on: a tenth of passes and every "not yet".
    moderation_policy_set(acting_user=admin, sample_percent=10, every_not_yet=True)
    # Nadia's and Tariq's badges, now, as the task owed on commit would issue them.
    sweep_unissued_badges()
    return _found()


def _found():
    offering = Offering.objects.get(title=PORTFOLIO)
    nadia = offering.enrollments.get(learner__email=PORTFOLIO_LEARNERS[0][0])
    return {
        "portfolio": offering,
        "window": Offering.objects.get(title=PRIOR_LEARNING),
        "nadia": nadia,
        "exercises": nadia.offering.course.assessments.filter(purpose="summative")
        .order_by("position")
        .first(),
    }
