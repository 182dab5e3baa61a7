"""E-mails of evidence: the learner hears when their work is judged (returned, passed, not yet
demonstrated), the course leader when two assessors disagree. Enqueued after commit
(accounts.side_effects); each sent once however often its task runs."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.side_effects import emails_send_once, enqueue_on_commit

from .models import EvidenceSubmission, Moderation, SubmissionState


def _url(name, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def judgement_announce(*, submission) -> None:
    from .tasks import send_judgement_email

    enqueue_on_commit(send_judgement_email, str(submission.pk))


def referral_announce(*, submission) -> None:
    from .tasks import send_referral_email

    enqueue_on_commit(send_referral_email, str(submission.pk))


SUBJECTS = {
    SubmissionState.RETURNED: "Returned for rework: {title}",
    SubmissionState.PASSED: "Passed: {title}",
    SubmissionState.NOT_YET: "Not yet demonstrated: {title}",
}


def judgement_notify(*, submission_id) -> int:
    submission = (
        EvidenceSubmission.objects.select_related(
            "enrollment__learner", "enrollment__offering__course", "assessment"
        )
        .filter(pk=submission_id, state__in=list(SUBJECTS))
        .first()
    )
    if submission is None:
        return 0
    from .selectors import settled_judgement

    learner = submission.enrollment.learner
    _, feedback = settled_judgement(submission)
    body = render_to_string(
        "evidence/email/judged.txt",
        {
            "person": learner,
            "submission": submission,
            "feedback": feedback,
            "course": submission.enrollment.offering.course,
            "link": _url("evidence:hand_in", submission.enrollment_id, submission.assessment_id),
            "SITE_NAME": settings.SITE_NAME,
        },
    )
    subject = SUBJECTS[submission.state].format(title=submission.assessment.title)
    key = f"evidence.judged:{submission.pk}:{submission.state}"
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [learner.email])
    return emails_send_once([(key, message)])


def referral_notify(*, submission_id) -> int:
    submission = (
        EvidenceSubmission.objects.select_related(
            "enrollment__offering__course__leader", "assessment"
        )
        .filter(pk=submission_id, moderation="referred")
        .first()
    )
    if submission is None:
        return 0
    from accounts.models import User

    leader = submission.enrollment.offering.course.leader
    # A course leader who has left cannot decide: the LEADS team is told instead.
    people = [leader]
    if not leader.is_active:
        people = list(User.objects.filter(is_leads_admin=True, is_active=True))
    subject = f"Assessors disagree: {submission.assessment.title} ({submission.code})"
    messages = []
    for person in people:
        body = render_to_string(
            "evidence/email/referred.txt",
            {
                "person": person,
                "submission": submission,
                "offering": submission.enrollment.offering,
                "link": _url("evidence:decide", submission.pk),
                "SITE_NAME": settings.SITE_NAME,
            },
        )
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
        messages.append((f"evidence.referred:{submission.pk}:user:{person.pk}", message))
    return emails_send_once(messages)


def assessor_digest_notify(*, now=None) -> int:
    """Once a day, each assessor hears what waits for them: per offering they judge, the work
    handed in since yesterday's digest and still waiting, and the samples awaiting a second
    assessor that they may moderate (never their own). One e-mail per person per day, however
    often the task runs; nobody with nothing waiting is written to."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User

    now = now or timezone.now()
    since = now - timedelta(days=1)
    fresh = EvidenceSubmission.objects.filter(
        submitted_at__gte=since, state=SubmissionState.SUBMITTED
    ).select_related("enrollment__offering__course")
    awaiting = EvidenceSubmission.objects.filter(moderation=Moderation.AWAITING).select_related(
        "enrollment__offering__course"
    )
    per_person: dict[int, dict] = {}
    offerings = {}
    for submission in [*fresh, *awaiting]:
        offerings[submission.enrollment.offering_id] = submission.enrollment.offering
    instructors = {
        offering_id: set(
            offerings[offering_id].instructors.filter(is_active=True).values_list("pk", flat=True)
        )
        for offering_id in offerings
    }
    first_assessors = {
        s.pk: s.judgements.filter(stage="first").values_list("assessor_id", flat=True).first()
        for s in awaiting
    }
    for submission in fresh:
        for person in instructors[submission.enrollment.offering_id]:
            counts = per_person.setdefault(person, {}).setdefault(
                submission.enrollment.offering_id, [0, 0]
            )
            counts[0] += 1
    for submission in awaiting:
        for person in instructors[submission.enrollment.offering_id]:
            if person == first_assessors[submission.pk]:
                continue
            counts = per_person.setdefault(person, {}).setdefault(
                submission.enrollment.offering_id, [0, 0]
            )
            counts[1] += 1
    day = timezone.localdate(now).isoformat()
    messages = []
    for person in User.objects.filter(pk__in=list(per_person)):
        lines = [
            {
                "offering": offerings[offering_id],
                "new": new,
                "moderate": moderate,
                "link": _url("evidence:queue", offering_id),
            }
            for offering_id, (new, moderate) in sorted(per_person[person.pk].items())
        ]
        body = render_to_string(
            "evidence/email/digest.txt",
            {
                "person": person,
                "lines": lines,
                "moderation_link": _url("evidence:moderation_queue")
                if any(line["moderate"] for line in lines)
                else "",
                "SITE_NAME": settings.SITE_NAME,
            },
        )
        message = EmailMessage(
            "Evidence waiting for you", body, settings.DEFAULT_FROM_EMAIL, [person.email]
        )
        messages.append((f"evidence.digest:{day}:user:{person.pk}", message))
    return emails_send_once(messages)
