"""Forms of the LEADS team's badge pages: designing and editing a badge, issuing, revoking,
and filtering the list of issued badges."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from courses import rules
from courses.models import Enrollment

from . import services, stats
from .image_checks import MAX_BYTES, MAX_SIDE, MIN_SIDE, check_badge_image
from .images import default_badge_image
from .models import BadgeClass

MAX_TAGS = 12
MAX_TAG_LENGTH = 50
IMAGE_HELP = (
    f"A square PNG ({MIN_SIDE}–{MAX_SIDE} pixels a side) or SVG, up to "
    f"{MAX_BYTES // (1024 * 1024)} MB. SVG images must not contain scripts or links to other "
    "files."
)


class TagsField(forms.CharField):
    """Tags typed as a comma-separated list, kept as a list without blanks or repeats."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Separate tags with commas, e.g. data, Python, beginner.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        tags, seen = [], set()
        for tag in (t.strip() for t in text.split(",")):
            if tag and tag.lower() not in seen:
                seen.add(tag.lower())
                tags.append(tag)
        return tags

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_TAGS:
            raise ValidationError(f"Give at most {MAX_TAGS} tags.", code="too_many_tags")
        for tag in value:
            if len(tag) > MAX_TAG_LENGTH:
                raise ValidationError(
                    f"“{tag[:30]}…” is too long: a tag has at most {MAX_TAG_LENGTH} characters.",
                    code="tag_too_long",
                )


def _clean_image(upload):
    """The checked upload as a file to store, or None when nothing was uploaded."""
    if not upload:
        return None
    checked = check_badge_image(upload)  # raises ValidationError with a code
    return checked.as_file(getattr(upload, "name", "") or "badge")


class _BadgeFieldsMixin:
    """Validation the design and edit forms share."""

    def clean_image(self):
        return _clean_image(self.cleaned_data.get("image"))

    def clean_expires_on(self):
        value = self.cleaned_data.get("expires_on")
        if value and value <= timezone.localdate():
            raise ValidationError("The expiry date must be in the future.", code="expires_on_past")
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("expires_after_months") and cleaned.get("expires_on"):
            self.add_error(
                "expires_on",
                ValidationError(
                    "Give either a number of months or a date for the expiry, not both.",
                    code="two_expiries",
                ),
            )
        return cleaned


EXPIRY_MONTHS_HELP = "Leave both expiry fields empty for a badge that does not expire."


class BadgeDesignForm(_BadgeFieldsMixin, forms.Form):
    """The first design of a course's badge, prefilled from the approved template."""

    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    level = forms.ChoiceField(choices=list(rules.BADGE_LEVELS.items()))
    criteria_narrative = forms.CharField(
        label="Criteria",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="How the badge is earned: the outcomes and the assessments that show them.",
    )
    tags = TagsField()
    expires_after_months = forms.IntegerField(
        label="Expires after (months)",
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=EXPIRY_MONTHS_HELP,
    )
    expires_on = forms.DateField(
        label="Expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="A fixed date on which every badge of this course expires.",
    )
    message = forms.CharField(
        label="Congratulatory message",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to the learner with their badge.",
    )
    image = forms.FileField(
        label="Badge image",
        required=False,
        help_text=IMAGE_HELP + " Leave empty to use an image drawn from the name and level.",
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.svg,image/png,image/svg+xml"}),
    )

    def overrides(self) -> dict:
        """The fields to pass to badges.services.badge_class_create."""
        data = self.cleaned_data
        keys = [
            "name", "description", "level", "criteria_narrative", "tags", "expires_after_months",
            "expires_on", "message",
        ]  # fmt: skip
        return {key: data[key] for key in keys}


def design_initial(course) -> dict:
    """What badge_class_create would prefill from the approved template, for the form to show.

    Kept in step with badges.services.badge_class_create (which fills the same fields when they
    are not given); a `badge_class_prefill(course)` there would let both share one source.
    """
    level = course.badge_level or "beginner"
    return {
        "name": course.badge_name or course.title,
        "description": course.badge_description or course.aim,
        "level": level,
        "criteria_narrative": services.criteria_narrative(course),
        "tags": [
            t for t in [rules.BADGE_LEVELS.get(level), course.unit.name, "micro-credential"] if t
        ],
        "expires_after_months": course.badge_expiry_months,
        "expires_on": course.badge_expiry_date,
        "message": course.badge_message or f"Congratulations on completing {course.title}!",
    }


class BadgeClassForm(_BadgeFieldsMixin, forms.ModelForm):
    """The presentation of a designed badge. Issue mode, alignments and the EU elements follow
    the approved course version and are not edited here."""

    tags = TagsField()
    image = forms.FileField(
        label="New badge image",
        required=False,
        help_text=IMAGE_HELP + " Leave empty to keep the current image.",
        widget=forms.FileInput(attrs={"accept": ".png,.svg,image/png,image/svg+xml"}),
    )
    default_image = forms.BooleanField(
        label="Replace the image with one drawn from the badge's name and level",
        required=False,
    )

    class Meta:
        model = BadgeClass
        fields = [
            "name", "description", "criteria_narrative", "level", "tags",
            "expires_after_months", "expires_on", "message",
        ]  # fmt: skip
        labels = {
            "criteria_narrative": "Criteria",
            "expires_after_months": "Expires after (months)",
        }
        help_texts = {
            "expires_after_months": EXPIRY_MONTHS_HELP
            + " A change applies to badges issued from now on.",
            "expires_on": "A change applies to badges issued from now on.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "criteria_narrative": forms.Textarea(attrs={"rows": 10}),
            "message": forms.Textarea(attrs={"rows": 3}),
            "expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_after_months"].validators += [
            MinValueValidator(1),
            MaxValueValidator(240),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and cleaned.get("default_image"):
            self.add_error(
                "default_image",
                ValidationError(
                    "Either upload a new image or choose the drawn one, not both.",
                    code="two_images",
                ),
            )
        return cleaned

    def design_fields(self) -> dict:
        """The fields to pass to badges.services.badge_class_update, which saves what changed.

        "image" is not in Meta.fields (construct_instance would store an unchecked upload): it
        is the checked upload, the drawn image, or left out to keep the current one.
        """
        data = self.cleaned_data
        fields = {name: data[name] for name in self._meta.fields}
        if data.get("image"):
            fields["image"] = data["image"]
        elif data.get("default_image"):
            fields["image"] = default_badge_image(name=data["name"], level=data["level"])
        return fields


class BadgeClassAdminForm(forms.ModelForm):
    """The Django admin's form: a new image goes through the same checks as on the centre's
    pages (an unchecked SVG would be served and baked as it is)."""

    class Meta:
        model = BadgeClass
        # The admin narrows this to the fields it shows (see BadgeClassAdmin.fields).
        fields = ["image"]

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and hasattr(image, "content_type"):  # a new upload, not the stored file
            return _clean_image(image)
        return image


class IssueForm(forms.Form):
    """Issuing from an offering's page: one learner, the selected ones, or all confirmed."""

    enrollments = forms.ModelMultipleChoiceField(
        queryset=Enrollment.objects.none(), required=False, label="Learners"
    )
    narrative = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what this learner or group did, shown on each badge. Leave empty "
        "for the standard sentence.",
    )
    override_reason = forms.CharField(
        label="Reason to issue anyway",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only to issue to one learner who has not completed, or whose completion the "
        "course leader has not confirmed. It is recorded on the badge.",
    )

    def __init__(self, *args, offering, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollments"].queryset = Enrollment.objects.active().filter(
            offering=offering, assertion__isnull=True
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason for revoking",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Shown to anyone who checks the badge, and to the learner.",
        error_messages={"required": "Give the reason for revoking the badge."},
    )

    def __init__(self, *args, dependents=(), **kwargs):
        super().__init__(*args, **kwargs)
        if dependents:
            # The centre decides what becomes of the pathway badges that stand on this one.
            self.fields["dependents"] = forms.ChoiceField(
                label="The pathway badges that stand on this badge",
                choices=[
                    ("revoke", "Revoke them too (they say why)"),
                    ("keep", "Keep them standing (the decision is recorded)"),
                ],
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Say whether the pathway badges that stand on this badge are "
                    "revoked too or kept."
                },
            )


MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class BadgeFilterForm(forms.Form):
    badge_class = forms.ModelChoiceField(
        label="Course",
        queryset=BadgeClass.objects.select_related("course").order_by("course__title"),
        required=False,
        empty_label="All courses",
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *stats.STATUSES.items()], required=False
    )
    month = forms.CharField(
        label="Issued in (month)",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
        help_text="As year and month, e.g. 2026-03.",
    )
    q = forms.CharField(
        label="Learner name or e-mail",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["badge_class"].label_from_instance = lambda b: (
            str(b.course) if b.course_id else f"Pathway: {b.name}"
        )
        for name, field in self.fields.items():
            css = "form-select" if name in ("badge_class", "status") else "form-control"
            field.widget.attrs["class"] = css

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        match = MONTH.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValidationError("Give the month as YYYY-MM, e.g. 2026-03.", code="bad_month")
        return date(int(match.group(1)), int(match.group(2)), 1)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "badge_class": data["badge_class"],
            "status": data["status"] or None,
            "month": data["month"],
            "search": data["q"],
        }
