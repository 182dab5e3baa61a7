"""A micro-credential course in the LEADS course template, and its versions.

A course is kept as versions that share a `lineage`. A version is edited only while it is a draft
or has changes requested; once submitted it is frozen, and revising an approved course makes a
new draft version, so the approved one stays live (and offerings and badges keep pointing at the
exact version a Dean approved) until the revision is approved in its turn.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from . import rules


class CourseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded by a later version"


# The lifecycle as data (DESIGN.md, "The course lifecycle"): every move not listed is refused.
ALLOWED_TRANSITIONS = {
    CourseStatus.DRAFT: {CourseStatus.SUBMITTED},
    CourseStatus.SUBMITTED: {
        CourseStatus.APPROVED,
        CourseStatus.CHANGES_REQUESTED,
        CourseStatus.REJECTED,
    },
    CourseStatus.CHANGES_REQUESTED: {CourseStatus.SUBMITTED},
    CourseStatus.APPROVED: {CourseStatus.PUBLISHED, CourseStatus.SUPERSEDED},
    CourseStatus.PUBLISHED: {CourseStatus.RETIRED, CourseStatus.SUPERSEDED},
    CourseStatus.RETIRED: set(),
    CourseStatus.REJECTED: set(),
    CourseStatus.SUPERSEDED: set(),
}
EDITABLE_STATUSES = {CourseStatus.DRAFT, CourseStatus.CHANGES_REQUESTED}
OPEN_STATUSES = EDITABLE_STATUSES | {CourseStatus.SUBMITTED}
LIVE_STATUSES = {CourseStatus.APPROVED, CourseStatus.PUBLISHED}

MODALITY_CHOICES = [(m.key, m.label) for m in rules.MODALITIES.values()]
BADGE_LEVEL_CHOICES = list(rules.BADGE_LEVELS.items())
EQF_CHOICES = [(level, f"EQF level {level}") for level in rules.EQF_LEVELS]


class BadgeIssueMode(models.TextChoices):
    MANUAL = "manual", "Manual issue by role (after the course leader confirms completion)"
    AUTOMATIC = "automatic", "Automatic on course completion"


class AssessmentSupervision(models.TextChoices):
    NONE = "none", "Not supervised"
    ONLINE = "online", "Supervised online, without identity verification"
    ONLINE_ID = "online_id", "Supervised online, with identity verification"
    ON_SITE_ID = "on_site_id", "Supervised on site, with identity verification"


HOURS = {"max_digits": 5, "decimal_places": 1, "null": True, "blank": True}


class Course(models.Model):
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveSmallIntegerField(default=1, editable=False)
    revision_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="revisions"
    )
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="courses")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_courses"
    )
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="taught_courses"
    )
    status = models.CharField(
        max_length=20, choices=CourseStatus.choices, default=CourseStatus.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # 1. Basic information
    title = models.CharField("course name", max_length=200)
    aim = models.TextField(
        blank=True, help_text="What is the aim of the course: which skills, for whom?"
    )
    # 2. Target audience and eligibility
    target_audience = models.TextField(
        blank=True,
        help_text="Who it is for: demographic and professional characteristics the team should "
        "consider when planning the course.",
    )
    eligibility = models.TextField("eligibility criteria", blank=True)
    # 3. Prerequisites (optional)
    prerequisites = models.TextField(blank=True)
    # 4. Notional working hours and credits
    credits = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(rules.CREDITS[0]), MaxValueValidator(rules.CREDITS[1])],
    )
    teaching_hours = models.DecimalField(**HOURS)
    self_study_hours = models.DecimalField("self-study hours", **HOURS)
    other_hours = models.DecimalField("assessment and other work (hours)", **HOURS)
    # 6. Content and schedule: see ContentUnit. Planned dates for the badge's course information.
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    # 7. Teaching and learning modality
    modality = models.CharField(max_length=20, choices=MODALITY_CHOICES, blank=True)
    in_person_hours = models.DecimalField(
        "in-person hours", max_digits=5, decimal_places=1, default=0
    )
    # 8. Assessment and digital badge criteria (the assessments themselves: assessments app)
    evidence_required = models.TextField(
        "evidence required for the badge",
        blank=True,
        help_text="What learners submit or do to earn the badge, e.g. five lesson plans with "
        "feedback incorporated.",
    )
    # 9. Budget and resources
    resources_note = models.TextField("teaching and other resources", blank=True)
    budget_note = models.TextField("budget", blank=True)
    # Checklist items that need the course leader's judgement (the rest are computed).
    affirms_aim = models.BooleanField(default=False)
    affirms_eligibility = models.BooleanField(default=False)
    affirms_prerequisites = models.BooleanField(default=False)
    affirms_resources = models.BooleanField(default=False)
    affirms_budget = models.BooleanField(default=False)
    # Digital badge (LEADS guide, "Criteria for Digital Badge")
    badge_name = models.CharField(max_length=200, blank=True)
    badge_description = models.TextField(blank=True)
    badge_level = models.CharField(max_length=30, choices=BADGE_LEVEL_CHOICES, blank=True)
    badge_expiry_months = models.PositiveSmallIntegerField(
        "badge expires after (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    badge_expiry_date = models.DateField("badge expires on", null=True, blank=True)
    badge_issue_mode = models.CharField(
        "badge criteria", max_length=20, choices=BadgeIssueMode.choices, blank=True
    )
    badge_message = models.TextField("congratulatory message", blank=True)
    # EU micro-credential elements (Council Recommendation 2022, Annex I)
    eqf_level = models.PositiveSmallIntegerField(
        "EQF level", choices=EQF_CHOICES, null=True, blank=True
    )
    eu_assessment_type = models.CharField("type of assessment", max_length=300, blank=True)
    quality_assurance = models.TextField("type of quality assurance", blank=True)
    assessment_supervision = models.CharField(
        "supervision and identity verification",
        max_length=20,
        choices=AssessmentSupervision.choices,
        blank=True,
    )
    stackability = models.TextField("stackability options", blank=True)

    class Meta:
        ordering = ["title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="course_version_unique"),
            # One version in the approval pipeline at a time per course.
            models.UniqueConstraint(
                fields=["lineage"],
                condition=Q(status__in=sorted(s.value for s in OPEN_STATUSES)),
                name="course_one_open_version",
            ),
            models.CheckConstraint(
                condition=Q(credits__isnull=True)
                | Q(credits__gte=rules.CREDITS[0], credits__lte=rules.CREDITS[1]),
                name="course_credits_in_range",
            ),
            models.CheckConstraint(
                condition=Q(in_person_hours__gte=0), name="course_in_person_hours_non_negative"
            ),
        ]

    def __str__(self):
        suffix = f" (v{self.version})" if self.version > 1 else ""
        return f"{self.title or 'Untitled course'}{suffix}"

    @property
    def is_editable(self):
        return self.status in EDITABLE_STATUSES

    @property
    def total_hours(self):
        parts = [self.teaching_hours, self.self_study_hours, self.other_hours]
        return sum((p for p in parts if p is not None), start=0)

    def lineage_has_open_version(self):
        """True while some version of this course is a draft or awaiting the Dean."""
        return Course.objects.filter(lineage=self.lineage, status__in=OPEN_STATUSES).exists()

    @property
    def participation_form(self):
        """The EU 'form of participation': the template's modality and in-person teaching
        (rules.participation_form, the one rule)."""
        return rules.participation_form(
            modality=self.modality,
            in_person_hours=self.in_person_hours,
            total_hours=self.total_hours,
            in_person_sessions=sum(1 for u in self.content_units.all() if u.is_in_person),
        )


class LearningOutcome(models.Model):
    """A competency the learner will be able to demonstrate (2 to 5 per course)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField("learning outcome")

    class Meta:
        ordering = ["course", "position", "id"]

    def __str__(self):
        return self.text

    @property
    def label(self):
        return f"LO{self.position + 1}"


class ContentUnit(models.Model):
    """A topic or unit of the course, in order; in-person ones say where and when."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="content_units")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    is_in_person = models.BooleanField("in person", default=False)
    place = models.CharField(
        max_length=200, blank=True, help_text="Campus and city, e.g. AKU Karachi campus."
    )
    timing = models.CharField(
        "when in the course", max_length=200, blank=True, help_text="e.g. Week 3, or 12–14 May."
    )

    class Meta:
        ordering = ["course", "position", "id"]

    def __str__(self):
        return self.title


class CourseTransition(models.Model):
    """The audit trail of a course's status: who moved it, when, from what, to what, and why."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=CourseStatus.choices)
    to_status = models.CharField(max_length=20, choices=CourseStatus.choices)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.course}: {self.from_status} → {self.to_status}"


class OfferingKind(models.TextChoices):
    COHORT = "cohort", "A taught cohort"
    # The EU Recommendation's "validation of non-formal and informal learning": people who did
    # not take the course apply with evidence against each outcome, judged by the same rubric.
    PRIOR_LEARNING = "prior_learning", "Recognition of prior learning (applications)"


class Offering(models.Model):
    """One run of a course version for a cohort: dates, instructors, in-person sessions, places.
    A recognition-of-prior-learning offering is a window in which people apply for the badge
    with evidence instead of taking the course; its instructors are the assessors."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="offerings")
    kind = models.CharField(
        max_length=20, choices=OfferingKind.choices, default=OfferingKind.COHORT
    )
    title = models.CharField(
        max_length=200, blank=True, help_text="e.g. Spring 2027 cohort. Defaults to the dates."
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Leave empty for no limit."
    )
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="offerings_taught"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="offering_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.course.title} — {self.label}"

    @property
    def label(self):
        return self.title or f"{self.starts_on:%-d %b %Y} to {self.ends_on:%-d %b %Y}"

    @property
    def is_prior_learning(self):
        return self.kind == OfferingKind.PRIOR_LEARNING

    def phase(self, today):
        if today < self.starts_on:
            return "upcoming"
        if today > self.ends_on:
            return "past"
        return "running"


class OfferingSession(models.Model):
    """An in-person session of an offering: where and when."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    place = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.place})"


class EnrollmentQuerySet(models.QuerySet):
    def active(self):
        """Learners still in their offering: they take a place, appear in the grid and may
        complete and earn the badge. Withdrawn ones keep their record but none of that."""
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self):
        return self.filter(withdrawn_at__isnull=False)


class Enrollment(models.Model):
    """A learner in an offering, and whether (and when) they completed it.

    `completed_at` is set once, when every learning outcome is demonstrated by a passed
    summative assessment, and never cleared: a later failed re-assessment is shown but does not
    undo an award. For badges issued by hand, the course leader's confirmation is recorded too.

    A withdrawn learner's enrollment is kept (with its results, and any badge issued before),
    marked with who withdrew them, when and why; `moved_to` names the enrollment in the other
    offering when the withdrawal was a move. Re-enrolling them clears the withdrawal.
    """

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="enrollments")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments"
    )
    student_id = models.CharField(max_length=50, blank=True)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    completion_confirmed_at = models.DateTimeField(null=True, blank=True)
    completion_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, db_index=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawal_reason = models.TextField(blank=True)
    moved_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moved_from",
        help_text="The enrollment in another offering this learner was moved to.",
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["offering", "learner__full_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "learner"], name="enrollment_unique"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=False)
                | Q(withdrawn_by__isnull=True, moved_to__isnull=True, withdrawal_reason=""),
                name="enrollment_withdrawal_only_when_withdrawn",
            ),
            models.CheckConstraint(
                condition=Q(completion_confirmed_at__isnull=True) | Q(completed_at__isnull=False),
                name="enrollment_confirmed_only_when_complete",
            ),
        ]

    def __str__(self):
        return f"{self.learner} in {self.offering}"

    @property
    def is_complete(self):
        return self.completed_at is not None

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None


class ImportJob(models.Model):
    """One CSV import into an offering (enrolments, or results for an app that registers them).

    The parsed rows are kept here only until the job finishes, so no uploaded file outlives its
    import. Validation covers the whole file before anything is written; the apply step runs in
    one transaction, so a job is either done (everything written) or failed (nothing written).
    """

    class Kind(models.TextChoices):
        ENROLMENT = "enrolment", "Enrolment"
        RESULTS = "results", "Assessment results"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        VALIDATING = "validating", "Checking the file"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Not imported"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True, help_text="[{line, message}, …]")
    rows = models.JSONField(
        default=list, blank=True, help_text="The parsed rows until the job finishes; then emptied."
    )
    pending_invitations = models.JSONField(
        default=list, blank=True, help_text="Ids of new accounts still to be sent an invitation."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(processed__lte=models.F("total")), name="importjob_processed_le_total"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} import into {self.offering_id} ({self.status})"

    @property
    def is_finished(self):
        return self.status in {self.Status.DONE, self.Status.FAILED}
