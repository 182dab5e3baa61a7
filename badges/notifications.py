"""The e-mail a learner receives with their badge: the badge's congratulatory message."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.side_effects import emails_send_once

from .models import Assertion


def badge_issued_notify(*, assertion_ids) -> int:
    assertions = Assertion.objects.filter(pk__in=assertion_ids, revoked_at__isnull=True)
    # One query for a whole batch: what the e-mail shows comes joined, the signed credentials
    # (the largest columns) stay in the database.
    # What the e-mail says is the badge as issued: its frozen version, not today's design.
    assertions = assertions.select_related("badge_version", "recipient").defer(
        "credential_json", "credential_jwt", "evidence", "narrative", "outcome_results"
    )
    backpack = settings.SITE_URL + reverse("badges:backpack")
    messages = []
    for assertion in assertions:
        link = settings.SITE_URL + reverse("badges:assertion", args=[assertion.pk])
        body = render_to_string(
            "badges/email/issued.txt",
            {"assertion": assertion, "badge": assertion.badge_version, "link": link,
             "backpack": backpack,
             "SITE_NAME": settings.SITE_NAME},
        )  # fmt: skip
        subject = f"Your badge: {assertion.badge_version.name}"
        message = EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [assertion.recipient.email]
        )
        messages.append((f"badges.issued:{assertion.pk}", message))
    # Each learner's e-mail once, however often the task runs (acks late, retries, the sweep).
    return emails_send_once(messages)
