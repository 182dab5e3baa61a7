"""The learner's hand-in form: a written statement, up to five files and up to three links.

The form checks only the shape of what is typed (a link is a web address); whether the files are
accepted, in time and within the limits is the service's answer (services.submission_hand_in).
"""

from django import forms
from django.core.validators import URLValidator

from .services import HandInFile, HandInLink

FILE_SLOTS = 5
LINK_SLOTS = 3


class HandInForm(forms.Form):
    statement = forms.CharField(
        label="Written statement",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you are handing in and how it shows each criterion. Optional if you "
        "hand in a file or a link.",
    )

    def __init__(self, *args, accept=(), **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, LINK_SLOTS + 1):
            # Only web pages: a javascript: or file: address is refused here.
            self.fields[f"link_{n}_url"] = forms.URLField(
                label=f"Link {n}: address",
                required=False,
                max_length=500,
                assume_scheme="https",
                validators=[URLValidator(schemes=["http", "https"])],
                widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "url"}),
            )
            self.fields[f"link_{n}_title"] = forms.CharField(
                label=f"Link {n}: title", required=False, max_length=200
            )
            self.fields[f"link_{n}_public"] = forms.BooleanField(
                label=f"Link {n}: link to it from my badge", required=False
            )
        for n in range(1, FILE_SLOTS + 1):
            self.fields[f"file_{n}"] = forms.FileField(
                label=f"File {n}",
                required=False,
                widget=forms.FileInput(attrs={"accept": ",".join(accept)}),
            )
            self.fields[f"file_{n}_title"] = forms.CharField(
                label=f"File {n}: title", required=False, max_length=200
            )
            self.fields[f"file_{n}_public"] = forms.BooleanField(
                label=f"File {n}: link to it from my badge", required=False
            )
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            else:
                field.widget.attrs.setdefault("class", "form-control")

    @property
    def link_rows(self):
        return [
            (n, self[f"link_{n}_url"], self[f"link_{n}_title"], self[f"link_{n}_public"])
            for n in range(1, LINK_SLOTS + 1)
        ]

    @property
    def file_rows(self):
        return [
            (n, self[f"file_{n}"], self[f"file_{n}_title"], self[f"file_{n}_public"])
            for n in range(1, FILE_SLOTS + 1)
        ]

    def hand_in_files(self) -> list[HandInFile]:
        data = self.cleaned_data
        return [
            HandInFile(
                upload=data[f"file_{n}"],
                title=data[f"file_{n}_title"],
                public=data[f"file_{n}_public"],
            )
            for n in range(1, FILE_SLOTS + 1)
            if data.get(f"file_{n}")
        ]

    def hand_in_links(self) -> list[HandInLink]:
        data = self.cleaned_data
        return [
            HandInLink(
                url=data[f"link_{n}_url"],
                title=data[f"link_{n}_title"],
                public=data[f"link_{n}_public"],
            )
            for n in range(1, LINK_SLOTS + 1)
            if data.get(f"link_{n}_url")
        ]

    def chose_files(self) -> bool:
        return any(f"file_{n}" in self.files for n in range(1, FILE_SLOTS + 1))
