"""E-mails of the catalogue and of delivery: publish, retire and supersede; enrolment; the
leader's confirmation of completers. Each `…_announce` enqueues its e-mails after the commit of
the caller's transaction (accounts.side_effects); each `…_notify` is the task's work, and sends
each e-mail once however often it runs.

Links name other apps' pages by URL name only (the learner's course page is in `assessments`,
the badge issuing page in `badges`): `courses` imports neither.
"""

import hashlib

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from accounts.side_effects import emails_send_once, enqueue_on_commit

from . import selectors
from .models import CourseStatus, CourseTransition, Enrollment, Offering

STATUS_SUBJECTS = {
    CourseStatus.PUBLISHED: "Published in the catalogue: {title}",
    CourseStatus.RETIRED: "Retired from the catalogue: {title}",
    CourseStatus.SUPERSEDED: "Replaced by a newer version: {title}",
}


def _url(name, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _send(template, subject, messages_for) -> int:
    """messages_for: [(key, person, context)]."""
    messages = []
    for key, person, context in messages_for:
        body = render_to_string(
            template, {**context, "person": person, "SITE_NAME": settings.SITE_NAME}
        )
        messages.append(
            (key, EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email]))
        )
    return emails_send_once(messages)


# --- Publish, retire, supersede ---------------------------------------------------------------


def course_transition_announce(*, transition: CourseTransition) -> None:
    """E-mail who a move in the catalogue concerns, after commit: the leader of the version
    published, retired or superseded, and for a retirement the learners of its offerings that
    have not ended."""
    from .tasks import send_course_emails

    enqueue_on_commit(send_course_emails, transition.pk)


def course_transition_notify(*, transition_id) -> int:
    transition = (
        CourseTransition.objects.select_related("course__leader", "acting_user")
        .filter(pk=transition_id, to_status__in=list(STATUS_SUBJECTS))
        .first()
    )
    if transition is None:
        return 0
    course = transition.course
    context = {
        "course": course,
        "transition": transition,
        "link": _url("leads:course_detail", course.pk),
        "catalogue_link": _url("catalogue:course", course.lineage),
    }
    recipients = []
    if course.leader.is_active:
        recipients.append(
            (f"courses.transition:{transition.pk}:user:{course.leader_id}", course.leader,
             {**context, "is_leader": True})
        )  # fmt: skip
    if transition.to_status == CourseStatus.RETIRED:
        enrollments = (
            Enrollment.objects.active()
            .filter(
                offering__course=course,
                offering__ends_on__gte=selectors.today(),
                learner__is_active=True,
            )
            .select_related("learner", "offering")
            .order_by("pk")
        )
        for enrollment in enrollments:
            recipients.append(
                (f"courses.transition:{transition.pk}:enrollment:{enrollment.pk}",
                 enrollment.learner,
                 {**context, "enrollment": enrollment,
                  "enrollment_link": _url("assessments:my_enrollment", enrollment.pk)})
            )  # fmt: skip
    subject = STATUS_SUBJECTS[transition.to_status].format(title=course.title)
    return _send("courses/email/status.txt", subject, recipients)


# --- Enrolment ----------------------------------------------------------------------------------


def may_be_told_of_enrolment(learner) -> bool:
    """Whether an enrolment e-mail can reach a learner who can act on it: someone who can sign
    in already. A person whose account was made for this enrolment is sent the invitation to
    choose a password instead (it says what they are enrolled in)."""
    return learner.is_active and (learner.has_usable_password() or learner.last_login is not None)


def enrollments_announce(*, enrollment_ids) -> None:
    """Tell these learners, after commit, that they are enrolled (with a link to the course)."""
    from .tasks import send_enrolment_emails

    if enrollment_ids:
        enqueue_on_commit(send_enrolment_emails, list(enrollment_ids))


def enrolment_notify(*, enrollment_ids) -> int:
    enrollments = (
        Enrollment.objects.active()
        .filter(pk__in=enrollment_ids, learner__is_active=True)
        .select_related("learner", "offering__course")
        .order_by("pk")
    )
    sent = 0
    for enrollment in enrollments:
        offering = enrollment.offering
        sent += _send(
            "courses/email/enrolled.txt",
            f"You are enrolled in {offering.course.title}",
            [(f"courses.enrolled:{enrollment.pk}", enrollment.learner,
              {"enrollment": enrollment, "offering": offering, "course": offering.course,
               "link": _url("assessments:my_enrollment", enrollment.pk)})],
        )  # fmt: skip
    return sent


# --- The leader's confirmation of completers ------------------------------------------------------


def completion_confirmed_announce(*, offering, enrollment_ids, acting_user) -> None:
    """Tell the LEADS team, after commit, that these learners' badges may now be issued."""
    from .tasks import send_completion_confirmed_emails

    if enrollment_ids:
        enqueue_on_commit(
            send_completion_confirmed_emails, offering.pk, sorted(enrollment_ids), acting_user.pk
        )


def completion_confirmed_notify(*, offering_id, enrollment_ids, confirmed_by_id) -> int:
    offering = Offering.objects.select_related("course").filter(pk=offering_id).first()
    confirmed_by = User.objects.filter(pk=confirmed_by_id).first()
    if offering is None or confirmed_by is None:
        return 0
    learners = list(
        User.objects.filter(enrollments__pk__in=enrollment_ids, enrollments__offering=offering)
        .order_by("full_name", "email")
        .distinct()
    )
    # One confirmation is one set of enrollments: its key, so a second run sends nothing.
    batch = hashlib.sha256(",".join(map(str, sorted(enrollment_ids))).encode()).hexdigest()[:24]
    context = {
        "offering": offering,
        "course": offering.course,
        "confirmed_by": confirmed_by,
        "learners": learners,
        "link": _url("badge_admin:offering", offering.pk),
    }
    team = User.objects.filter(is_leads_admin=True, is_active=True).order_by("pk")
    count = len(learners)
    subject = (
        f"Completion confirmed for {count} learner{'s' if count != 1 else ''}: "
        f"{offering.course.title}"
    )
    return _send(
        "courses/email/completion_confirmed.txt",
        subject,
        [
            (f"courses.confirmed:{offering.pk}:{batch}:user:{person.pk}", person, context)
            for person in team
            if person.pk != confirmed_by_id  # an admin who confirmed needs no e-mail of it
        ],
    )
