"""How learning is assessed: each course's assessment plan, from its LEADS template."""

import uuid
from pathlib import Path

from django.db import models

from courses import rules

KIND_CHOICES = list(rules.ASSESSMENT_TYPES.items())


class Assessment(models.Model):
    """An assessment of a course version: its type, whether it counts, and what it assesses."""

    class Purpose(models.TextChoices):
        SUMMATIVE = "summative", "Summative (counts towards the badge)"
        FORMATIVE = "formative", "Formative (practice and feedback)"

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="assessments"
    )
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    kind = models.CharField("type", max_length=20, choices=KIND_CHOICES)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.SUMMATIVE)
    description = models.TextField(blank=True)
    outcomes = models.ManyToManyField(
        "courses.LearningOutcome", related_name="assessments", blank=True
    )

    class Meta:
        ordering = ["course", "position", "id"]

    def __str__(self):
        return self.title

    @property
    def summative(self):
        return self.purpose == self.Purpose.SUMMATIVE


class RubricCriterion(models.Model):
    """What demonstrates one competency in one assessment. Graded pass or fail, as the guide asks:
    pass when the learner demonstrates the skill, fail when they do not."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="criteria")
    outcome = models.ForeignKey(
        "courses.LearningOutcome", on_delete=models.CASCADE, related_name="criteria"
    )
    pass_description = models.TextField(
        "pass when the learner…", help_text="What the learner does that demonstrates the skill."
    )

    class Meta:
        ordering = ["assessment", "outcome__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "outcome"], name="criterion_one_per_outcome"
            )
        ]

    def __str__(self):
        return f"{self.assessment}: {self.outcome.label}"

    pass_fail = True


def evidence_path(record, filename):
    # Evidence files are kept per enrollment, under a random name: the learner's file name may
    # carry path tricks or personal data, and it is kept separately for display.
    suffix = Path(filename).suffix.lower()[:10]
    return f"evidence/{record.enrollment_id}/{uuid.uuid4().hex}{suffix}"


class AssessmentRecord(models.Model):
    """What one learner achieved in one assessment: pass or fail, with evidence and feedback.

    Records are never overwritten: a correction adds a new record and the earlier one stays in
    the history with `is_current` false. The database allows one current record per learner and
    assessment.
    """

    class Result(models.TextChoices):
        PASS = "pass", "Pass (demonstrates the skill)"
        FAIL = "fail", "Fail (does not yet demonstrate the skill)"

    class Source(models.TextChoices):
        GRID = "grid", "Recorded in the grid"
        FORM = "form", "Recorded for one learner"
        CSV = "csv", "Imported from a CSV file"
        API = "api", "Pushed by the VLE"
        SUBMISSION = "submission", "Judged from the learner's submission"

    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.PROTECT, related_name="records"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="records")
    result = models.CharField(max_length=4, choices=Result.choices)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    evidence_url = models.URLField("evidence link", blank=True, max_length=500)
    evidence_file = models.FileField(upload_to=evidence_path, blank=True, max_length=300)
    evidence_file_name = models.CharField(max_length=200, blank=True)
    evidence_text = models.TextField("evidence (text)", blank=True)
    feedback = models.TextField(blank=True)
    assessor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="assessments_recorded"
    )
    assessed_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    is_current = models.BooleanField(default=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    class Meta:
        ordering = ["enrollment", "assessment", "-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "assessment"],
                condition=models.Q(is_current=True),
                name="record_one_current_per_assessment",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0),
                name="record_score_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.enrollment.learner} — {self.assessment}: {self.result}"

    @property
    def passed(self):
        return self.result == self.Result.PASS
