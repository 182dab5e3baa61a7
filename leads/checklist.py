"""The LEADS course submission checklist, computed from a course snapshot.

The ten sections and their items are the guide's ("LEADS COURSE SUBMISSION CHECKLIST"). Items the
system can judge are computed with the rules in `courses.rules`, each with its reasons; items that
need judgement are affirmed by the course leader; item 10 is set only by the Dean's approval.
Two centre requirements follow (the badge fields and the EU elements), because a badge cannot be
issued without them.
"""

from dataclasses import asdict, dataclass, field
from datetime import date

from courses import outcome_verbs, rules
from courses.rules import Finding

COMPUTED, AFFIRMED, APPROVAL = "computed", "affirmed", "approval"

SECTIONS = {
    1: "Basic information",
    2: "Target audience",
    3: "Prerequisites",
    4: "Notional working hours",
    5: "Competencies / learning outcomes",
    6: "Content and schedule",
    7: "Teaching and learning modality",
    8: "Assessment and digital badge criteria",
    9: "Budget and resources",
    10: "Approval",
    11: "Digital badge and EU micro-credential elements (centre requirements)",
}

# The template's sections, in the order the leader fills them (key, title).
TEMPLATE_SECTIONS = [
    ("basic", "Basic information"),
    ("audience", "Target audience, eligibility and prerequisites"),
    ("hours", "Notional hours and credits"),
    ("outcomes", "Competencies / learning outcomes"),
    ("content", "Content and schedule"),
    ("modality", "Teaching and learning modality"),
    ("assessment", "Assessment and badge criteria"),
    ("budget", "Budget and resources"),
    ("badge", "Digital badge"),
    ("eu", "EU micro-credential elements"),
]

# Checklist items the leader affirms, and the Course flag that records each.
AFFIRMATIONS = {
    "aim": "affirms_aim",
    "eligibility": "affirms_eligibility",
    "prerequisites": "affirms_prerequisites",
    "resources": "affirms_resources",
    "budget": "affirms_budget",
}


@dataclass
class Item:
    code: str
    section: int
    text: str
    kind: str
    edit_section: str | None
    ok: bool = False
    findings: list[dict] = field(default_factory=list)

    @property
    def blocking(self):
        return self.kind != APPROVAL and not self.ok

    @property
    def problems(self):
        return [f for f in self.findings if not f["ok"]]


def _f(finding: Finding) -> dict:
    data = asdict(finding)
    data["blocking"] = finding.blocking
    return data


def _present(value, code, message_missing, message_ok, field_name):
    ok = bool(value and str(value).strip())
    return Finding(
        code=code, ok=ok, message=message_ok if ok else message_missing, field=field_name
    )


def _affirmed(snapshot, key, what):
    ok = bool(snapshot.get(AFFIRMATIONS[key]))
    return Finding(
        code=f"{key}_affirmed" if ok else f"{key}_not_affirmed",
        ok=ok,
        message="Affirmed by the course leader." if ok else f"Tick this item once you have {what}.",
        field=AFFIRMATIONS[key],
    )


def _item(code, section, text, kind, edit_section, findings):
    findings = list(findings)
    ok = not any(f.blocking for f in findings)
    return Item(code, section, text, kind, edit_section, ok, [_f(f) for f in findings])


def _hours(snapshot):
    credits = snapshot.get("credits")
    findings = (
        rules.check_credits(credits)
        if credits is not None
        else [Finding("credits_missing", False, "Enter the course's credits (1 to 6).", "credits")]
    )
    parts = [snapshot.get(k) for k in ("teaching_hours", "self_study_hours", "other_hours")]
    if any(p is None for p in parts[:2]):
        findings.append(
            Finding("hours_missing", False, "Enter the teaching and self-study hours.", "hours")
        )
    elif credits is not None:
        findings += rules.check_hours(
            credits=credits,
            teaching_hours=parts[0],
            self_study_hours=parts[1],
            other_hours=parts[2] or 0,
        )
    return findings


def _outcomes(snapshot):
    outcomes = snapshot.get("outcomes", [])
    findings = rules.check_outcome_count(len(outcomes))
    for i, outcome in enumerate(outcomes):
        finding = outcome_verbs.check_outcome_verb(outcome["text"], field=f"outcomes[{i}]")
        findings.append(
            Finding(
                finding.code,
                finding.ok,
                f"{outcome['label']}: {finding.message}",
                finding.field,
                finding.severity,
            )
        )
    return findings


def _in_person(snapshot):
    sessions = [
        {"title": u["title"], "place": u["place"], "timing": u["timing"]}
        for u in snapshot.get("content_units", [])
        if u.get("is_in_person")
    ]
    return rules.check_in_person_sessions(
        sessions, in_person_hours=snapshot.get("in_person_hours") or 0
    )


def _modality(snapshot):
    if not snapshot.get("modality"):
        return [Finding("modality_missing", False, "Choose the teaching and learning modality.",
                        "modality")]  # fmt: skip
    return rules.check_hybrid(
        modality=snapshot["modality"],
        in_person_hours=snapshot.get("in_person_hours") or 0,
        total_hours=snapshot.get("total_hours") or 0,
    )


def _assessments(snapshot):
    outcomes = [{"id": o["id"], "label": o["label"]} for o in snapshot.get("outcomes", [])]
    assessments = [
        {
            "title": a["title"],
            "outcome_ids": a["outcome_ids"],
            "summative": a["purpose"] == "summative",
            "criteria": [{"outcome_id": c["outcome_id"], "pass_fail": True} for c in a["criteria"]],
        }
        for a in snapshot.get("assessments", [])
    ]
    return rules.check_assessment_coverage(outcomes, assessments)


def _badge(snapshot, today):
    required = {
        "badge_name": "the badge's name",
        "badge_description": "the badge's description",
        "badge_level": "the badge's level",
        "badge_issue_mode": "how the badge is issued (criteria)",
        "badge_message": "the congratulatory message",
    }
    missing = [label for key, label in required.items() if not snapshot.get(key)]
    findings = [
        Finding(
            "badge_fields_missing" if missing else "badge_fields_ok",
            not missing,
            f"Still to fill in: {', '.join(missing)}."
            if missing
            else "All badge fields are given.",
            "badge",
        )
    ]
    expiry_date = snapshot.get("badge_expiry_date")
    findings += rules.check_expiry(
        expires_after_months=snapshot.get("badge_expiry_months"),
        expiry_date=date.fromisoformat(expiry_date) if expiry_date else None,
        today=today,
    )
    return findings


def _eu(snapshot):
    required = {
        "eqf_level": "the EQF level",
        "eu_assessment_type": "the type of assessment",
        "quality_assurance": "the type of quality assurance",
    }
    missing = [label for key, label in required.items() if not snapshot.get(key)]
    return [
        Finding(
            "eu_elements_missing" if missing else "eu_elements_ok",
            not missing,
            f"Still to fill in: {', '.join(missing)}."
            if missing
            else "The EU mandatory elements are given.",
            "eu",
        )
    ]


def compute_checklist(snapshot: dict, *, approved=False, today: date | None = None) -> list[Item]:
    """Every checklist item with whether it is met and why, in the guide's order."""
    today = today or date.today()
    s = snapshot
    return [
        _item("name", 1, "Course name is clearly provided.", COMPUTED, "basic", [
            _present(s.get("title"), "name", "Give the course a name.", "The course is named.",
                     "title")]),
        _item("aim", 1, "Aim of the course is stated clearly, reflecting specific skills aligned "
              "with target audience needs.", AFFIRMED, "basic", [
            _present(s.get("aim"), "aim", "State the course's aim.", "The aim is stated.", "aim"),
            _affirmed(s, "aim", "checked that the aim names the skills this audience needs")]),
        _item("audience", 2, "Target audience is clearly defined (e.g., demographics, "
              "professional background).", COMPUTED, "audience", [
            _present(s.get("target_audience"), "audience", "Describe the target audience.",
                     "The target audience is described.", "target_audience")]),
        _item("eligibility", 2, "Eligibility criteria are specific and appropriate for the "
              "course level.", AFFIRMED, "audience", [
            _present(s.get("eligibility"), "eligibility", "State the eligibility criteria.",
                     "Eligibility criteria are stated.", "eligibility"),
            _affirmed(s, "eligibility", "checked that the criteria suit the course's level")]),
        _item("prerequisites", 3, "Prerequisites are aligned with the identified target "
              "audience.", AFFIRMED, "audience", [
            _affirmed(s, "prerequisites", "checked the prerequisites (or that none are needed) "
                      "against the audience")]),
        _item("hours", 4, "Estimated hours are suitable for a micro-credential (e.g., 25-30 "
              "hours).", COMPUTED, "hours", _hours(s)),
        _item("outcomes", 5, "Course has 2–5 clear learning goals (what learners will be able "
              "to do).", COMPUTED, "outcomes", _outcomes(s)),
        _item("structure", 6, "Course structure is outlined by topics/units/modules.", COMPUTED,
              "content", [_present(s.get("content_units"), "structure",
                                   "List the course's topics or units in order.",
                                   f"{len(s.get('content_units', []))} units are listed.",
                                   "content_units")]),
        _item("in_person", 6, "If in-person teaching is involved, location and timing are "
              "specified.", COMPUTED, "content", _in_person(s)),
        _item("modality", 7, "Modality (self-paced, synchronous, asynchronous, blended, hybrid) "
              "is clearly stated.", COMPUTED, "modality", _modality(s)),
        _item("assessment_types", 8, "Types of assessments are listed (e.g., quizzes, "
              "assignments, projects).", COMPUTED, "assessment", [
            _present(s.get("assessments"), "assessment_types", "Add the course's assessments.",
                     f"{len(s.get('assessments', []))} assessments are listed.", "assessments")]),
        _item("rubrics", 8, "Rubrics or criteria for assessing each competency are outlined.",
              COMPUTED, "assessment", _assessments(s)),
        _item("evidence", 8, "Evidence required for earning the digital badge is described.",
              COMPUTED, "assessment", [
            _present(s.get("evidence_required"), "evidence",
                     "Describe the evidence learners provide to earn the badge.",
                     "The evidence for the badge is described.", "evidence_required")]),
        _item("resources", 9, "Teaching and other resources are available.", AFFIRMED, "budget",
              [_affirmed(s, "resources", "confirmed that teaching and other resources are "
                         "available")]),
        _item("budget", 9, "Adequate budget is available for offering the course.", AFFIRMED,
              "budget", [_affirmed(s, "budget", "confirmed that the budget is adequate")]),
        Item("approval", 10, "Course has been approved by the Dean or designate.", APPROVAL, None,
             approved, [_f(Finding("approval", approved,
                                   "Approved by the Dean or designate." if approved
                                   else "Set by the Dean's or designate's approval.", None))]),
        _item("badge", 11, "The digital badge's fields are complete and its expiry is valid.",
              COMPUTED, "badge", _badge(s, today)),
        _item("eu_elements", 11, "The EU micro-credential elements are given.", COMPUTED, "eu",
              _eu(s)),
    ]  # fmt: skip


def blocking_items(items: list[Item]) -> list[Item]:
    return [item for item in items if item.blocking]


def section_findings(items: list[Item], section: str) -> list[dict]:
    """What the checklist says about one template section, in the guide's order.

    The one answer the section's page, its to-do count in the sidebar and the course page all
    read. The leader's affirmations are left out: they are ticked on the checklist page, not in
    the section.
    """
    affirmations = set(AFFIRMATIONS.values())
    return [
        finding
        for item in items
        if item.edit_section == section
        for finding in item.findings
        if finding["field"] not in affirmations
    ]


def section_status(items: list[Item]) -> dict:
    """For each template section: how many of its findings block submission (0 = complete)."""
    return {
        key: sum(1 for f in section_findings(items, key) if f["blocking"])
        for key, _ in TEMPLATE_SECTIONS
    }


def as_json(items: list[Item]) -> list[dict]:
    return [asdict(item) for item in items]
