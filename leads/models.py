"""The LEADS submission process: what a course leader signed and sent, and what the Dean decided."""

from django.conf import settings
from django.db import models


class Submission(models.Model):
    """A signed, frozen snapshot of a course version sent to the Dean, with its checklist.

    What the Dean reads and decides on is this snapshot, not the live rows, so an edit after a
    request for changes can never alter what was decided earlier; the next submission's snapshot
    is compared with it to show what changed.
    """

    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, related_name="submissions"
    )
    number = models.PositiveSmallIntegerField(help_text="1 for the first submission, then 2, …")
    snapshot = models.JSONField()
    checklist = models.JSONField()
    signed_name = models.CharField("signature (full name)", max_length=200)
    signed_on = models.DateField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="submission_number_unique")
        ]

    def __str__(self):
        return f"{self.snapshot.get('title', 'Course')} — submission {self.number}"


class Decision(models.Model):
    """The Dean's (or designate's) decision on one submission. One per submission, ever."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        REJECTED = "rejected", "Rejected"

    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    as_designate = models.BooleanField(default=False)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self):
        return f"{self.get_outcome_display()} — {self.submission}"
