"""The catalogue's search and filter form (a GET form: every search has a URL to share)."""

from django import forms

from . import rules
from .catalogue import CatalogueFilters
from .models import BADGE_LEVEL_CHOICES, EQF_CHOICES, MODALITY_CHOICES


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label="Search courses",
        required=False,
        max_length=200,
        help_text="Words in the course name, its aim or its learning outcomes.",
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
    )
    badge_level = forms.ChoiceField(
        label="Badge level",
        required=False,
        choices=[("", "Any level"), *BADGE_LEVEL_CHOICES],
    )
    eqf_level = forms.TypedChoiceField(
        label="EQF level",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any EQF level"), *EQF_CHOICES],
    )
    modality = forms.ChoiceField(
        label="Modality",
        required=False,
        choices=[("", "Any modality"), *MODALITY_CHOICES],
    )
    credits = forms.TypedChoiceField(
        label="Credits (ECTS)",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "Any number"),
            *(
                (n, f"{n} credit{'s' if n != 1 else ''}")
                for n in range(rules.CREDITS[0], rules.CREDITS[1] + 1)
            ),
        ],
    )
    unit = forms.TypedChoiceField(
        label="Unit", required=False, coerce=int, empty_value=None, choices=[]
    )
    upcoming = forms.BooleanField(label="Has an upcoming offering", required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "Any unit"), *units]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            elif isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"

    def filters(self) -> CatalogueFilters:
        """The filters asked for; a value that is not one of the choices (an old link, a unit
        that no longer runs a published course) is left out rather than failing the page."""
        self.is_valid()
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name not in self.errors
        }
        if "q" in data:
            data["q"] = data["q"].strip()
        return CatalogueFilters(**data)
