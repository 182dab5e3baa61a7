"""Open Badges: the centre as issuer, a badge class per approved course, and issued assertions.

Issued badges are never deleted (PROTECT everywhere, no delete in the admin); their public URLs
use UUIDs and never change shape. One assertion per enrollment, enforced by the database.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from courses import rules


class Issuer(models.Model):
    """The awarding body: the centre (OB 2.0 Profile; OB 3.0 issuer Profile)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    url = models.URLField()
    email = models.EmailField()
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="issuers/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class BadgeClass(models.Model):
    """The achievement a course version awards, prefilled from its approved template."""

    class IssueMode(models.TextChoices):
        MANUAL = "manual", "Manual issue by role (after the course leader confirms completion)"
        AUTOMATIC = "automatic", "Automatic on course completion"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="badge_classes")
    course = models.OneToOneField(
        "courses.Course", on_delete=models.PROTECT, related_name="badge_class"
    )
    name = models.CharField(max_length=200)
    description = models.TextField()
    image = models.FileField(upload_to="badges/", help_text="A square PNG or SVG.")
    criteria_narrative = models.TextField(
        help_text="How the badge is earned: the outcomes and the assessments that show them."
    )
    level = models.CharField(max_length=30, choices=list(rules.BADGE_LEVELS.items()))
    tags = models.JSONField(default=list, blank=True)
    alignments = models.JSONField(
        default=list, help_text="One alignment per learning outcome of the approved version."
    )
    expires_after_months = models.PositiveSmallIntegerField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    issue_mode = models.CharField(max_length=10, choices=IssueMode.choices)
    message = models.TextField("congratulatory message")
    # EU micro-credential elements that OB has no property for (an extension in the JSON).
    ects_credits = models.PositiveSmallIntegerField()
    eqf_level = models.PositiveSmallIntegerField(null=True, blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    assessment_type = models.CharField(max_length=300, blank=True)
    participation_form = models.CharField(max_length=100, blank=True)
    quality_assurance = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "badge classes"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Assertion(models.Model):
    """A badge issued to one learner for one enrollment.

    The recipient is identified in the public JSON by a salted hash of their e-mail as it was at
    issue. Revocation keeps the row, with who, when and why.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    badge_class = models.ForeignKey(BadgeClass, on_delete=models.PROTECT, related_name="assertions")
    enrollment = models.OneToOneField(
        "courses.Enrollment", on_delete=models.PROTECT, related_name="assertion"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="badges"
    )
    recipient_name = models.CharField(max_length=200)
    recipient_email = models.EmailField()
    salt = models.CharField(max_length=64)
    recipient_hash = models.CharField(max_length=80)
    issued_on = models.DateTimeField()
    expires_on = models.DateTimeField(null=True, blank=True)
    narrative = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True)
    automatic = models.BooleanField(default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    override_reason = models.TextField(
        blank=True, help_text="Why a badge was issued to a learner who had not completed."
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hidden = models.BooleanField(
        default=False, help_text="Hidden from the learner's public profile (the link still works)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "id"]
        indexes = [models.Index(fields=["badge_class", "issued_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                name="assertion_revocation_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.badge_class.name} — {self.recipient_name}"

    @property
    def revoked(self):
        return self.revoked_at is not None

    def is_expired(self, now):
        return self.expires_on is not None and self.expires_on <= now

    def status(self, now):
        if self.revoked:
            return "revoked"
        if self.is_expired(now):
            return "expired"
        return "valid"
