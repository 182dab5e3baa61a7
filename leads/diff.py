"""What changed between two submission snapshots, field by field, in words.

The Dean reads a resubmission against the one they last decided on, so every change is given
with the field's label in the course template, its old value and its new value as text, coded
values (modality, badge level, …) shown with their labels. Lists (outcomes, content units,
assessments and their criteria) are compared item by item by position, as the leader numbers
them: "Learning outcome 2", "Unit 3", "Assessment 1 — criteria for LO2".
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from assessments.models import Assessment
from courses import rules
from courses.models import AssessmentSupervision, BadgeIssueMode

from . import snapshot as snapshots
from .checklist import TEMPLATE_SECTIONS

NOTHING = "(none)"

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class Change:
    section: str  # the course template's section title
    label: str
    old: str
    new: str


def date_words(day: date | str | None) -> str:
    """A date as people write it, whatever the server's locale: "1 February 2027"."""
    if not day:
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _number(value) -> str:
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _choice(mapping: dict) -> Callable:
    return lambda value: mapping.get(value, str(value))


def _months(value) -> str:
    return "1 month" if value == 1 else f"{value} months"


# How each coded or typed field is shown; any other value is shown as it is.
_DISPLAY: dict[str, Callable] = {
    "modality": _choice({key: m.label for key, m in rules.MODALITIES.items()}),
    "badge_level": _choice(rules.BADGE_LEVELS),
    "badge_issue_mode": _choice(dict(BadgeIssueMode.choices)),
    "assessment_supervision": _choice(dict(AssessmentSupervision.choices)),
    "eqf_level": lambda value: f"EQF level {value}",
    "kind": _choice(rules.ASSESSMENT_TYPES),
    "purpose": _choice(dict(Assessment.Purpose.choices)),
    "planned_start": date_words,
    "planned_end": date_words,
    "badge_expiry_date": date_words,
    "badge_expiry_months": _months,
    "instructors": lambda names: ", ".join(names),
}


def display_value(field: str, value) -> str:
    """A snapshot value as text: labels for codes, dates in words, Yes/No, or NOTHING."""
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field in _DISPLAY:
        return _DISPLAY[field](value)
    if isinstance(value, int | float | Decimal):
        return _number(value)
    return str(value)


def display_labels(snapshot: dict) -> dict:
    """The display text of a snapshot's coded values, for templates that cannot look them up.

    A superset of :func:`leads.snapshot.labels`; pass it as ``labels`` to
    ``leads/includes/snapshot_view.html``.
    """
    data = snapshots.labels(snapshot)
    for field in (
        "badge_issue_mode", "assessment_supervision", "eqf_level",
        "planned_start", "planned_end", "badge_expiry_date",
    ):  # fmt: skip
        value = snapshot.get(field)
        data[field] = display_value(field, value) if value not in (None, "") else ""
    return data


# The template's fields in its order: section key -> (field, label) pairs. The lists (outcomes,
# units, assessments) have their own comparisons, placed where LIST_FIELDS says.
SCALAR_FIELDS: dict[str, list[tuple[str, str]]] = {
    "basic": [
        ("title", "Course name"),
        ("aim", "Aim"),
        ("affirms_aim", "Aim affirmed by the course leader"),
        ("unit", "Unit"),
        ("leader", "Course leader"),
        ("instructors", "Instructors"),
    ],
    "audience": [
        ("target_audience", "Target audience"),
        ("eligibility", "Eligibility criteria"),
        ("affirms_eligibility", "Eligibility affirmed by the course leader"),
        ("prerequisites", "Prerequisites"),
        ("affirms_prerequisites", "Prerequisites affirmed by the course leader"),
    ],
    "hours": [
        ("credits", "Credits"),
        ("teaching_hours", "Teaching hours"),
        ("self_study_hours", "Self-study hours"),
        ("other_hours", "Assessment and other work (hours)"),
        ("total_hours", "Total hours"),
    ],
    "outcomes": [],
    "content": [
        ("planned_start", "Planned start"),
        ("planned_end", "Planned end"),
    ],
    "modality": [
        ("modality", "Modality"),
        ("in_person_hours", "In-person hours"),
    ],
    "assessment": [
        ("evidence_required", "Evidence required for the badge"),
    ],
    "budget": [
        ("resources_note", "Teaching and other resources"),
        ("affirms_resources", "Resources affirmed by the course leader"),
        ("budget_note", "Budget"),
        ("affirms_budget", "Budget affirmed by the course leader"),
    ],
    "badge": [
        ("badge_name", "Badge name"),
        ("badge_description", "Badge description"),
        ("badge_level", "Badge level"),
        ("badge_expiry_months", "Badge expires after"),
        ("badge_expiry_date", "Badge expires on"),
        ("badge_issue_mode", "Badge criteria"),
        ("badge_message", "Congratulatory message"),
    ],
    "eu": [
        ("eqf_level", "EQF level"),
        ("eu_assessment_type", "Type of assessment"),
        ("quality_assurance", "Type of quality assurance"),
        ("assessment_supervision", "Supervision and identity verification"),
        ("stackability", "Stackability options"),
    ],
}

# Snapshot keys that identify the version rather than describe the course.
NOT_COMPARED = {"course_id", "lineage", "version", "unit_id", "leader_email"}


def _change(section, label, field, old, new) -> Change | None:
    old_text, new_text = display_value(field, old), display_value(field, new)
    if old_text == new_text:
        return None
    return Change(section, label, old_text, new_text)


def _by_position(old: list, new: list) -> Iterable[tuple[int, dict, dict]]:
    """Pairs of items at the same position; an item missing on one side is an empty dict."""
    for index in range(max(len(old), len(new))):
        yield (
            index,
            old[index] if index < len(old) else {},
            new[index] if index < len(new) else {},
        )


def _outcome_changes(section, old, new):
    for index, before, after in _by_position(old.get("outcomes", []), new.get("outcomes", [])):
        yield _change(
            section, f"Learning outcome {index + 1}", "text", before.get("text"), after.get("text")
        )


def _unit_changes(section, old, new):
    parts = [
        ("title", ""),
        ("is_in_person", " — in person"),
        ("place", " — place"),
        ("timing", " — when in the course"),
    ]
    units = _by_position(old.get("content_units", []), new.get("content_units", []))
    for index, before, after in units:
        for field, suffix in parts:
            yield _change(
                section, f"Unit {index + 1}{suffix}", field, before.get(field), after.get(field)
            )


def _outcome_labels(snapshot: dict) -> dict:
    return {outcome["id"]: outcome["label"] for outcome in snapshot.get("outcomes", [])}


def _label_order(label: str):
    # "LO10" after "LO9"; labels of outcomes no longer in the course sort last.
    digits = label.removeprefix("LO")
    return (0, int(digits), "") if digits.isdigit() else (1, 0, label)


def _assessment_parts(assessment: dict, outcome_labels: dict) -> dict:
    """An assessment's fields with outcome ids replaced by labels, which survive a revision."""
    if not assessment:
        return {}
    assessed = [outcome_labels.get(oid, f"outcome {oid}") for oid in assessment["outcome_ids"]]
    criteria = {
        outcome_labels.get(c["outcome_id"], f"outcome {c['outcome_id']}"): c["pass_description"]
        for c in assessment.get("criteria", [])
    }
    return {
        "title": assessment.get("title"),
        "kind": assessment.get("kind"),
        "purpose": assessment.get("purpose"),
        "description": assessment.get("description"),
        "outcomes": ", ".join(sorted(assessed, key=_label_order)),
        "criteria": criteria,
    }


def _assessment_changes(section, old, new):
    old_labels, new_labels = _outcome_labels(old), _outcome_labels(new)
    parts = [
        ("title", ""),
        ("kind", " — type"),
        ("purpose", " — purpose"),
        ("description", " — description"),
        ("outcomes", " — outcomes assessed"),
    ]
    pairs = _by_position(old.get("assessments", []), new.get("assessments", []))
    for index, before, after in pairs:
        before = _assessment_parts(before, old_labels)
        after = _assessment_parts(after, new_labels)
        name = f"Assessment {index + 1}"
        for field, suffix in parts:
            yield _change(section, f"{name}{suffix}", field, before.get(field), after.get(field))
        old_criteria, new_criteria = before.get("criteria", {}), after.get("criteria", {})
        for label in sorted(old_criteria.keys() | new_criteria.keys(), key=_label_order):
            yield _change(
                section,
                f"{name} — criteria for {label}",
                "pass_description",
                old_criteria.get(label),
                new_criteria.get(label),
            )


# Where the lists go: after the section's scalar fields, except in "assessment", where the
# assessments come before the evidence for the badge, as in the template.
LIST_FIELDS = {
    "outcomes": (_outcome_changes, "after"),
    "content": (_unit_changes, "after"),
    "assessment": (_assessment_changes, "before"),
}


def snapshot_diff(old: dict, new: dict) -> list[Change]:
    """Every difference between two snapshots, in the template's order; [] when none."""
    changes: list[Change | None] = []
    for key, title in TEMPLATE_SECTIONS:
        scalars = [
            _change(title, label, field, old.get(field), new.get(field))
            for field, label in SCALAR_FIELDS[key]
        ]
        compare, place = LIST_FIELDS.get(key, (None, "after"))
        lists = list(compare(title, old, new)) if compare else []
        changes += lists + scalars if place == "before" else scalars + lists
    return [change for change in changes if change is not None]
