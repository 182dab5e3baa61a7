"""People and the organisational units whose deans approve courses."""

import uuid
from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
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
        return self.full_name.split(" ")[0] if self.full_name else self.email

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
