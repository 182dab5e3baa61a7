from django import forms
from django.utils import timezone

from .models import AssessmentRecord
from .services import result_date_problem

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {".pdf", ".png", ".jpg", ".jpeg", ".docx", ".pptx", ".xlsx", ".txt", ".zip"}
RESULT_CHOICES = [("", "—")] + [(v, v.capitalize()) for v in AssessmentRecord.Result.values]


class GridForm(forms.Form):
    """A result cell for every learner × assessment; blank cells are left as they are."""

    def __init__(self, *args, enrollments, assessments, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = []
        for enrollment in enrollments:
            row = []
            for assessment in assessments:
                name = f"r_{enrollment.pk}_{assessment.pk}"
                record = current.get((enrollment.pk, assessment.pk))
                self.fields[name] = forms.ChoiceField(
                    choices=RESULT_CHOICES,
                    required=False,
                    label=f"{assessment.title} — {enrollment.learner}",
                    initial=record.result if record else "",
                )
                row.append((assessment, name, record))
            self.cells.append((enrollment, row))

    def changed_cells(self):
        """(enrollment, assessment, result) for each cell set to a result it did not have."""
        for enrollment, row in self.cells:
            for assessment, name, record in row:
                value = self.cleaned_data.get(name)
                if value and (record is None or record.result != value):
                    yield enrollment, assessment, value


class RecordForm(forms.Form):
    assessment = forms.ModelChoiceField(queryset=None)
    result = forms.ChoiceField(choices=AssessmentRecord.Result.choices, widget=forms.RadioSelect)
    score = forms.DecimalField(
        min_value=0, max_value=10000, decimal_places=2, required=False,
        help_text="Optional; the result is pass or fail.",
    )  # fmt: skip
    evidence_url = forms.URLField(
        label="Evidence link", required=False, max_length=500, assume_scheme="https"
    )
    evidence_file = forms.FileField(
        label="Evidence file", required=False,
        help_text="PDF, image, Office document, text or ZIP; at most 10 MB.",
    )  # fmt: skip
    evidence_text = forms.CharField(
        label="Evidence (text)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    feedback = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    assessed_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, assessments, offering=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.offering = offering
        self.fields["assessment"].queryset = assessments
        today = timezone.localdate()
        self.fields["assessed_on"].initial = today
        # The browser's date picker offers only the dates the service accepts.
        self.fields["assessed_on"].widget.attrs["max"] = today.isoformat()
        if offering is not None:
            self.fields["assessed_on"].widget.attrs["min"] = offering.starts_on.isoformat()

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if self.offering is not None:
            problem = result_date_problem(self.offering, day)
        else:
            problem = (
                "The assessment date cannot be in the future."
                if day > timezone.localdate()
                else None
            )
        if problem:
            raise forms.ValidationError(problem)
        return day

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if not upload:
            return upload
        if upload.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError("The evidence file is larger than 10 MB.")
        name = upload.name.lower()
        if not any(name.endswith(ext) for ext in EVIDENCE_TYPES):
            raise forms.ValidationError(
                "That kind of file is not accepted as evidence: use PDF, an image, an Office "
                "document, text or ZIP."
            )
        return upload
