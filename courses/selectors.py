"""Reads of courses and their delivery that pages and the API share."""

from django.db.models import Count, Q
from django.utils import timezone

from .models import LIVE_STATUSES, Course, CourseStatus, Enrollment, Offering


def centre_courses():
    """The courses the LEADS team runs: approved, published and retired versions."""
    statuses = [*LIVE_STATUSES, CourseStatus.RETIRED]
    return (
        Course.objects.filter(status__in=statuses)
        .select_related("unit", "leader")
        .annotate(offering_count=Count("offerings", distinct=True))
        .order_by("title", "-version")
    )


def offerings_for(user):
    """Offerings this person may open: all for the LEADS team; their own for instructors and
    course leaders."""
    active = Q(enrollments__withdrawn_at__isnull=True)
    offerings = Offering.objects.select_related("course", "course__unit").annotate(
        learner_count=Count("enrollments", filter=active, distinct=True),
        completed_count=Count(
            "enrollments",
            filter=active & Q(enrollments__completed_at__isnull=False),
            distinct=True,
        ),
    )
    if user.is_leads_admin:
        return offerings
    return offerings.filter(Q(instructors=user) | Q(course__leader=user)).distinct()


def may_open_offering(*, user, offering) -> bool:
    return (
        user.is_leads_admin
        or offering.course.leader_id == user.pk
        or offering.instructors.filter(pk=user.pk).exists()
    )


def offering_roster(offering):
    """The offering's learners, withdrawn ones left out (offering_withdrawn lists those)."""
    return (
        Enrollment.objects.active()
        .filter(offering=offering)
        .select_related("learner", "completion_confirmed_by")
        .order_by("learner__full_name", "learner__email")
    )


def offering_withdrawn(offering):
    """Learners withdrawn from the offering, latest first, with who withdrew them and where
    they were moved."""
    return (
        Enrollment.objects.withdrawn()
        .filter(offering=offering)
        .select_related("learner", "withdrawn_by", "moved_to__offering")
        .order_by("-withdrawn_at", "id")
    )


def learner_enrollments(user):
    return (
        Enrollment.objects.filter(learner=user)
        .select_related("offering__course__unit")
        .order_by("-offering__starts_on")
    )


def today():
    return timezone.localdate()
