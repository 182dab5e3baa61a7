"""People and the organisational units whose deans approve courses."""

import uuid
from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .managers import UserManager


class Role(models.TextChoices):
    COURSE_LEADER = "course_leader", "Course leader"
    DEAN = "dean", "Dean or designate"
    LEADS_ADMIN = "leads_admin", "LEADS admin"
    INSTRUCTOR = "instructor", "Instructor"
    LEARNER = "learner", "Learner"


class Unit(models.Model):
    """A faculty, school or department. Its dean (or a designate) approves its courses."""

    class Kind(models.TextChoices):
        FACULTY = "faculty", "Faculty"
        SCHOOL = "school", "School"
        DEPARTMENT = "department", "Department"
        INSTITUTE = "institute", "Institute"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FACULTY)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    dean = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units_as_dean",
        help_text="The dean or head who approves this unit's micro-credential courses.",
    )
    designates = models.ManyToManyField(
        "accounts.User",
        blank=True,
        related_name="units_as_designate",
        help_text="People who may decide on submissions for the dean of this unit.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# Titles people put before their names; get_short_name looks past them.
HONORIFICS = frozenset(
    {"dr", "prof", "professor", "mr", "mrs", "ms", "miss", "mx", "sir", "dame", "rev", "engr"}
)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in. E-mail is the identifier, unique whatever its case.

    Roles are flags rather than one field because people hold several: a dean also leads
    courses, an instructor is often a course leader. Being a dean or designate is not a flag:
    it follows from `Unit.dean` and `Unit.designates`, so it cannot drift from the units.
    """

    # Stored lower-case (see save) so that unique=True means unique whatever the case; the
    # constraint on Lower(email) guards rows written around the model.
    email = models.EmailField("e-mail address", max_length=254, unique=True)
    # The id in the learner's public profile URL: random, so profiles cannot be enumerated.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(max_length=200)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text="The unit a course leader or instructor belongs to.",
    )
    is_course_leader = models.BooleanField(default=False)
    is_instructor = models.BooleanField(default=False)
    is_leads_admin = models.BooleanField(
        "LEADS admin",
        default=False,
        help_text="The programme team: publishes courses, runs offerings, issues badges.",
    )
    is_learner = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the Django admin site.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        """The given name, past any titles ("Dr Amina Khan" -> "Amina"): a title alone is never
        a way to address someone. A name of titles only is given whole."""
        named = [w for w in self.full_name.split() if w.rstrip(".").lower() not in HONORIFICS]
        return named[0] if named else (self.full_name.strip() or self.email)

    @cached_property
    def dean_units(self):
        """Units whose submissions this person may decide on, as dean or designate."""
        return list(Unit.objects.filter(models.Q(dean=self) | models.Q(designates=self)).distinct())

    @property
    def is_dean(self):
        return bool(self.dean_units)

    @cached_property
    def roles(self):
        """The roles this person holds, in the order the navigation shows them."""
        held = {
            Role.COURSE_LEADER: self.is_course_leader,
            Role.DEAN: self.is_dean,
            Role.LEADS_ADMIN: self.is_leads_admin,
            Role.INSTRUCTOR: self.is_instructor,
            Role.LEARNER: self.is_learner,
        }
        return [role for role, has in held.items() if has]


# What an AuditEntry can record, and how the history lists and the admin name it. Course moves
# are not here: CourseTransition and leads' Decision are their audit rows.
AUDIT_ACTIONS = {
    "sso.account_created": "Account created at first single sign-on",
    "sso.linked": "Single sign-on identity linked",
    "sso.unlinked": "Single sign-on identity unlinked",
    "sso.role_granted": "Role granted by an identity provider claim",
    "signing_key.rotated": "Signing key rotated",
    "signing_key.compromised": "Signing key marked compromised",
    "unit.dean_appointed": "Dean or designates appointed",
    "badge_class.edited": "Badge design edited",
    "pathway.created": "Pathway defined",
    "pathway.edited": "Pathway changed",
    "pathway.published": "Pathway published",
    "pathway.withdrawn": "Pathway withdrawn",
    "assertion.kept_standing": "Pathway badge kept after a component was revoked",
    "assertion.still_earned": "Pathway badge still earned after a component was revoked",
    "offering.created": "Offering created",
    "offering.changed": "Offering changed",
    "enrollment.withdrawn": "Learner withdrawn",
    "enrollment.moved_out": "Learner moved to another offering",
    "enrollment.moved_in": "Learner moved in from another offering",
    "enrollment.reinstated": "Learner enrolled again after withdrawal",
    "evidence.hand_in_rules": "Hand-in rules set",
    "evidence.extension": "Extension granted",
    "evidence.moderated": "Judgement moderated",
    "evidence.decided": "Moderation decided by the course leader",
    "evidence.moderation_policy": "Moderation sample changed",
    "ob3_api.disconnected": "Application disconnected from a learner's badges",
}


def _as_text(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


class AuditEntry(models.Model):
    """Who changed what, and when, for changes that have no record of their own: signing keys,
    deans, badge designs, offerings.

    Written only by accounts.audit.audit_record, in the transaction of the change, and never
    edited or deleted. Any app's object can be the target, so it is named by content type and
    id (as text: UUIDs in badges, integers elsewhere), with its name at the time kept beside it
    so the entry still reads right after the object is renamed.
    """

    actor = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the system acted: the command line, the demo seed.",
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=60)
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    # {"field": [old, new]}, values as JSON (dates as ISO strings): see accounts.audit.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["target_type", "target_id", "-at"], name="audit_target_idx"),
            models.Index(fields=["-at"], name="audit_at_idx"),
        ]

    def __str__(self):
        return f"{self.action_label}: {self.target_label}"

    # Entries are written once: the admin cannot change or delete them, nor can code through
    # the model (queryset-wide updates and deletes are for migrations alone).
    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("An audit entry is never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An audit entry is never deleted.")

    @property
    def action_label(self):
        return AUDIT_ACTIONS.get(self.action, self.action)

    @property
    def change_lines(self):
        """[(field in words, old, new)] as text, for the history lists."""
        return [
            (name.replace("_", " ").capitalize(), _as_text(old), _as_text(new))
            for name, (old, new) in self.changes.items()
        ]


class PendingTask(models.Model):
    """A background task owed after a commit: the outbox behind accounts.side_effects.

    Written in the transaction of the change that owes it, so the change and the debt commit
    together; deleted once a broker has accepted the task. A row that stays means the broker
    refused it (down, unreachable): the sweep publishes it again.
    """

    task = models.CharField(max_length=200, help_text="The Celery task's registered name.")
    args = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Set while one process publishes the row, so the sweep and the on-commit publisher never
    # both publish it; a process that dies mid-publish lets the claim lapse.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["created_at"], name="pending_task_created_idx")]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


class EmailDelivery(models.Model):
    """One e-mail that was sent, by a key naming what it announced and to whom.

    E-mail tasks are delivered at least once (acks late, retries, the outbox's sweep); this
    record is what makes a second run send nothing that was already sent.
    """

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "e-mail deliveries"

    def __str__(self):
        return self.key
