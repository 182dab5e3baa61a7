"""Demo pathway: "Data Analyst", stacking the two data courses' badges. Hina Baig, who holds
the Python badge, finishes the self-paced SQL course and receives the pathway badge; the demo
learner holds the Python badge and is halfway through SQL, so their progress page shows the
pathway half done."""

from datetime import timedelta

from django.utils import timezone

from assessments.models import Assessment
from badges.models import BadgeClass, Pathway
from badges.pathways import pathway_badges_award, pathway_publish, pathway_save
from badges.tasks import sweep_unissued_badges
from courses.models import CourseStatus, Enrollment, Offering
from courses.services import enrollment_create

from .delivery import _record

NAME = "Data Analyst"
COURSES = ("Data Analytics with Python", "SQL for Data Analysis")
FINISHER = "hina.baig@learners.example"


def _pathway(admin):
    existing = Pathway.objects.filter(name=NAME).first()
    if existing:
        return existing
    badges = [
        BadgeClass.objects.get(course__title=title, course__status=CourseStatus.PUBLISHED)
        for title in COURSES
    ]
    pathway = pathway_save(
        acting_user=admin,
        name=NAME,
        description="Analyse data with Python and SQL: clean it, query it, and present what it "
        "shows. Two micro-credentials that together make a junior data analyst.",
        rule=Pathway.Rule.ALL,
        count=0,
        eqf_level=5,
        badge_ids=[b.pk for b in badges],
    )
    return pathway_publish(pathway=pathway, acting_user=admin)


def _finish_sql(people):
    """Hina Baig takes the self-paced SQL course and passes it (the Python badge she holds)."""
    admin = people["admin@leads.example"]
    hina = admin.__class__.objects.get(email=FINISHER)
    offering = (
        Offering.objects.filter(
            course__title="SQL for Data Analysis", title__startswith="Self-paced"
        )
        .prefetch_related("instructors")
        .first()
    )
    if offering is None or Enrollment.objects.filter(offering=offering, learner=hina).exists():
        return
    enrollment = enrollment_create(offering=offering, learner=hina, acting_user=admin)
    plan = list(Assessment.objects.filter(course=offering.course, purpose="summative"))
    instructor = offering.instructors.first()
    # One result a week from the start of the course (results are never dated in the future).
    first = max(offering.starts_on, timezone.localdate() - timedelta(days=7 * len(plan)))
    _record(enrollment, plan, len(plan), instructor, first)


def seed_pathways(people):
    pathway = _pathway(people["admin@leads.example"])
    _finish_sql(people)
    # The completion's badge and then the pathway's, as the worker would issue them.
    sweep_unissued_badges()
    pathway_badges_award(pathway_ids=[pathway.pk])
    return pathway
