"""E-mails on each step of a course's approval, to its leader and its unit's dean and designates."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from accounts.side_effects import emails_send_once
from courses.models import CourseStatus, CourseTransition

from .models import Submission

SUBJECTS = {
    CourseStatus.SUBMITTED: "Submitted for approval: {title}",
    CourseStatus.APPROVED: "Approved: {title}",
    CourseStatus.CHANGES_REQUESTED: "Changes requested: {title}",
    CourseStatus.REJECTED: "Not approved: {title}",
    CourseStatus.SUPERSEDED: "Replaced by a newer version: {title}",
    CourseStatus.PUBLISHED: "Published in the catalogue: {title}",
    CourseStatus.RETIRED: "Retired from the catalogue: {title}",
}


def recipients(course):
    """The leader, and the dean and designates of the course's unit: who follows its approval."""
    people = [course.leader]
    unit = course.unit
    if unit.dean:
        people.append(unit.dean)
    people += list(unit.designates.all())
    return _unique_active(people)


def _unique_active(people):
    seen, unique = set(), []
    for person in people:
        if person.is_active and person.email not in seen:
            seen.add(person.email)
            unique.append(person)
    return unique


def _leads_team():
    return list(User.objects.filter(is_leads_admin=True, is_active=True).order_by("pk"))


def _submission_of(transition):
    """The submission a "submitted" transition made: the n-th submission of the course is the
    one of its n-th move to submitted."""
    number = CourseTransition.objects.filter(
        course_id=transition.course_id, to_status=CourseStatus.SUBMITTED, pk__lte=transition.pk
    ).count()
    return Submission.objects.filter(course_id=transition.course_id, number=number).first()


def transition_notify(*, transition_id) -> int:
    """Send the e-mails for one step of a course's approval; returns how many were sent now.

    The leader, dean and designates hear of every step. A submission takes the dean and the
    designates to the submission's own review page; an approval tells the LEADS team too, with
    where to publish the course and design its badge. Safe to run twice: each person gets
    each e-mail once (emails_send_once).
    """
    transition = (
        CourseTransition.objects.select_related(
            "course__leader", "course__unit__dean", "acting_user"
        )
        .filter(pk=transition_id)
        .first()
    )
    if transition is None:
        return 0
    course = transition.course
    link = settings.SITE_URL + reverse("leads:course_detail", args=[course.pk])
    review_link = None
    if transition.to_status == CourseStatus.SUBMITTED:
        submission = _submission_of(transition)
        if submission is not None:
            review_link = settings.SITE_URL + reverse(
                "leads:submission_review", args=[submission.pk]
            )
    people = recipients(course)
    team = []
    if transition.to_status == CourseStatus.APPROVED:
        known = {person.email for person in people}
        team = [p for p in _leads_team() if p.email not in known]
    subject = SUBJECTS.get(transition.to_status, "Update: {title}").format(title=course.title)
    context = {
        "course": course,
        "transition": transition,
        "to_label": CourseStatus(transition.to_status).label,
        "link": link,
        "review_link": review_link,
        # Where the LEADS team takes an approved course on: the list where it is published, and
        # the page where its badge is designed.
        "publish_link": settings.SITE_URL + reverse("courses:centre_courses"),
        "design_link": settings.SITE_URL + reverse("badge_admin:design", args=[course.pk]),
        "SITE_NAME": settings.SITE_NAME,
    }
    messages = []
    for person in people + team:
        body = render_to_string(
            "leads/email/transition.txt",
            {
                **context,
                "person": person,
                "is_leader": person.pk == course.leader_id,
                "is_team": person in team,
            },
        )
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
        messages.append((f"leads.transition:{transition.pk}:user:{person.pk}", message))
    return emails_send_once(messages)
