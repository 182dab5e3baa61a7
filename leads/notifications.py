"""E-mails on each step of a course's approval, to its leader and its unit's dean and designates."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse

from courses.models import CourseStatus, CourseTransition

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
    people = [course.leader]
    unit = course.unit
    if unit.dean:
        people.append(unit.dean)
    people += list(unit.designates.all())
    seen, unique = set(), []
    for person in people:
        if person.is_active and person.email not in seen:
            seen.add(person.email)
            unique.append(person)
    return unique


def transition_notify(*, transition_id) -> int:
    """Send the e-mails for one transition. Returns how many were sent (0 if it has gone)."""
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
    review_link = settings.SITE_URL + reverse("leads:review_queue")
    subject = SUBJECTS.get(transition.to_status, "Update: {title}").format(title=course.title)
    messages = []
    for person in recipients(course):
        body = render_to_string(
            "leads/email/transition.txt",
            {
                "person": person,
                "course": course,
                "transition": transition,
                "to_label": CourseStatus(transition.to_status).label,
                "is_leader": person.pk == course.leader_id,
                "link": link,
                "review_link": review_link,
                "SITE_NAME": settings.SITE_NAME,
            },
        )
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [person.email]))
    return send_mass_mail(messages, fail_silently=False)
