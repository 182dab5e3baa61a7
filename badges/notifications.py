"""The e-mail a learner receives with their badge: the badge's congratulatory message."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Assertion


def badge_issued_notify(*, assertion_ids) -> int:
    assertions = Assertion.objects.filter(pk__in=assertion_ids, revoked_at__isnull=True)
    messages = []
    for assertion in assertions.select_related("badge_class", "recipient"):
        link = settings.SITE_URL + reverse("badges:assertion", args=[assertion.pk])
        body = render_to_string(
            "badges/email/issued.txt",
            {"assertion": assertion, "badge": assertion.badge_class, "link": link,
             "backpack": settings.SITE_URL + reverse("badges:backpack"),
             "SITE_NAME": settings.SITE_NAME},
        )  # fmt: skip
        subject = f"Your badge: {assertion.badge_class.name}"
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [assertion.recipient.email]))
    return send_mass_mail(messages, fail_silently=False)
