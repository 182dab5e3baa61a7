"""The LEADS course template as forms, one per section. Rules come from courses.rules: a blocking
finding is shown at its field and nothing is saved; advice is shown but does not stop saving."""

from datetime import date

from django import forms
from django.forms import BaseModelFormSet, modelformset_factory

from accounts.models import Unit, User
from assessments.models import Assessment
from courses import outcome_verbs, rules
from courses.models import ContentUnit, Course, LearningOutcome

HOURS_FIELDS = ("teaching_hours", "self_study_hours", "other_hours")


def _add_blocking(form, findings, field=None):
    """Put each blocking finding's sentence on the form (at `field`, or the form as a whole)."""
    for finding in findings:
        if finding.blocking:
            form.add_error(field, forms.ValidationError(finding.message, code=finding.code))


def _text(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class CourseCreateForm(forms.Form):
    title = forms.CharField(label="Course name", max_length=200)
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.all(),
        help_text="The faculty, school or department whose Dean approves the course.",
    )


class BasicForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title", "aim"]
        widgets = {"aim": _text(4)}


class AudienceForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["target_audience", "eligibility", "prerequisites"]
        widgets = {"target_audience": _text(4), "eligibility": _text(), "prerequisites": _text()}
        help_texts = {
            "prerequisites": "Optional. They depend on the audience: e.g. high school leavers "
            "aged 18 or above, or practising primary school teachers.",
        }


class HoursForm(forms.ModelForm):
    """Credits and the hours split; the hours must total 25–30 per credit."""

    class Meta:
        model = Course
        fields = ["credits", "teaching_hours", "self_study_hours", "other_hours"]
        help_texts = {
            "credits": "1 to 6. One credit is 25–30 hours of work: about 7–8 hours of teaching "
            "and 16–17 of self-study, plus assessment and other tasks.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("credits", *HOURS_FIELDS):
            self.fields[name].required = True
            self.fields[name].widget.attrs.update({"min": 0, "data-hours": name})
        self.fields["credits"].error_messages["min_value"] = "A course has at least 1 credit."
        self.fields["credits"].error_messages["max_value"] = (
            "A micro-credential has at most 6 credits (180 hours)."
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        credits = data["credits"]
        findings = rules.check_hours(
            credits=credits,
            teaching_hours=data["teaching_hours"],
            self_study_hours=data["self_study_hours"],
            other_hours=data["other_hours"],
        )
        _add_blocking(self, findings)
        self.advice = [f for f in findings if not f.ok and not f.blocking]
        if self.instance.modality == "hybrid":
            total = sum(data[name] for name in HOURS_FIELDS)
            _add_blocking(
                self,
                rules.check_hybrid(
                    modality="hybrid",
                    in_person_hours=self.instance.in_person_hours,
                    total_hours=total,
                ),
            )
        return data


class ModalityForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["modality", "in_person_hours"]
        widgets = {"modality": forms.RadioSelect}
        help_texts = {
            "in_person_hours": "Hybrid courses only: at most 40% of the course's learning hours.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modality"].required = True
        self.fields["modality"].choices = [
            (m.key, f"{m.label} — {m.description}") for m in rules.MODALITIES.values()
        ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        findings = rules.check_hybrid(
            modality=data["modality"],
            in_person_hours=data["in_person_hours"],
            total_hours=self.instance.total_hours,
        )
        _add_blocking(self, findings, "in_person_hours")
        return data


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = LearningOutcome
        fields = ["text"]
        widgets = {"text": _text(2)}
        labels = {"text": "Learning outcome"}


class BaseOutcomeFormSet(BaseModelFormSet):
    """2 to 5 outcomes, each starting with a measurable verb."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("text", "").strip()
            and not form.cleaned_data.get("DELETE", False)
        ]
        for finding in rules.check_outcome_count(len(kept)):
            if finding.blocking:
                raise forms.ValidationError(finding.message, code=finding.code)
        for form in kept:
            vague = outcome_verbs.vague_verb(form.cleaned_data["text"])
            if vague:
                form.add_error("text", forms.ValidationError(vague.message, code=vague.code))


OutcomeFormSet = modelformset_factory(
    LearningOutcome,
    form=OutcomeForm,
    formset=BaseOutcomeFormSet,
    extra=5,
    max_num=5,
    absolute_max=20,
    can_delete=True,
)


class ContentUnitForm(forms.ModelForm):
    class Meta:
        model = ContentUnit
        fields = ["title", "is_in_person", "place", "timing"]
        labels = {"title": "Topic or unit"}

    def clean(self):
        data = super().clean()
        if data.get("is_in_person") and data.get("title"):
            if not (data.get("place") or "").strip():
                self.add_error(
                    "place",
                    forms.ValidationError(
                        "An in-person session must name its place (campus and city).",
                        code="in_person_session_no_place",
                    ),
                )
            if not (data.get("timing") or "").strip():
                self.add_error(
                    "timing",
                    forms.ValidationError(
                        "Say when in the course the in-person session happens (week or dates).",
                        code="in_person_session_no_timing",
                    ),
                )
        return data


ContentUnitFormSet = modelformset_factory(
    ContentUnit, form=ContentUnitForm, extra=3, max_num=50, absolute_max=60, can_delete=True
)


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["planned_start", "planned_end"]
        widgets = {
            "planned_start": forms.DateInput(attrs={"type": "date"}),
            "planned_end": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", "The course cannot end before it starts.")
        return data


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["evidence_required"]
        widgets = {"evidence_required": _text(3)}


class AssessmentForm(forms.ModelForm):
    """An assessment, the outcomes it assesses, and a pass criterion for each of them."""

    class Meta:
        model = Assessment
        fields = ["title", "kind", "purpose", "description"]
        widgets = {"description": _text(2), "purpose": forms.RadioSelect}

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course_outcomes = list(course.outcomes.all())
        current = {}
        if self.instance.pk:
            current = {c.outcome_id: c.pass_description for c in self.instance.criteria.all()}
        self.fields["outcomes"] = forms.ModelMultipleChoiceField(
            queryset=course.outcomes.all(),
            widget=forms.CheckboxSelectMultiple,
            label="Learning outcomes it assesses",
            initial=list(current),
            error_messages={"required": "Choose at least one learning outcome it assesses."},
        )
        self.fields["outcomes"].label_from_instance = lambda o: f"{o.label}: {o.text}"
        for outcome in self.course_outcomes:
            self.fields[f"criterion_{outcome.pk}"] = forms.CharField(
                label=f"Pass criterion for {outcome.label}",
                required=False,
                widget=_text(2),
                initial=current.get(outcome.pk, ""),
                help_text="What the learner does that demonstrates this outcome (pass); "
                "not doing it is a fail.",
            )

    def criterion_fields(self):
        return [self[f"criterion_{o.pk}"] for o in self.course_outcomes]

    def clean(self):
        data = super().clean()
        for outcome in data.get("outcomes") or []:
            if not (data.get(f"criterion_{outcome.pk}") or "").strip():
                self.add_error(
                    f"criterion_{outcome.pk}",
                    forms.ValidationError(
                        f"Describe how {outcome.label} is judged pass or fail in this assessment.",
                        code="criterion_missing",
                    ),
                )
        return data

    def criteria(self):
        return {
            o: self.cleaned_data[f"criterion_{o.pk}"].strip() for o in self.cleaned_data["outcomes"]
        }


class BudgetForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["resources_note", "budget_note"]
        widgets = {"resources_note": _text(3), "budget_note": _text(3)}
        help_texts = {
            "resources_note": "Teaching staff, VLE, rooms, equipment and other resources.",
            "budget_note": "Where the money for offering the course comes from.",
        }


class BadgeForm(forms.ModelForm):
    expiry = forms.ChoiceField(
        label="Does the badge expire?",
        choices=[
            ("none", "No, it does not expire"),
            ("months", "Yes, a number of months after it is issued"),
            ("date", "Yes, on a fixed date"),
        ],
        widget=forms.RadioSelect,
        initial="none",
    )

    class Meta:
        model = Course
        fields = [
            "badge_name",
            "badge_description",
            "badge_level",
            "badge_expiry_months",
            "badge_expiry_date",
            "badge_issue_mode",
            "badge_message",
            "instructors",
        ]
        widgets = {
            "badge_description": _text(3),
            "badge_message": _text(2),
            "badge_expiry_date": forms.DateInput(attrs={"type": "date"}),
            "badge_issue_mode": forms.RadioSelect,
            "instructors": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "badge_name": "A clear, concise name for the achievement; often the course's name.",
            "badge_description": "What the badge represents: a summary of the criteria "
            "(outcomes, assessments) and its significance.",
            "badge_message": "The congratulatory message learners see when they earn the badge.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instructors"].queryset = User.objects.filter(is_instructor=True)
        self.fields["instructors"].label = "Course instructor(s)"
        self.fields["badge_issue_mode"].choices = self.fields["badge_issue_mode"].choices[1:]
        if self.instance.badge_expiry_date:
            self.initial["expiry"] = "date"
        elif self.instance.badge_expiry_months:
            self.initial["expiry"] = "months"

    def clean(self):
        data = super().clean()
        kind = data.get("expiry")
        if kind != "months":
            data["badge_expiry_months"] = None
        if kind != "date":
            data["badge_expiry_date"] = None
        if kind == "months" and not data.get("badge_expiry_months"):
            self.add_error("badge_expiry_months", "Give the number of months (1 to 240).")
        if (
            kind == "date"
            and not data.get("badge_expiry_date")
            and "badge_expiry_date" not in self.errors
        ):
            self.add_error("badge_expiry_date", "Give the date on which the badge expires.")
        if not self.errors:
            _add_blocking(
                self,
                rules.check_expiry(
                    expires_after_months=data["badge_expiry_months"],
                    expiry_date=data["badge_expiry_date"],
                    today=date.today(),
                ),
                "badge_expiry_date",
            )
        return data


class EUForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "eqf_level",
            "eu_assessment_type",
            "quality_assurance",
            "assessment_supervision",
            "stackability",
        ]
        widgets = {"quality_assurance": _text(2), "stackability": _text(2)}
        help_texts = {
            "eqf_level": "The level of the learning experience in the European Qualifications "
            "Framework (EQF).",
            "eu_assessment_type": "e.g. Portfolio and project, assessed pass/fail "
            "against a rubric.",
            "quality_assurance": "e.g. Internal: approved by the Dean of the unit under the "
            "LEADS quality process.",
            "assessment_supervision": "Optional: how assessment is supervised and whether "
            "the learner's identity is verified.",
            "stackability": "Optional: whether it can be combined with other credentials.",
        }


class ChecklistForm(forms.ModelForm):
    """The judgements only the course leader can make, and the signature."""

    signed_name = forms.CharField(
        label="Your full name (signature)", max_length=200, required=False
    )

    class Meta:
        model = Course
        fields = [
            "affirms_aim",
            "affirms_eligibility",
            "affirms_prerequisites",
            "affirms_resources",
            "affirms_budget",
        ]
        labels = {
            "affirms_aim": "The aim reflects specific skills aligned with the target audience's "
            "needs.",
            "affirms_eligibility": "The eligibility criteria are specific and appropriate for "
            "the course's level.",
            "affirms_prerequisites": "The prerequisites (or their absence) fit the target "
            "audience.",
            "affirms_resources": "Teaching and other resources are available.",
            "affirms_budget": "An adequate budget is available for offering the course.",
        }
