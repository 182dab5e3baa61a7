"""Forms of the review pages: the Dean's decision and the LEADS admin's filters."""

from django import forms

from accounts.models import Unit

from .models import Decision
from .selectors import SUBMISSION_STATES, WAITING_DAYS
from .services import DECISIONS


class BootstrapErrorsMixin:
    """Marks fields with errors `is-invalid`, so Bootstrap shows them; Django itself sets
    aria-invalid and points aria-describedby at the error list (`<id>_error`)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "")
                if "is-invalid" not in classes:
                    widget.attrs["class"] = f"{classes} is-invalid".strip()


class DecisionForm(BootstrapErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (Decision.Outcome.APPROVED, "Approve"),
            (Decision.Outcome.CHANGES_REQUESTED, "Request changes"),
            (Decision.Outcome.REJECTED, "Reject"),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose approve, request changes or reject."},
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 5}),
        help_text=(
            "Required when you request changes (say what needs to change) or reject (give the "
            "reason). The course leader reads it in their e-mail and on the course page."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("decision")
        comment = (cleaned.get("comment") or "").strip()
        cleaned["comment"] = comment
        if outcome and not comment:
            message = DECISIONS[outcome].comment_required
            if message:
                self.add_error("comment", forms.ValidationError(message, code="required"))
        return cleaned


class SubmissionFilterForm(BootstrapErrorsMixin, forms.Form):
    """Read from the query string; a value that is not valid is reported and not applied."""

    unit = forms.ModelChoiceField(
        queryset=Unit.objects.order_by("name"),
        required=False,
        empty_label="All units",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    state = forms.ChoiceField(
        choices=[("", "All states"), *SUBMISSION_STATES.items()],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    waiting = forms.TypedChoiceField(
        label="Waiting for a decision",
        choices=[("", "Any time")] + [(str(d), f"More than {d} days") for d in WAITING_DAYS],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def filters(self) -> dict:
        """The valid filters, as keyword arguments of selectors.submissions_filtered."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "unit": data.get("unit"),
            "state": data.get("state") or None,
            "waiting_more_than": data.get("waiting"),
        }
