"""Every date and time field of every form shows the value it holds and saves it back unchanged
(issue 13: dates rendered as 31/12/2026 left <input type="date"> empty, and Save erased them)."""

import importlib
import inspect
import pkgutil
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings
from django.utils import timezone, translation

APPS = ["accounts", "courses", "leads", "assessments", "badges"]
ROOT = Path(settings.BASE_DIR)
SAMPLES = {
    forms.DateTimeField: datetime(2027, 3, 31, 14, 30, tzinfo=ZoneInfo("UTC")),
    forms.DateField: date(2027, 3, 31),
    forms.TimeField: time(14, 30),
}


def project_forms():
    found = {}
    for app in APPS:
        for module in pkgutil.iter_modules([str(ROOT / app)]):
            if module.name.startswith("forms"):
                loaded = importlib.import_module(f"{app}.{module.name}")
                for _, cls in inspect.getmembers(loaded, inspect.isclass):
                    if issubclass(cls, forms.BaseForm) and cls.__module__ == loaded.__name__:
                        found[f"{cls.__module__}.{cls.__name__}"] = cls
    return found


def temporal_fields():
    for label, form_class in sorted(project_forms().items()):
        for name, field in form_class.base_fields.items():
            kind = next((k for k in SAMPLES if isinstance(field, k)), None)
            if kind is not None:
                yield pytest.param(field, name, SAMPLES[kind], id=f"{label}.{name}")


FIELDS = list(temporal_fields())


def test_the_forms_with_dates_are_found():
    names = {p.id for p in FIELDS}
    assert {
        "leads.forms.ScheduleForm.planned_start",
        "leads.forms.BadgeForm.badge_expiry_date",
        "assessments.forms.RecordForm.assessed_on",
        "courses.forms.OfferingForm.starts_on",
        "courses.forms.SessionForm.starts_at",
    } <= names, names


@pytest.mark.parametrize(("field", "name", "value"), FIELDS)
@pytest.mark.parametrize("language", ["en-gb", "en"])
def test_a_saved_date_is_shown_and_saved_back_unchanged(field, name, value, language):
    with translation.override(language), timezone.override("UTC"):
        shown = field.widget.format_value(field.prepare_value(value))
        html = field.widget.render(name, field.prepare_value(value))
        assert str(shown) in html
        kind = field.widget.attrs.get("type") or getattr(field.widget, "input_type", "")
        if kind == "date":
            assert shown == value.isoformat(), shown  # what <input type="date"> can read
        if kind == "datetime-local":
            assert shown.startswith(value.strftime("%Y-%m-%dT%H:%M")), shown
        posted = field.widget.value_from_datadict({name: shown}, {}, name)
        assert field.clean(posted) == value
