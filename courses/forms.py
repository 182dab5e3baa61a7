from django import forms
from django.forms import formset_factory

from accounts.models import User


class OfferingForm(forms.Form):
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

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The offering cannot end before it starts.")
        return data


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


SessionFormSet = formset_factory(SessionForm, extra=2, max_num=30, absolute_max=40)


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
