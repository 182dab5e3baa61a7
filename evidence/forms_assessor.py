"""Forms of the assessors' pages: they read what was typed; every rule is the services' own
(evidence/services.py), whose refusals the views show on the form."""

from django import forms
from django.utils import timezone

from .file_kinds import FileKind
from .models import Judgement, SubmissionState

# What an <input type="datetime-local"> sends and shows: local time to the minute, so a value
# shown on the page comes back unchanged when the form is saved as it is.
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format=LOCAL_MINUTE)


def local_datetime_field(label, **kwargs):
    return forms.DateTimeField(
        label=label,
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_MINUTE, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        **kwargs,
    )


def _text_area(rows=3, **attrs):
    return forms.Textarea(attrs={"rows": rows, "class": "form-control", **attrs})


class QueueFilterForm(forms.Form):
    """Which submissions the queue lists: by assessment and state (open ones by default)."""

    assessment = forms.TypedChoiceField(label="Assessment", required=False, coerce=int,
                                        empty_value=None)  # fmt: skip
    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[("", "Waiting to be judged"), *SubmissionState.choices],
    )

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].choices = [("", "All assessments")] + [
            (a.pk, a.title) for a in assessments
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class HandInRulesForm(forms.Form):
    due_at = local_datetime_field("Hand in by")
    max_file_mb = forms.IntegerField(
        label="Largest file (MB)",
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        help_text="Video may be allowed up to the centre's limit; other kinds up to 50 MB.",
    )
    file_kinds = forms.MultipleChoiceField(
        label="Kinds of file accepted",
        choices=FileKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    anonymous_marking = forms.BooleanField(
        label="Anonymous marking: assessors see a code, not the learner's name",
        required=False,
    )

    @classmethod
    def initial_from(cls, rules) -> dict:
        return {
            "due_at": timezone.localtime(rules.due_at),
            "max_file_mb": rules.max_file_mb,
            "file_kinds": list(rules.file_kinds),
            "anonymous_marking": rules.anonymous_marking,
        }


class LearnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        learner = obj.learner
        return f"{learner.full_name} ({learner.email})" if learner.full_name else learner.email


class ExtensionForm(forms.Form):
    enrollment = LearnerChoiceField(label="Learner", queryset=None)
    assessment = forms.ModelChoiceField(label="Assessment", queryset=None)
    until = local_datetime_field("May hand in until")
    reason = forms.CharField(label="Reason", widget=_text_area(),
                             help_text="Recorded in the offering's audit history.")  # fmt: skip

    def __init__(self, *args, enrollments, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].queryset = enrollments
        self.fields["assessment"].queryset = assessments
        for name in ("enrollment", "assessment"):
            self.fields[name].widget.attrs["class"] = "form-select"


MET_CHOICES = [("met", "Met"), ("not_met", "Not yet met")]


class JudgementForm(forms.Form):
    """The rubric: per criterion met or not yet met with a comment, an overall result and
    feedback, and the revision of the submission the assessor read."""

    result = forms.ChoiceField(label="Overall result", widget=forms.RadioSelect)
    feedback = forms.CharField(
        label="Feedback to the learner", required=False, widget=_text_area(rows=5)
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, criteria, moderation=False, **kwargs):
        """`criteria`: [(code, criterion)] in the rubric's order. A moderator finds the skill
        demonstrated or not yet: they do not return work for rework."""
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        results = Judgement.Result.choices
        if moderation:
            results = [c for c in results if c[0] != Judgement.Result.REWORK]
        self.fields["result"].choices = results
        if moderation:
            # What a moderator writes is for the record and, on a disagreement, the course
            # leader: the learner is given the first assessor's feedback or the leader's reason.
            self.fields["feedback"].label = "Note for the record and the course leader"
            self.fields["feedback"].help_text = "The learner does not see it."
        for code, criterion in criteria:
            self.fields[f"met_{criterion.pk}"] = forms.ChoiceField(
                label=f"{code}: {criterion.pass_description}",
                choices=MET_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": f"Say whether {code} is met."},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=f"Comment on {code}", required=False, widget=_text_area(rows=2)
            )

    def rows(self):
        """[(code, criterion, met field, comment field)] for the template."""
        return [
            (code, c, self[f"met_{c.pk}"], self[f"comment_{c.pk}"]) for code, c in self.criteria
        ]

    def judged_criteria(self) -> dict:
        data = self.cleaned_data
        return {
            c.pk: (data[f"met_{c.pk}"] == "met", data.get(f"comment_{c.pk}", ""))
            for _, c in self.criteria
        }


class DecisionForm(forms.Form):
    result = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            (Judgement.Result.PASS, "Pass: the skill is demonstrated"),
            (Judgement.Result.NOT_YET, "Not yet demonstrated"),
        ],
    )
    reason = forms.CharField(
        label="Reason", widget=_text_area(rows=4),
        help_text="The learner and the audit history see it.",
    )  # fmt: skip
    revision = forms.IntegerField(widget=forms.HiddenInput)


class ModerationPolicyForm(forms.Form):
    sample_percent = forms.IntegerField(
        label="Share of passes moderated (%)",
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    every_not_yet = forms.BooleanField(
        label="Moderate every “not yet demonstrated”", required=False
    )
