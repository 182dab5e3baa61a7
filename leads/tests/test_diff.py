import copy

import pytest

from leads.diff import (
    NOT_COMPARED,
    SCALAR_FIELDS,
    Change,
    date_words,
    display_labels,
    display_value,
    snapshot_diff,
)
from leads.snapshot import SCALAR_FIELDS as SNAPSHOT_FIELDS

from .review_factories import CHANGED_OUTCOME, resubmitted_course, submitted_revision


def snapshot():
    """A snapshot as leads.snapshot.course_snapshot writes it."""
    return {
        "title": "Leading School Improvement",
        "aim": "Lead data-informed improvement.",
        "target_audience": "Middle leaders.",
        "eligibility": "Two years of teaching.",
        "prerequisites": "",
        "credits": 2,
        "teaching_hours": 16,
        "self_study_hours": 32,
        "other_hours": 8,
        "total_hours": 56,
        "planned_start": "2027-02-01",
        "planned_end": "2027-03-31",
        "modality": "hybrid",
        "in_person_hours": 12,
        "evidence_required": "A plan.",
        "resources_note": "Two faculty.",
        "budget_note": "Covered.",
        "affirms_aim": True,
        "affirms_eligibility": True,
        "affirms_prerequisites": True,
        "affirms_resources": True,
        "affirms_budget": True,
        "badge_name": "School Improvement Leader",
        "badge_description": "Awarded for leading improvement.",
        "badge_level": "intermediate",
        "badge_expiry_months": 36,
        "badge_expiry_date": None,
        "badge_issue_mode": "automatic",
        "badge_message": "Congratulations!",
        "eqf_level": 6,
        "eu_assessment_type": "Portfolio",
        "quality_assurance": "Internal.",
        "assessment_supervision": "none",
        "stackability": "",
        "course_id": 1,
        "lineage": "6f1c",
        "version": 1,
        "unit": "Faculty of Education",
        "unit_id": 1,
        "leader": "Leader Person",
        "leader_email": "leader@example.org",
        "instructors": ["Ann Teacher"],
        "outcomes": [
            {"id": 11, "label": "LO1", "text": "Analyse school data."},
            {"id": 12, "label": "LO2", "text": "Design a plan."},
        ],
        "content_units": [
            {"title": "Using data", "is_in_person": False, "place": "", "timing": ""},
            {"title": "Workshop", "is_in_person": True, "place": "Karachi", "timing": "Week 3"},
        ],
        "assessments": [
            {
                "id": 21,
                "title": "Improvement plan",
                "kind": "project",
                "purpose": "summative",
                "description": "",
                "outcome_ids": [11, 12],
                "criteria": [
                    {"outcome_id": 11, "pass_description": "Finds the priorities."},
                    {"outcome_id": 12, "pass_description": "Writes a workable plan."},
                ],
            }
        ],
    }


def changed(**values):
    new = copy.deepcopy(snapshot())
    new.update(values)
    return new


def test_identical_snapshots_have_no_changes():
    assert snapshot_diff(snapshot(), snapshot()) == []


def test_a_changed_field_is_given_with_its_label_section_and_both_values():
    assert snapshot_diff(snapshot(), changed(aim="Lead change.")) == [
        Change("Basic information", "Aim", "Lead data-informed improvement.", "Lead change.")
    ]


def test_coded_values_are_shown_with_their_labels():
    new = changed(
        modality="blended",
        badge_level="advanced",
        badge_issue_mode="manual",
        assessment_supervision="on_site_id",
        eqf_level=5,
    )
    changes = {c.label: (c.old, c.new) for c in snapshot_diff(snapshot(), new)}
    assert changes["Modality"] == ("Hybrid", "Blended online")
    assert changes["Badge level"] == ("Intermediate", "Advanced")
    assert changes["Badge criteria"][0] == "Automatic on course completion"
    assert changes["Badge criteria"][1].startswith("Manual issue by role")
    assert changes["Supervision and identity verification"] == (
        "Not supervised",
        "Supervised on site, with identity verification",
    )
    assert changes["EQF level"] == ("EQF level 6", "EQF level 5")


def test_dates_numbers_booleans_and_blanks_are_in_words():
    new = changed(
        planned_start="2027-03-01",
        teaching_hours=17.5,
        affirms_budget=False,
        prerequisites="Teaching qualification.",
        badge_expiry_months=None,
        badge_expiry_date="2030-01-31",
    )
    changes = {c.label: (c.old, c.new) for c in snapshot_diff(snapshot(), new)}
    assert changes["Planned start"] == ("1 February 2027", "1 March 2027")
    assert changes["Teaching hours"] == ("16", "17.5")
    assert changes["Budget affirmed by the course leader"] == ("Yes", "No")
    assert changes["Prerequisites"] == ("(none)", "Teaching qualification.")
    assert changes["Badge expires after"] == ("36 months", "(none)")
    assert changes["Badge expires on"] == ("(none)", "31 January 2030")


def test_the_same_number_written_differently_is_not_a_change():
    assert snapshot_diff(snapshot(), changed(teaching_hours=16.0)) == []


def test_outcomes_are_compared_by_position():
    new = changed()
    new["outcomes"][1]["text"] = "Design and lead a plan."
    new["outcomes"].append({"id": 13, "label": "LO3", "text": "Evaluate impact."})
    assert snapshot_diff(snapshot(), new) == [
        Change(
            "Competencies / learning outcomes",
            "Learning outcome 2",
            "Design a plan.",
            "Design and lead a plan.",
        ),
        Change(
            "Competencies / learning outcomes", "Learning outcome 3", "(none)", "Evaluate impact."
        ),
    ]


def test_content_units_are_compared_by_position_field_by_field():
    new = changed()
    new["content_units"][1]["place"] = "Chitral"
    del new["content_units"][0]
    changes = [(c.label, c.old, c.new) for c in snapshot_diff(snapshot(), new)]
    assert changes == [
        ("Unit 1", "Using data", "Workshop"),
        ("Unit 1 — in person", "No", "Yes"),
        ("Unit 1 — place", "(none)", "Chitral"),
        ("Unit 1 — when in the course", "(none)", "Week 3"),
        ("Unit 2", "Workshop", "(none)"),
        ("Unit 2 — in person", "Yes", "(none)"),
        ("Unit 2 — place", "Karachi", "(none)"),
        ("Unit 2 — when in the course", "Week 3", "(none)"),
    ]
    assert {c.section for c in snapshot_diff(snapshot(), new)} == {"Content and schedule"}


def test_assessments_and_their_criteria_are_compared_with_labels():
    new = changed()
    assessment = new["assessments"][0]
    assessment["kind"] = "portfolio"
    assessment["purpose"] = "formative"
    assessment["outcome_ids"] = [12]
    assessment["criteria"] = [{"outcome_id": 12, "pass_description": "Writes a costed plan."}]
    changes = [(c.label, c.old, c.new) for c in snapshot_diff(snapshot(), new)]
    assert changes == [
        ("Assessment 1 — type", "Project", "Portfolio"),
        (
            "Assessment 1 — purpose",
            "Summative (counts towards the badge)",
            "Formative (practice and feedback)",
        ),
        ("Assessment 1 — outcomes assessed", "LO1, LO2", "LO2"),
        ("Assessment 1 — criteria for LO1", "Finds the priorities.", "(none)"),
        ("Assessment 1 — criteria for LO2", "Writes a workable plan.", "Writes a costed plan."),
    ]


def test_outcome_ids_that_differ_between_versions_are_not_changes():
    """A revision copies the outcomes with new ids; the labels are what the Dean compares."""
    new = changed()
    for outcome in new["outcomes"]:
        outcome["id"] += 100
    new["assessments"][0]["outcome_ids"] = [111, 112]
    for criterion in new["assessments"][0]["criteria"]:
        criterion["outcome_id"] += 100
    new.update(course_id=2, version=2, lineage="6f1c", unit_id=1)
    assert snapshot_diff(snapshot(), new) == []


def test_an_added_assessment_lists_everything_it_brings():
    new = changed()
    new["assessments"].append(
        {
            "id": 22,
            "title": "Reflection",
            "kind": "reflection",
            "purpose": "formative",
            "description": "A short essay.",
            "outcome_ids": [11],
            "criteria": [{"outcome_id": 11, "pass_description": "Reflects."}],
        }
    )
    changes = [(c.label, c.old, c.new) for c in snapshot_diff(snapshot(), new)]
    assert changes == [
        ("Assessment 2", "(none)", "Reflection"),
        ("Assessment 2 — type", "(none)", "Reflection"),
        ("Assessment 2 — purpose", "(none)", "Formative (practice and feedback)"),
        ("Assessment 2 — description", "(none)", "A short essay."),
        ("Assessment 2 — outcomes assessed", "(none)", "LO1"),
        ("Assessment 2 — criteria for LO1", "(none)", "Reflects."),
    ]


def test_changes_come_in_the_templates_order():
    new = changed(stackability="Stacks with B.", title="New title", credits=3, budget_note="")
    new["outcomes"][0]["text"] = "Analyse data."
    labels = [c.label for c in snapshot_diff(snapshot(), new)]
    assert labels == [
        "Course name",
        "Credits",
        "Learning outcome 1",
        "Budget",
        "Stackability options",
    ]


def test_every_field_of_the_snapshot_is_compared():
    compared = {field for fields in SCALAR_FIELDS.values() for field, _ in fields}
    lists = {"outcomes", "content_units", "assessments"}
    keys = set(snapshot())
    assert set(SNAPSHOT_FIELDS) <= compared
    assert keys <= compared | lists | NOT_COMPARED


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("modality", "self_paced", "Online self-paced"),
        ("modality", "unknown", "unknown"),
        ("instructors", ["A", "B"], "A, B"),
        ("badge_expiry_months", 1, "1 month"),
        ("title", "", "(none)"),
        ("credits", None, "(none)"),
        ("credits", 0, "0"),
    ],
)
def test_display_value(field, value, text):
    assert display_value(field, value) == text


def test_display_labels_extend_the_snapshots_own_labels():
    labels = display_labels(snapshot())
    assert labels["modality"] == "Hybrid"
    assert labels["participation_form"] == "Blended (online and on-site)"
    assert labels["badge_issue_mode"] == "Automatic on course completion"
    assert labels["planned_start"] == "1 February 2027"
    assert labels["badge_expiry_date"] == ""
    assert date_words("2027-12-05") == "5 December 2027"


@pytest.mark.django_db
def test_a_real_resubmission_shows_the_reworded_outcome_only():
    _, first, second = resubmitted_course()
    changes = snapshot_diff(first.snapshot, second.snapshot)
    assert [(c.label, c.new) for c in changes] == [("Learning outcome 2", CHANGED_OUTCOME)]


@pytest.mark.django_db
def test_a_revision_compared_with_the_approved_version_shows_only_what_was_edited():
    _, approved, _, submission = submitted_revision(
        credits=3, teaching_hours=24, self_study_hours=50
    )
    changes = snapshot_diff(approved.snapshot, submission.snapshot)
    assert [(c.label, c.old, c.new) for c in changes] == [
        ("Credits", "2", "3"),
        ("Teaching hours", "16", "24"),
        ("Self-study hours", "32", "50"),
        ("Total hours", "56", "82"),
    ]
