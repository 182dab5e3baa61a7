"""What learners hand in for an assessment, how assessors judge it against the rubric, and how a
sample of judgements is moderated (DESIGN.md, "evidence").

Nothing handed in is ever overwritten: a resubmission is a new `EvidenceSubmission` with the next
attempt number, and every judgement stays. The result an assessor reaches becomes the learner's
`AssessmentRecord` through `assessments.services.results_record`, so completion and badges follow
exactly as they do from the grid.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q

from .file_kinds import FileKind


def evidence_storage():
    # A storage of its own, outside MEDIA_ROOT: nothing handed in is ever served by a web server
    # from our origin; it leaves only through the views that check who asks (views_files.py).
    return storages["evidence"]


class HandInRules(models.Model):
    """How learners of one offering hand in for one assessment: the deadline, what files are
    accepted and how large, and whether assessors mark anonymously. Without a row the defaults
    apply (selectors.hand_in_rules)."""

    offering = models.ForeignKey(
        "courses.Offering", on_delete=models.CASCADE, related_name="hand_in_rules"
    )
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="hand_in_rules"
    )
    due_at = models.DateTimeField("hand in by")
    max_file_mb = models.PositiveSmallIntegerField(
        "largest file (MB)", default=20, help_text="Up to the centre's limit for video."
    )
    file_kinds = models.JSONField(
        default=FileKind.default_list, help_text="Which kinds of file are accepted."
    )
    anonymous_marking = models.BooleanField(
        default=False, help_text="Assessors see a code, not the learner's name."
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "assessment"], name="hand_in_rules_one_per_assessment"
            ),
            models.CheckConstraint(condition=Q(max_file_mb__gte=1), name="hand_in_file_limit"),
        ]
        verbose_name_plural = "hand-in rules"

    def __str__(self):
        return f"Hand-in for {self.assessment} ({self.offering})"


class Extension(models.Model):
    """More time for one learner and one assessment, granted by an instructor."""

    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.CASCADE, related_name="extensions"
    )
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="extensions"
    )
    until = models.DateTimeField()
    reason = models.TextField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-until"]

    def __str__(self):
        return f"Extension for {self.enrollment} until {self.until:%Y-%m-%d %H:%M}"


class SubmissionState(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    RETURNED = "returned", "Returned for rework"
    PASSED = "passed", "Passed"
    NOT_YET = "not_yet", "Not yet demonstrated"


# Which judgement moves a submission from which state (Oscar's pipeline, STYLE.md): a learner
# hands in (SUBMITTED); an assessor opens it (IN_REVIEW) and returns it, passes it or finds the
# skill not yet demonstrated. A moderated result waits IN_REVIEW until moderation ends.
ALLOWED_TRANSITIONS = {
    SubmissionState.SUBMITTED: {SubmissionState.IN_REVIEW},
    SubmissionState.IN_REVIEW: {
        SubmissionState.RETURNED,
        SubmissionState.PASSED,
        SubmissionState.NOT_YET,
    },
    SubmissionState.RETURNED: set(),
    SubmissionState.PASSED: set(),
    SubmissionState.NOT_YET: set(),
}
OPEN_STATES = {SubmissionState.SUBMITTED, SubmissionState.IN_REVIEW}


class Moderation(models.TextChoices):
    NOT_SAMPLED = "", "Not sampled"
    AWAITING = "awaiting", "Awaiting the second assessor"
    AGREED = "agreed", "Second assessor agreed"
    REFERRED = "referred", "Assessors disagree: with the course leader"
    RESOLVED = "resolved", "Decided by the course leader"


def anonymous_code():
    return "C-" + uuid.uuid4().hex[:6].upper()


class EvidenceSubmission(models.Model):
    """One attempt of one learner at one assessment: what they handed in and where it stands."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.PROTECT, related_name="evidence_submissions"
    )
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="evidence_submissions"
    )
    attempt = models.PositiveSmallIntegerField(default=1)
    statement = models.TextField("what you are handing in", blank=True)
    submitted_at = models.DateTimeField()
    state = models.CharField(
        max_length=10, choices=SubmissionState.choices, default=SubmissionState.SUBMITTED
    )
    state_changed_at = models.DateTimeField()
    # Incremented on every change: a judgement carries the revision it was made on, so a second
    # assessor judging at the same moment is told rather than silently overwritten.
    revision = models.PositiveIntegerField(default=0)
    code = models.CharField(max_length=10, default=anonymous_code, unique=True)
    late = models.BooleanField(default=False, help_text="Handed in under an extension.")
    moderation = models.CharField(
        max_length=10, choices=Moderation.choices, default=Moderation.NOT_SAMPLED, blank=True
    )
    record = models.OneToOneField(
        "assessments.AssessmentRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence_submission",
    )

    class Meta:
        ordering = ["submitted_at", "attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "assessment", "attempt"], name="submission_attempt_unique"
            ),
            # One attempt at a time: a learner hands in again only once the last is settled.
            models.UniqueConstraint(
                fields=["enrollment", "assessment"],
                condition=Q(state__in=["submitted", "in_review"]),
                name="submission_one_open_per_assessment",
            ),
        ]

    def __str__(self):
        return f"{self.assessment} — attempt {self.attempt}"

    @property
    def is_open(self):
        return self.state in OPEN_STATES


def item_path(item, filename):
    # A random name: the learner's file name may carry path tricks or personal data; it is kept
    # apart for display and for the download's name.
    suffix = Path(filename).suffix.lower()[:10]
    return f"{item.submission.enrollment_id}/{uuid.uuid4().hex}{suffix}"


class EvidenceItem(models.Model):
    """One thing handed in: a file, a link or a text, with its fingerprint. The learner decides
    whether the badge may link to the item itself (`public`); otherwise a badge names it and
    carries its SHA-256 only."""

    class Kind(models.TextChoices):
        FILE = "file", "File"
        LINK = "link", "Link"
        TEXT = "text", "Text"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.ForeignKey(
        EvidenceSubmission, on_delete=models.PROTECT, related_name="items"
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(
        upload_to=item_path, storage=evidence_storage, blank=True, max_length=300
    )
    file_name = models.CharField(max_length=200, blank=True)
    file_kind = models.CharField(max_length=10, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    url = models.URLField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64)
    public = models.BooleanField(
        "link from my badge",
        default=False,
        help_text="Anyone verifying the badge may open this item.",
    )
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="The file was removed under the retention rule."
    )

    class Meta:
        ordering = ["submission", "position", "id"]

    def __str__(self):
        return self.title


class Judgement(models.Model):
    """An assessor's judgement of a submission against the assessment's rubric."""

    class Stage(models.TextChoices):
        FIRST = "first", "First assessor"
        SECOND = "second", "Second assessor (moderation)"
        LEADER = "leader", "Course leader (moderation decided)"

    class Result(models.TextChoices):
        PASS = "pass", "Pass: every criterion met"
        REWORK = "rework", "Return for rework"
        NOT_YET = "not_yet", "Not yet demonstrated"

    submission = models.ForeignKey(
        EvidenceSubmission, on_delete=models.PROTECT, related_name="judgements"
    )
    stage = models.CharField(max_length=6, choices=Stage.choices)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="judgements"
    )
    result = models.CharField(max_length=7, choices=Result.choices)
    feedback = models.TextField(blank=True)
    judged_at = models.DateTimeField()

    class Meta:
        ordering = ["judged_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "stage"], name="judgement_one_per_stage"),
        ]

    def __str__(self):
        return f"{self.get_stage_display()}: {self.get_result_display()}"


class CriterionJudgement(models.Model):
    judgement = models.ForeignKey(Judgement, on_delete=models.CASCADE, related_name="criteria")
    criterion = models.ForeignKey(
        "assessments.RubricCriterion", on_delete=models.PROTECT, related_name="+"
    )
    met = models.BooleanField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["criterion__outcome__position", "criterion_id"]

    def __str__(self):
        return f"{self.criterion}: {'met' if self.met else 'not yet met'}"


class ModerationPolicy(models.Model):
    """The centre's moderation sample (one row): a share of passes and, if set, every result of
    "not yet demonstrated" go to a second assessor who judges blind."""

    sample_percent = models.PositiveSmallIntegerField("share of passes moderated (%)", default=10)
    every_not_yet = models.BooleanField("moderate every “not yet demonstrated”", default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "moderation policy"
        constraints = [
            models.CheckConstraint(
                condition=Q(sample_percent__lte=100), name="moderation_percent_at_most_100"
            )
        ]

    def __str__(self):
        return f"Moderation: {self.sample_percent}% of passes"
