from django import forms
from django.forms import formset_factory
from django.utils import timezone

from accounts.models import User

from .models import ContentUnit, Offering, OfferingKind
from .services import SESSION_FIELDS, enrollment_move_targets, offering_problems


class OfferingForm(forms.Form):
    """An offering's title, dates, capacity and instructors: new, or changed.

    With `course` (and `offering` when changing one), its dates and capacity are checked by
    the service's own rules (`offering_problems`) beside the fields; the sessions are checked
    with them when the view calls the service.
    """

    title = forms.CharField(
        max_length=200, required=False, help_text="e.g. Spring 2027 cohort. Optional."
    )
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    capacity = forms.IntegerField(
        min_value=1, max_value=100_000, required=False, help_text="Leave empty for no limit."
    )
    instructors = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_instructor=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="They record this cohort's assessment results.",
    )

    def __init__(self, *args, course=None, offering=None, **kwargs):
        self.course, self.offering = course, offering
        super().__init__(*args, **kwargs)
        if offering is None:  # what an offering is, is chosen once, when it is created
            self.fields = {
                "kind": forms.ChoiceField(
                    label="What is this offering?",
                    choices=OfferingKind.choices,
                    initial=OfferingKind.COHORT,
                    required=False,  # a taught cohort unless said otherwise
                    widget=forms.RadioSelect,
                    help_text="A recognition-of-prior-learning offering is a window in which "
                    "people who did not take the course apply for its badge with evidence; its "
                    "instructors judge it against the same rubric.",
                ),
                **self.fields,
            }

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on"):
            problems = offering_problems(
                course=self.course,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                capacity=data.get("capacity"),
                offering=self.offering,
            )
            for field, errors in problems.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
        return data


def offering_initial(course) -> tuple[dict, list[dict]]:
    """A new offering of `course`, prefilled from its approved template: its instructors, its
    planned dates (when still ahead), the in-person units as sessions (title and place; the
    admin gives the times) and the capacity of its latest offering, if any."""
    initial = {"instructors": list(course.instructors.filter(is_instructor=True))}
    if course.planned_start and course.planned_start >= timezone.localdate():
        initial["starts_on"] = course.planned_start
        initial["ends_on"] = course.planned_end
    latest = Offering.objects.filter(course__lineage=course.lineage).order_by("-starts_on").first()
    if latest is not None:
        initial["capacity"] = latest.capacity
    sessions = [
        {"title": unit.title, "place": unit.place}
        for unit in ContentUnit.objects.filter(course=course, is_in_person=True)
    ]
    return initial, sessions


def offering_current(offering) -> tuple[dict, list[dict]]:
    """The form's values for changing an offering: what it has now."""
    initial = {
        "title": offering.title,
        "starts_on": offering.starts_on,
        "ends_on": offering.ends_on,
        "capacity": offering.capacity,
        "instructors": list(offering.instructors.all()),
    }
    sessions = [
        {name: getattr(s, name) for name in SESSION_FIELDS} for s in offering.sessions.all()
    ]
    return initial, sessions


class SessionForm(forms.Form):
    title = forms.CharField(max_length=200, label="In-person session")
    place = forms.CharField(max_length=200, help_text="Campus and room, e.g. AKU Karachi, FHS 2.")
    starts_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The session must end after it starts.")
        return data


class BaseSessionFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this session"

    def sessions(self) -> list[dict]:
        """The sessions to keep: filled in and not marked for removal."""
        return [
            {name: f.cleaned_data[name] for name in SESSION_FIELDS}
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


SessionFormSet = formset_factory(
    SessionForm,
    formset=BaseSessionFormSet,
    extra=2,
    max_num=30,
    absolute_max=40,
    can_delete=True,
)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is the learner withdrawn?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="Kept with the enrolment and in the offering's history.",
    )


class MoveForm(forms.Form):
    to_offering = forms.ModelChoiceField(
        queryset=Offering.objects.none(),
        label="Move to",
        empty_label=None,
        help_text="Another offering of the same course that has not ended.",
    )
    reason = forms.CharField(
        label="Why (optional)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def __init__(self, *args, enrollment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_offering"].queryset = enrollment_move_targets(enrollment)
        self.fields["to_offering"].label_from_instance = lambda o: (
            f"{o.label} ({o.starts_on:%-d %b %Y} to {o.ends_on:%-d %b %Y})"
        )


class EnrolForm(forms.Form):
    email = forms.EmailField(label="Learner's e-mail address")
    full_name = forms.CharField(
        max_length=200, required=False, help_text="Needed when the learner has no account yet."
    )
    student_id = forms.CharField(max_length=50, required=False, label="Student ID (optional)")

    def clean(self):
        data = super().clean()
        email = data.get("email")
        new = email and not User.objects.filter(email__iexact=email).exists()
        if new and not data.get("full_name"):
            self.add_error("full_name", "Give the learner's name: they have no account yet.")
        return data


class RetireForm(forms.Form):
    comment = forms.CharField(
        label="Why is it retired?", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
